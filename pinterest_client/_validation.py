"""Local checks before anything is sent: each failure names the parameter and the rule.

Window rules are Pinterest's, read literally (as the operation descriptions state them): the
start date at most 90 days before today (UTC) and the end at most 90 days past the start; for
HOUR, 8 days back and 3 days past the start. A range whose *length* is too long is not an error
here (the client splits it); a start older than the sync lookback is, and raises
`RangeNeedsReportError` so callers can fall back to an async report.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from pinterest_client import columns as catalogue
from pinterest_client._errors import RangeNeedsReportError, ValidationError
from pinterest_client.limits import (
    HOUR_MAX_DAYS_BACK,
    LEVELS,
    SYNC_MAX_DAYS_BACK,
    first_sync_day,
    needs_reports,
)
from pinterest_client.models import Attribution

DIGITS = re.compile(r"^\d{1,18}$")
TARGETING_TYPES_BY_LEVEL: dict[str, tuple[tuple[str, ...], int]] = {
    "AD_ACCOUNT": (catalogue.ACCOUNT_TARGETING_TYPES, catalogue.MAX_ACCOUNT_TARGETING_TYPES),
    "CAMPAIGN": (catalogue.CAMPAIGN_TARGETING_TYPES, catalogue.MAX_CAMPAIGN_TARGETING_TYPES),
    "AD_GROUP": (catalogue.AD_GROUP_TARGETING_TYPES, catalogue.MAX_AD_GROUP_TARGETING_TYPES),
    "AD": (catalogue.AD_TARGETING_TYPES, catalogue.MAX_AD_TARGETING_TYPES),
}
_SYNC_COLUMNS = frozenset(catalogue.SYNC_COLUMNS)


def _fail(parameter: str, rule: str, message: str) -> ValidationError:
    return ValidationError(f"{parameter}: {message}", parameter=parameter, rule=rule)


def check_id(value: Any, parameter: str) -> str:
    if not isinstance(value, str) or not DIGITS.match(value):
        raise _fail(parameter, "digit_id", f"must be a string of 1 to 18 digits (got {value!r}).")
    return value


def check_ids(values: Any, parameter: str) -> list[str]:
    """Digit-string ids, at least one; duplicates dropped (order kept). No upper bound: longer
    lists are split into batches."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise _fail(parameter, "id_list", "must be a list of digit-string ids.")
    items = list(values)
    if not items:
        raise _fail(parameter, "id_count", "needs at least 1 id (or leave it out).")
    for item in items:
        check_id(item, parameter)
    return list(dict.fromkeys(items))


def check_date(value: Any, parameter: str) -> date:
    """A `datetime.date` (UTC day) or an ISO 'YYYY-MM-DD' string."""
    if isinstance(value, datetime):
        raise _fail(parameter, "date", "must be a date, not a datetime (UTC day).")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _fail(parameter, "date", f"must be a date or 'YYYY-MM-DD' (got {value!r}).")


def check_enum(value: Any, allowed: Collection[str], parameter: str) -> str:
    if value not in allowed:
        shown = ", ".join(allowed) if len(allowed) <= 16 else f"{len(allowed)} values"
        raise _fail(parameter, "enum", f"{value!r} is not one of {shown}.")
    return str(value)


def check_enum_list(values: Any, allowed: Collection[str], parameter: str, *,
                    max_items: int | None = None) -> list[str]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise _fail(parameter, "list", "must be a list.")
    items = list(dict.fromkeys(values))
    if not items:
        raise _fail(parameter, "count", "needs at least 1 value.")
    if max_items is not None and len(items) > max_items:
        raise _fail(parameter, "count", f"accepts at most {max_items} values (got {len(items)}).")
    for item in items:
        check_enum(item, allowed, parameter)
    return items


def check_level(level: Any) -> str:
    return check_enum(level, LEVELS, "level")


def check_granularity(granularity: Any) -> str:
    return check_enum(granularity, catalogue.GRANULARITIES, "granularity")


def check_columns(columns: Any) -> list[str]:
    """Sync column names from the spec's catalogue; duplicates dropped (order kept)."""
    if isinstance(columns, str) or not isinstance(columns, Iterable):
        raise _fail("columns", "list", "must be a list of column names.")
    items = list(dict.fromkeys(columns))
    if not items:
        raise _fail("columns", "count", "choose at least one column.")
    unknown = [c for c in items if c not in _SYNC_COLUMNS]
    if unknown:
        raise _fail("columns", "sync_column",
                    f"{unknown[0]!r} is not a synchronous analytics column "
                    "(see pinterest_client.columns.SYNC_COLUMNS).")
    return items


def check_targeting_types(level: str, types: Any) -> list[str]:
    allowed, max_items = TARGETING_TYPES_BY_LEVEL[level]
    return check_enum_list(types, allowed, "targeting_types", max_items=max_items)


def check_attribution(attribution: Attribution) -> Attribution:
    if not isinstance(attribution, Attribution):
        raise _fail("attribution", "type", "must be a pinterest_client.Attribution.")
    for name in ("click_window_days", "engagement_window_days", "view_window_days"):
        value = getattr(attribution, name)
        if value not in catalogue.ATTRIBUTION_WINDOW_DAYS:
            raise _fail(name, "enum", f"{value!r} is not one of "
                        f"{', '.join(str(d) for d in catalogue.ATTRIBUTION_WINDOW_DAYS)}.")
    check_enum(attribution.conversion_report_time, catalogue.CONVERSION_REPORT_TIMES,
               "conversion_report_time")
    return attribution


def check_sync_range(start: date, end: date, granularity: str, today: date) -> None:
    """Order and lookback. The length is not checked: long ranges are split."""
    if end < start:
        raise _fail("end_date", "order", f"{end} is before start_date {start}.")
    if granularity == "HOUR":
        earliest = today - timedelta(days=HOUR_MAX_DAYS_BACK)
        if start < earliest:
            raise ValidationError(
                f"start_date: HOUR granularity reaches at most {HOUR_MAX_DAYS_BACK} days back "
                f"(earliest {earliest}, asked {start}); async reports have the same limit, so "
                "choose DAY for older days.",
                parameter="start_date", rule="hour_lookback")
        return
    if needs_reports(start, today):
        raise RangeNeedsReportError(
            f"start_date: live analytics reach at most {SYNC_MAX_DAYS_BACK} days back (earliest "
            f"{first_sync_day(today)}, asked {start}); use an async report (client.reports) for "
            "older days.",
            start=start, end=end)


def check_entity_filters(**filters: Sequence[str] | None) -> dict[str, list[str]]:
    """The given (not None) id filters, checked."""
    return {name: check_ids(ids, name) for name, ids in filters.items() if ids is not None}
