"""Base URLs and the tuning knobs of the client (all with Pinterest-safe defaults)."""

from __future__ import annotations

from dataclasses import dataclass

from pinterest_client.limits import (
    HOUR_MAX_RANGE_DAYS,
    MAX_IDS_PER_CALL,
    PAGE_SIZE,
    SYNC_MAX_RANGE_DAYS,
)

PRODUCTION_BASE_URL = "https://api.pinterest.com/v5"
SANDBOX_BASE_URL = "https://api-sandbox.pinterest.com/v5"


@dataclass(frozen=True)
class ClientConfig:
    """Knobs that rarely need changing; tests shrink some of them.

    - retries: `max_retries` extra attempts for 429 / 5xx / timeouts / unreadable answers,
      exponential backoff `backoff_base_s * 2**n` with full jitter, capped at `backoff_cap_s`.
    - splitting: `max_window_days` / `max_hour_window_days` cap `end_date - start_date` of
      each sync call (Pinterest's "at most 90 / 3 days past start_date"; smaller values only
      make more calls), `id_batch_size` caps entity ids per call (250).
    - cache TTLs: `ttl_recent_s` for ranges touching the last `recent_days` days (metrics not
      final yet), `ttl_closed_s` for closed days, `ttl_entities_s` for entity lists and
      dictionaries.
    - `max_block_s`: a 429 whose reset lies further out (the trial tier's daily window, about
      67,000 s) blocks its category locally for this long only; then one request asks Pinterest
      again, so a limit lifted early (an upgraded app) is noticed within minutes. Callers are
      still told Pinterest's own reset.
    """

    max_retries: int = 4
    backoff_base_s: float = 0.5
    backoff_cap_s: float = 8.0
    max_window_days: int = SYNC_MAX_RANGE_DAYS
    max_hour_window_days: int = HOUR_MAX_RANGE_DAYS
    id_batch_size: int = MAX_IDS_PER_CALL
    page_size: int = PAGE_SIZE
    ttl_recent_s: float = 60.0
    ttl_closed_s: float = 6 * 3600.0
    ttl_entities_s: float = 300.0
    recent_days: int = 2
    user_agent: str = "pinterest-ads-dashboard-client/0.1"
    max_block_s: float = 300.0

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if not 1 <= self.max_window_days <= SYNC_MAX_RANGE_DAYS:
            raise ValueError(f"max_window_days must be within 1..{SYNC_MAX_RANGE_DAYS}")
        if not 1 <= self.max_hour_window_days <= HOUR_MAX_RANGE_DAYS:
            raise ValueError(f"max_hour_window_days must be within 1..{HOUR_MAX_RANGE_DAYS}")
        if not 1 <= self.id_batch_size <= MAX_IDS_PER_CALL:
            raise ValueError(f"id_batch_size must be within 1..{MAX_IDS_PER_CALL}")
        if not 1 <= self.page_size <= PAGE_SIZE:
            raise ValueError(f"page_size must be within 1..{PAGE_SIZE}")


def normalise_base_url(base_url: str) -> str:
    """`production`/`sandbox` aliases or any URL; no trailing slash."""
    aliases = {"production": PRODUCTION_BASE_URL, "sandbox": SANDBOX_BASE_URL}
    url = aliases.get(base_url.strip().lower(), base_url.strip())
    if not url.startswith(("http://", "https://")):
        raise ValueError("base_url must be an http(s) URL, 'production' or 'sandbox'")
    return url.rstrip("/")
