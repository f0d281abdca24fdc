"""Pinterest's parameter rules, as pure functions that raise ``SimError`` 400.

Every message names the parameter and the rule, prefixed with the operation's own sentence from
the spec (e.g. "Invalid ad account campaign analytics parameters."), so a caller can tell what to
fix. Query values arrive as ``{name: [values...]}``: array parameters accept repeated keys
(``campaign_ids=1&campaign_ids=2``, the OpenAPI default) and comma-separated values alike.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from pinterest_sim.exceptions import SimError, invalid_parameter

Query = Mapping[str, Sequence[str]]

DIGITS = re.compile(r"^\d+$")
DATE_PATTERN = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")

GRANULARITIES = ("TOTAL", "DAY", "HOUR", "WEEK", "MONTH")
WINDOW_DAYS = (0, 1, 7, 14, 30, 60)
CONVERSION_REPORT_TIMES = ("TIME_OF_AD_ACTION", "TIME_OF_CONVERSION")
ATTRIBUTION_TYPES = ("INDIVIDUAL", "HOUSEHOLD")
REPORTING_TIMEZONES = ("PINTEREST_TIME_ZONE", "AD_ACCOUNT_TIME_ZONE")
ENTITY_STATUSES = ("ACTIVE", "PAUSED", "ARCHIVED", "DRAFT", "DELETED_DRAFT")
DEFAULT_ENTITY_STATUSES = ("ACTIVE", "PAUSED")
ORDERS = ("ASCENDING", "DESCENDING")

SYNC_DAYS_BACK = 90
SYNC_MAX_RANGE_DAYS = 90
HOUR_DAYS_BACK = 8
HOUR_MAX_RANGE_DAYS = 3
ASYNC_DAYS_BACK = 914
ASYNC_MAX_RANGE_DAYS = 186
SYNC_MAX_IDS = 250
PIN_MAX_IDS = 100
ASYNC_MAX_IDS = 500


@dataclass(frozen=True)
class DateWindow:
    start: date
    end: date


def _fail(context: str, message: str) -> SimError:
    prefix = f"{context} " if context else ""
    return invalid_parameter(f"{prefix}{message}")


def values(query: Query, name: str) -> list[str]:
    """All values of ``name``: repeated keys and comma-separated items, empty items dropped."""
    found: list[str] = []
    for raw in query.get(name, ()):
        found.extend(item.strip() for item in raw.split(",") if item.strip())
    return found


def single(query: Query, name: str, context: str = "", *, required: bool = False) -> str | None:
    raw = query.get(name)
    if not raw or raw[-1] == "":
        if required:
            raise _fail(context, f"Parameter '{name}' is required.")
        return None
    if len(raw) > 1:
        raise _fail(context, f"Parameter '{name}' must be given once.")
    return raw[0]


def required(query: Query, name: str, context: str = "") -> str:
    value = single(query, name, context, required=True)
    assert value is not None
    return value


def parse_date(text: str, name: str, context: str = "") -> date:
    match = DATE_PATTERN.match(text)
    if not match:
        raise _fail(context, f"Parameter '{name}' must be a date YYYY-MM-DD (was {text!r}).")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise _fail(context, f"Parameter '{name}' is not a valid date (was {text!r}).") from None


def enum(query: Query, name: str, allowed: Sequence[str], context: str = "", *,
         default: str | None = None, required_: bool = False) -> str | None:
    value = single(query, name, context, required=required_)
    if value is None:
        return default
    return check_enum(value, name, allowed, context)


def check_enum(value: str, name: str, allowed: Collection[str], context: str = "") -> str:
    if value not in allowed:
        shown = ", ".join(sorted(allowed)) if len(allowed) <= 20 else f"{len(allowed)} values"
        raise _fail(context,
                    f"Parameter '{name}' has an invalid value {value!r} (allowed: {shown}).")
    return value


def enum_list(query: Query, name: str, allowed: Collection[str], context: str = "", *,
              min_items: int = 0, max_items: int | None = None) -> list[str]:
    items = values(query, name)
    return check_enum_list(items, name, allowed, context, min_items=min_items, max_items=max_items)


def check_enum_list(items: Sequence[str], name: str, allowed: Collection[str], context: str = "",
                    *, min_items: int = 0, max_items: int | None = None) -> list[str]:
    if len(items) < min_items:
        raise _fail(context, f"Parameter '{name}' needs at least {min_items} value(s).")
    if max_items is not None and len(items) > max_items:
        raise _fail(context, f"Parameter '{name}' accepts at most {max_items} values "
                             f"(got {len(items)}).")
    for item in items:
        check_enum(item, name, allowed, context)
    return list(dict.fromkeys(items))


def int_enum(query: Query, name: str, allowed: Sequence[int], default: int,
             context: str = "") -> int:
    value = single(query, name, context)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise _fail(context, f"Parameter '{name}' was not numeric (was {value}).") from None
    if number not in allowed:
        raise _fail(context, f"Parameter '{name}' must be one of "
                             f"{', '.join(str(a) for a in allowed)} (was {number}).")
    return number


def int_range(query: Query, name: str, low: int, high: int, default: int,
              context: str = "") -> int:
    value = single(query, name, context)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise _fail(context, f"Parameter '{name}' was not numeric (was {value}).") from None
    if not low <= number <= high:
        raise _fail(context, f"Parameter '{name}' must be between {low} and {high} (was {number}).")
    return number


def boolean(query: Query, name: str, default: bool, context: str = "") -> bool:
    value = single(query, name, context)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"true", "1"}:
        return True
    if lowered in {"false", "0"}:
        return False
    raise _fail(context, f"Parameter '{name}' must be true or false (was {value!r}).")


def id_list(query: Query, name: str, context: str = "", *, required_: bool = False,
            max_items: int = SYNC_MAX_IDS, max_length: int | None = None) -> list[str] | None:
    """Digit-string ids, 1..max_items; None when absent and optional."""
    items = values(query, name)
    if not items:
        if required_:
            raise _fail(context, f"Parameter '{name}' is required.")
        if name in query:
            raise _fail(context, f"Parameter '{name}' needs at least 1 value.")
        return None
    return check_ids(items, name, context, max_items=max_items, max_length=max_length)


def check_ids(items: Sequence[str], name: str, context: str = "", *, max_items: int,
              max_length: int | None = None, min_items: int = 1) -> list[str]:
    if len(items) < min_items:
        raise _fail(context, f"Parameter '{name}' needs at least {min_items} value(s).")
    if len(items) > max_items:
        raise _fail(context, f"Parameter '{name}' accepts at most {max_items} ids "
                             f"(got {len(items)}).")
    for item in items:
        if not isinstance(item, str) or not DIGITS.match(item):
            raise _fail(context, f"Parameter '{name}' must hold digit strings (got {item!r}).")
        if max_length is not None and len(item) > max_length:
            raise _fail(context, f"Parameter '{name}' ids have at most {max_length} digits "
                                 f"(got {item!r}).")
    return list(dict.fromkeys(items))


def check_account_id(account_id: str) -> str:
    if not DIGITS.match(account_id) or len(account_id) > 18:
        raise invalid_parameter(
            f"Parameter 'ad_account_id' must be a string of at most 18 digits (was {account_id!r})."
        )
    return account_id


def date_window(start: date, end: date, granularity: str, today: date, context: str = "", *,
                days_back: int, max_range: int, hour_days_back: int = HOUR_DAYS_BACK,
                hour_max_range: int = HOUR_MAX_RANGE_DAYS) -> DateWindow:
    """Pinterest's window rules read literally: start not more than ``days_back`` days before
    today, end not more than ``max_range`` days past start; HOUR: 8 days back, 3 days past."""
    if granularity == "HOUR":
        days_back, max_range = hour_days_back, hour_max_range
    if end < start:
        raise _fail(context, f"Parameter 'end_date' ({end}) must not be before 'start_date' "
                             f"({start}).")
    earliest = today - timedelta(days=days_back)
    if start < earliest:
        raise _fail(context, f"Parameter 'start_date' cannot be more than {days_back} days back "
                             f"from today (earliest {earliest}, was {start}).")
    if (end - start).days > max_range:
        raise _fail(context, f"Parameter 'end_date' cannot be more than {max_range} days past "
                             f"'start_date' (was {(end - start).days} days past).")
    return DateWindow(start, end)
