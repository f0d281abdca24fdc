"""The sidebar filters shared by every page, their date presets and their URL round trip.

A shared link must reproduce the view, and a tampered link must never break the page: every
value read from the query string is validated, and anything invalid falls back to a safe
default with a human message the page shows.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Final, Literal, get_args

# Pinterest's limits are the client's (pinterest_client.limits); HOUR ones are re-exported here.
from pinterest_client import HOUR_MAX_DAYS_BACK as HOUR_MAX_DAYS_BACK
from pinterest_client import HOUR_MAX_RANGE_DAYS as HOUR_MAX_RANGE_DAYS
from pinterest_client import REPORT_MAX_DAYS_BACK, needs_reports

Preset = Literal[
    "today",
    "yesterday",
    "last_7_days",
    "last_14_days",
    "last_30_days",
    "last_90_days",
    "this_month",
    "last_month",
    "custom",
]
GranularityChoice = Literal["AUTO", "HOUR", "DAY", "WEEK", "MONTH"]
Granularity = Literal["HOUR", "DAY", "WEEK", "MONTH"]
RefreshChoice = Literal["off", "30s", "1m", "5m"]
ConversionReportTime = Literal["TIME_OF_AD_ACTION", "TIME_OF_CONVERSION"]

PRESETS: Final[tuple[Preset, ...]] = get_args(Preset)
GRANULARITIES: Final[tuple[GranularityChoice, ...]] = get_args(GranularityChoice)
REFRESH_CHOICES: Final[tuple[RefreshChoice, ...]] = get_args(RefreshChoice)
CONVERSION_REPORT_TIMES: Final[tuple[ConversionReportTime, ...]] = get_args(ConversionReportTime)
# Pinterest's attribution window enum (click, engagement and view windows alike).
WINDOW_DAYS: Final[tuple[int, ...]] = (0, 1, 7, 14, 30, 60)

PRESET_LABELS: Final[dict[Preset, str]] = {
    "today": "Today",
    "yesterday": "Yesterday",
    "last_7_days": "Last 7 days",
    "last_14_days": "Last 14 days",
    "last_30_days": "Last 30 days",
    "last_90_days": "Last 90 days",
    "this_month": "This month",
    "last_month": "Last month",
    "custom": "Custom",
}
GRANULARITY_LABELS: Final[dict[GranularityChoice, str]] = {
    "AUTO": "Auto",
    "HOUR": "Hour",
    "DAY": "Day",
    "WEEK": "Week",
    "MONTH": "Month",
}
REFRESH_LABELS: Final[dict[RefreshChoice, str]] = {
    "off": "Off",
    "30s": "Every 30 s",
    "1m": "Every minute",
    "5m": "Every 5 minutes",
}
REFRESH_SECONDS: Final[dict[RefreshChoice, int | None]] = {
    "off": None,
    "30s": 30,
    "1m": 60,
    "5m": 300,
}
CONVERSION_REPORT_TIME_LABELS: Final[dict[ConversionReportTime, str]] = {
    "TIME_OF_AD_ACTION": "Time of ad action",
    "TIME_OF_CONVERSION": "Time of conversion",
}

# The "Last N days" presets end yesterday: closed days only, so the numbers do not move.
_LAST_N_DAYS: Final[dict[Preset, int]] = {
    "last_7_days": 7,
    "last_14_days": 14,
    "last_30_days": 30,
    "last_90_days": 90,
}

# How far back a custom range may start. Ranges starting before the sync limit are the loaders'
# business (dashboard.loaders.fetch_analytics_rows), not the filters'.
MAX_DAYS_BACK: Final = REPORT_MAX_DAYS_BACK

DEFAULT_PRESET: Final[Preset] = "last_7_days"
DEFAULT_CLICK_WINDOW: Final = 30
DEFAULT_ENGAGEMENT_WINDOW: Final = 30
DEFAULT_VIEW_WINDOW: Final = 1
DEFAULT_CONVERSION_REPORT_TIME: Final[ConversionReportTime] = "TIME_OF_AD_ACTION"

_ACCOUNT_ID = re.compile(r"^\d{1,18}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def utc_today() -> date:
    """Today's date in UTC: Pinterest's analytics dates are UTC dates."""
    return datetime.now(UTC).date()


def preset_range(preset: Preset, today: date) -> tuple[date, date]:
    """The (start, end) dates, inclusive, of a preset seen on `today` (a UTC date).

    `custom` has no range of its own; it answers the default preset's range.
    """
    yesterday = today - timedelta(days=1)
    if preset == "today":
        return today, today
    if preset == "yesterday":
        return yesterday, yesterday
    if preset in _LAST_N_DAYS:
        return yesterday - timedelta(days=_LAST_N_DAYS[preset] - 1), yesterday
    if preset == "this_month":
        return today.replace(day=1), today
    if preset == "last_month":
        last_day = today.replace(day=1) - timedelta(days=1)
        return last_day.replace(day=1), last_day
    return preset_range(DEFAULT_PRESET, today)


@dataclass(frozen=True)
class Filters:
    """Everything the sidebar decides. Dates are UTC dates, both ends inclusive."""

    start: date
    end: date
    preset: Preset = DEFAULT_PRESET
    account_id: str | None = None
    compare: bool = True
    granularity: GranularityChoice = "AUTO"
    click_window_days: int = DEFAULT_CLICK_WINDOW
    engagement_window_days: int = DEFAULT_ENGAGEMENT_WINDOW
    view_window_days: int = DEFAULT_VIEW_WINDOW
    conversion_report_time: ConversionReportTime = DEFAULT_CONVERSION_REPORT_TIME
    refresh: RefreshChoice = "off"

    @classmethod
    def default(cls, today: date) -> Filters:
        start, end = preset_range(DEFAULT_PRESET, today)
        return cls(start=start, end=end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def refresh_seconds(self) -> int | None:
        return REFRESH_SECONDS[self.refresh]

    def includes_today(self, today: date) -> bool:
        return self.start <= today <= self.end

    def effective_granularity(self, today: date) -> Granularity:
        """The granularity to ask Pinterest for.

        AUTO is HOUR for ranges of 3 days or less that Pinterest still keeps hourly (8 days
        back), otherwise DAY. An explicit HOUR that Pinterest cannot serve becomes DAY.
        """
        hour_ok = self.days <= HOUR_MAX_RANGE_DAYS and self.start >= today - timedelta(
            days=HOUR_MAX_DAYS_BACK
        )
        if self.granularity == "AUTO" or self.granularity == "HOUR":
            return "HOUR" if hour_ok else "DAY"
        return self.granularity

    def previous_period(self) -> tuple[date, date]:
        """The period the deltas compare against.

        The calendar month before for "Last month"; otherwise the same number of days
        immediately before the start.
        """
        if self.preset == "last_month":
            last_day = self.start - timedelta(days=1)
            return last_day.replace(day=1), last_day
        length = timedelta(days=self.days)
        return self.start - length, self.start - timedelta(days=1)

    def with_preset(self, preset: Preset, today: date) -> Filters:
        if preset == "custom":
            return replace(self, preset="custom")
        start, end = preset_range(preset, today)
        return replace(self, preset=preset, start=start, end=end)

    def with_dates(self, start: date, end: date) -> Filters:
        return replace(self, preset="custom", start=start, end=end)


def describe_range(start: date, end: date) -> str:
    """'3 Nov 2026' or '1 Nov – 7 Nov 2026' (for captions)."""
    if start == end:
        return f"{start.day} {calendar.month_abbr[start.month]} {start.year}"
    left = f"{start.day} {calendar.month_abbr[start.month]}"
    if start.year != end.year:
        left += f" {start.year}"
    return f"{left} – {end.day} {calendar.month_abbr[end.month]} {end.year}"


# ---------------------------------------------------------------------------------------------
# URL query string round trip
# ---------------------------------------------------------------------------------------------

QUERY_KEYS: Final = (
    "account",
    "preset",
    "start",
    "end",
    "compare",
    "granularity",
    "click",
    "engagement",
    "view",
    "conversion_time",
    "refresh",
)


def to_query(filters: Filters) -> dict[str, str]:
    """The query parameters that reproduce `filters` (defaults left out to keep links short)."""
    query: dict[str, str] = {}
    if filters.account_id:
        query["account"] = filters.account_id
    query["preset"] = filters.preset
    if filters.preset == "custom":
        query["start"] = filters.start.isoformat()
        query["end"] = filters.end.isoformat()
    if not filters.compare:
        query["compare"] = "0"
    if filters.granularity != "AUTO":
        query["granularity"] = filters.granularity
    if filters.click_window_days != DEFAULT_CLICK_WINDOW:
        query["click"] = str(filters.click_window_days)
    if filters.engagement_window_days != DEFAULT_ENGAGEMENT_WINDOW:
        query["engagement"] = str(filters.engagement_window_days)
    if filters.view_window_days != DEFAULT_VIEW_WINDOW:
        query["view"] = str(filters.view_window_days)
    if filters.conversion_report_time != DEFAULT_CONVERSION_REPORT_TIME:
        query["conversion_time"] = filters.conversion_report_time
    if filters.refresh != "off":
        query["refresh"] = filters.refresh
    return query


def _first(params: Mapping[str, str | Sequence[str]], key: str) -> str | None:
    """One value of a query parameter (the last if repeated), stripped; None when absent."""
    value = params.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        if not value:
            return None
        value = value[-1]
    return value.strip()


def _shown(value: str) -> str:
    """A tampered value as it may be echoed in a message: short and printable."""
    cleaned = "".join(ch for ch in value if ch.isprintable())
    return cleaned[:40] + ("…" if len(cleaned) > 40 else "")


def _parse_date(text: str) -> date | None:
    if not _ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _parse_window(
    params: Mapping[str, str | Sequence[str]],
    key: str,
    label: str,
    default: int,
    messages: list[str],
) -> int:
    raw = _first(params, key)
    if raw is None:
        return default
    if raw.isdigit() and int(raw) in WINDOW_DAYS:
        return int(raw)
    allowed = ", ".join(str(w) for w in WINDOW_DAYS)
    messages.append(
        f"The link's {label} window “{_shown(raw)}” is not one Pinterest offers "
        f"({allowed} days); using {default} {'day' if default == 1 else 'days'}."
    )
    return default


def from_query(
    params: Mapping[str, str | Sequence[str]], today: date
) -> tuple[Filters, list[str]]:
    """Filters from URL query parameters, plus a message for every value that was not valid.

    Never raises: anything unusable is replaced by its default.
    """
    messages: list[str] = []
    defaults = Filters.default(today)

    account_id: str | None = None
    raw_account = _first(params, "account")
    if raw_account:
        if _ACCOUNT_ID.match(raw_account):
            account_id = raw_account
        else:
            messages.append(
                f"The link's ad account id “{_shown(raw_account)}” is not a Pinterest id "
                "(digits only); showing your first ad account instead."
            )

    preset: Preset = DEFAULT_PRESET
    raw_preset = _first(params, "preset")
    if raw_preset is not None:
        if raw_preset in PRESETS:
            preset = raw_preset
        else:
            messages.append(
                f"The link's date preset “{_shown(raw_preset)}” is unknown; showing "
                f"{PRESET_LABELS[DEFAULT_PRESET]}."
            )

    start, end = preset_range(preset, today)
    if preset == "custom":
        start, end, preset = _custom_range(params, today, messages)
    elif _first(params, "start") is not None or _first(params, "end") is not None:
        messages.append(
            f"The link's start and end dates apply only with preset=custom; showing "
            f"{PRESET_LABELS[preset]}."
        )

    compare = defaults.compare
    raw_compare = _first(params, "compare")
    if raw_compare is not None:
        if raw_compare in ("0", "1"):
            compare = raw_compare == "1"
        else:
            messages.append(
                f"The link's compare value “{_shown(raw_compare)}” should be 0 or 1; "
                "comparing with the previous period."
            )

    granularity: GranularityChoice = "AUTO"
    raw_granularity = _first(params, "granularity")
    if raw_granularity is not None:
        if raw_granularity.upper() in GRANULARITIES:
            granularity = raw_granularity.upper()  # type: ignore[assignment]
        else:
            messages.append(
                f"The link's granularity “{_shown(raw_granularity)}” is unknown; using Auto."
            )

    click = _parse_window(params, "click", "click attribution", DEFAULT_CLICK_WINDOW, messages)
    engagement = _parse_window(
        params, "engagement", "engagement attribution", DEFAULT_ENGAGEMENT_WINDOW, messages
    )
    view = _parse_window(params, "view", "view attribution", DEFAULT_VIEW_WINDOW, messages)

    conversion_time: ConversionReportTime = DEFAULT_CONVERSION_REPORT_TIME
    raw_time = _first(params, "conversion_time")
    if raw_time is not None:
        if raw_time.upper() in CONVERSION_REPORT_TIMES:
            conversion_time = raw_time.upper()  # type: ignore[assignment]
        else:
            messages.append(
                f"The link's conversion time “{_shown(raw_time)}” is unknown; using "
                "time of ad action."
            )

    refresh: RefreshChoice = "off"
    raw_refresh = _first(params, "refresh")
    if raw_refresh is not None:
        if raw_refresh in REFRESH_CHOICES:
            refresh = raw_refresh
        else:
            messages.append(
                f"The link's auto-refresh “{_shown(raw_refresh)}” is unknown; auto-refresh is off."
            )

    filters = Filters(
        start=start,
        end=end,
        preset=preset,
        account_id=account_id,
        compare=compare,
        granularity=granularity,
        click_window_days=click,
        engagement_window_days=engagement,
        view_window_days=view,
        conversion_report_time=conversion_time,
        refresh=refresh,
    )
    return filters, messages


def _custom_range(
    params: Mapping[str, str | Sequence[str]], today: date, messages: list[str]
) -> tuple[date, date, Preset]:
    """A validated custom range, or the default preset's range with a message."""
    fallback_start, fallback_end = preset_range(DEFAULT_PRESET, today)
    fallback_label = PRESET_LABELS[DEFAULT_PRESET]
    raw_start = _first(params, "start") or ""
    raw_end = _first(params, "end") or ""
    start = _parse_date(raw_start)
    end = _parse_date(raw_end)
    if start is None or end is None:
        problems = [
            f"no {name} date" if not raw else f"“{_shown(raw)}” is not a valid {name} date"
            for name, raw, parsed in (("start", raw_start, start), ("end", raw_end, end))
            if parsed is None
        ]
        messages.append(
            f"The link's custom range has {' and '.join(problems)} (YYYY-MM-DD); "
            f"showing {fallback_label}."
        )
        return fallback_start, fallback_end, DEFAULT_PRESET
    problem = check_range(start, end, today)
    if problem:
        messages.append(f"{problem} Showing {fallback_label}.")
        return fallback_start, fallback_end, DEFAULT_PRESET
    return start, end, "custom"


def check_range(start: date, end: date, today: date) -> str | None:
    """Why a custom range cannot be shown, or None when it can."""
    if start > end:
        return "The start date is after the end date."
    if end > today:
        return "The range ends in the future; Pinterest has no data for it yet."
    earliest = today - timedelta(days=MAX_DAYS_BACK)
    if start < earliest:
        return (
            f"Pinterest keeps analytics for {MAX_DAYS_BACK} days; the range starts before "
            f"{earliest.isoformat()}."
        )
    return None


def sync_reachable(start: date, today: date) -> bool:
    """Whether live (sync) analytics still reach `start` (90 days back from today, UTC)."""
    return not needs_reports(start, today)
