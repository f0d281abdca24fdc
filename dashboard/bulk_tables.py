"""Bulk downloads as a marketer reads them: one frame per entity type with only the columns that
type fills, UTC times, money in currency units; and the raw file made safe to open."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Final

import pandas as pd

from dashboard.csv_export import safe_cell
from dashboard.formatting import MICRO, currency_decimals
from dashboard.spreadsheets import money_cells

_BULK_TIME: Final = re.compile(r"_time$")
_BULK_MONEY: Final = re.compile(r"(_spend_cap|_in_micro_currency)$")
_BULK_ID: Final = re.compile(r"(^id|_id|_ids)$")
_BULK_TEXT: Final = re.compile(r"(^id|_id|_ids|name|_url|_link|_links|_urls)$")


def _bulk_cell(value: Any) -> Any:
    """Nested values (targeting specs, lists) as JSON text; empty ones as nothing."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | dict | tuple) and not value:
        return None
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    except TypeError:
        return str(value)


def _empty(values: pd.Series) -> bool:
    return bool(values.map(lambda v: v is None or v == "" or
                           (isinstance(v, float) and v != v)).all())


def bulk_frames(rows: Mapping[str, Sequence[Mapping[str, Any]]],
                currency: str = "USD") -> dict[str, pd.DataFrame]:
    """Bulk rows per entity type as readable frames: only the columns that type fills (a CSV
    bulk file carries every type's columns on every row), times as UTC datetimes
    ("created_time (UTC)"), spend caps, budgets and bids from micro units to currency units
    ("daily_spend_cap (USD)", "budget (USD)"), ids kept as text."""
    decimals = currency_decimals(currency)
    code = currency.upper()
    frames: dict[str, pd.DataFrame] = {}
    for entity_type, items in rows.items():
        frame = pd.DataFrame([{k: _bulk_cell(v) for k, v in item.items()} for item in items])
        frame = frame[[c for c in frame.columns if not _empty(frame[c])]]
        renames: dict[str, str] = {}
        for column in frame.columns:
            name = str(column)
            values = frame[column].replace("", None)
            if _BULK_ID.search(name):
                frame[column] = values.astype("string")
            elif _BULK_TIME.search(name) and _numeric(values):
                seconds = pd.to_numeric(values, errors="coerce")
                frame[column] = pd.to_datetime(seconds, unit="s", utc=True).dt.tz_localize(None)
                renames[name] = f"{name} (UTC)"
            elif _BULK_MONEY.search(name) and _numeric(values):
                money = (pd.to_numeric(values, errors="coerce") / MICRO).round(decimals)
                frame[column] = money.astype("Int64") if decimals == 0 else money
                renames[name] = f"{name.removesuffix('_in_micro_currency')} ({code})"
            elif not _BULK_TEXT.search(name) and values.dtype == object and _numeric(values):
                # A CSV bulk file holds every value as text; numbers read as numbers.
                frame[column] = pd.to_numeric(values, errors="coerce")
        frames[entity_type] = frame.rename(columns=renames).reset_index(drop=True)
    return frames


def _numeric(values: pd.Series) -> bool:
    present = values.dropna()
    if present.empty or present.map(lambda v: isinstance(v, bool)).any():
        return False
    return bool(pd.to_numeric(present, errors="coerce").notna().all())


def bulk_kinds(frame: pd.DataFrame, currency: str) -> dict[str, str]:
    """Column -> kind (datetime, money, text, number) of a `bulk_frames` frame, for formats."""
    suffix = f" ({currency.upper()})"
    kinds: dict[str, str] = {}
    for column in frame.columns:
        name = str(column)
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            kinds[name] = "datetime"
        elif name.endswith(suffix) and pd.api.types.is_numeric_dtype(frame[column]):
            kinds[name] = "money"
        else:
            kinds[name] = "text" if not pd.api.types.is_numeric_dtype(frame[column]) \
                else "number"
    return kinds


def bulk_file_frame(frame: pd.DataFrame, currency: str) -> pd.DataFrame:
    """A `bulk_frames` frame as its CSV/XLSX writes it: money with the currency's decimals."""
    out = frame.copy()
    for column, kind in bulk_kinds(frame, currency).items():
        if kind == "money":
            out[column] = money_cells(frame[column], currency)
    return out


def safe_bulk_file(raw: bytes, output_format: str) -> bytes:
    """The bulk file as downloaded; a CSV one with formula-starting cells quoted (same layout,
    same rows), so opening it in a spreadsheet runs nothing, and a UTF-8 BOM so Excel reads
    the en dashes and accents in names.

    Never raises, so a file the tables cannot use (BulkFileError) is still offered: bytes that
    are not UTF-8 become U+FFFD, and cells of any length are read (an unclosed quote makes the
    rest of the file one cell, as in a spreadsheet)."""
    if output_format != "CSV":
        return raw
    text = raw.decode("utf-8-sig", errors="replace")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    with _csv_field_limit(len(text) + 1):
        for cells in csv.reader(io.StringIO(text, newline="")):
            writer.writerow([safe_cell(c) for c in cells])
    return out.getvalue().encode("utf-8-sig")


_FIELD_LIMIT_LOCK: Final = threading.Lock()


@contextmanager
def _csv_field_limit(limit: int) -> Iterator[None]:
    # csv's field limit is process-wide: raised only for this read, then restored. (A bulk
    # parse in another thread meanwhile would accept a long field instead of refusing it.)
    with _FIELD_LIMIT_LOCK:
        before = csv.field_size_limit(max(limit, csv.field_size_limit()))
        try:
            yield
        finally:
            csv.field_size_limit(before)
