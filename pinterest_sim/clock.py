"""Clocks: the simulator's only source of "now", so tests can freeze and move time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime:
        """Current time, timezone-aware UTC."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class FrozenClock:
    """A clock that only moves when told to (thread-safe)."""

    def __init__(self, now: datetime) -> None:
        self._now = _as_utc(now)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._now = self._now + timedelta(seconds=seconds)
            return self._now

    def set(self, dt: datetime) -> None:
        with self._lock:
            self._now = _as_utc(dt)

    def __repr__(self) -> str:
        return f"FrozenClock({self._now.isoformat()})"


def _as_utc(dt: datetime) -> datetime:
    # A naive datetime is taken to be UTC; an aware one is converted.
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)
