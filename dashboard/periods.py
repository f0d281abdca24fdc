"""Calendar periods of a time series: which week or month a day belongs to, what to call it,
and how much of it a date range covers.

Pinterest labels a WEEK row with the Monday and a MONTH row with the first of the month, even
when the requested range starts later: "Last 90 days" by month can open with a "month" that
holds one day. The chart must say so rather than draw it as a collapse in delivery.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from dashboard.filters import HOUR_MAX_DAYS_BACK, HOUR_MAX_RANGE_DAYS, Filters


@dataclass(frozen=True)
class Period:
    """One calendar bucket (`start`..`end`) and the days of the range it covers."""

    start: date
    end: date
    first: date  # first day of the range inside the bucket
    last: date  # last day of the range inside the bucket

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def length(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def partial(self) -> bool:
        return self.days < self.length


def bucket_start(day: date, granularity: str) -> date:
    """The first day of the WEEK (Monday) or MONTH holding `day`; the day itself otherwise."""
    if granularity == "WEEK":
        return day - timedelta(days=day.weekday())
    if granularity == "MONTH":
        return day.replace(day=1)
    return day


def bucket_end(start: date, granularity: str) -> date:
    if granularity == "WEEK":
        return start + timedelta(days=6)
    if granularity == "MONTH":
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    return start


def periods(start: date, end: date, granularity: str) -> list[Period]:
    """Every bucket from the one holding `start` to the one holding `end`, in order."""
    out: list[Period] = []
    current = bucket_start(start, granularity)
    while current <= end:
        last_day = bucket_end(current, granularity)
        out.append(Period(current, last_day, max(current, start), min(last_day, end)))
        current = last_day + timedelta(days=1)
    return out


def period_label(start: date, granularity: str, *, with_year: bool = False) -> str:
    """What a marketer calls the bucket: "Sep 2026", "Week of 1 Sep", "1 Sep"."""
    month = calendar.month_abbr[start.month]
    if granularity == "MONTH":
        return f"{month} {start.year}"
    year = f" {start.year}" if with_year else ""
    if granularity == "WEEK":
        return f"Week of {start.day} {month}{year}"
    return f"{start.day} {month}{year}"


def hourly_fallback_notice(filters: Filters, today: date) -> str | None:
    """Why an explicit Hour choice is drawn by day, or None when hours are shown.

    Pinterest keeps hourly rows for the last HOUR_MAX_DAYS_BACK days, at most
    HOUR_MAX_RANGE_DAYS days per request (DESIGN.md); anything else is served by day."""
    if filters.granularity != "HOUR" or filters.effective_granularity(today) == "HOUR":
        return None
    too_long = filters.days > HOUR_MAX_RANGE_DAYS
    too_old = filters.start < today - timedelta(days=HOUR_MAX_DAYS_BACK)
    if too_long and too_old:
        why = f"This range ({filters.days} days) is too long and too far back for hourly data"
    elif too_long:
        why = f"This range ({filters.days} days) is too long for hourly data"
    elif too_old:
        why = "This range is too far back for hourly data"
    else:
        why = "Pinterest has no hourly data for this range"
    return (
        f"{why}, so the chart shows daily data. Pinterest gives hours for at most "
        f"{HOUR_MAX_RANGE_DAYS} days at a time, within the last {HOUR_MAX_DAYS_BACK} days: "
        f"choose such a range to see hours."
    )
