"""What Pinterest publishes, embedded: column enums, served columns, metric definitions.

The spec enums live in the generated ``catalog_spec`` module (``python tools/gen_catalog.py``);
this module adds what the simulator decides on top of them: which columns it actually computes,
how each one is defined, and (in ``targeting_catalog``) the targeting dictionaries.
"""

from __future__ import annotations

from collections.abc import Mapping

from pinterest_sim.catalog_spec import (
    ACCOUNT_TARGETING_TYPES,
    AD_GROUP_TARGETING_TYPES,
    AD_TARGETING_TYPES,
    ASYNC_COLUMNS,
    ATTRIBUTION_WINDOW_DAYS,
    AUDIENCE_INSIGHT_TYPES,
    CAMPAIGN_TARGETING_TYPES,
    CONVERSION_REPORT_TIMES,
    GRANULARITIES,
    SYNC_COLUMNS,
    TARGETING_OPTION_TYPES,
)
from pinterest_sim.targeting_catalog import (
    AGE_BUCKETS,
    APPTYPES,
    COUNTRY_NAMES,
    DMA_NAMES,
    GENDERS,
    GEO_NAMES,
    INTEREST_NAMES,
    KEYWORDS,
    LOCALES,
    REGION_NAMES,
    targeting_options,
)

__all__ = [
    "ACCOUNT_TARGETING_TYPES",
    "AD_GROUP_TARGETING_TYPES",
    "AD_TARGETING_TYPES",
    "AGE_BUCKETS",
    "APPTYPES",
    "ASYNC_COLUMNS",
    "ATTRIBUTION_WINDOW_DAYS",
    "AUDIENCE_INSIGHT_TYPES",
    "CAMPAIGN_TARGETING_TYPES",
    "CONVERSION_REPORT_TIMES",
    "COUNTRY_NAMES",
    "DMA_NAMES",
    "GENDERS",
    "GEO_NAMES",
    "GRANULARITIES",
    "INTEREST_NAMES",
    "KEYWORDS",
    "LOCALES",
    "REGION_NAMES",
    "SYNC_COLUMNS",
    "TARGETING_OPTION_TYPES",
    "TARGETING_TYPES_BY_LEVEL",
    "targeting_options",
]

# Columns stored per ad and day (integers). Order matters: a column's parent comes before it.
# The parent is what the column "rides on" when a day is split into hours, into the elapsed part
# of today or into targeting values: a child's share follows its parent's share, which keeps
# clicks <= impressions and CPM steady in every slice.
BASE_PARENTS: Mapping[str, str | None] = {
    "IMPRESSION_1": None,
    "IMPRESSION_2": "IMPRESSION_1",
    "CLICKTHROUGH_1": "IMPRESSION_1",
    "CLICKTHROUGH_2": "IMPRESSION_2",
    "OUTBOUND_CLICK_1": "CLICKTHROUGH_1",
    "OUTBOUND_CLICK_2": "CLICKTHROUGH_2",
    "REPIN_1": "IMPRESSION_1",
    "REPIN_2": "IMPRESSION_2",
    "ENGAGEMENT_1": "IMPRESSION_1",
    "ENGAGEMENT_2": "IMPRESSION_2",
    "SPEND_IN_MICRO_DOLLAR": "IMPRESSION_1",
    "TOTAL_CLICK_CHECKOUT": "CLICKTHROUGH_1",
    "TOTAL_VIEW_CHECKOUT": "CLICKTHROUGH_1",
    "TOTAL_ENGAGEMENT_CHECKOUT": "CLICKTHROUGH_1",
    "TOTAL_CLICK_CHECKOUT_VALUE_IN_MICRO_DOLLAR": "TOTAL_CLICK_CHECKOUT",
    "TOTAL_VIEW_CHECKOUT_VALUE_IN_MICRO_DOLLAR": "TOTAL_VIEW_CHECKOUT",
    "TOTAL_ENGAGEMENT_CHECKOUT_VALUE_IN_MICRO_DOLLAR": "TOTAL_ENGAGEMENT_CHECKOUT",
    "TOTAL_SIGNUP": "CLICKTHROUGH_1",
    "TOTAL_CLICK_LEAD": "CLICKTHROUGH_1",
    "TOTAL_VIEW_LEAD": "CLICKTHROUGH_1",
    "TOTAL_ENGAGEMENT_LEAD": "CLICKTHROUGH_1",
    "TOTAL_CLICK_ADD_TO_CART": "CLICKTHROUGH_1",
    "TOTAL_PAGE_VISIT": "OUTBOUND_CLICK_1",
    "PAGE_VISIT_VALUE_IN_MICRO_DOLLAR": "OUTBOUND_CLICK_1",  # internal: feeds PAGE_VISIT_ROAS
    "WEB_SESSIONS_1": "OUTBOUND_CLICK_1",
    "WEB_SESSIONS_2": "OUTBOUND_CLICK_2",
    # Gross = billed + invalid (filtered, never billed) impressions and clicks.
    "INVALID_IMPRESSION_1": "IMPRESSION_1",  # internal
    "INVALID_CLICKTHROUGH_1": "CLICKTHROUGH_1",  # internal
    # Video ads only: each stage is a subset of the one before it.
    "VIDEO_IMPRESSION_1": "IMPRESSION_1",  # internal: paid impressions of video ads
    "VIDEO_SPEND_IN_MICRO_DOLLAR": "SPEND_IN_MICRO_DOLLAR",  # internal: spend of video ads
    "VIDEO_P0_COMBINED_1": "VIDEO_IMPRESSION_1",
    "VIDEO_MRC_VIEWS_1": "VIDEO_P0_COMBINED_1",
    "VIDEO_3SEC_VIEWS_1": "VIDEO_MRC_VIEWS_1",
    "VIDEO_P25_COMBINED_1": "VIDEO_3SEC_VIEWS_1",
    "VIDEO_P50_COMBINED_1": "VIDEO_P25_COMBINED_1",
    "VIDEO_P75_COMBINED_1": "VIDEO_P50_COMBINED_1",
    "VIDEO_P95_COMBINED_1": "VIDEO_P75_COMBINED_1",
    "VIDEO_P100_COMPLETE_1": "VIDEO_P95_COMBINED_1",
    "VIDEO_WATCH_SECONDS_1": "VIDEO_P0_COMBINED_1",  # internal: feeds average watch time
    "VIDEO_P0_COMBINED_2": "IMPRESSION_2",
    "VIDEO_MRC_VIEWS_2": "VIDEO_P0_COMBINED_2",
    "VIDEO_3SEC_VIEWS_2": "VIDEO_MRC_VIEWS_2",
    "VIDEO_P25_COMBINED_2": "VIDEO_3SEC_VIEWS_2",
    "VIDEO_P50_COMBINED_2": "VIDEO_P25_COMBINED_2",
    "VIDEO_P75_COMBINED_2": "VIDEO_P50_COMBINED_2",
    "VIDEO_P95_COMBINED_2": "VIDEO_P75_COMBINED_2",
    "VIDEO_P100_COMPLETE_2": "VIDEO_P95_COMBINED_2",
    "VIDEO_WATCH_SECONDS_2": "VIDEO_P0_COMBINED_2",  # internal
}
BASE_COLUMNS: tuple[str, ...] = tuple(BASE_PARENTS)
BASE_INDEX: Mapping[str, int] = {c: i for i, c in enumerate(BASE_COLUMNS)}
# Video stages in funnel order (each a subset of the one before), paid side.
VIDEO_STAGES: tuple[str, ...] = (
    "P0_COMBINED", "MRC_VIEWS", "3SEC_VIEWS", "P25_COMBINED", "P50_COMBINED", "P75_COMBINED",
    "P95_COMBINED", "P100_COMPLETE",
)

# Conversion columns: scaled by the attribution windows, shifted by TIME_OF_CONVERSION, absent
# from HOUR rows.
CONVERSION_BASE_COLUMNS: tuple[str, ...] = (
    "TOTAL_CLICK_CHECKOUT", "TOTAL_VIEW_CHECKOUT", "TOTAL_ENGAGEMENT_CHECKOUT",
    "TOTAL_CLICK_CHECKOUT_VALUE_IN_MICRO_DOLLAR", "TOTAL_VIEW_CHECKOUT_VALUE_IN_MICRO_DOLLAR",
    "TOTAL_ENGAGEMENT_CHECKOUT_VALUE_IN_MICRO_DOLLAR", "TOTAL_SIGNUP",
    "TOTAL_CLICK_LEAD", "TOTAL_VIEW_LEAD", "TOTAL_ENGAGEMENT_LEAD",
    "TOTAL_CLICK_ADD_TO_CART", "TOTAL_PAGE_VISIT", "PAGE_VISIT_VALUE_IN_MICRO_DOLLAR",
)

_CHECKOUTS = ("TOTAL_CLICK_CHECKOUT", "TOTAL_VIEW_CHECKOUT", "TOTAL_ENGAGEMENT_CHECKOUT")
_CHECKOUT_VALUES = tuple(c + "_VALUE_IN_MICRO_DOLLAR" for c in _CHECKOUTS)
_LEADS = ("TOTAL_CLICK_LEAD", "TOTAL_VIEW_LEAD", "TOTAL_ENGAGEMENT_LEAD")

# Additive columns that are sums of base columns. Every conversion in this world is a web
# conversion (the conversion tag on the advertiser's site; no app or offline events), so the
# TOTAL_WEB_* columns equal their TOTAL_* counterparts.
SUM_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "PAID_IMPRESSION": ("IMPRESSION_1",),
    "TOTAL_IMPRESSION": ("IMPRESSION_1", "IMPRESSION_2"),
    "IMPRESSION_1_GROSS": ("IMPRESSION_1", "INVALID_IMPRESSION_1"),
    "TOTAL_CLICKTHROUGH": ("CLICKTHROUGH_1", "CLICKTHROUGH_2"),
    "CLICKTHROUGH_1_GROSS": ("CLICKTHROUGH_1", "INVALID_CLICKTHROUGH_1"),
    "TOTAL_ENGAGEMENT": ("ENGAGEMENT_1", "ENGAGEMENT_2"),
    "TOTAL_WEB_SESSIONS": ("WEB_SESSIONS_1", "WEB_SESSIONS_2"),
    "TOTAL_CHECKOUT": _CHECKOUTS,
    "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR": _CHECKOUT_VALUES,
    "TOTAL_WEB_CHECKOUT": _CHECKOUTS,
    "TOTAL_WEB_CHECKOUT_VALUE_IN_MICRO_DOLLAR": _CHECKOUT_VALUES,
    **{c.replace("TOTAL_", "TOTAL_WEB_", 1): (c,) for c in _CHECKOUTS + _CHECKOUT_VALUES},
    "TOTAL_LEAD": _LEADS,
    "TOTAL_WEB_LEAD": _LEADS,
    **{c.replace("TOTAL_", "TOTAL_WEB_", 1): (c,) for c in _LEADS},
    "TOTAL_CONVERSIONS": (*_CHECKOUTS, "TOTAL_SIGNUP", *_LEADS, "TOTAL_CLICK_ADD_TO_CART"),
    **{f"TOTAL_VIDEO_{stage}": (f"VIDEO_{stage}_1", f"VIDEO_{stage}_2")
       for stage in VIDEO_STAGES},
    "TOTAL_VIDEO_WATCH_SECONDS": ("VIDEO_WATCH_SECONDS_1", "VIDEO_WATCH_SECONDS_2"),  # internal
}
INTERNAL_COLUMNS: frozenset[str] = frozenset({
    "PAGE_VISIT_VALUE_IN_MICRO_DOLLAR", "INVALID_IMPRESSION_1", "INVALID_CLICKTHROUGH_1",
    "VIDEO_IMPRESSION_1", "VIDEO_SPEND_IN_MICRO_DOLLAR", "VIDEO_WATCH_SECONDS_1",
    "VIDEO_WATCH_SECONDS_2", "TOTAL_VIDEO_WATCH_SECONDS",
})

ADDITIVE_COLUMNS: frozenset[str] = frozenset(
    (set(BASE_COLUMNS) | set(SUM_COLUMNS)) - INTERNAL_COLUMNS
)

# Derived columns: (numerator, denominator, factor). Computed from the sums at the level asked;
# omitted when the denominator is zero.
RATIO_COLUMNS: Mapping[str, tuple[str, str, float]] = {
    "CTR": ("CLICKTHROUGH_1", "IMPRESSION_1", 1.0),
    "CTR_2": ("CLICKTHROUGH_2", "IMPRESSION_2", 1.0),
    "ECTR": ("TOTAL_CLICKTHROUGH", "TOTAL_IMPRESSION", 1.0),
    "OUTBOUND_CTR_1": ("OUTBOUND_CLICK_1", "IMPRESSION_1", 1.0),
    "CPC_IN_MICRO_DOLLAR": ("SPEND_IN_MICRO_DOLLAR", "CLICKTHROUGH_1", 1.0),
    "ECPC_IN_MICRO_DOLLAR": ("SPEND_IN_MICRO_DOLLAR", "TOTAL_CLICKTHROUGH", 1.0),
    "ECPC_IN_DOLLAR": ("SPEND_IN_MICRO_DOLLAR", "TOTAL_CLICKTHROUGH", 1e-6),
    "CPM_IN_MICRO_DOLLAR": ("SPEND_IN_MICRO_DOLLAR", "IMPRESSION_1", 1000.0),
    "ECPM_IN_MICRO_DOLLAR": ("SPEND_IN_MICRO_DOLLAR", "TOTAL_IMPRESSION", 1000.0),
    "CPM_IN_DOLLAR": ("SPEND_IN_MICRO_DOLLAR", "IMPRESSION_1", 1e-3),
    "ENGAGEMENT_RATE": ("ENGAGEMENT_1", "IMPRESSION_1", 1.0),
    "EENGAGEMENT_RATE": ("TOTAL_ENGAGEMENT", "TOTAL_IMPRESSION", 1.0),
    "REPIN_RATE": ("REPIN_1", "IMPRESSION_1", 1.0),
    "ECPE_IN_DOLLAR": ("SPEND_IN_MICRO_DOLLAR", "TOTAL_ENGAGEMENT", 1e-6),
    "COST_PER_OUTBOUND_CLICK_IN_DOLLAR": ("SPEND_IN_MICRO_DOLLAR", "OUTBOUND_CLICK_1", 1e-6),
    "CHECKOUT_ROAS": ("TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR", "SPEND_IN_MICRO_DOLLAR", 1.0),
    "PAGE_VISIT_ROAS": ("PAGE_VISIT_VALUE_IN_MICRO_DOLLAR", "SPEND_IN_MICRO_DOLLAR", 1.0),
    "PAGE_VISIT_COST_PER_ACTION": ("SPEND_IN_MICRO_DOLLAR", "TOTAL_PAGE_VISIT", 1e-6),
    "WEB_CHECKOUT_COST_PER_ACTION": ("SPEND_IN_MICRO_DOLLAR", "TOTAL_WEB_CHECKOUT", 1e-6),
    "WEB_CHECKOUT_ROAS": ("TOTAL_WEB_CHECKOUT_VALUE_IN_MICRO_DOLLAR", "SPEND_IN_MICRO_DOLLAR",
                          1.0),
    "WEB_LEAD_COST_PER_ACTION": ("SPEND_IN_MICRO_DOLLAR", "TOTAL_WEB_LEAD", 1e-6),
    "PAID_VIDEO_VIEWABLE_RATE": ("VIDEO_MRC_VIEWS_1", "VIDEO_IMPRESSION_1", 1.0),
    "VIDEO_AVG_WATCHTIME_IN_SECOND_1": ("VIDEO_WATCH_SECONDS_1", "VIDEO_P0_COMBINED_1", 1.0),
    "VIDEO_AVG_WATCHTIME_IN_SECOND_2": ("VIDEO_WATCH_SECONDS_2", "VIDEO_P0_COMBINED_2", 1.0),
    "TOTAL_VIDEO_AVG_WATCHTIME_IN_SECOND": ("TOTAL_VIDEO_WATCH_SECONDS",
                                            "TOTAL_VIDEO_P0_COMBINED", 1.0),
}
# An additive column divided by a constant (micro units to currency units).
SCALED_COLUMNS: Mapping[str, tuple[str, float]] = {
    "SPEND_IN_DOLLAR": ("SPEND_IN_MICRO_DOLLAR", 1e6),
    "VIDEO_SPEND_IN_DOLLAR": ("VIDEO_SPEND_IN_MICRO_DOLLAR", 1e6),
}
DERIVED_COLUMNS: frozenset[str] = frozenset(set(RATIO_COLUMNS) | set(SCALED_COLUMNS))


def _is_conversion(col: str) -> bool:
    if col in CONVERSION_BASE_COLUMNS:
        return True
    if col in SUM_COLUMNS:
        return all(_is_conversion(p) for p in SUM_COLUMNS[col])
    if col in RATIO_COLUMNS:
        return any(_is_conversion(p) for p in RATIO_COLUMNS[col][:2])
    return False


# Conversion columns (base, sums of them, ratios over them): absent from HOUR rows.
CONVERSION_COLUMNS: frozenset[str] = frozenset(
    c for c in (*BASE_COLUMNS, *SUM_COLUMNS, *RATIO_COLUMNS)
    if _is_conversion(c) and c not in INTERNAL_COLUMNS)

# Columns counted over the row's own period, never summed across days or entities (reach.py):
# reach (distinct people who saw a paid or earned impression) and frequency (TOTAL_IMPRESSION /
# reach over the same period).
PERIOD_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "TOTAL_IMPRESSION_USER": ("IMPRESSION_1", "IMPRESSION_2"),
    "TOTAL_IMPRESSION_FREQUENCY": ("IMPRESSION_1", "IMPRESSION_2"),
}

# Entity attribute columns (strings / numbers describing the entity of the row).
ATTRIBUTE_COLUMNS: frozenset[str] = frozenset({
    "AD_ACCOUNT_ID", "ADVERTISER_ID", "CAMPAIGN_ID", "CAMPAIGN_NAME", "CAMPAIGN_ENTITY_STATUS",
    "CAMPAIGN_OBJECTIVE_TYPE", "CAMPAIGN_DAILY_SPEND_CAP", "CAMPAIGN_LIFETIME_SPEND_CAP",
    "AD_GROUP_ID", "AD_GROUP_NAME", "AD_GROUP_ENTITY_STATUS", "AD_GROUP_BUDGET_TYPE",
    "AD_ID", "PIN_PROMOTION_ID", "AD_NAME", "PIN_ID",
    # async-report spellings of the statuses
    "CAMPAIGN_STATUS", "AD_GROUP_STATUS", "AD_STATUS", "PIN_PROMOTION_STATUS",
})

SERVED_METRIC_COLUMNS: frozenset[str] = frozenset(
    ADDITIVE_COLUMNS | DERIVED_COLUMNS | set(PERIOD_COLUMNS))
SERVED_SYNC_COLUMNS: frozenset[str] = frozenset(
    (SERVED_METRIC_COLUMNS | ATTRIBUTE_COLUMNS) & set(SYNC_COLUMNS)
)
SERVED_ASYNC_COLUMNS: frozenset[str] = frozenset(
    (SERVED_METRIC_COLUMNS | ATTRIBUTE_COLUMNS) & set(ASYNC_COLUMNS)
)

TARGETING_TYPES_BY_LEVEL: Mapping[str, tuple[str, ...]] = {
    "AD_ACCOUNT": ACCOUNT_TARGETING_TYPES,
    "CAMPAIGN": CAMPAIGN_TARGETING_TYPES,
    "AD_GROUP": AD_GROUP_TARGETING_TYPES,
    "AD": AD_TARGETING_TYPES,
}
