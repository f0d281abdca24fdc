"""Weeks and months the date range cuts, the Hour fallback notice, and pacing past the axis.

Expected values come from the calendar and from the simulator's own DAY rows, not from the
code under test."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pandas as pd
import pytest

from dashboard import figures
from dashboard.filters import Filters
from dashboard.loaders import load_overview, series_frame
from dashboard.periods import hourly_fallback_notice
from pinterest_client import PinterestClient
from pinterest_sim import DEMO_ACCOUNT_ID, Simulator
from tests.dashboard.support import TODAY

SPEND = "SPEND_IN_MICRO_DOLLAR"
CONVERSIONS = "TOTAL_CONVERSIONS"
# "Last 90 days" on 29 Nov 2026: 31 Aug (a Monday) to 28 Nov (a Saturday).
START, END = date(2026, 8, 31), date(2026, 11, 28)


def _day_spend(sim: Simulator, start: date, end: date) -> float:
    rows = sim.engine.rows(DEMO_ACCOUNT_ID, "AD", None, start, end, "TOTAL", [SPEND])
    return float(sum(row.get(SPEND, 0) for row in rows))


def _overview(client: PinterestClient, granularity: str, start: date = START,
              end: date = END) -> pd.DataFrame:
    filters = Filters(start=start, end=end, preset="custom", account_id=DEMO_ACCOUNT_ID,
                      granularity=granularity, compare=False)  # type: ignore[arg-type]
    return load_overview(client, DEMO_ACCOUNT_ID, filters, TODAY).series


def test_month_series_names_months_and_marks_the_cut_ones(
    client: PinterestClient, sim: Simulator
) -> None:
    series = _overview(client, "MONTH")
    assert list(series["period"]) == ["Aug 2026", "Sep 2026", "Oct 2026", "Nov 2026"]
    # Days of the range in each month, and the month's length, from the calendar.
    assert list(series["days"]) == [1, 30, 31, 28]
    assert list(series["period_days"]) == [calendar.monthrange(2026, m)[1] for m in (8, 9, 10, 11)]
    assert list(series["partial"]) == [True, False, False, True]
    # The 1-day "August" holds exactly 31 Aug's spend: small because it is one day.
    assert series[SPEND].iloc[0] == pytest.approx(_day_spend(sim, START, START))
    assert series[SPEND].iloc[1] == pytest.approx(
        _day_spend(sim, date(2026, 9, 1), date(2026, 9, 30)))
    assert series[SPEND].sum() == pytest.approx(_day_spend(sim, START, END))


def test_week_series_marks_a_cut_first_and_last_week(client: PinterestClient) -> None:
    start, end = date(2026, 9, 3), date(2026, 9, 23)  # a Thursday to a Wednesday
    series = _overview(client, "WEEK", start, end)
    mondays = [date(2026, 8, 31) + timedelta(weeks=i) for i in range(4)]
    assert list(series["time"]) == [pd.Timestamp(d) for d in mondays]
    assert list(series["period"]) == [f"Week of {d.day} {d:%b}" for d in mondays]
    assert list(series["days"]) == [4, 7, 7, 3]
    assert list(series["partial"]) == [True, False, False, True]
    fig = figures.spend_conversions_over_time(series, "USD", granularity="WEEK")
    assert list(fig.layout.xaxis.ticktext) == [f"{d.day} {d:%b}" for d in mondays]
    assert list(fig.data[0].hovertext) == [" (partial: 4 of 7 days)", "", "",
                                           " (partial: 3 of 7 days)"]


def test_week_and_month_rows_land_in_their_calendar_bucket_whatever_date_they_carry() -> None:
    # Pinterest's DATE for WEEK/MONTH is undocumented: the range start must land in its month.
    rows = [{"DATE": "2026-08-31", SPEND: 5_000_000},
            {"DATE": "2026-09-01", SPEND: 7_000_000, CONVERSIONS: 2}]
    series = series_frame(rows, "MONTH", START, date(2026, 10, 2))
    assert list(series["period"]) == ["Aug 2026", "Sep 2026", "Oct 2026"]
    assert list(series[SPEND]) == [5_000_000, 7_000_000, 0]  # October: no rows, still a bar
    assert list(series["partial"]) == [True, False, True]


def test_days_are_never_partial_and_keep_their_axis(client: PinterestClient) -> None:
    series = _overview(client, "DAY", date(2026, 11, 20), date(2026, 11, 26))
    assert len(series) == 7 and not series["partial"].any()
    fig = figures.spend_conversions_over_time(series, "USD", granularity="DAY")
    assert fig.layout.xaxis.type is None  # a date axis, as before
    assert list(fig.data[0].marker.opacity) == [1.0] * 7


def test_month_chart_names_each_bar_and_shows_cut_months_as_partial(
    client: PinterestClient,
) -> None:
    series = _overview(client, "MONTH")
    fig = figures.spend_conversions_over_time(series, "USD", granularity="MONTH")
    spend = fig.data[0]
    assert list(spend.x) == ["Aug 2026", "Sep 2026", "Oct 2026", "Nov 2026"]
    assert fig.layout.xaxis.type == "category"  # one tick per period, under its bar
    opacity = list(spend.marker.opacity)
    assert opacity[1] == opacity[2] == 1.0 and opacity[0] < 1.0 and opacity[3] < 1.0
    assert spend.hovertext[0] == " (partial: 1 of 31 days)"
    assert spend.hovertext[3] == " (partial: 28 of 30 days)"
    assert spend.hovertext[1] == ""
    # The conversions line joins whole months only; cut months are open markers of their own.
    line = next(t for t in fig.data if t.name == "Conversions")
    assert line.y[0] is None and line.y[3] is None
    assert line.y[1] == series[CONVERSIONS].iloc[1]
    partial = next(t for t in fig.data if t.name == "Conversions, partial period")
    assert list(partial.x) == ["Aug 2026", "Nov 2026"]
    assert list(partial.y) == [series[CONVERSIONS].iloc[0], series[CONVERSIONS].iloc[3]]


def test_previous_months_that_do_not_line_up_are_left_out() -> None:
    rows = [{"DATE": "2026-09-01", SPEND: 1_000_000}]
    current = series_frame(rows, "MONTH", START, END)
    previous = series_frame(rows, "MONTH", date(2026, 6, 2), date(2026, 8, 30))
    assert not figures.previous_lines_up(current, previous, "MONTH")
    fig = figures.spend_conversions_over_time(current, "USD", previous=previous,
                                              granularity="MONTH")
    assert "Spend, previous period" not in figures.trace_names(fig)
    # Whole months against as many whole months: drawn, bar by bar.
    whole = series_frame(rows, "MONTH", date(2026, 9, 1), date(2026, 10, 31))
    before = series_frame(rows, "MONTH", date(2026, 7, 1), date(2026, 8, 31))
    assert figures.previous_lines_up(whole, before, "MONTH")
    fig = figures.spend_conversions_over_time(whole, "USD", previous=before,
                                              granularity="MONTH")
    assert list(fig.data[1].x) == ["Sep 2026", "Oct 2026"]


def _filters(start: date, end: date, granularity: str) -> Filters:
    return Filters(start=start, end=end, preset="custom",
                   granularity=granularity)  # type: ignore[arg-type]


def test_hour_on_a_long_range_says_days_are_shown() -> None:
    notice = hourly_fallback_notice(_filters(START, END, "HOUR"), TODAY)
    assert notice is not None
    recent = hourly_fallback_notice(_filters(TODAY - timedelta(days=5), TODAY, "HOUR"), TODAY)
    assert recent is not None and "(6 days) is too long for hourly data" in recent
    assert "(90 days) is too long and too far back for hourly data" in notice
    assert "shows daily data" in notice


def test_hour_too_far_back_says_why() -> None:
    day = TODAY - timedelta(days=20)
    notice = hourly_fallback_notice(_filters(day, day, "HOUR"), TODAY)
    assert notice is not None and "too far back" in notice and "too long" not in notice
    assert "last 8 days" in notice


def test_no_hour_notice_when_hours_are_shown_or_not_asked_for() -> None:
    yesterday = TODAY - timedelta(days=1)
    assert hourly_fallback_notice(_filters(yesterday, TODAY, "HOUR"), TODAY) is None
    assert hourly_fallback_notice(_filters(START, END, "AUTO"), TODAY) is None
    assert hourly_fallback_notice(_filters(START, END, "DAY"), TODAY) is None


def test_pacing_axis_stops_at_200_and_overflowing_bars_say_their_value() -> None:
    frame = pd.DataFrame({"name": ["flight", "on", "under", "hot"],
                          "pacing": [24.0, 1.0, 0.5, 2.5]})
    fig = figures.pacing_bar(frame)
    bar = fig.data[0]
    assert list(bar.y) == ["under", "on", "hot", "flight"]
    assert list(bar.x) == pytest.approx([50.0, 100.0, 200.0, 200.0])
    assert fig.layout.xaxis.range[1] < 220  # the 100 % line stays in the middle, not a sliver
    assert fig.layout.xaxis.ticktext[-1] == "200%+"  # the axis says it is cut
    assert "2,400%" in bar.text[3] and "250%" in bar.text[2]
    assert bar.text[0] == bar.text[1] == ""
    assert list(bar.customdata) == ["50.0%", "100.0%", "250.0%", "2,400.0%"]  # exact in hover
    assert bar.marker.color[3] == figures.PRIMARY


def test_pacing_axis_is_automatic_when_nothing_overflows() -> None:
    frame = pd.DataFrame({"name": ["a", "b"], "pacing": [0.7, 1.9]})
    fig = figures.pacing_bar(frame)
    assert fig.layout.xaxis.range is None
    assert list(fig.data[0].x) == pytest.approx([70.0, 190.0])
    assert list(fig.data[0].text) == ["", ""]
