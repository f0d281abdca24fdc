"""Request counters for the API status page: calls, 429s, retries, latency, recent errors."""

from __future__ import annotations

import math
import threading
from collections import Counter, deque
from dataclasses import dataclass


@dataclass(frozen=True)
class LatencyStats:
    count: int
    p50_ms: float | None
    p95_ms: float | None
    last_ms: float | None


def _percentile(sorted_values: list[float], q: float) -> float:
    # Nearest-rank percentile: simple and exact for the few hundred samples kept.
    index = max(0, min(len(sorted_values) - 1, math.ceil(q * len(sorted_values)) - 1))
    return sorted_values[index]


class HttpStats:
    """Thread-safe counters of one HttpSession."""

    def __init__(self, keep_latencies: int = 1000, keep_errors: int = 20) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()  # upstream attempts per category
        self.rate_limited = 0  # 429 answers seen
        self.retries = 0
        self.refreshes = 0
        self._latency_count = 0
        self._latencies: deque[float] = deque(maxlen=keep_latencies)
        self._errors: deque[str] = deque(maxlen=keep_errors)

    def record_call(self, category: str, latency_s: float) -> None:
        with self._lock:
            self.calls[category] += 1
            self._latency_count += 1
            self._latencies.append(latency_s * 1000.0)

    def record_429(self) -> None:
        with self._lock:
            self.rate_limited += 1

    def record_retry(self) -> None:
        with self._lock:
            self.retries += 1

    def record_refresh(self) -> None:
        with self._lock:
            self.refreshes += 1

    def record_error(self, message: str) -> None:
        with self._lock:
            self._errors.append(message[:300])

    def latency(self) -> LatencyStats:
        with self._lock:
            values = list(self._latencies)
            count = self._latency_count
        if not values:
            return LatencyStats(count=0, p50_ms=None, p95_ms=None, last_ms=None)
        ordered = sorted(values)
        return LatencyStats(
            count=count,
            p50_ms=_percentile(ordered, 0.50),
            p95_ms=_percentile(ordered, 0.95),
            last_ms=values[-1],
        )

    def recent_errors(self) -> list[str]:
        with self._lock:
            return list(self._errors)

    def calls_by_category(self) -> dict[str, int]:
        with self._lock:
            return dict(self.calls)
