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


def partial_note(label: str, period: Period) -> str:
    """"Aug 2026 (1 of 31 days)": a partial period and how much of it the range holds."""
    noun = "day" if period.length == 1 else "days"
    return f"{label} ({period.days} of {period.length} {noun})"


def hourly_fallback_notice(filters: Filters, today: date) -> str | None:
    """Why an explicit Hour choice is drawn by day, or None when hours are shown.

    Pinterest keeps hourly rows for the last HOUR_MAX_DAYS_BACK days, at most
    HOUR_MAX_RANGE_DAYS days per request (DESIGN.md); anything else is served by day."""
    if filters.granularity != "HOUR" or filters.effective_granularity(today) == "HOUR":
        return None
    reasons: list[str] = []
    if filters.days > HOUR_MAX_RANGE_DAYS:
        reasons.append(
            f"this range ({filters.days} days) is too long for hourly data: Pinterest gives "
            f"hours for at most {HOUR_MAX_RANGE_DAYS} days at a time"
        )
    if filters.start < today - timedelta(days=HOUR_MAX_DAYS_BACK):
        reasons.append(
            f"Pinterest keeps hourly data for the last {HOUR_MAX_DAYS_BACK} days only"
        )
    because = "; ".join(reasons) or "Pinterest has no hourly data for this range"
    return (
        f"Hourly data is not available: {because}. The chart shows daily data instead; "
        f"choose a range of up to {HOUR_MAX_RANGE_DAYS} days within the last "
        f"{HOUR_MAX_DAYS_BACK} days to see hours."
    )
