"""Waiting for Pinterest's background jobs (async reports, bulk downloads): one loop for both.

A job is polled with backoff 1, 2, 4, 8, then every 10 s (Pinterest's own samples; polling
costs quota) under one deadline; the last wait is cut to the deadline so the job gets one more
poll at its end. A poll that fails transiently (5xx, network, 429, unreadable answer) after the
transport's own retries costs its round only; `MAX_TRANSIENT_ROUNDS` in a row are tolerated.
A finished job's file lives behind a short-lived link: a dead link or a cut-off body is polled
again for a fresh link a few times before the download fails.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Protocol, TypeVar

from pinterest_client._errors import (
    APIError,
    InvalidResponseError,
    PinterestError,
    RateLimitedError,
    ReportError,
    ServerError,
    TransportError,
)

T = TypeVar("T")
S = TypeVar("S")

BACKOFF_S: Final[tuple[float, ...]] = (1.0, 2.0, 4.0, 8.0)
BACKOFF_CAP_S: Final = 10.0
# Poll rounds in a row that may fail transiently (after the transport's own retries).
MAX_TRANSIENT_ROUNDS: Final = 3
TRANSIENT_ERRORS: Final = (ServerError, TransportError, InvalidResponseError, RateLimitedError)


class Session(Protocol):
    """What job APIs need from the transport (pinterest_client._http.HttpSession)."""

    def request_json(
        self,
        method: str,
        path: str,
        *,
        category: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        auth: bool = True,
    ) -> Any: ...

    def download(self, url: str) -> bytes: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


def default_sleep(seconds: float) -> None:
    threading.Event().wait(seconds)


def backoff_delay(attempt: int) -> float:
    """1, 2, 4, 8, then 10 s (Pinterest's own samples; polling costs ads_analytics quota)."""
    if attempt < len(BACKOFF_S):
        return BACKOFF_S[attempt]
    return BACKOFF_CAP_S


def poll_until(
    step: Callable[[], T | None],
    *,
    now: Callable[[], datetime],
    sleep: Callable[[float], None],
    timeout_s: float,
    still_running: Callable[[], BaseException],
) -> T:
    """Call `step` until it returns a result (not None), backing off between rounds.

    `step` raises to end the wait (a failed job); when the deadline passes with no result,
    `still_running()` is raised (the job goes on at Pinterest and can be picked up later).
    """
    deadline = now() + timedelta(seconds=timeout_s)
    attempt = 0
    while True:
        result = step()
        if result is not None:
            return result
        remaining = (deadline - now()).total_seconds()
        if remaining <= 0:
            raise still_running()
        # The last wait is cut to the deadline, so the job gets one more poll at its end.
        sleep(min(backoff_delay(attempt), remaining))
        attempt += 1


def wait_for(
    poll: Callable[[], S],
    *,
    no_news: S,
    ready: Callable[[S], bool],
    on_status: Callable[[S], None] | None,
    now: Callable[[], datetime],
    sleep: Callable[[float], None],
    timeout_s: float,
    still_running: Callable[[], BaseException],
) -> S:
    """Poll one job until `ready(status)` (that status is returned). `ready` raises for a
    failed job; a transient poll failure counts as `no_news`; each status goes to `on_status`."""
    transient = 0

    def step() -> S | None:
        nonlocal transient
        status, transient = tolerating_transient(poll, no_news, transient)
        if on_status is not None:
            on_status(status)
        return status if ready(status) else None

    return poll_until(step, now=now, sleep=sleep, timeout_s=timeout_s,
                      still_running=still_running)


def tolerating_transient(step: Callable[[], S], no_news: S, failures: int) -> tuple[S, int]:
    """One poll that survives a transient failure: (answer, 0), or (`no_news`, failures + 1)
    when it failed transiently and at most `MAX_TRANSIENT_ROUNDS` rounds in a row have;
    one more and the error propagates."""
    try:
        return step(), 0
    except TRANSIENT_ERRORS:
        if failures >= MAX_TRANSIENT_ROUNDS:
            raise
        return no_news, failures + 1


def renewable_download_error(exc: BaseException) -> bool:
    """A download failure a fresh link (or a second try) can fix: dead link, cut-off body."""
    if isinstance(exc, ValueError):
        return True
    if isinstance(exc, APIError):
        return exc.status in (403, 404, 410) or exc.status >= 500
    return isinstance(exc, PinterestError) and not isinstance(exc, ReportError)


def fetch_renewing_links(
    wait: Callable[[], S],
    download: Callable[[S], T],
    *,
    max_renewals: int,
    failure: Callable[[BaseException], BaseException],
    final: tuple[type[BaseException], ...] = (),
) -> T:
    """wait + download; a link that died before it was used (or a cut-off body) is waited for
    again, up to `max_renewals` times, before `failure(exc)` is raised. Errors of the `final`
    types (a file that arrived whole but cannot be read: a new link brings the same bytes)
    are raised as they are."""
    renewals = 0
    while True:
        status = wait()
        try:
            return download(status)
        except final:
            raise
        except (PinterestError, ValueError) as exc:
            if not renewable_download_error(exc) or renewals >= max_renewals:
                raise failure(exc) from exc
            renewals += 1
