"""The API status page's figures from the client's stats (Streamlit-free)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.kpis import safe_div
from dashboard.shared_backend import SharedBackend
from pinterest_client import RateLimits


@dataclass(frozen=True)
class BudgetLine:
    category: str
    left: int
    limit: int
    per: str  # "minute" or "second"

    @property
    def share_left(self) -> float:
        return max(0.0, min(1.0, self.left / self.limit)) if self.limit else 0.0


@dataclass(frozen=True)
class ApiStatusView:
    total_calls: int
    calls_by_category: dict[str, int]
    budgets: list[BudgetLine]
    cache_hits: int
    cache_misses: int
    cache_stale_served: int
    cache_joined_in_flight: int
    cache_entries: int
    cache_bytes: int
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    latency_last_ms: float | None
    rate_limited_429s: int
    retries: int
    token_refreshes: int
    limiter_waits: int
    recent_errors: list[str]

    @property
    def cache_hit_rate(self) -> float | None:
        return safe_div(self.cache_hits, self.cache_hits + self.cache_misses)

    def calls_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            sorted(self.calls_by_category.items()), columns=["Category", "Upstream calls"]
        )


def data_source_text(target: str, base_url: str, *, is_demo: bool) -> str:
    """One line naming where the data comes from, its API address once (as code, not a link:
    it is an API root, not a page to open)."""
    if is_demo:
        return "Data source: demo data from the built-in simulator (in this process, no network)"
    if base_url and base_url in target:
        # settings.target already names a custom base URL ("Pinterest API at <url>").
        return "Data source: " + target.replace(base_url, f"`{base_url}`")
    return f"Data source: {target} at `{base_url}`" if base_url else f"Data source: {target}"


def latency_text(ms: float | None) -> str:
    """A latency tile's value with its unit, "1,235 ms"; "–" before the first call."""
    return "–" if ms is None else f"{ms:,.0f} ms"


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _opt_float(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def api_status_view(stats: Any, limits: RateLimits | None = None) -> ApiStatusView:
    """Figures from `client.stats()`; budgets against the limits the client runs with."""
    limits = limits or RateLimits()
    tokens_left: Mapping[str, int] = getattr(stats, "tokens_left", {}) or {}
    budgets: list[BudgetLine] = []
    for category, limit in sorted(limits.per_minute.items()):
        budgets.append(
            BudgetLine(category, _int(tokens_left.get(category, limit)), int(limit), "minute")
        )
    budgets.append(
        BudgetLine(
            "all requests",
            _int(tokens_left.get("per_second", limits.per_second)),
            limits.per_second,
            "second",
        )
    )
    cache = getattr(stats, "cache", None)
    latency = getattr(stats, "latency", None)
    return ApiStatusView(
        total_calls=_int(getattr(stats, "total_calls", 0)),
        calls_by_category=dict(getattr(stats, "calls_by_category", {}) or {}),
        budgets=budgets,
        cache_hits=_int(getattr(cache, "hits", 0)),
        cache_misses=_int(getattr(cache, "misses", 0)),
        cache_stale_served=_int(getattr(cache, "stale_served", 0)),
        cache_joined_in_flight=_int(getattr(cache, "joined_in_flight", 0)),
        cache_entries=_int(getattr(cache, "entries", 0)),
        cache_bytes=_int(getattr(cache, "bytes", 0)),
        latency_p50_ms=_opt_float(getattr(latency, "p50_ms", None)),
        latency_p95_ms=_opt_float(getattr(latency, "p95_ms", None)),
        latency_last_ms=_opt_float(getattr(latency, "last_ms", None)),
        rate_limited_429s=_int(getattr(stats, "rate_limited_429s", 0)),
        retries=_int(getattr(stats, "retries", 0)),
        token_refreshes=_int(getattr(stats, "token_refreshes", 0)),
        limiter_waits=_int(getattr(stats, "limiter_waits", 0)),
        recent_errors=[str(e) for e in (getattr(stats, "recent_errors", []) or [])],
    )


def shared_store_line(shared: SharedBackend) -> str:
    """The shared store's state now (asked once), for API status: shared at which address,
    or in process and why, and the configured number of app processes. Never a password."""
    shared.check()
    return shared.status_text()
