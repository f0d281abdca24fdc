"""Bulk export: whole entity dumps (campaigns, ad groups, ads, ...) for warehousing or backup.

Layout only; dashboard.jobs starts and waits for the job (ui.job_panel keeps it in the
session), frames and files come from dashboard.bulk_tables and dashboard.spreadsheets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import pandas as pd
import streamlit as st

from dashboard.bulk_tables import (
    bulk_file_frame,
    bulk_frames,
    bulk_kinds,
    safe_bulk_file,
)
from dashboard.jobs import (
    BULK_ENTITY_TYPES,
    CAMPAIGN_STATUSES,
    OBJECTIVE_TYPES,
    BulkFileError,
    BulkJob,
    BulkRequest,
    BulkResult,
    CampaignFilter,
    bulk_label,
    wait_for_bulk,
)
from dashboard.spreadsheets import to_csv_bytes, to_xlsx_bytes
from dashboard.text import md_escape
from ui.common import column_config_for, context, inert_cells, page_header, require_account
from ui.job_panel import JobPanel

PANEL_KEY: Final = "bulk"
TYPE_LABELS: Final = {
    "CAMPAIGN": "Campaigns",
    "AD_GROUP": "Ad groups",
    "PRODUCT_GROUP": "Product groups",
    "AD": "Ads",
    "KEYWORD": "Keywords",
    "LABEL": "Labels",
    "SCHEDULE": "Schedules (beta)",
}


def _form(account_id: str) -> BulkRequest | None:
    types = st.multiselect("Entity types", BULK_ENTITY_TYPES,
                           default=["CAMPAIGN", "AD_GROUP", "AD"],
                           format_func=TYPE_LABELS.__getitem__, key="bulk_types")
    with st.expander("Campaign filter (optional)"):
        statuses = st.multiselect("Campaign status", CAMPAIGN_STATUSES, key="bulk_status")
        objectives = st.multiselect("Objective", OBJECTIVE_TYPES, key="bulk_objective")
        name = st.text_input("Campaign name", key="bulk_name")
    output_format = st.radio(
        "Raw file format", ["JSON", "CSV"], horizontal=True, key="bulk_format",
        help="The form of \"Download the file\": Pinterest's bulk file as sent (API field "
             "names, epoch times, micro units). The tables and their CSV/XLSX downloads are "
             "the same either way.")
    st.number_input("Wait at most (seconds) before leaving the request to pick up later",
                    min_value=1, max_value=3600, value=120, step=5, key=f"{PANEL_KEY}_wait")
    if not st.button("Request bulk download", type="primary", key="bulk_run",
                     icon=":material/cloud_download:"):
        return None
    campaign_filter = CampaignFilter(
        campaign_status=tuple(statuses), objective_type=tuple(objectives),
        name=name.strip() or None,
    )
    return BulkRequest(
        ad_account_id=account_id,
        entity_types=tuple(types),
        campaign_filter=campaign_filter if campaign_filter.body() else None,
        output_format=str(output_format),
    )


def _offer_raw_file(failure: BaseException) -> None:
    """A file that arrived whole but cannot be read is still the user's: offered as sent
    (made safe for a spreadsheet), so nothing is lost."""
    if not isinstance(failure, BulkFileError) or not failure.raw:
        return
    output_format = failure.request.output_format if failure.request else "JSON"
    name = f"pinterest-bulk-{failure.request_id or 'download'}.{output_format.lower()}"
    st.download_button("Download the file as it arrived (raw)",
                       data=safe_bulk_file(failure.raw, output_format), file_name=name,
                       mime="text/csv" if output_format == "CSV" else "application/json",
                       key="bulk_unreadable_file", icon=":material/download:",
                       on_click="ignore")


def _formatted(kinds: dict[str, str]) -> dict[str, str]:
    # Plain numbers and text keep Streamlit's own formats.
    return {c: k for c, k in kinds.items() if k in ("money", "datetime")}


def _csv_maker(frame: pd.DataFrame, currency: str) -> Callable[[], bytes]:
    # Made when the button is pressed, not on every rerun.
    return lambda: to_csv_bytes(bulk_file_frame(frame, currency))


def _show_result(result: BulkResult, currency: str) -> None:
    frames = bulk_frames(result.rows, currency)
    counts = ", ".join(f"{len(f):,} {TYPE_LABELS.get(t, t).lower()}" for t, f in frames.items())
    st.success(f"Bulk download {md_escape(result.request_id)} ready: {md_escape(counts, 1000)}.",
               icon=":material/check_circle:")
    names = list(frames)
    if names:
        tabs = st.tabs([f"{TYPE_LABELS.get(t) or md_escape(t)} ({len(frames[t]):,})"
                        for t in names])
        for tab, entity_type in zip(tabs, names, strict=True):
            with tab:
                frame = frames[entity_type]
                if frame.empty:
                    st.caption("None.")
                else:
                    st.dataframe(inert_cells(frame), hide_index=True, width="stretch",
                                 key=f"bulk_table_{entity_type}",
                                 column_config=column_config_for(
                                     _formatted(bulk_kinds(frame, currency)), currency))
                    st.download_button(
                        "Download CSV", data=_csv_maker(frame, currency),
                        file_name=f"{result.filename.rsplit('.', 1)[0]}-{entity_type}.csv",
                        mime="text/csv", key=f"bulk_csv_{entity_type}",
                        icon=":material/download:", on_click="ignore",
                    )
    d1, d2 = st.columns(2)
    mime = "text/csv" if result.request.output_format == "CSV" else "application/json"
    d1.download_button("Download the file (raw, API units)",
                       data=safe_bulk_file(result.raw, result.request.output_format),
                       file_name=result.filename, mime=mime, key="bulk_file",
                       icon=":material/download:", on_click="ignore",
                       help="Pinterest's bulk file as sent: every entity type in one file, API "
                            "field names, epoch times, money in micro units.")
    d2.download_button(
        "Download XLSX",
        data=lambda: to_xlsx_bytes({t: bulk_file_frame(f, currency) for t, f in frames.items()}),
        file_name=f"{result.filename.rsplit('.', 1)[0]}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="bulk_xlsx", icon=":material/download:", on_click="ignore",
    )


def main() -> None:
    ctx = context()
    account = require_account(ctx)
    page_header("Bulk export", ctx, show_range=False)
    st.caption("A full dump of the account's entities from Pinterest's bulk download. "
               "Pinterest returns data for active entities only.")
    panel: JobPanel[BulkRequest, BulkJob, BulkResult] = JobPanel(
        key=PANEL_KEY, noun="bulk download",
        create=ctx.client.bulk.create,
        wait=lambda job, wait_s, progress: wait_for_bulk(ctx.client, job, wait_s, progress),
        label=bulk_label,
    )
    request = _form(account.id)
    if request is not None:
        panel.submit(request)
    panel.show_pending(BulkJob)
    panel.show_error(BulkRequest, offer=_offer_raw_file)
    result = panel.outcome(BulkResult)
    if result is not None:
        _show_result(result, ctx.currency)
