"""Async reports: create, poll, download, parse; long ranges split into several jobs and merged.

Pinterest's async reports reach 914 days back with ranges of at most 186 days (HOUR: 8 days back,
3-day range). A job is created with `POST /ad_accounts/{id}/reports` (a token comes back), polled
with `GET /ad_accounts/{id}/reports?token=` until it is FINISHED, and its file is fetched from a
pre-signed URL that lives only 5 minutes (the report itself lives an hour). So:

- FINISHED is downloaded at once; a link that died before the download (403) is re-polled for a
  fresh one, and a report that EXPIRED meanwhile is created again (`run`/`collect` only);
- FAILED, CANCELLED, EXPIRED and DOES_NOT_EXIST end in `ReportError` naming the status (the
  official samples poll forever on these);
- polling backs off 1, 2, 4, 8 s, then every 10 s, under an overall deadline; a deadline that
  passes raises `ReportStillRunning`, which carries the `ReportBatch` to resume later;
- nothing partial is ever returned: a body shorter than the announced size, or that does not
  parse whole, is fetched again or fails.

The package has one job per module: `request` (what is asked, Pinterest's rules, the split into
jobs), `results` (poll answers, jobs, batches, errors), `parsing` (files to rows, merging jobs)
and `api` (`ReportsAPI`, the HTTP calls). Polling is `pinterest_client._polling`, shared with
bulk downloads. Everything is importable from `pinterest_client.reports` as before.
"""

from __future__ import annotations

from pinterest_client._polling import (
    BACKOFF_CAP_S,
    BACKOFF_S,
    MAX_TRANSIENT_ROUNDS,
    TRANSIENT_ERRORS,
    Session,
    backoff_delay,
    renewable_download_error,
)
from pinterest_client.limits import (
    HOUR_MAX_DAYS_BACK,
    HOUR_MAX_RANGE_DAYS,
    PRODUCT_ITEM_MAX_DAYS_BACK,
    PRODUCT_ITEM_MAX_RANGE_DAYS,
    REPORT_ID_COLUMNS,
    REPORT_LEVELS,
    ReportLevel,
)

# The names this module always gave the async report windows.
from pinterest_client.limits import REPORT_MAX_DAYS_BACK as MAX_DAYS_BACK
from pinterest_client.limits import REPORT_MAX_FILTER_IDS as MAX_FILTER_IDS
from pinterest_client.limits import REPORT_MAX_RANGE_DAYS as MAX_RANGE_DAYS
from pinterest_client.reports.api import (
    CATEGORY,
    DEFAULT_DEADLINE_S,
    DEFAULT_MAX_PARALLEL,
    MAX_LINK_RENEWALS,
    MAX_RECREATIONS,
    ProgressCallback,
    ReportsAPI,
)
from pinterest_client.reports.parsing import (
    ADDITIVE_HINT,
    is_additive,
    is_text_column,
    merge_rows,
    parse_report,
)
from pinterest_client.reports.request import (
    CONVERSION_REPORT_TIMES,
    GRANULARITIES,
    MAX_TARGETING_TYPES,
    PRIMARY_SORTS,
    REPORT_FORMATS,
    REPORT_TARGETING_TYPES,
    WINDOW_DAYS,
    PrimarySort,
    ReportFormat,
    ReportRequest,
)
from pinterest_client.reports.results import (
    FAILED_STATUSES,
    ReportBatch,
    ReportJob,
    ReportResult,
    ReportStatus,
    ReportStatusName,
    ReportStillRunning,
    failure_message,
)

__all__ = [
    "ADDITIVE_HINT",
    "BACKOFF_CAP_S",
    "BACKOFF_S",
    "CATEGORY",
    "CONVERSION_REPORT_TIMES",
    "DEFAULT_DEADLINE_S",
    "DEFAULT_MAX_PARALLEL",
    "FAILED_STATUSES",
    "GRANULARITIES",
    "HOUR_MAX_DAYS_BACK",
    "HOUR_MAX_RANGE_DAYS",
    "MAX_DAYS_BACK",
    "MAX_FILTER_IDS",
    "MAX_LINK_RENEWALS",
    "MAX_RANGE_DAYS",
    "MAX_RECREATIONS",
    "MAX_TARGETING_TYPES",
    "MAX_TRANSIENT_ROUNDS",
    "PRIMARY_SORTS",
    "PRODUCT_ITEM_MAX_DAYS_BACK",
    "PRODUCT_ITEM_MAX_RANGE_DAYS",
    "REPORT_FORMATS",
    "REPORT_ID_COLUMNS",
    "REPORT_LEVELS",
    "REPORT_TARGETING_TYPES",
    "TRANSIENT_ERRORS",
    "WINDOW_DAYS",
    "PrimarySort",
    "ProgressCallback",
    "ReportBatch",
    "ReportFormat",
    "ReportJob",
    "ReportLevel",
    "ReportRequest",
    "ReportResult",
    "ReportStatus",
    "ReportStatusName",
    "ReportStillRunning",
    "ReportsAPI",
    "Session",
    "backoff_delay",
    "failure_message",
    "is_additive",
    "is_text_column",
    "merge_rows",
    "parse_report",
    "renewable_download_error",
]
