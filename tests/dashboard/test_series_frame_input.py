"""series_frame never breaks a page on odd rows: unreadable dates are dropped, zoned dates are
read as UTC, unreadable or NaN values count as 0 (as the API's nulls)."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.loaders import series_frame

SPEND = "SPEND_IN_MICRO_DOLLAR"
START, END = date(2026, 11, 1), date(2026, 11, 3)
ODD_ROWS = [
    {"DATE": "2026-11-03", SPEND: 5},
    {"DATE": "", SPEND: 7},
    {"DATE": float("nan"), SPEND: 1},
    {"DATE": "not a date", SPEND: 11},
    {"DATE": "2026-11-01T00:00:00Z", SPEND: 3},
    {"DATE": "2026-11-02", SPEND: "nan"},
    {"DATE": "2026-11-02", SPEND: True},
    {"DATE": "2026-11-02", SPEND: None},
]


@pytest.mark.parametrize("granularity", ["HOUR", "DAY", "WEEK", "MONTH"])
def test_odd_rows_are_read_or_dropped_never_raised(granularity: str) -> None:
    frame = series_frame(ODD_ROWS, granularity, START, END)
    assert not frame["time"].isna().any()
    assert frame["time"].is_monotonic_increasing
    # Only the readable rows count: 3 on 1 Nov (zoned, read as UTC) and 5 on 3 Nov.
    assert frame[SPEND].sum() == 8
    assert not frame[SPEND].isna().any()


def test_days_land_on_their_own_dates() -> None:
    frame = series_frame(ODD_ROWS, "DAY", START, END)
    assert list(frame[SPEND]) == [3.0, 0.0, 5.0]
