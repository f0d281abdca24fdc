"""The shared fetch layer of the page loaders: a page's calls at once, the one way analytics
and targeting rows are fetched (live or from reports), and how fresh the result is."""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from dashboard.admission import LEND_AFTER_S, PAGE_RUNS
from dashboard.errors import describe_error
from dashboard.filters import Filters, sync_reachable
from dashboard.kpis import HOURLY_COLUMNS
from dashboard.long_range import fetch_long_range_rows, fetch_long_range_targeting_rows
from pinterest_client import SYNC_MAX_RANGE_DAYS, Attribution, Fetched, PinterestClient
from pinterest_client import Level as Level  # the analytics levels, defined by the client

MAX_PARALLEL_CALLS: Final = 6  # the most calls one page has in flight at once
# One pool for the process, shared by every session's runs: a pool per run cost each run the
# pool's creation, its threads' start and a join, and under a crowd the runs queued on the
# executor lock meanwhile. Enough workers for several pages loading at once (the calls wait
# on the network; the client's own limits pace them).
GATHER_WORKERS: Final = 32
GATHER_THREAD_PREFIX: Final = "dashboard-gather"
_POOL: Final = ThreadPoolExecutor(max_workers=GATHER_WORKERS,
                                  thread_name_prefix=GATHER_THREAD_PREFIX)
_IN_WORKER = threading.local()  # set in the pool's threads: a nested gather runs inline


def field_of(obj: object, name: str, default: Any = None) -> Any:
    """A field of a client model (dataclass attribute) or of a plain mapping."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def attribution_for(filters: Filters) -> Attribution:
    return Attribution(
        click_window_days=filters.click_window_days,
        engagement_window_days=filters.engagement_window_days,
        view_window_days=filters.view_window_days,
        conversion_report_time=filters.conversion_report_time,
    )


def gather(tasks: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run a page's calls at once; each result is the value or the exception it raised.

    Exceptions are returned, not raised, so a page can show what it has and explain the rest.
    """
    if not tasks:
        return {}
    results: dict[str, Any] = {}
    if getattr(_IN_WORKER, "active", False):
        # Called from a task of another gather: waiting on the shared pool from one of its
        # own threads could wait forever once every worker waits, so run here, in turn.
        for name, task in tasks.items():
            results[name] = _outcome(task)
        return results
    # At most MAX_PARALLEL_CALLS of this page's tasks in flight; the next starts as one ends.
    # Each task runs in a copy of the caller's context (a page's long-range progress
    # listener, dashboard.long_range.PROGRESS_LISTENER, follows it into the thread).
    waiting = list(tasks.items())
    running: dict[Future[Any], str] = {}
    while waiting or running:
        while waiting and len(running) < MAX_PARALLEL_CALLS:
            name, task = waiting.pop(0)
            running[_POOL.submit(contextvars.copy_context().run, _in_worker, task)] = name
        done, _ = wait(running, timeout=LEND_AFTER_S, return_when=FIRST_COMPLETED)
        if not done:
            with PAGE_RUNS.released():  # waiting on the network: another run computes
                done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            name = running.pop(future)
            try:
                results[name] = future.result()
            except Exception as exc:  # handed to the page, which explains it
                results[name] = exc
    return {name: results[name] for name in tasks}


def _in_worker(task: Callable[[], Any]) -> Any:
    _IN_WORKER.active = True
    try:
        return task()
    finally:
        _IN_WORKER.active = False


def _outcome(task: Callable[[], Any]) -> Any:
    try:
        return task()
    except Exception as exc:  # as gather hands it to the page
        return exc


def unwrap(result: Any) -> Any:
    """A gathered result, raising the exception it holds."""
    if isinstance(result, BaseException):
        raise result
    return result


@dataclass(frozen=True)
class Freshness:
    """How fresh a page's data is: the oldest fetch, and whether any part is a stale copy."""

    fetched_at: float
    stale: bool = False
    reasons: tuple[str, ...] = ()

    def age_s(self, now: float | None = None) -> float:
        return max(0.0, (time.time() if now is None else now) - self.fetched_at)


def freshness_of(
    fetched: Iterable[Fetched[Any]], supporting: Iterable[Fetched[Any]] = ()
) -> Freshness:
    """The age of the page's own data (`fetched`: its oldest part) and whether any part,
    supporting ones included, is a stale copy. Supporting parts (names, definitions, a closed
    comparison period) are kept for hours: counting their age would say "updated 15 min ago"
    of numbers fetched seconds ago."""
    primary = list(fetched)
    parts = [*primary, *supporting]
    if not parts:
        return Freshness(fetched_at=time.time())
    # One reason per kind of error (two 429s differ only in their seconds to wait).
    by_kind: dict[type, str] = {}
    for part in parts:
        if part.stale and part.error is not None:
            by_kind.setdefault(type(part.error), describe_error(part.error))
    reasons = tuple(by_kind.values())
    return Freshness(
        fetched_at=min(f.fetched_at for f in primary or parts),
        stale=any(f.stale for f in parts),
        reasons=reasons,
    )


def reach_fits(client: PinterestClient, start: date, end: date, today: date) -> bool:
    """Whether a TOTAL request for start..end is one live call, so that its reach
    (TOTAL_IMPRESSION_USER) is the period's own: rows of several calls or report jobs would
    have to be summed, and people seen in two of them would count twice."""
    window = min(client.config.max_window_days, SYNC_MAX_RANGE_DAYS)
    return sync_reachable(start, today) and (end - start).days <= window


def fetch_analytics_rows(
    client: PinterestClient,
    account_id: str,
    level: Level,
    *,
    start: date,
    end: date,
    columns: Sequence[str],
    granularity: str,
    entity_ids: Sequence[str] | None = None,
    attribution: Attribution | None = None,
    today: date,
) -> Fetched[list[dict[str, Any]]]:
    """Analytics rows for a range at one level: every page's analytics go through here.

    Live (sync) analytics reach 90 days back; older ranges come from async reports through
    the local report store (dashboard.long_range), in the same row shape. HOUR never asks for
    conversion columns, which Pinterest does not serve hourly.
    """
    if not sync_reachable(start, today):
        return fetch_long_range_rows(
            client, account_id, level, start=start, end=end, columns=columns,
            granularity=granularity, entity_ids=entity_ids, attribution=attribution, today=today,
        )
    if granularity == "HOUR":
        columns = [c for c in columns if c in HOURLY_COLUMNS]
    if entity_ids is not None and not entity_ids:
        return Fetched(data=[], stale=False, fetched_at=time.time(), error=None)
    return client.analytics(
        account_id,
        level,
        start_date=start,
        end_date=end,
        columns=list(columns),
        granularity=granularity,
        entity_ids=None if entity_ids is None else list(entity_ids),
        attribution=attribution,
    )


def fetch_targeting_rows(
    client: PinterestClient,
    account_id: str,
    level: Level,
    *,
    targeting_types: Sequence[str],
    start: date,
    end: date,
    columns: Sequence[str],
    entity_ids: Sequence[str] | None = None,
    attribution: Attribution | None = None,
    today: date,
) -> Fetched[list[Any]]:
    """Targeting breakdown rows (TOTAL granularity); same range rules as analytics rows
    (older than 90 days: *_TARGETING async reports, dashboard.long_range)."""
    if not sync_reachable(start, today):
        return fetch_long_range_targeting_rows(
            client, account_id, level, targeting_types=targeting_types, start=start, end=end,
            columns=columns, entity_ids=entity_ids, attribution=attribution, today=today,
        )
    if entity_ids is not None and not entity_ids:
        return Fetched(data=[], stale=False, fetched_at=time.time(), error=None)
    return client.targeting_analytics(
        account_id,
        level,
        targeting_types=list(targeting_types),
        start_date=start,
        end_date=end,
        columns=list(columns),
        granularity="TOTAL",
        entity_ids=None if entity_ids is None else list(entity_ids),
        attribution=attribution,
    )
