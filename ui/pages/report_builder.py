"""Report builder: any async report Pinterest allows (914 days back), with progress and files.

Layout and widgets only; the work is in dashboard.report_builder (store, planning, frames).
A job that runs past the time limit is kept in the session and can be picked up again.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Final

import pandas as pd
import streamlit as st

from dashboard.errors import PinterestError
from dashboard.jobs import (
    CONVERSION_REPORT_TIMES,
    GRANULARITIES,
    MAX_DAYS_BACK,
    REPORT_TARGETING_TYPES,
    WINDOW_DAYS,
    ReportRequest,
    report_label,
    report_note,
    start_report,
    wait_for_report,
)
from dashboard.loaders import metric_definitions
from dashboard.long_range import default_store
from dashboard.report_builder import (
    BUILDER_LEVELS,
    DEFAULT_COLUMNS,
    LEVEL_LABELS,
    LEVEL_RULES,
    PendingReport,
    ReportOutcome,
    async_column_names,
    chartable_columns,
    column_label,
    display_frame,
    export_frame,
    grouped_columns,
    level_default_range,
    readable_name,
    request_problem,
    result_chart,
    result_frame,
)
from dashboard.spreadsheets import to_csv_bytes, to_xlsx_bytes
from dashboard.text import md_escape
from ui.common import (
    PageContext,
    column_config_for,
    context,
    inert_cells,
    page_header,
    require_account,
)
from ui.job_panel import JobPanel

GRANULARITY_LABELS: Final = {
    "DAY": "Daily",
    "WEEK": "Weekly",
    "MONTH": "Monthly",
    "TOTAL": "Total for the range",
    "HOUR": "Hourly (last 8 days, 3-day range)",
}
TIME_LABELS: Final = {
    "TIME_OF_AD_ACTION": "Time of ad action",
    "TIME_OF_CONVERSION": "Time of conversion",
}
_IDS = re.compile(r"[\s,;]+")
XLSX_MIME: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PANEL_KEY: Final = "rb"


def _ids(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in _IDS.split(text.strip()) if i))


def _names(ctx: PageContext) -> dict[str, str]:
    """Glossary names of the columns (async definitions, then the sync ones)."""
    names: dict[str, str] = {}
    try:
        names.update({k: v.display_name for k, v in metric_definitions(ctx.client).items()})
        names.update(async_column_names(ctx.client))
    except PinterestError:
        pass  # the builder still works with the raw column names
    return names


def _form(ctx: PageContext, account_id: str, names: dict[str, str]) -> ReportRequest | None:
    """The builder's widgets; the request when "Run report" is pressed."""
    today = ctx.today
    left, right = st.columns(2)
    with left:
        level = st.selectbox("Level", BUILDER_LEVELS, format_func=LEVEL_LABELS.__getitem__,
                             key="rb_level")
        st.caption(LEVEL_RULES[level])
        targeting: list[str] = []
        if level.endswith("_TARGETING"):
            choices = [t for t in REPORT_TARGETING_TYPES
                       if t != "MEDIA_TYPE" and (t != "AUDIENCE_MULTIPLIER"
                                                 or level == "CAMPAIGN_TARGETING")]
            targeting = st.multiselect("Targeting types (1 to 5)", choices,
                                       default=["AGE_BUCKET"], max_selections=5,
                                       key="rb_targeting")
        granularity = st.selectbox("Granularity", ["DAY", "WEEK", "MONTH", "TOTAL", "HOUR"],
                                   format_func=GRANULARITY_LABELS.__getitem__, key="rb_gran")
        assert granularity in GRANULARITIES
        start_default, end_default = level_default_range(level, granularity, today)
        picked = st.date_input(
            "Report dates (UTC)",
            value=(start_default, end_default),
            min_value=today - timedelta(days=MAX_DAYS_BACK),
            max_value=today,
            format="YYYY-MM-DD",
            # Its own defaults where the allowed range differs (hours, product items).
            key=f"rb_dates_{granularity == 'HOUR'}"
                + ("_items" if level.startswith("PRODUCT_ITEM") else ""),
            help="The level's rule (under Level) says how far back and how long.",
        )
    with right:
        st.markdown("**Columns**")
        chosen: list[str] = []
        for category, columns in grouped_columns(names=names).items():
            defaults = [c for c in DEFAULT_COLUMNS if c in columns]
            with st.expander(f"{category} ({len(columns)})", expanded=bool(defaults)):
                chosen += st.multiselect(
                    category, columns, default=defaults,
                    format_func=lambda c: column_label(c, names),
                    key=f"rb_cols_{category}", label_visibility="collapsed",
                )
    with st.expander("Attribution windows"):
        w1, w2, w3, w4 = st.columns(4)
        click = w1.selectbox("Click window (days)", WINDOW_DAYS, index=4, key="rb_click")
        engagement = w2.selectbox("Engagement window (days)", WINDOW_DAYS, index=4,
                                  key="rb_engagement")
        view = w3.selectbox("View window (days)", WINDOW_DAYS, index=1, key="rb_view")
        report_time = w4.radio("Conversions reported at", CONVERSION_REPORT_TIMES,
                               format_func=TIME_LABELS.__getitem__, key="rb_time")
    with st.expander("Entity filters (optional, up to 500 ids each)"):
        f1, f2, f3 = st.columns(3)
        campaigns = f1.text_area("Campaign ids", key="rb_campaign_ids",
                                 placeholder="ids separated by commas or spaces")
        ad_groups = f2.text_area("Ad group ids", key="rb_ad_group_ids")
        ads = f3.text_area("Ad ids", key="rb_ad_ids")
    st.number_input("Wait at most (seconds) before leaving the job to pick up later",
                    min_value=1, max_value=3600, value=120, step=5, key=f"{PANEL_KEY}_wait")
    if not st.button("Run report", type="primary", key="rb_run", icon=":material/play_arrow:"):
        return None
    if not (isinstance(picked, tuple) and len(picked) == 2):
        st.warning("Pick a start and an end date.")
        return None
    start, end = picked
    request = ReportRequest(
        ad_account_id=account_id,
        level=level,
        columns=tuple(chosen),
        start_date=start,
        end_date=end,
        granularity=granularity,
        targeting_types=tuple(targeting),
        click_window_days=int(click),
        engagement_window_days=int(engagement),
        view_window_days=int(view),
        conversion_report_time=str(report_time),
        campaign_ids=_ids(campaigns),
        ad_group_ids=_ids(ad_groups),
        ad_ids=_ids(ads),
    )
    problem = request_problem(request, today)
    if problem is not None:  # refused here: no call is made for a report Pinterest refuses
        st.error(md_escape(problem, 1000), icon=":material/block:")
        return None
    return request


def _column_config(kinds: dict[str, str], names: dict[str, str],
                   currency: str) -> dict[str, Any]:
    """Formats like the other pages' tables (ui.common): counts with thousands separators,
    money in currency units with its symbol, glossary names as headers."""
    labels = {column: readable_name(column, names) for column in kinds}
    config = column_config_for(
        {c: k for c, k in kinds.items() if k != "number"}, currency, labels)
    for column in (c for c, k in kinds.items() if k == "number"):
        # Rates and other fractions: separators and enough decimals for a CTR.
        config[column] = st.column_config.NumberColumn(labels[column], format="%,.4f")
    return config


def _show_outcome(outcome: ReportOutcome, names: dict[str, str], currency: str) -> None:
    request = outcome.request
    frame = result_frame(outcome.rows, request)
    source = ("all from the local report store" if outcome.from_store_only
              else f"{outcome.jobs} job(s)"
              + (f", {outcome.days_from_store} day(s) from the local store"
                 if outcome.days_from_store else ""))
    st.success(f"Report ready: {len(frame):,} rows · {request.start_date} to "
               f"{request.end_date} · {source}", icon=":material/check_circle:")
    for note in outcome.notes:
        st.caption(md_escape(note, 1000))
    shown, kinds = display_frame(frame)
    st.dataframe(inert_cells(shown), hide_index=True, width="stretch", key="rb_table",
                 column_config=_column_config(kinds, names, currency))
    metrics = chartable_columns(frame)
    if metrics:
        metric = st.selectbox("Chart", metrics, format_func=lambda c: readable_name(c, names),
                              key="rb_chart_metric")
        st.plotly_chart(result_chart(frame, request, metric, readable_name(metric, names),
                                     currency), key="rb_chart")
    _downloads(frame, request, names, currency)


def _downloads(frame: pd.DataFrame, request: ReportRequest, names: dict[str, str],
               currency: str) -> None:
    """The table as files: readable by default (the screen's headers, money in currency
    units), and Pinterest's own form (API names, micro units) for scripts and warehouses."""
    stem = f"pinterest-report-{request.ad_account_id}-{request.start_date}-{request.end_date}"
    d1, d2, d3 = st.columns(3)
    # Files are made when the button is pressed (a big report would slow every rerun).
    d1.download_button(
        "Download CSV", data=lambda: to_csv_bytes(export_frame(frame, names, currency)),
        file_name=f"{stem}.csv", mime="text/csv", key="rb_csv", icon=":material/download:",
        on_click="ignore", help=f"The table as shown: money in {currency}, glossary names.",
    )
    d2.download_button(
        "Download XLSX", data=lambda: to_xlsx_bytes(
            {"report": export_frame(frame, names, currency)}),
        file_name=f"{stem}.xlsx", mime=XLSX_MIME, key="rb_xlsx", icon=":material/download:",
        on_click="ignore", help=f"The table as shown: money in {currency}, glossary names.",
    )
    d3.download_button(
        "Download raw CSV (API units)", data=lambda: to_csv_bytes(frame),
        file_name=f"{stem}-raw.csv", mime="text/csv", key="rb_csv_raw",
        icon=":material/data_object:", on_click="ignore",
        help="Pinterest's column names and units: money in micro units (1,000,000 = 1 "
             f"{currency}), for scripts and data warehouses.",
    )


def main() -> None:
    ctx = context()
    account = require_account(ctx)
    page_header("Report builder", ctx, show_range=False)
    st.caption("Pinterest async reports: up to 914 days back. Finished days are kept in a local "
               "store, so opening the same report again costs no new job. The report's own "
               "dates and windows below apply, not the sidebar's.")
    names = _names(ctx)
    store = default_store()
    panel: JobPanel[ReportRequest, PendingReport, ReportOutcome] = JobPanel(
        key=PANEL_KEY, noun="report",
        create=lambda request: start_report(ctx.client, store, request),
        wait=lambda pending, wait_s, progress: wait_for_report(
            ctx.client, store, ctx.today, pending, wait_s, progress),
        label=report_label, note=report_note,
    )
    request = _form(ctx, account.id, names)
    if request is not None:
        panel.submit(request)
    panel.show_pending(PendingReport)
    panel.show_error(ReportRequest)
    outcome = panel.outcome(ReportOutcome)
    if outcome is not None:
        _show_outcome(outcome, names, ctx.currency)
