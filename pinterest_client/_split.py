"""Split one logical request into the fewest allowed calls, and merge their answers back.

Dates: windows where `end - start <= max_range_days` (Pinterest's "end_date cannot be more than
N days past start_date", read literally), covering the range without overlap.
Ids: batches of at most 250, in the (deduplicated) order given.

Merging. DAY and HOUR rows of different windows or batches never share a (entity, DATE) key, so
they are concatenated. TOTAL, WEEK and MONTH rows of *different date windows* can (a WEEK row
is labelled with its Monday and a MONTH row with the 1st even when a window starts later, TOTAL
has no DATE at all), so rows with the same key are re-aggregated:

- additive columns (`ADDITIVE_COLUMNS`: counts and micro-money sums) are summed;
- derived columns are recomputed from the summed parts with Pinterest's definitions
  (`RATIO_COLUMNS`: numerator / denominator * factor, omitted when the denominator is 0;
  `SCALED_COLUMNS`: SPEND_IN_DOLLAR = micro / 1e6). Their parts are added to the request
  (`columns_for_merge`) and dropped again from the answer;
- attribute columns (names, statuses, caps, ids) are the same in every part and kept;
- any other column cannot be merged exactly: such a request raises ValidationError before
  sending (it only happens when a range needs more than one call, i.e. an end date in the
  future or a shrunken `max_range_days`).

Like Pinterest, metrics that sum to 0 are omitted from a row. Rows are returned in date order
(stable), then in the order of the calls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Final

from pinterest_client._errors import ValidationError
from pinterest_client.limits import LEVEL_ID_COLUMNS

# Counts and micro-money totals: summing two periods' values gives the combined period's value.
ADDITIVE_COLUMNS: Final[frozenset[str]] = frozenset({
    "SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION", "IMPRESSION_1", "IMPRESSION_2",
    "TOTAL_IMPRESSION", "CLICKTHROUGH_1", "CLICKTHROUGH_2", "TOTAL_CLICKTHROUGH",
    "OUTBOUND_CLICK_1", "OUTBOUND_CLICK_2", "REPIN_1", "REPIN_2", "ENGAGEMENT_1", "ENGAGEMENT_2",
    "TOTAL_ENGAGEMENT", "TOTAL_CONVERSIONS", "TOTAL_CHECKOUT",
    "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR", "TOTAL_CLICK_CHECKOUT", "TOTAL_VIEW_CHECKOUT",
    "TOTAL_ENGAGEMENT_CHECKOUT", "TOTAL_SIGNUP", "TOTAL_LEAD", "TOTAL_PAGE_VISIT",
    "TOTAL_CLICK_ADD_TO_CART", "TOTAL_WEB_SESSIONS", "TOTAL_VIDEO_3SEC_VIEWS",
    "TOTAL_VIDEO_P100_COMPLETE",
})

# Ratios: column -> (numerator, denominator, factor); value = num / den * factor.
RATIO_COLUMNS: Final[Mapping[str, tuple[str, str, float]]] = {
    "CTR": ("CLICKTHROUGH_1", "IMPRESSION_1", 1.0),
    "CTR_2": ("CLICKTHROUGH_2", "IMPRESSION_2", 1.0),
    "ECTR": ("TOTAL_CLICKTHROUGH", "TOTAL_IMPRESSION", 1.0),
    "OUTBOUND_CTR_1": ("OUTBOUND_CLICK_1", "IMPRESSION_1", 1.0),
    "CPC_IN_MICRO_DOLLAR": ("SPEND_IN_MICRO_DOLLAR", "CLICKTHROUGH_1", 1.0),
    "ECPC_IN_MICRO_DOLLAR": ("SPEND_IN_MICRO_DOLLAR", "TOTAL_CLICKTHROUGH", 1.0),
    "ECPC_IN_DOLLAR": ("SPEND_IN_MICRO_DOLLAR", "TOTAL_CLICKTHROUGH", 1e-6),
    "CPM_IN_MICRO_DOLLAR": ("SPEND_IN_MICRO_DOLLAR", "IMPRESSION_1", 1000.0),
    "ECPM_IN_MICRO_DOLLAR": ("SPEND_IN_MICRO_DOLLAR", "TOTAL_IMPRESSION", 1000.0),
    "CPM_IN_DOLLAR": ("SPEND_IN_MICRO_DOLLAR", "IMPRESSION_1", 1e-3),
    "ENGAGEMENT_RATE": ("ENGAGEMENT_1", "IMPRESSION_1", 1.0),
    "EENGAGEMENT_RATE": ("TOTAL_ENGAGEMENT", "TOTAL_IMPRESSION", 1.0),
    "REPIN_RATE": ("REPIN_1", "IMPRESSION_1", 1.0),
    "ECPE_IN_DOLLAR": ("SPEND_IN_MICRO_DOLLAR", "TOTAL_ENGAGEMENT", 1e-6),
    "COST_PER_OUTBOUND_CLICK_IN_DOLLAR": ("SPEND_IN_MICRO_DOLLAR", "OUTBOUND_CLICK_1", 1e-6),
    "CHECKOUT_ROAS": ("TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR", "SPEND_IN_MICRO_DOLLAR", 1.0),
    "PAGE_VISIT_COST_PER_ACTION": ("SPEND_IN_MICRO_DOLLAR", "TOTAL_PAGE_VISIT", 1e-6),
}
# An additive column divided by a constant.
SCALED_COLUMNS: Final[Mapping[str, tuple[str, float]]] = {
    "SPEND_IN_DOLLAR": ("SPEND_IN_MICRO_DOLLAR", 1e6),
}
# Describe the entity, identical in every window.
ATTRIBUTE_COLUMNS: Final[frozenset[str]] = frozenset({
    "AD_ACCOUNT_ID", "ADVERTISER_ID", "CAMPAIGN_ID", "CAMPAIGN_NAME", "CAMPAIGN_ENTITY_STATUS",
    "CAMPAIGN_OBJECTIVE_TYPE", "CAMPAIGN_DAILY_SPEND_CAP", "CAMPAIGN_LIFETIME_SPEND_CAP",
    "AD_GROUP_ID", "AD_GROUP_NAME", "AD_GROUP_ENTITY_STATUS", "AD_GROUP_BUDGET_TYPE",
    "AD_ID", "PIN_PROMOTION_ID", "AD_NAME", "PIN_ID",
})
MERGING_GRANULARITIES: Final[frozenset[str]] = frozenset({"TOTAL", "WEEK", "MONTH"})


def date_windows(start: date, end: date, max_range_days: int) -> list[tuple[date, date]]:
    """The fewest windows with `end - start <= max_range_days` covering start..end."""
    windows: list[tuple[date, date]] = []
    cursor = start
    while cursor <= end:
        last = min(end, cursor + timedelta(days=max_range_days))
        windows.append((cursor, last))
        cursor = last + timedelta(days=1)
    return windows


def batches(ids: Sequence[str], size: int) -> list[list[str]]:
    return [list(ids[i:i + size]) for i in range(0, len(ids), size)]


def columns_for_merge(columns: Sequence[str]) -> list[str]:
    """The columns to request so that rows of several windows can be merged exactly.

    Raises ValidationError for a column that cannot be re-aggregated.
    """
    out = list(columns)
    for col in columns:
        if col in RATIO_COLUMNS:
            num, den, _ = RATIO_COLUMNS[col]
            parts: tuple[str, ...] = (num, den)
        elif col in SCALED_COLUMNS:
            parts = (SCALED_COLUMNS[col][0],)
        elif col in ADDITIVE_COLUMNS or col in ATTRIBUTE_COLUMNS:
            continue
        else:
            raise ValidationError(
                f"columns: {col!r} cannot be combined over several date windows (it is neither "
                "additive nor a known ratio); shorten the range to one call or use an async "
                "report.", parameter="columns", rule="mergeable_column")
        out.extend(p for p in parts if p not in out)
    return out


def _number(value: Any) -> int | float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return 0


def _derive(sums: Mapping[str, int | float], col: str) -> float | None:
    if col in RATIO_COLUMNS:
        num, den, factor = RATIO_COLUMNS[col]
        d = sums.get(num, 0), sums.get(den, 0)
        if not d[1] or d[1] <= 0:
            return None
        return d[0] / d[1] * factor
    src, divisor = SCALED_COLUMNS[col]
    return sums.get(src, 0) / divisor


def merge_metric_dicts(
    parts: Sequence[Mapping[str, Any]], columns: Sequence[str]
) -> dict[str, Any]:
    """One row from the rows of the same key in several windows, with exactly `columns` (plus
    the key columns already in the parts)."""
    sums: dict[str, int | float] = {}
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if key in ADDITIVE_COLUMNS:
                sums[key] = sums.get(key, 0) + _number(value)
            elif key not in RATIO_COLUMNS and key not in SCALED_COLUMNS:
                merged.setdefault(key, value)  # ids, DATE, attributes
    keep = set(columns) | {"DATE"} | set(LEVEL_ID_COLUMNS.values())
    out = {k: v for k, v in merged.items() if k in keep}
    for col in columns:
        if col in ADDITIVE_COLUMNS:
            if sums.get(col):
                out[col] = sums[col]
        elif col in RATIO_COLUMNS or col in SCALED_COLUMNS:
            value = _derive(sums, col)
            if value:
                out[col] = value
    return out


def merge_rows(
    windows: Sequence[Sequence[Mapping[str, Any]]],
    columns: Sequence[str],
    granularity: str,
    key_of: Callable[[Mapping[str, Any]], Any] | None = None,
) -> list[dict[str, Any]]:
    """Rows of several calls as one call would give them (see module docstring).

    `windows` holds one list of rows per date window (each possibly from several id batches).
    """
    if len(windows) <= 1 or granularity not in MERGING_GRANULARITIES:
        flat = [dict(row) for rows in windows for row in rows]
        return sort_by_date(flat) if len(windows) > 1 else flat
    key_fn = key_of or _row_key
    groups: dict[Any, list[Mapping[str, Any]]] = {}
    for rows in windows:
        for row in rows:
            groups.setdefault(key_fn(row), []).append(row)
    # A key present in any window had delivery in the whole range, so one call has its row too.
    return sort_by_date([merge_metric_dicts(parts, columns) for parts in groups.values()])


def _row_key(row: Mapping[str, Any]) -> tuple[Any, ...]:
    ids = tuple(str(row.get(c)) for c in LEVEL_ID_COLUMNS.values() if c in row)
    return (*ids, row.get("DATE"))


def sort_by_date(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stable sort on DATE (rows without DATE keep their order)."""
    if not rows or "DATE" not in rows[0]:
        return rows
    return sorted(rows, key=lambda r: str(r.get("DATE", "")))


def strip_columns(rows: Iterable[dict[str, Any]], extra: Iterable[str]) -> list[dict[str, Any]]:
    """Drop the helper columns that were added only to merge."""
    drop = set(extra)
    return [{k: v for k, v in row.items() if k not in drop} for row in rows]
