"""The lifecycle both kinds of background job share (async reports, bulk downloads).

A job is running until its ready time on the simulator clock, then failed (when a failure was
injected or drawn at creation) or done; a report also expires a while after it is done. The
status words differ per API (IN_PROGRESS/FINISHED vs RUNNING/SUCCEEDED), so each kind names
its own (`StatusWords`). `JobStore` creates, numbers and finds jobs, thread-safely.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar


@dataclass(frozen=True)
class StatusWords:
    running: str
    failed: str
    done: str
    expired: str = "EXPIRED"


def job_status(words: StatusWords, now: datetime, ready_at: datetime, fails: bool,
               lifetime_s: float | None = None) -> str:
    """Running until `ready_at`, then failed or done; expired `lifetime_s` after done."""
    if now < ready_at:
        return words.running
    if fails:
        return words.failed
    if lifetime_s is not None and now >= ready_at + timedelta(seconds=lifetime_s):
        return words.expired
    return words.done


class Job(Protocol):
    @property
    def account_id(self) -> str: ...


J = TypeVar("J", bound=Job)


@dataclass
class JobStore(Generic[J]):
    """Jobs by key. `fail_next(n)` makes the next n created jobs fail; otherwise each job
    fails when `failure_draw()` says so. Jobs are ready `delay_s()` after creation."""

    delay_s: Callable[[], float]
    failure_draw: Callable[[], bool]
    _jobs: dict[str, J] = field(default_factory=dict)
    _fail_next: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, n: int = 1) -> None:
        with self._lock:
            self._fail_next += n

    def _add(self, now: datetime, key: Callable[[int], str],
             make: Callable[[str, datetime, bool], J]) -> J:
        """A new job from `make(key, ready_at, fails)`; `key(n)` names the n-th job."""
        with self._lock:
            fails = self._fail_next > 0
            if fails:
                self._fail_next -= 1
            fails = fails or self.failure_draw()
            job_key = key(len(self._jobs))
            job = make(job_key, now + timedelta(seconds=self.delay_s()), fails)
            self._jobs[job_key] = job
            return job

    def get(self, account_id: str, key: str) -> J | None:
        """The job, if it exists and belongs to `account_id`."""
        job = self._jobs.get(key)
        return job if job is not None and job.account_id == account_id else None

    def by_key(self, key: str) -> J | None:
        return self._jobs.get(key)

    def __len__(self) -> int:
        return len(self._jobs)
