"""Overview: what did we spend, what did it bring, against the previous period."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from dashboard.figures import (
    drawn_by_period,
    previous_lines_up,
    spend_conversions_over_time,
)
from dashboard.filters import describe_range
from dashboard.formatting import format_delta, format_kpi
from dashboard.kpis import kpi_deltas, reach_deltas, relative_change
from dashboard.loaders import KPI_COLUMNS, OverviewData, load_overview
from dashboard.periods import hourly_fallback_notice
from dashboard.render_cache import shared
from dashboard.text import md_escape
from ui.common import (
    PageContext,
    context,
    page_header,
    require_account,
    show_error,
    show_freshness,
    table,
)
from ui.long_range_notice import long_range_progress
from ui.narrow import TILES_KEY

TILES_PER_ROW = 5
TILE_HEIGHT = 190  # same for all tiles, with or without a sparkline


def _tile_help(data: OverviewData, column: str, fallback: str) -> str:
    info = data.definitions.get(column)
    if info and info.definition:
        return f"**{md_escape(info.display_name)}** — {md_escape(info.definition, 2000)}"
    return fallback


def _sparkline(data: OverviewData, name: str) -> list[float] | None:
    """The KPI per period of the chart, for the tile's sparkline (all tiles get one, so they
    line up)."""
    return _sparklines(data.series, data.granularity).get(name)


@shared
def _sparklines(series: pd.DataFrame, granularity: str) -> dict[str, list[float] | None]:
    """Every tile's sparkline at once, built once per series for every session. Periods
    without delivery carry the last ratio forward. Weeks or months the range cuts (a 1-day
    "August") are left out: in a line without labels they would read as a dip."""
    if "partial" in series:
        series = series[~series["partial"].astype(bool)]
    lines: dict[str, list[float] | None] = {}
    for name, column in KPI_COLUMNS.items():
        if len(series) < 2 or column not in series or (
                granularity == "HOUR"
                and name in ("conversions", "conversion_value", "roas", "cpa")):
            lines[name] = None
        else:
            values = series[column].astype(float).ffill().fillna(0.0)
            lines[name] = [float(v) for v in values]
    return lines


def _tiles(ctx: PageContext, data: OverviewData) -> None:
    deltas = kpi_deltas(data.kpis, data.previous_kpis if ctx.filters.compare else None,
                        data.comparable)
    # One keyed container: on a phone its tiles wrap two a row (ui/narrow.py).
    with st.container(key=TILES_KEY):
        for row_start in range(0, len(deltas), TILES_PER_ROW):
            columns = st.columns(TILES_PER_ROW)
            for column, delta in zip(columns, deltas[row_start : row_start + TILES_PER_ROW],
                                     strict=False):
                spec = delta.spec
                with column:
                    st.metric(
                        spec.label,
                        format_kpi(delta.current, spec.kind, ctx.currency),
                        delta=format_delta(delta.change) if ctx.filters.compare else None,
                        delta_color="normal" if spec.higher_is_better else "inverse",
                        help=_tile_help(data, spec.metric_column, spec.formula),
                        border=True,
                        chart_data=_sparkline(data, spec.name),
                        chart_type="area",
                        height=TILE_HEIGHT,
                    )
        _reach_tiles(ctx, data)


def _reach_tiles(ctx: PageContext, data: OverviewData) -> None:
    """Reach and frequency of the whole period (its own TOTAL row, never a sum of days)."""
    previous = data.previous_reach if ctx.filters.compare else None
    columns = st.columns(TILES_PER_ROW)
    for column, (spec, current, before) in zip(
            columns, reach_deltas(data.reach, previous), strict=False):
        change = relative_change(current, before)
        with column:
            st.metric(
                spec.label,
                format_kpi(current, spec.kind, ctx.currency),
                delta=format_delta(change) if previous is not None else None,
                help=(_tile_help(data, spec.metric_column, spec.formula)
                      + (f" — {data.reach_note}" if data.reach_note else "")),
                border=True,
                height=TILE_HEIGHT,
            )


def _status_line(ctx: PageContext, data: OverviewData) -> None:
    parts: list[str] = []
    if ctx.filters.compare:
        prev_start, prev_end = ctx.filters.previous_period()
        parts.append(f"Changes against {describe_range(prev_start, prev_end)}")
        if data.same_hours:
            parts.append("today so far is compared with the same hours before (conversions, "
                         "which Pinterest gives by day only, have no comparison until the day "
                         "is over)")
        elif ctx.filters.includes_today(ctx.today):
            parts.append("today so far is compared with whole days")
    if data.ready is not None:
        if data.ready.final:
            parts.append("numbers are final")
        elif ctx.filters.includes_today(ctx.today):
            parts.append("today is still running: numbers grow through the day")
        else:
            parts.append(
                f"{data.ready.day.isoformat()} is not final yet at Pinterest: "
                "conversions may still change"
            )
    if parts:
        text = " · ".join(parts)
        st.caption(text[:1].upper() + text[1:])
    if data.compare_note:
        st.info(md_escape(data.compare_note, 1000), icon=":material/info:")
    for note in data.notes:
        st.caption(md_escape(note, 1000))


def _chart(ctx: PageContext, data: OverviewData) -> None:
    st.subheader("Spend and conversions over time")
    hourly_notice = hourly_fallback_notice(ctx.filters, ctx.today)
    if hourly_notice:
        st.info(hourly_notice, icon=":material/schedule:")
    if data.granularity == "HOUR":
        st.caption("Hourly (UTC). Pinterest reports no conversions by the hour; "
                   "the conversions tile covers the whole range.")
    series = data.series
    previous = data.previous_series if ctx.filters.compare else None
    figure = spend_conversions_over_time(
        series,
        ctx.currency,
        show_conversions=data.has_conversion_series,
        previous=previous,
        granularity=data.granularity,
    )
    st.plotly_chart(figure, key="overview_chart")
    by_period = drawn_by_period(series, data.granularity)
    if by_period and bool(series["partial"].any()):
        cut = series[series["partial"].astype(bool)]
        names = ", ".join(
            f"{label} ({int(days)} of {int(length)} days)"
            for label, days, length in zip(cut["period"], cut["days"], cut["period_days"],
                                           strict=True)
        )
        st.caption(
            f"Lighter bars are partial periods, cut by the date range: {names}. Their totals "
            "cover only those days, so they are not a drop in delivery; the tile sparklines "
            "leave them out."
        )
    if previous is not None and not previous.empty and not previous_lines_up(
        series, previous, data.granularity
    ):
        unit = "weeks" if data.granularity == "WEEK" else "months"
        st.caption(
            f"The previous period's {unit} do not line up with these, so the chart leaves it "
            "out; the tiles compare the two periods' totals."
        )
    kinds: dict[str, str] = {"time": "datetime"}
    labels: dict[str, str] = {"time": "Time (UTC)"}
    if data.granularity == "DAY":  # a day is a date: no "00:00" on every row
        kinds = {"time": "date"}
        labels = {"time": "Date (UTC)"}
    if by_period:
        kinds = {"period": "text", "days": "count", "time": "date"}
        labels = {"period": "Period", "days": "Days in range", "time": "Starts"}
    with st.expander("Data table"):
        table(
            series,
            kinds
            | {
                "SPEND_IN_MICRO_DOLLAR": "money",
                "PAID_IMPRESSION": "count",
                "CLICKTHROUGH_1": "count",
                "TOTAL_CONVERSIONS": "count",
                "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR": "money",
            },
            ctx.currency,
            key="overview_table",
            filename="overview_timeseries.csv",
            labels=labels
            | {
                "SPEND_IN_MICRO_DOLLAR": "Spend",
                "PAID_IMPRESSION": "Impressions",
                "CLICKTHROUGH_1": "Clicks",
                "TOTAL_CONVERSIONS": "Conversions",
                "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR": "Conversion value",
            },
        )


def _render() -> None:
    ctx = context()
    account = require_account(ctx)
    try:
        with long_range_progress(ctx):
            data = ctx.load(load_overview, account)
    except Exception as exc:
        show_error(exc)
        return
    show_freshness(data.freshness, live=ctx.filters.refresh_seconds is not None)
    if not data.kpis.has_delivery:
        if ctx.filters.includes_today(ctx.today) and ctx.filters.days == 1:
            st.info("No delivery yet today: nothing has been spent so far. "
                    "Active campaigns start showing numbers as the day goes on.",
                    icon=":material/hourglass_empty:")
        else:
            st.info(
                "No delivery in this period: this account spent nothing and served no paid "
                "impressions between these dates. Try a longer range, or check that the "
                "account has active campaigns.",
                icon=":material/inbox:",
            )
        return
    _tiles(ctx, data)
    _status_line(ctx, data)
    _chart(ctx, data)


def main() -> None:
    ctx = context()
    page_header("Overview", ctx)
    seconds = ctx.filters.refresh_seconds
    if seconds:
        # Auto-refresh: the tiles and chart rerun in place (a fragment), not the whole page.
        st.fragment(_render, run_every=timedelta(seconds=seconds))()
    else:
        _render()
