"""Pinterest's rate limits, per access token, on the simulator clock.

Standard tier: per category per minute (``x-ratelimit-category`` of the spec: ads_analytics 300,
ads_read 1,000) plus 100 requests per second overall. Trial tier: 1,000 requests per UTC day for
everything; its 429 carries an ``X-RateLimit-Reset`` of the seconds left until UTC midnight (tens
of thousands of seconds, as Pinterest has been seen to send: about 67,000 s at 05:23 UTC).
Windows are fixed: a minute window opens with its first request and lasts 60 s.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from pinterest_sim.exceptions import rate_limited
from pinterest_sim.faults import parse_pairs

# Categories the spec uses on the simulated endpoints with a published number or a guess.
DEFAULT_CATEGORY_LIMIT = 1000


@dataclass
class RateLimitConfig:
    ads_analytics: int = 300  # per minute per token
    ads_read: int = 1000  # per minute per token
    org_read: int = 1000  # per minute per token (not published; generous)
    per_second: int = 100  # all categories together, per token
    trial: bool = False  # trial tier: trial_per_day requests per UTC day, nothing else
    trial_per_day: int = 1000
    enabled: bool = True

    def per_minute(self, category: str) -> int:
        value = getattr(self, category, DEFAULT_CATEGORY_LIMIT)
        return int(value) if isinstance(value, int) else DEFAULT_CATEGORY_LIMIT

    def update(self, values: dict[str, Any]) -> None:
        known = {f.name for f in fields(self)}
        for name, raw in values.items():
            if name not in known:
                raise ValueError(f"unknown rate limit {name!r}; known: {', '.join(sorted(known))}")
            current = getattr(self, name)
            if isinstance(current, bool):
                value: Any = str(raw).strip().lower() in {"1", "true", "yes", "on"}
            else:
                value = int(raw)
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def parse(cls, text: str | None) -> RateLimitConfig:
        """Parse ``"ads_analytics=300,ads_read=1000,per_second=100,trial=0"``."""
        config = cls()
        config.update(dict(parse_pairs(text)))
        return config


@dataclass
class _Window:
    start: datetime
    count: int = 0


@dataclass
class RateLimiter:
    """Counts requests per (token, window kind); raises ``SimError`` 429 when one is full."""

    config: RateLimitConfig
    _windows: dict[tuple[str, str], _Window] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, token_key: str, category: str, now: datetime) -> None:
        """Admit one request or raise 429; a refused request does not use quota."""
        config = self.config
        if not config.enabled:
            return
        with self._lock:
            if config.trial:
                day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
                self._admit(token_key, "trial-day", day_start, timedelta(days=1),
                            config.trial_per_day, now)
                return
            second = self._window(token_key, "second", now, timedelta(seconds=1))
            minute = self._window(token_key, f"minute:{category}", now, timedelta(minutes=1))
            limit = config.per_minute(category)
            if second.count >= config.per_second:
                raise rate_limited(_seconds_left(second.start + timedelta(seconds=1), now))
            if minute.count >= limit:
                raise rate_limited(_seconds_left(minute.start + timedelta(minutes=1), now))
            second.count += 1
            minute.count += 1

    def usage(self, token_key: str, category: str, now: datetime) -> int:
        """Requests counted in the current minute window of a category (for tests and stats)."""
        with self._lock:
            window = self._windows.get((token_key, f"minute:{category}"))
            if window is None or now >= window.start + timedelta(minutes=1):
                return 0
            return window.count

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()

    def _window(self, token_key: str, kind: str, now: datetime, length: timedelta) -> _Window:
        key = (token_key, kind)
        window = self._windows.get(key)
        if window is None or now >= window.start + length or now < window.start:
            window = _Window(start=now)
            self._windows[key] = window
        return window

    def _admit(self, token_key: str, kind: str, start: datetime, length: timedelta,
               limit: int, now: datetime) -> None:
        key = (token_key, kind)
        window = self._windows.get(key)
        if window is None or window.start != start:
            window = _Window(start=start)
            self._windows[key] = window
        if window.count >= limit:
            raise rate_limited(_seconds_left(start + length, now))
        window.count += 1


def _seconds_left(reset_at: datetime, now: datetime) -> int:
    return max(1, math.ceil((reset_at - now).total_seconds()))
