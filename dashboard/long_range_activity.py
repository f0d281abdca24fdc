"""Where a page's long-range data came from: each fetch's `LongRangeActivity` (on the shared
`ACTIVITY` board, latest per account and range) and the page run's `RunLog`, opened with
`listening()` and seen by every fetch the page starts (also in the loaders' worker threads)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import date
from typing import Final

from pinterest_client import SYNC_MAX_DAYS_BACK
from pinterest_client.reports import ProgressCallback


@dataclass(frozen=True)
class LongRangeActivity:
    """One long-range fetch as the page can describe it."""

    account_id: str
    start: date
    end: date
    jobs_total: int = 0
    jobs_done: int = 0
    days_from_store: int = 0
    days_from_reports: int = 0
    days_live: int = 0
    text: str = ""
    finished: bool = False
    updated_at: float = 0.0
    store_problem: str = ""  # why the local report store was not used (ReportStore.problem)

    def describe(self) -> str:
        parts = []
        if self.days_from_reports:
            jobs = f"{self.jobs_total} job{'s' if self.jobs_total != 1 else ''}"
            parts.append(f"{self.days_from_reports} days fetched with {jobs}")
        if self.days_from_store:
            parts.append(f"{self.days_from_store} days from the local report store")
        if self.days_live:
            parts.append(f"the last {self.days_live} days from live analytics")
        detail = "; ".join(parts)
        return (
            f"This range starts more than {SYNC_MAX_DAYS_BACK} days ago, beyond Pinterest's live "
            "analytics, so "
            "older days come from Pinterest async reports" + (f" ({detail})." if detail else ".")
        )


class ActivityBoard:
    """Thread-safe latest activity per (account, start, end): the MAX_ITEMS most recently
    updated (older ones are forgotten, so made-up links cannot grow it)."""

    MAX_ITEMS: Final = 256

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[str, date, date], LongRangeActivity] = OrderedDict()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def update(self, activity: LongRangeActivity) -> None:
        key = (activity.account_id, activity.start, activity.end)
        with self._lock:
            self._items[key] = replace(activity, updated_at=time.time())
            self._items.move_to_end(key)
            while len(self._items) > self.MAX_ITEMS:
                self._items.popitem(last=False)

    def get(self, account_id: str, start: date, end: date) -> LongRangeActivity | None:
        with self._lock:
            return self._items.get((account_id, start, end))

    def for_account(self, account_id: str) -> list[LongRangeActivity]:
        with self._lock:
            return [a for k, a in self._items.items() if k[0] == account_id]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


ACTIVITY: Final = ActivityBoard()


class RunLog:
    """What the long-range fetches of one page run did: progress as it happens, then a summary.

    A page opens one with `listening()`; every fetch started inside (also in the loaders' worker
    threads, which run in a copy of the page's context) reports to it."""

    def __init__(self, on_progress: ProgressCallback | None = None) -> None:
        self._on_progress = on_progress
        self._lock = threading.Lock()
        self.activities: list[LongRangeActivity] = []

    def progress(self, done: int, total: int, text: str) -> None:
        if self._on_progress is not None:
            self._on_progress(done, total, text)

    def record(self, activity: LongRangeActivity) -> None:
        with self._lock:
            self.activities.append(activity)

    @property
    def jobs_run(self) -> int:
        # Single flight per request key: a fetch that waited for another ran no job itself.
        with self._lock:
            return sum(a.jobs_total for a in self.activities if a.days_from_reports)

    @property
    def days_live(self) -> int:
        with self._lock:
            return max((a.days_live for a in self.activities), default=0)

    @property
    def used_reports(self) -> bool:
        with self._lock:
            return any(a.days_from_reports or a.days_from_store for a in self.activities)

    def describe(self) -> str:
        if not self.used_reports:
            return "All days came from live analytics."
        jobs = self.jobs_run
        source = (
            f"{jobs} report job{'s' if jobs != 1 else ''} run now; finished days are kept in "
            "a local store" if jobs else "read from the local report store, no new job"
        )
        live = f"; the last {self.days_live} days from live analytics" if self.days_live else ""
        with self._lock:
            problems = dict.fromkeys(a.store_problem for a in self.activities if a.store_problem)
        return (
            f"This range starts more than {SYNC_MAX_DAYS_BACK} days ago, beyond Pinterest's live "
            "analytics, so "
            f"older days come from Pinterest async reports ({source}{live})."
            + "".join(f" {problem}" for problem in problems)
        )


# The page's log, seen by the fetches it starts (dashboard.loaders.gather runs each task in a
# copy of the caller's context, so it follows them into worker threads).
RUN_LOG: ContextVar[RunLog | None] = ContextVar("long_range_run_log", default=None)


@contextmanager
def listening(on_progress: ProgressCallback | None = None) -> Iterator[RunLog]:
    """Long-range fetches started inside the block report progress and what they did."""
    log = RunLog(on_progress)
    token = RUN_LOG.set(log)
    try:
        yield log
    finally:
        RUN_LOG.reset(token)
