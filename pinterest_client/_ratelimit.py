"""Client-side rate-limit guard: callers wait for a slot instead of meeting a 429.

Pinterest counts requests per user and app in per-minute windows per category (ads_analytics
300/min, ads_read 1,000/min) plus 100 requests/s overall. A classic token bucket that starts
full and refills continuously lets through `capacity + rate * 60` requests in some 60 s window,
i.e. nearly twice the limit, which a window-counting server answers with 429s. So each bucket
here is a *sliding-window* bucket: a token is spent per request and comes back exactly `window`
seconds after it was spent. That never exceeds `limit` requests in any window of that length
(and so never in any fixed window either), while still allowing a full burst of `limit`.
A small `slack_s` widens the windows to absorb the gap between the time we send and the time the
server counts the request.

Buckets are process-wide: every client whose credentials have the same identity (sha256 of the
token) and the same limits shares one `RateLimiter`.

A 429 that still arrives (another process on the same token, changed limits) blocks the
category until its reset time; a wait longer than `max_wait_s` fails at once with
`RateLimitedError(reset_at=...)`.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from pinterest_client._errors import RateLimitedError

Clock = Callable[[], float]
Sleep = Callable[[float], None]

DEFAULT_CATEGORY_LIMITS: Mapping[str, int] = MappingProxyType(
    {"ads_analytics": 300, "ads_read": 1000}
)


@dataclass(frozen=True)
class RateLimits:
    """Requests allowed per minute by category, and overall per second (Pinterest's defaults).

    Categories not listed are limited by the overall per-second limit only.
    """

    per_minute: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_CATEGORY_LIMITS))
    per_second: int = 100
    slack_s: float = 0.25

    def __post_init__(self) -> None:
        if self.per_second < 1 or any(v < 1 for v in self.per_minute.values()):
            raise ValueError("rate limits must be >= 1")
        if self.slack_s < 0:
            raise ValueError("slack_s must be >= 0")

    def key(self) -> tuple[object, ...]:
        return (tuple(sorted(self.per_minute.items())), self.per_second, self.slack_s)


class _WindowBucket:
    """At most `limit` acquisitions in any `window` seconds (see module docstring)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._spent: deque[float] = deque()

    def _expire(self, now: float) -> None:
        while self._spent and self._spent[0] <= now - self.window:
            self._spent.popleft()

    def wait_needed(self, now: float) -> float:
        self._expire(now)
        if len(self._spent) < self.limit:
            return 0.0
        return self._spent[0] + self.window - now

    def spend(self, now: float) -> None:
        self._spent.append(now)

    def left(self, now: float) -> int:
        self._expire(now)
        return self.limit - len(self._spent)


class RateLimiter:
    """Buckets for one token identity. Thread-safe."""

    def __init__(
        self,
        limits: RateLimits | None = None,
        *,
        clock: Clock = time.monotonic,
        wall: Clock = time.time,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.limits = limits or RateLimits()
        self._clock = clock
        self._wall = wall
        self._sleep = sleep
        self._lock = threading.Lock()
        slack = self.limits.slack_s
        self._overall = _WindowBucket(self.limits.per_second, 1.0 + slack)
        self._categories = {
            name: _WindowBucket(limit, 60.0 + slack)
            for name, limit in self.limits.per_minute.items()
        }
        self._blocked_until: dict[str, float] = {}  # category -> monotonic time
        self.waits = 0
        self.waited_s = 0.0

    def acquire(self, category: str, max_wait_s: float) -> None:
        """Take one slot for `category`, sleeping for it; raise if it would take too long."""
        while True:
            with self._lock:
                now = self._clock()
                blocked = self._blocked_until.get(category, 0.0) - now
                if blocked > max_wait_s:
                    raise self._too_long(category, blocked)
                wait = max(blocked, self._overall.wait_needed(now))
                bucket = self._categories.get(category)
                if bucket is not None:
                    wait = max(wait, bucket.wait_needed(now))
                if wait <= 0:
                    self._overall.spend(now)
                    if bucket is not None:
                        bucket.spend(now)
                    return
                if wait > max_wait_s:
                    raise self._too_long(category, wait)
                self.waits += 1
                self.waited_s += wait
            # Sleep outside the lock; re-check afterwards (others may have taken the slot).
            self._sleep(wait)

    def block(self, category: str, seconds: float) -> None:
        """The server said 429 with a reset: no request in this category until it passes."""
        with self._lock:
            until = self._clock() + max(0.0, seconds)
            if until > self._blocked_until.get(category, 0.0):
                self._blocked_until[category] = until

    def blocked_for(self, category: str) -> float:
        with self._lock:
            return max(0.0, self._blocked_until.get(category, 0.0) - self._clock())

    def tokens_left(self) -> dict[str, int]:
        """Slots free right now per category, plus `per_second`."""
        with self._lock:
            now = self._clock()
            left = {name: b.left(now) for name, b in self._categories.items()}
            for name, until in self._blocked_until.items():
                if until > now:
                    left[name] = 0
            left["per_second"] = self._overall.left(now)
            return left

    def _too_long(self, category: str, wait: float) -> RateLimitedError:
        return RateLimitedError(
            429,
            8,
            f"Rate limit for {category} is used up for another {wait:.0f} s, longer than the "
            "allowed wait.",
            reset_at=self._wall() + wait,
            retry_after=wait,
        )


_registry: dict[tuple[object, ...], RateLimiter] = {}
_registry_lock = threading.Lock()


def shared_limiter(identity: str, limits: RateLimits | None = None) -> RateLimiter:
    """The process-wide limiter for this token identity and these limits."""
    limits = limits or RateLimits()
    key = (identity, *limits.key())
    with _registry_lock:
        limiter = _registry.get(key)
        if limiter is None:
            limiter = RateLimiter(limits)
            _registry[key] = limiter
        return limiter
