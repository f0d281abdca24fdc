"""Page data: everything a page needs, fetched at once, turned into pandas frames.

Each `load_*` function asks the client for all of a page's calls concurrently (a small thread
pool over the client, which is thread-safe and does its own caching, rate limiting, splitting
and retries) and returns one frozen dataclass with frames and the data's freshness.

One module per page (`overview`, `campaigns`, `targeting`, `audience`, `glossary`, `accounts`)
over a shared layer: `fetch` (the page's calls at once; every analytics rows request of every
page goes through `fetch_analytics_rows`, targeting breakdowns through `fetch_targeting_rows`:
the one place that decides how a range is fetched; freshness) and `frames` (rows to frames,
KPI columns from dashboard.kpis' table). Callers import from `dashboard.loaders`.
"""

from __future__ import annotations

from dashboard.kpis import (
    HOURLY_COLUMNS,
    HOURLY_KPIS,
    KPI_COLUMNS,
    metric_column_kinds,
    metric_column_labels,
)
from dashboard.loaders.accounts import AccountInfo, account_info, load_accounts
from dashboard.loaders.audience import (
    AUDIENCE_INSIGHT_TYPES,
    AudienceData,
    AudienceView,
    audience_view,
    load_audience,
)
from dashboard.loaders.campaigns import (
    ALL_STATUSES,
    ID_COLUMNS,
    EntityLevel,
    EntityTable,
    KeywordTable,
    filter_entities,
    keyword_frame,
    load_ad_groups,
    load_ads,
    load_campaigns,
    load_keywords,
    pacing_rows,
    spending_rows,
)
from dashboard.loaders.fetch import (
    MAX_PARALLEL_CALLS,
    Freshness,
    Level,
    attribution_for,
    fetch_analytics_rows,
    fetch_targeting_rows,
    field_of,
    freshness_of,
    gather,
    unwrap,
)
from dashboard.loaders.frames import add_kpi_columns, series_frame, sorted_rows
from dashboard.loaders.glossary import (
    MetricInfo,
    glossary_frame,
    metric_definitions,
    search_glossary,
)
from dashboard.loaders.overview import OverviewData, ReadyInfo, load_overview, same_hours_kpis
from dashboard.loaders.targeting import (
    APPTYPE_NAMES,
    GENDER_NAMES,
    TARGETING_TYPES,
    TargetingData,
    load_targeting,
    targeting_frame,
)

__all__ = [
    "ALL_STATUSES",
    "APPTYPE_NAMES",
    "AUDIENCE_INSIGHT_TYPES",
    "GENDER_NAMES",
    "HOURLY_COLUMNS",
    "HOURLY_KPIS",
    "ID_COLUMNS",
    "KPI_COLUMNS",
    "MAX_PARALLEL_CALLS",
    "TARGETING_TYPES",
    "AccountInfo",
    "AudienceData",
    "AudienceView",
    "EntityLevel",
    "EntityTable",
    "Freshness",
    "KeywordTable",
    "Level",
    "MetricInfo",
    "OverviewData",
    "ReadyInfo",
    "TargetingData",
    "account_info",
    "add_kpi_columns",
    "attribution_for",
    "audience_view",
    "fetch_analytics_rows",
    "fetch_targeting_rows",
    "field_of",
    "filter_entities",
    "freshness_of",
    "gather",
    "glossary_frame",
    "keyword_frame",
    "load_accounts",
    "load_ad_groups",
    "load_ads",
    "load_audience",
    "load_campaigns",
    "load_keywords",
    "load_overview",
    "load_targeting",
    "metric_column_kinds",
    "metric_column_labels",
    "metric_definitions",
    "pacing_rows",
    "same_hours_kpis",
    "search_glossary",
    "series_frame",
    "sorted_rows",
    "spending_rows",
    "targeting_frame",
    "unwrap",
]
