"""Money, counts and percentages as shown in tiles (abbreviated) and tables (exact)."""

from __future__ import annotations

import math

import pytest

from dashboard.formatting import (
    format_age,
    format_count,
    format_delta,
    format_kpi,
    format_money,
    format_percent,
    format_ratio,
)


@pytest.mark.parametrize(
    ("micro", "currency", "expected"),
    [
        (1_234_560_000, "USD", "$1,234.56"),
        (1_234_565_000, "USD", "$1,234.57"),  # half up, not banker's rounding
        (1_234_567_890, "JPY", "¥1,235"),  # JPY has no decimals
        (499_999, "JPY", "¥0"),
        (3_100_000, "EUR", "€3.10"),
        (-3_100_000, "EUR", "-€3.10"),
        (-1, "USD", "$0.00"),  # never "-$0.00"
        (99_000_000, "GBP", "£99.00"),
        (12_500_000, "SEK", "SEK 12.50"),
        (12_500_000, "KRW", "₩13"),
        (0, "USD", "$0.00"),
    ],
)
def test_money_exact(micro: int, currency: str, expected: str) -> None:
    assert format_money(micro, currency) == expected


@pytest.mark.parametrize(
    ("micro", "currency", "expected"),
    [
        (12_345_000_000, "USD", "$12.3K"),
        (4_500_000_000_000, "USD", "$4.5M"),
        (999_960_000_000, "EUR", "€1.0M"),  # not "€1000.0K"
        (999_000_000, "USD", "$999.00"),  # below a thousand: exact
        (1_234_567_000_000, "JPY", "¥1.2M"),
        (-12_345_000_000, "USD", "-$12.3K"),
        (167_234_000_000, "USD", "$167K"),  # three significant digits: fits a tile
        (999_400_000_000, "USD", "$999K"),
        (123_456_789_000_000, "USD", "$123M"),
    ],
)
def test_money_abbreviated(micro: int, currency: str, expected: str) -> None:
    assert format_money(micro, currency, abbreviate=True) == expected


def test_money_missing_values() -> None:
    assert format_money(None, "USD") == "–"
    assert format_money(math.nan, "USD") == "–"


def test_float_micro_amounts() -> None:
    assert format_money(2_500_000.4, "USD") == "$2.50"


@pytest.mark.parametrize(
    ("value", "abbreviate", "expected"),
    [
        (12_345, False, "12,345"),
        (12_345, True, "12.3K"),
        (999, True, "999"),
        (4_500_000, True, "4.5M"),
        (2_000_000_000, True, "2.0B"),
        (1234.6, False, "1,235"),
        (None, True, "–"),
    ],
)
def test_counts(value: float | None, abbreviate: bool, expected: str) -> None:
    assert format_count(value, abbreviate=abbreviate) == expected


def test_percent_ratio_delta() -> None:
    assert format_percent(0.01234) == "1.23%"
    assert format_percent(None) == "–"
    assert format_ratio(3.214) == "3.21x"
    assert format_delta(0.123) == "+12.3%"
    assert format_delta(-0.045) == "-4.5%"
    assert format_delta(0.00001) == "0.0%"
    assert format_delta(None) is None


def test_age() -> None:
    assert format_age(4.7) == "4 s"
    assert format_age(-3) == "0 s"
    assert format_age(185) == "3 min"
    assert format_age(2 * 3600 + 5 * 60) == "2 h 5 min"
    assert format_age(3 * 86400) == "3 days"


def test_format_kpi_dispatches_by_kind() -> None:
    assert format_kpi(12_345_000_000, "money", "USD") == "$12.3K"
    assert format_kpi(12_345_000_000, "money", "USD", abbreviate=False) == "$12,345.00"
    assert format_kpi(0.05, "percent", "USD") == "5.00%"
    with pytest.raises(ValueError):
        format_kpi(1, "weird", "USD")
