"""API rows to pandas frames: base columns made numeric and the KPI columns added (from
dashboard.kpis' table), and time series summed into calendar periods."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from dashboard.kpis import BASE_COLUMNS, kpi_columns
from dashboard.periods import bucket_start, period_label, periods
from dashboard.render_cache import shared


@shared
def sorted_rows(frame: pd.DataFrame, column: str, *, ascending: bool = True) -> pd.DataFrame:
    """The rows sorted by one column, built once per content for every session (a page's
    shared, read-only frames are sorted here, not in place)."""
    return frame.sort_values(column, ascending=ascending)


def add_kpi_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Adds the base columns (0 when absent) and the computed KPI columns, from each row's sums.

    Built as one new frame: inserting a dozen columns one by one costs pandas far more than
    the arithmetic (it was most of a warm page load)."""
    rows = len(frame)
    base = {
        column: (pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=0.0)
                 if column in frame else np.zeros(rows))
        for column in BASE_COLUMNS
    }
    columns: dict[str, Any] = {c: base.get(c, frame[c]) for c in frame.columns}
    columns.update(base)
    columns.update(kpi_columns(base))
    return pd.DataFrame(columns, index=frame.index)


def metric_number(value: object) -> float:
    """A metric value as a float (0 for missing, unreadable or NaN values, as the API's
    nulls)."""
    if isinstance(value, bool):
        return 0.0
    try:
        number = float(value) if isinstance(value, numbers.Real) else float(str(value))
    except ValueError:
        return 0.0
    return number if math.isfinite(number) else 0.0


def series_frame(
    rows: Sequence[Mapping[str, Any]], granularity: str, start: date, end: date
) -> pd.DataFrame:
    """Rows with DATE to a time series: one row per period, summed; empty periods filled with 0.

    WEEK and MONTH rows are summed into the calendar week (Monday) or month holding their DATE,
    every bucket from `start` to `end` gets a row, and each row says how much of its bucket the
    range covers: `period` (its name, "Sep 2026", "Week of 1 Sep"), `days` of `period_days`,
    `partial` when the range cuts it (a 1-day "month" must not read as a collapse)."""
    width = len(BASE_COLUMNS)
    sums: dict[str, list[float]] = {}
    for row in rows:
        label = row.get("DATE")
        if label is None:
            continue
        totals = sums.setdefault(str(label), [0.0] * width)
        for i, column in enumerate(BASE_COLUMNS):
            totals[i] += metric_number(row.get(column))
    # Unreadable or zoned labels are dropped (coerced to NaT), never a crash of the page.
    # Pinterest's dates are UTC: a zoned label is read as UTC and its zone dropped.
    stamps = pd.to_datetime(list(sums), errors="coerce", format="mixed", utc=True)
    by_time = {stamp: totals
               for stamp, totals in zip(stamps.tz_convert(None), sums.values(), strict=True)
               if not pd.isna(stamp)}
    with_year = start.year != end.year
    names: dict[pd.Timestamp, str] = {}
    coverage: dict[pd.Timestamp, tuple[int, int]] = {}
    if granularity == "DAY":
        zeros = [0.0] * width
        by_time = {day: by_time.get(day, zeros) for day in pd.date_range(start, end, freq="D")}
    elif granularity in ("WEEK", "MONTH"):
        buckets = {pd.Timestamp(p.start): p for p in periods(start, end, granularity)}
        merged: dict[pd.Timestamp, list[float]] = {key: [0.0] * width for key in buckets}
        for stamp, totals in by_time.items():
            key = pd.Timestamp(bucket_start(stamp.date(), granularity))
            if key in merged:  # as for days, a row outside the range is not drawn
                merged[key] = [a + b for a, b in zip(merged[key], totals, strict=True)]
        by_time = merged
        coverage = {key: (p.days, p.length) for key, p in buckets.items()}
    times = sorted(by_time)
    for stamp in times:
        if granularity == "HOUR":
            names[stamp] = f"{stamp.day} {stamp.strftime('%b')} {stamp.strftime('%H')}:00"
        else:
            names[stamp] = period_label(stamp.date(), granularity, with_year=with_year)
    matrix = np.array([by_time[t] for t in times], dtype=float).reshape(len(times), width)
    base = {column: matrix[:, i] for i, column in enumerate(BASE_COLUMNS)}
    columns: dict[str, Any] = {"time": pd.DatetimeIndex(times, dtype="datetime64[ns]")}
    columns.update(base)
    columns.update(kpi_columns(base))
    days = [coverage.get(t, (1, 1)) for t in times]
    columns["period"] = [names[t] for t in times]
    columns["days"] = np.array([d for d, _ in days], dtype=int)
    columns["period_days"] = np.array([n for _, n in days], dtype=int)
    columns["partial"] = np.array([d < n for d, n in days], dtype=bool)
    return pd.DataFrame(columns)
