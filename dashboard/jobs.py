"""Long Pinterest jobs as the export pages drive them: start, wait up to a limit, or say
"still running" in the page's words. Also the client's request and result types those pages
build and show, so that pages import the dashboard only (never pinterest_client).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from dashboard.errors import describe_error
from dashboard.report_builder import (
    PendingReport,
    ReportOutcome,
    ReportStillRunning,
    drive_report,
    final_day_rule,
    plan_report,
)
from dashboard.report_store import ReportStore
from dashboard.text import md_escape
from pinterest_client import PinterestClient, PinterestError, ReportError
from pinterest_client.bulk import (
    BULK_ENTITY_TYPES as BULK_ENTITY_TYPES,
)
from pinterest_client.bulk import (
    CAMPAIGN_STATUSES as CAMPAIGN_STATUSES,
)
from pinterest_client.bulk import (
    OBJECTIVE_TYPES as OBJECTIVE_TYPES,
)
from pinterest_client.bulk import BulkError, BulkJob, BulkResult, BulkStatus
from pinterest_client.bulk import BulkFileError as BulkFileError
from pinterest_client.bulk import BulkRequest as BulkRequest
from pinterest_client.bulk import CampaignFilter as CampaignFilter
from pinterest_client.reports import (
    CONVERSION_REPORT_TIMES as CONVERSION_REPORT_TIMES,
)
from pinterest_client.reports import (
    GRANULARITIES as GRANULARITIES,
)
from pinterest_client.reports import (
    MAX_DAYS_BACK as MAX_DAYS_BACK,
)
from pinterest_client.reports import (
    REPORT_TARGETING_TYPES as REPORT_TARGETING_TYPES,
)
from pinterest_client.reports import (
    WINDOW_DAYS as WINDOW_DAYS,
)
from pinterest_client.reports import ReportRequest

# progress(fraction done or None, text): how a waiting job reports to the page.
Progress = Callable[[float | None, str], None]

__all__ = [
    "BulkJob",
    "BulkResult",
    "PendingReport",
    "Progress",
    "ReportOutcome",
    "ReportRequest",
    "StillRunning",
]


class StillRunning(Exception):
    """The job did not finish within the wait; keep it and ask again later."""


def job_message(exc: PinterestError) -> str:
    """A job's own failure as Pinterest stated it; any other error in plain words."""
    return str(exc) if isinstance(exc, ReportError) else describe_error(exc)


# async reports -------------------------------------------------------------------------------
def start_report(client: PinterestClient, store: ReportStore, request: ReportRequest
                 ) -> PendingReport:
    """Plan a report (days already in the store are not asked for again) and start its jobs.
    The store is shared: this token first shows that Pinterest lets it read the account."""
    client.prove_access(request.ad_account_id)
    return plan_report(client.reports, store, request)


def report_label(pending: PendingReport) -> str:
    return (f"Running the report: {pending.jobs_total} job(s)" if pending.batch is not None
            else "Reading the report from the local store")


def report_note(pending: PendingReport) -> str:
    return f"Jobs done: {pending.jobs_done} of {pending.jobs_total}."


def wait_for_report(client: PinterestClient, store: ReportStore, today: date,
                    pending: PendingReport, wait_s: float, progress: Progress) -> ReportOutcome:
    progress(pending.jobs_done / max(pending.jobs_total, 1),
             f"Jobs done: {pending.jobs_done} of {pending.jobs_total}")

    def on_progress(done: int, total: int, text: str) -> None:
        progress(done / max(total, 1), f"Jobs done: {done} of {total} · {text}")

    try:
        return drive_report(client.reports, store, pending,
                            is_final=final_day_rule(client, today),
                            on_progress=on_progress, timeout_s=wait_s)
    except ReportStillRunning as exc:
        raise StillRunning(str(exc)) from exc


# bulk downloads ------------------------------------------------------------------------------
def bulk_label(job: BulkJob) -> str:
    return f"Bulk download {md_escape(job.request_id)}: waiting for Pinterest"


def wait_for_bulk(client: PinterestClient, job: BulkJob, wait_s: float,
                  progress: Progress) -> BulkResult:
    def on_status(answer: BulkStatus) -> None:
        progress(None, f"Status: {answer.status}")

    try:
        return client.bulk.fetch(job, timeout_s=wait_s, on_status=on_status)
    except BulkError as exc:
        if exc.status == "RUNNING":
            raise StillRunning(str(exc)) from exc
        raise
