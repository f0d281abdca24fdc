"""Pinterest's limits and level enums, each stated once (exported from `pinterest_client`).

Live (sync) analytics reach 90 days back with at most 90 days past the start; HOUR rows reach
8 days back, 3 days at a time (async reports have the same HOUR limit). Async reports reach 914
days back, 186 days per job (PRODUCT_ITEM: 92 back, 31 per job). `needs_reports` is the one
place that decides whether a range is beyond live analytics.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Final, Literal, get_args

# Synchronous analytics windows (reference section on analytics).
SYNC_MAX_DAYS_BACK: Final = 90
SYNC_MAX_RANGE_DAYS: Final = 90
HOUR_MAX_DAYS_BACK: Final = 8
HOUR_MAX_RANGE_DAYS: Final = 3
# Async report windows.
REPORT_MAX_DAYS_BACK: Final = 914
REPORT_MAX_RANGE_DAYS: Final = 186
PRODUCT_ITEM_MAX_DAYS_BACK: Final = 92
PRODUCT_ITEM_MAX_RANGE_DAYS: Final = 31
REPORT_MAX_FILTER_IDS: Final = 500
# Sync calls and list pages.
MAX_IDS_PER_CALL: Final = 250
PAGE_SIZE: Final = 250

# The levels of live analytics, and the id column their rows carry.
Level = Literal["AD_ACCOUNT", "CAMPAIGN", "AD_GROUP", "AD"]
LEVELS: Final[tuple[Level, ...]] = get_args(Level)
LEVEL_ID_COLUMNS: Final[Mapping[Level, str]] = {
    "AD_ACCOUNT": "AD_ACCOUNT_ID",
    "CAMPAIGN": "CAMPAIGN_ID",
    "AD_GROUP": "AD_GROUP_ID",
    "AD": "AD_ID",
}

# The levels of async reports (schema MetricsReportingLevel).
ReportLevel = Literal[
    "ADVERTISER",
    "ADVERTISER_TARGETING",
    "CAMPAIGN",
    "CAMPAIGN_TARGETING",
    "AD_GROUP",
    "AD_GROUP_TARGETING",
    "PIN_PROMOTION",
    "PIN_PROMOTION_TARGETING",
    "KEYWORD",
    "PRODUCT_GROUP",
    "PRODUCT_GROUP_TARGETING",
    "PRODUCT_ITEM",
    "PRODUCT_ITEM_TARGETING",
]
REPORT_LEVELS: Final[tuple[str, ...]] = get_args(ReportLevel)
# The report level that carries a live-analytics level's rows (reports name ads PIN_PROMOTION
# and accounts ADVERTISER).
REPORT_LEVEL_OF: Final[Mapping[Level, str]] = {
    "AD_ACCOUNT": "ADVERTISER",
    "CAMPAIGN": "CAMPAIGN",
    "AD_GROUP": "AD_GROUP",
    "AD": "PIN_PROMOTION",
}
# The id column a report level's rows carry, in sync naming so report rows look like sync rows.
REPORT_ID_COLUMNS: Final[Mapping[str, str]] = {
    **{REPORT_LEVEL_OF[level]: LEVEL_ID_COLUMNS[level] for level in LEVELS},
    "KEYWORD": "KEYWORD_ID",
    "PRODUCT_GROUP": "PRODUCT_GROUP_ID",
    "PRODUCT_ITEM": "PRODUCT_ITEM_ID",
}


def first_sync_day(today: date) -> date:
    """The oldest day live (sync) analytics still serve (`today` is UTC)."""
    return today - timedelta(days=SYNC_MAX_DAYS_BACK)


def needs_reports(start: date, today: date) -> bool:
    """Whether a range starting at `start` is beyond live analytics and needs async reports."""
    return start < first_sync_day(today)
