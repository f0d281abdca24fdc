"""The connection to the shared store (Redis or Valkey) and what happens when it fails.

Every use of Redis goes through `SharedStore.attempt(op)`: a small per-call budget (socket
timeouts), and any failure (refused, killed, slow, an answer that is not Redis protocol, a
value we cannot read) marks the store *down* for `retry_s` and raises `SharedStoreDown`. The
callers (cache, rate limiter, access proofs, token store, report jobs) then use their
in-process fallback; after `retry_s` the next call tries Redis again. The change of state is
logged once each way (never the URL's password) and shown by `status()` on API status.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, TypeVar
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:  # redis is imported only when a shared store is configured
    import redis

T = TypeVar("T")
log = logging.getLogger("pinterest_client.shared")

NAMESPACE: Final = "pinterest-dashboard:v1"
DEFAULT_CALL_BUDGET_S: Final = 0.25
DEFAULT_RETRY_S: Final = 5.0


class SharedStoreDown(RuntimeError):
    """The shared store cannot be used right now (use the in-process fallback)."""


@dataclass(frozen=True)
class SharedStoreStatus:
    shared: bool  # True: state is shared through the store right now
    where: str  # the store's address without credentials, e.g. "redis://10.0.0.5:6379/0"
    detail: str  # "" when shared; otherwise why not, in words for API status
    processes: int  # the configured number of app processes (the local budget's divisor)


def redact_url(url: str) -> str:
    """`url` without user name and password (safe for logs and pages)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, "", ""))
    except ValueError:
        return "(unreadable address)"


class SharedStore:
    """One Redis connection pool per process, with a circuit breaker. Thread-safe."""

    def __init__(self, url: str, *, processes: int = 1,
                 call_budget_s: float = DEFAULT_CALL_BUDGET_S,
                 retry_s: float = DEFAULT_RETRY_S, namespace: str = NAMESPACE,
                 clock: Callable[[], float] = time.monotonic) -> None:
        import redis as redis_lib
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self.where = redact_url(url)
        self.processes = max(1, processes)
        self.namespace = namespace
        self.retry_s = retry_s
        self._clock = clock
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._down_reason = ""
        self._ever_up = False
        try:
            self.redis: redis.Redis = redis_lib.Redis.from_url(
                url, socket_timeout=call_budget_s, socket_connect_timeout=call_budget_s,
                health_check_interval=0, decode_responses=False,
                # No retries inside redis-py: a slow or dead store must cost one budget, not
                # several, before the caller falls back.
                retry=Retry(NoBackoff(), 0),
            )
        except ValueError as exc:  # not a redis:// URL: never shared, said plainly
            raise ValueError(f"PINTEREST_DASHBOARD_REDIS_URL is not a Redis URL: {exc}") from None

    def __repr__(self) -> str:
        return f"SharedStore(where={self.where!r}, processes={self.processes})"

    def key(self, *parts: str) -> str:
        """A key of ours: namespace:part:part... (parts must not carry secrets: hash them)."""
        return ":".join((self.namespace, *parts))

    @property
    def available(self) -> bool:
        """False while the store is marked down (no call is tried until `retry_s` passed)."""
        with self._lock:
            return self._clock() >= self._down_until

    def attempt(self, op: Callable[[redis.Redis], T]) -> T:
        """`op(redis)`, or SharedStoreDown when the store is down or the call fails."""
        if not self.available:
            raise SharedStoreDown(self._down_reason)
        try:
            result = op(self.redis)
        except SharedStoreDown:
            raise
        except Exception as exc:  # connection, timeout, protocol garbage, unreadable value
            self.mark_down(_describe(exc))
            raise SharedStoreDown(self._down_reason) from None
        self._mark_up()
        return result

    def mark_down(self, reason: str) -> None:
        """Stop using the store for `retry_s` (also for a value that made no sense)."""
        with self._lock:
            was_up = self._clock() >= self._down_until and not self._down_reason
            self._down_until = self._clock() + self.retry_s
            self._down_reason = reason
        if was_up:
            log.warning("shared store %s unavailable (%s): using in-process state and 1/%d "
                        "of the rate budget until it is back", self.where, reason,
                        self.processes)

    def _mark_up(self) -> None:
        with self._lock:
            was_down = bool(self._down_reason)
            self._down_reason = ""
            self._ever_up = True
        if was_down:
            log.warning("shared store %s is back: state is shared again", self.where)

    def status(self) -> SharedStoreStatus:
        with self._lock:
            reason = self._down_reason
        return SharedStoreStatus(shared=not reason, where=self.where,
                                 detail=f"unavailable ({reason}); in-process fallback" if reason
                                 else "", processes=self.processes)

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a dead connection must not fail
            self.redis.close()


def _describe(exc: BaseException) -> str:
    """A short reason without the URL or any value (no secret reaches a log)."""
    name = type(exc).__name__
    if "Timeout" in name:
        return "too slow"
    if "Connection" in name:
        return "cannot connect"
    if "Response" in name or "Data" in name or "Protocol" in name:
        return "unreadable answer"
    return name
