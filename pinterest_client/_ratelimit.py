"""Client-side rate-limit guard: callers wait for a slot instead of meeting a 429.

Pinterest counts requests per user and app in per-minute windows per category (ads_analytics
300/min, ads_read 1,000/min) plus 100 requests/s overall. A classic token bucket that starts
full and refills continuously lets through `capacity + rate * 60` requests in some 60 s window,
i.e. nearly twice the limit, which a window-counting server answers with 429s. So each bucket
here is a *sliding-window* bucket: a request takes a slot when it is sent and gives it back
`window` seconds after its answer arrived (in flight, it holds the slot). The server counts a
request somewhere between our send and our receipt, so whatever its windows (sliding or fixed,
wherever they start) and whatever the latency or scheduling jitter, no window of its length
ever sees more than `limit` of our requests; yet a full burst of `limit` goes out at once.
(`slack_s` widens the windows further; 0 is already safe.)

Buckets are process-wide: every client whose credentials have the same identity (sha256 of the
token) and the same limits shares one `RateLimiter` (the registry keeps the 256 most recently
used identities).

A 429 that still arrives (another process on the same token, changed limits) blocks the
category until its reset time; a wait longer than `max_wait_s` fails at once with
`RateLimitedError(reset_at=...)`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Protocol

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
    slack_s: float = 0.0

    def __post_init__(self) -> None:
        if self.per_second < 1 or any(v < 1 for v in self.per_minute.values()):
            raise ValueError("rate limits must be >= 1")
        if self.slack_s < 0:
            raise ValueError("slack_s must be >= 0")

    def key(self) -> tuple[object, ...]:
        return (tuple(sorted(self.per_minute.items())), self.per_second, self.slack_s)


class Limiter(Protocol):
    """What `HttpSession` needs of a rate limiter: `RateLimiter` (in process) or
    `pinterest_client.shared.ratelimit.SharedRateLimiter` (several processes, through Redis)."""

    limits: RateLimits
    waits: int
    waited_s: float

    def acquire(self, category: str, max_wait_s: float) -> None: ...

    def release(self, category: str) -> None: ...

    def block(self, category: str, seconds: float, *, announced_s: float | None = None
              ) -> None: ...

    def blocked_for(self, category: str) -> float: ...

    def tokens_left(self) -> dict[str, int]: ...


class _WindowBucket:
    """At most `limit` requests in flight or answered within the last `window` seconds."""

    # How long to wait when every slot is held by a request still in flight.
    POLL_S = 0.02

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self.in_flight = 0
        self._done: deque[float] = deque()  # answer times, oldest first

    def _expire(self, now: float) -> None:
        while self._done and self._done[0] <= now - self.window:
            self._done.popleft()

    def wait_needed(self, now: float) -> float:
        self._expire(now)
        if self.in_flight + len(self._done) < self.limit:
            return 0.0
        if not self._done:
            return self.POLL_S
        return max(self._done[0] + self.window - now, 0.001)

    def spend(self) -> None:
        self.in_flight += 1

    def release(self, now: float) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        self._done.append(now)

    def left(self, now: float) -> int:
        self._expire(now)
        return max(0, self.limit - self.in_flight - len(self._done))


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
        self._announced_until: dict[str, float] = {}  # category -> the reset Pinterest gave
        self.waits = 0
        self.waited_s = 0.0

    def acquire(self, category: str, max_wait_s: float) -> None:
        """Take one slot for `category`, sleeping for it; raise if it would take too long.
        Every successful `acquire` must be followed by `release` once the answer is in."""
        counted = False
        while True:
            with self._lock:
                now = self._clock()
                blocked = self._blocked_until.get(category, 0.0) - now
                if blocked > max_wait_s:
                    announced = self._announced_until.get(category, 0.0) - now
                    raise self._too_long(category, max(blocked, announced))
                wait = max(blocked, self._overall.wait_needed(now))
                bucket = self._categories.get(category)
                if bucket is not None:
                    wait = max(wait, bucket.wait_needed(now))
                if wait <= 0:
                    self._overall.spend()
                    if bucket is not None:
                        bucket.spend()
                    return
                if wait > max_wait_s:
                    raise self._too_long(category, wait)
                if not counted:
                    self.waits += 1
                    counted = True
                self.waited_s += wait
            # Sleep outside the lock; re-check afterwards (others may have taken the slot).
            self._sleep(wait)

    def release(self, category: str) -> None:
        """The request that took a slot of `category` got its answer (or failed)."""
        with self._lock:
            now = self._clock()
            self._overall.release(now)
            bucket = self._categories.get(category)
            if bucket is not None:
                bucket.release(now)

    def block(self, category: str, seconds: float, *, announced_s: float | None = None
              ) -> None:
        """The server said 429 with a reset: no request in this category for `seconds`.
        `announced_s`, when the reset Pinterest gave is further out than the local block,
        is what a refused caller is told (the time to come back), while a request still goes
        out when the shorter block ends (a limit lifted early is noticed)."""
        with self._lock:
            now = self._clock()
            self._blocked_until[category] = now + max(0.0, seconds)
            self._announced_until[category] = now + max(seconds, announced_s or 0.0)

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


# Bounded: made-up tokens must not grow the process. The least recently asked-for limiter goes
# first; a client that holds it keeps using it (only sharing with a new client is lost).
MAX_SHARED_LIMITERS: Final = 256
_registry: OrderedDict[tuple[object, ...], RateLimiter] = OrderedDict()
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
            while len(_registry) > MAX_SHARED_LIMITERS:
                _registry.popitem(last=False)
        else:
            _registry.move_to_end(key)
        return limiter
