"""The sidebar filters shared by every page, their date presets and their URL round trip.

A shared link must reproduce the view, and a tampered link must never break the page: every
value read from the query string is validated, and anything invalid falls back to a safe
default with a human message the page shows.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, Generic, Literal, TypeVar, get_args

from dashboard.text import md_escape

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

_ACCOUNT_ID = re.compile(r"[0-9]{1,18}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WINDOW = re.compile(r"[0-9]{1,3}")


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
# The filter table: one row per sidebar filter drives the link (to_query / from_query) and the
# sidebar's widget state (widget_state; ui/sidebar.py draws the widgets from the same rows).
# ---------------------------------------------------------------------------------------------

T = TypeVar("T")
Widget = Literal["select", "radio", "toggle"]
# Link values are read with ASCII rules only: '²' is a digit to str.isdigit() and 'ı'.upper() is
# 'I', so a lookalike could otherwise pass for a valid value (or crash int()).
_ASCII_SPACE: Final = " \t\n\r\x0b\x0c"
# How much of a bad link value a message repeats.
SHOWN_CHARS: Final = 40


@dataclass(frozen=True)
class FilterField(Generic[T]):
    """One filter: its link parameter, its sidebar widget and how a link value is read."""

    query_key: str
    widget_key: str  # st.session_state key of its widget (tests and pages use it too)
    attribute: str  # the Filters field it sets
    default: T
    parse: Callable[[str], T | None]  # a link value (ASCII-stripped) -> value; None if invalid
    message: str  # said when the link's value is invalid; "{value}" is the value, escaped
    label: str  # the widget's label
    choices: tuple[T, ...] = ()  # the widget's options (the account's come from Pinterest)
    choice_labels: Mapping[T, str] | None = None  # what each option reads as
    widget: Widget | None = "select"  # None: drawn by the app itself (the account picker)
    advanced: bool = False  # in the sidebar's "Advanced (attribution)" expander
    help: str | None = None
    in_every_link: bool = False  # written even when it is the default
    blank_is_unset: bool = False  # an empty value means "not given" (no message)
    to_text: Callable[[T], str] = str  # the value as written in a link

    def read(self, params: Mapping[str, str | Sequence[str]], messages: list[str]) -> T:
        """This field's value in a link: the default (plus a message) when it is not valid."""
        raw = _first(params, self.query_key)
        if raw is None or (self.blank_is_unset and not raw):
            return self.default
        value = self.parse(raw)
        if value is None:
            messages.append(self.message.format(value=md_escape(raw, max_chars=SHOWN_CHARS)))
            return self.default
        return value


def _one_of(choices: tuple[T, ...], *, any_case: bool = False) -> Callable[[str], T | None]:
    """A parser accepting exactly `choices` (upper-cased first when `any_case`)."""

    def parse(text: str) -> T | None:
        if not text.isascii():
            return None
        wanted = text.upper() if any_case else text
        return next((choice for choice in choices if choice == wanted), None)

    return parse


def _parse_account_id(text: str) -> str | None:
    return text if _ACCOUNT_ID.fullmatch(text) else None


def _parse_window(text: str) -> int | None:
    return int(text) if _WINDOW.fullmatch(text) and int(text) in WINDOW_DAYS else None


def _window_field(name: str, default: int) -> FilterField[int]:
    allowed = ", ".join(str(days) for days in WINDOW_DAYS)
    return FilterField(
        query_key=name,
        widget_key=f"f_{name}",
        attribute=f"{name}_window_days",
        default=default,
        parse=_parse_window,
        message=f"The link's {name} attribution window “{{value}}” is not one Pinterest offers "
        f"({allowed} days); using {default} {'day' if default == 1 else 'days'}.",
        label=f"{name.capitalize()} window (days)",
        choices=WINDOW_DAYS,
        advanced=True,
    )


ACCOUNT: Final = FilterField[str | None](
    query_key="account",
    widget_key="f_account",
    attribute="account_id",
    default=None,
    parse=_parse_account_id,
    message="The link's ad account id “{value}” is not a Pinterest id (digits only); showing "
    "your first ad account instead.",
    label="Ad account",
    widget=None,
    blank_is_unset=True,
)
PRESET: Final = FilterField[Preset](
    query_key="preset",
    widget_key="f_preset",
    attribute="preset",
    default=DEFAULT_PRESET,
    parse=_one_of(PRESETS),
    message=f"The link's date preset “{{value}}” is unknown; showing "
    f"{PRESET_LABELS[DEFAULT_PRESET]}.",
    label="Date range",
    choices=PRESETS,
    choice_labels=PRESET_LABELS,
    in_every_link=True,
)
COMPARE: Final = FilterField[bool](
    query_key="compare",
    widget_key="f_compare",
    attribute="compare",
    default=True,
    parse={"0": False, "1": True}.get,
    message="The link's compare value “{value}” should be 0 or 1; comparing with the previous "
    "period.",
    label="Compare with previous period",
    widget="toggle",
    to_text=lambda compare: "1" if compare else "0",
)
GRANULARITY: Final = FilterField[GranularityChoice](
    query_key="granularity",
    widget_key="f_granularity",
    attribute="granularity",
    default="AUTO",
    parse=_one_of(GRANULARITIES, any_case=True),
    message="The link's granularity “{value}” is unknown; using Auto.",
    label="Granularity",
    choices=GRANULARITIES,
    choice_labels=GRANULARITY_LABELS,
    help="Auto: hourly for ranges of 3 days or less within the last 8 days, else daily.",
)
CONVERSION_TIME: Final = FilterField[ConversionReportTime](
    query_key="conversion_time",
    widget_key="f_conversion_time",
    attribute="conversion_report_time",
    default=DEFAULT_CONVERSION_REPORT_TIME,
    parse=_one_of(CONVERSION_REPORT_TIMES, any_case=True),
    message="The link's conversion time “{value}” is unknown; using time of ad action.",
    label="Conversions reported at",
    choices=CONVERSION_REPORT_TIMES,
    choice_labels=CONVERSION_REPORT_TIME_LABELS,
    widget="radio",
    advanced=True,
)
REFRESH: Final = FilterField[RefreshChoice](
    query_key="refresh",
    widget_key="f_refresh",
    attribute="refresh",
    default="off",
    parse=_one_of(REFRESH_CHOICES),
    message="The link's auto-refresh “{value}” is unknown; auto-refresh is off.",
    label="Auto-refresh",
    choices=REFRESH_CHOICES,
    choice_labels=REFRESH_LABELS,
)
# In link and sidebar order. A custom range's dates are not rows: they belong to the preset
# (written as start/end only with preset=custom; one date-range widget, DATES_WIDGET_KEY).
FIELDS: Final[tuple[FilterField[Any], ...]] = (
    ACCOUNT,
    PRESET,
    COMPARE,
    GRANULARITY,
    _window_field("click", DEFAULT_CLICK_WINDOW),
    _window_field("engagement", DEFAULT_ENGAGEMENT_WINDOW),
    _window_field("view", DEFAULT_VIEW_WINDOW),
    CONVERSION_TIME,
    REFRESH,
)
DATES_WIDGET_KEY: Final = "f_dates"
QUERY_KEYS: Final = (
    *(field.query_key for field in FIELDS[: FIELDS.index(PRESET) + 1]),
    "start",
    "end",
    *(field.query_key for field in FIELDS[FIELDS.index(PRESET) + 1 :]),
)


def to_query(filters: Filters) -> dict[str, str]:
    """The query parameters that reproduce `filters` (defaults left out to keep links short)."""
    query: dict[str, str] = {}
    for field in FIELDS:
        value = getattr(filters, field.attribute)
        if value is not None and (field.in_every_link or value != field.default):
            query[field.query_key] = field.to_text(value)
        if field is PRESET and filters.preset == "custom":
            query["start"] = filters.start.isoformat()
            query["end"] = filters.end.isoformat()
    return query


def from_query(
    params: Mapping[str, str | Sequence[str]], today: date
) -> tuple[Filters, list[str]]:
    """Filters from URL query parameters, plus a message for every value that was not valid.

    Messages are Markdown with the link's values escaped (dashboard.text.md_escape). Never
    raises: anything unusable is replaced by its default.
    """
    messages: list[str] = []
    values: dict[str, Any] = {}
    for field in FIELDS:
        values[field.attribute] = field.read(params, messages)
        if field is PRESET:  # the dates come next in a link, and so do their messages
            dates = _date_range(params, values[PRESET.attribute], today, messages)
            values["start"], values["end"], values[PRESET.attribute] = dates
    return Filters(**values), messages


def widget_state(filters: Filters) -> dict[str, object]:
    """The sidebar's widget values (by session-state key) that show `filters`."""
    state: dict[str, object] = {
        field.widget_key: getattr(filters, field.attribute) for field in FIELDS
    }
    state[DATES_WIDGET_KEY] = (filters.start, filters.end)
    return state


def _first(params: Mapping[str, str | Sequence[str]], key: str) -> str | None:
    """One value of a query parameter (the last if repeated), without ASCII spaces around it;
    None when absent."""
    value = params.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        if not value:
            return None
        value = value[-1]
    return value.strip(_ASCII_SPACE)


def _parse_date(text: str) -> date | None:
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _date_range(
    params: Mapping[str, str | Sequence[str]], preset: Preset, today: date, messages: list[str]
) -> tuple[date, date, Preset]:
    """The preset's dates; for `custom` the link's validated range (or the default preset's
    range with a message)."""
    if preset != "custom":
        if _first(params, "start") is not None or _first(params, "end") is not None:
            messages.append(
                f"The link's start and end dates apply only with preset=custom; showing "
                f"{PRESET_LABELS[preset]}."
            )
        return (*preset_range(preset, today), preset)
    fallback_start, fallback_end = preset_range(DEFAULT_PRESET, today)
    fallback_label = PRESET_LABELS[DEFAULT_PRESET]
    raw_start = _first(params, "start") or ""
    raw_end = _first(params, "end") or ""
    start = _parse_date(raw_start)
    end = _parse_date(raw_end)
    if start is None or end is None:
        problems = [
            f"no {name} date" if not raw
            else f"“{md_escape(raw, max_chars=SHOWN_CHARS)}” is not a valid {name} date"
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
