"""A finished report's file as rows: JSON or CSV parsed whole (or not at all), cells typed,
the level's id column and DATE filled in, and the rows of several jobs merged into one report."""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from pinterest_client.reports.request import ReportRequest

_DATE_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}")
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
# Columns that hold text even when they look like numbers (ids must stay digit strings).
_TEXT_SUFFIXES: Final[tuple[str, ...]] = (
    "_ID", "_NAME", "_STATUS", "_TYPE", "_LABEL", "_TAG", "_OPTIMIZATION", "_CODE"
)
_TEXT_COLUMNS: Final[frozenset[str]] = frozenset(
    {"DATE", "TARGETING_TYPE", "TARGETING_VALUE", "CAMPAIGN_BUDGET_OPTIMIZATION"}
)


@functools.lru_cache(maxsize=4096)
def is_text_column(name: str) -> bool:
    """Whether a column holds text even when its values look like numbers (ids, names)."""
    return name in _TEXT_COLUMNS or name.endswith(_TEXT_SUFFIXES)


def _typed(name: str, value: Any) -> Any:
    """A cell as int/float for metric columns; text columns (ids, names, dates) as str."""
    if value is None:
        return None
    if is_text_column(name):
        return str(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value
    text = str(value).strip()
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text


def parse_report(body: bytes, request: ReportRequest) -> list[dict[str, Any]]:
    """A report file to rows: dicts of column -> typed value, with the level's id column and,
    unless TOTAL, DATE. Raises ValueError on a body that is not a whole report."""
    text = body.decode("utf-8-sig")
    rows = _parse_csv(text) if request.report_format == "CSV" else _parse_json(text, request)
    return [_normalise_row(row, request) for row in rows]


def _parse_json(text: str, request: ReportRequest) -> list[dict[str, Any]]:
    data = json.loads(text)
    if isinstance(data, list):
        return [dict(r) for r in _dict_items(data)]
    if not isinstance(data, dict):
        raise ValueError("a JSON report must be an object or a list of rows")
    rows: list[dict[str, Any]] = []
    for key, value in data.items():
        items = _dict_items(value if isinstance(value, list) else [value])
        key_column: str | None = request.id_column
        if _DATE_KEY.match(str(key)):
            # TOTAL rows sorted BY_DATE sit under the start date, which is no row date.
            key_column = "DATE" if request.granularity != "TOTAL" else None
        for item in items:
            row = dict(item)
            # The top-level key is the entity id (BY_ID) or the date (BY_DATE).
            if key_column is not None:
                row.setdefault(key_column, str(key))
            rows.append(row)
    return rows


def _dict_items(values: Iterable[Any]) -> list[Mapping[str, Any]]:
    items = list(values)
    if not all(isinstance(v, Mapping) for v in items):
        raise ValueError("report rows must be JSON objects")
    return items


def _parse_csv(text: str) -> list[dict[str, Any]]:
    if not text.strip():
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    rows: list[dict[str, Any]] = []
    for cells in reader:
        if not cells:
            continue
        if len(cells) != len(header):
            raise ValueError(f"CSV row {len(rows) + 2} has {len(cells)} cells, not {len(header)}")
        rows.append({name: cell for name, cell in zip(header, cells, strict=True) if cell != ""})
    if not text.endswith(("\n", "\r")) and rows:
        # A file cut off mid-line can still split into the right number of cells.
        raise ValueError("CSV report does not end with a line break (cut off?)")
    return rows


def _normalise_row(row: Mapping[str, Any], request: ReportRequest) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        key = str(name).strip().upper().replace(" ", "_")
        typed = _typed(key, value)
        if typed is not None:
            out[key] = typed
    id_column = request.id_column
    if id_column not in out:
        # Pinterest names ads PIN_PROMOTION and accounts ADVERTISER in reports.
        for alias in ("PIN_PROMOTION_ID", "ADVERTISER_ID", f"{request.base_level}_ID"):
            if alias in out:
                out[id_column] = out[alias]
                break
    if request.granularity != "TOTAL" and "DATE" in out:
        out["DATE"] = str(out["DATE"])
    return out


# Reach (TOTAL_IMPRESSION_USER) and unique views count people over the row's own period: the
# people of two periods overlap, so they are not summed either.
ADDITIVE_HINT: Final = re.compile(r"(^|_)(CTR|RATE|ROAS|CPC|CPM|ECPC|ECPM|ECPE|CPA|COST_PER|AVG|"
                                  r"AVERAGE|FREQUENCY|PERCENT|MULTIPLIER|USER|UNIQUE)(_|$)")


@functools.lru_cache(maxsize=4096)
def is_additive(column: str) -> bool:
    """Whether summing the column over days or jobs is meaningful (ratios are not)."""
    return not is_text_column(column) and not ADDITIVE_HINT.search(column)


def merge_rows(parts: Sequence[Sequence[dict[str, Any]]], request: ReportRequest) -> tuple[
    list[dict[str, Any]], tuple[str, ...]
]:
    """Rows of several jobs as one report. Rows of different jobs that share a key (the same
    entity, targeting value and period: TOTAL/WEEK/MONTH cut by a job boundary) are added up;
    ratio columns of such rows cannot be added and are dropped (noted)."""
    key_columns = [request.id_column, "DATE", "TARGETING_TYPE", "TARGETING_VALUE"]
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    dropped: set[str] = set()
    for rows in parts:
        for row in rows:
            key = tuple(row.get(k) for k in key_columns)
            existing = merged.get(key)
            if existing is None:
                merged[key] = dict(row)
                continue
            for name, value in row.items():
                if name in key_columns or is_text_column(name):
                    existing.setdefault(name, value)
                elif is_additive(name) and isinstance(value, int | float):
                    existing[name] = existing.get(name, 0) + value
                else:
                    dropped.add(name)
            for name in dropped:
                existing.pop(name, None)
    notes: tuple[str, ...] = ()
    if dropped:
        notes = (
            "Ratio columns left out where one period spans two report jobs: "
            + ", ".join(sorted(dropped)),
        )
    ordered = sorted(
        merged.values(),
        key=lambda r: (str(r.get("DATE", "")), str(r.get(request.id_column, ""))),
    )
    return ordered, notes
