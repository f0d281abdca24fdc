"""Numbers as people read them: money in the account currency, abbreviations, percentages.

Money arrives as micro units of the ad account's currency (1,000,000 micro = 1 unit). Tiles
abbreviate (12.3K, 4.5M); tables show exact values. JPY, KRW and CLP have no minor unit.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Final

MICRO: Final = 1_000_000

# ISO 4217 currencies without a minor unit, among those Pinterest accounts can use.
ZERO_DECIMAL_CURRENCIES: Final[frozenset[str]] = frozenset({"JPY", "KRW", "CLP"})

# Symbols written before the amount. Currencies without one here are shown as "SEK 12.50".
CURRENCY_SYMBOLS: Final[dict[str, str]] = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "HKD": "HK$",
    "SGD": "S$",
    "MXN": "MX$",
    "BRL": "R$",
    "KRW": "₩",
    "INR": "₹",
    "ILS": "₪",
    "TRY": "₺",
}

_SUFFIXES: Final[tuple[tuple[Decimal, str], ...]] = (
    (Decimal(1_000_000_000_000), "T"),
    (Decimal(1_000_000_000), "B"),
    (Decimal(1_000_000), "M"),
    (Decimal(1_000), "K"),
)

DASH: Final = "–"


def currency_decimals(currency: str) -> int:
    return 0 if currency.upper() in ZERO_DECIMAL_CURRENCIES else 2


def currency_symbol(currency: str) -> str:
    """The symbol written before an amount ('$'), or the code and a space ('SEK ')."""
    code = currency.upper()
    return CURRENCY_SYMBOLS.get(code, f"{code} " if code and code != "UNK" else "")


def micro_to_units(micro: float | int) -> Decimal:
    """Micro units to currency units, exactly (int micro amounts stay exact)."""
    if isinstance(micro, int):
        return Decimal(micro) / MICRO
    return Decimal(repr(float(micro))) / MICRO


def _round(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _abbreviate(value: Decimal, decimals_below_thousand: int) -> str:
    """'12.3K' for 12,345, '167K' for 167,234 (three significant digits, so a tile's value
    fits its narrow column); below 1,000 the value itself with the given decimals."""
    magnitude = abs(value)
    for index, (threshold, suffix) in enumerate(_SUFFIXES):
        if magnitude >= threshold:
            scaled = magnitude / threshold
            # 999,960 rounds to "1000K": show it as "1.0M" instead.
            if _round(scaled, 0) >= 1000 and index > 0:
                bigger, suffix = _SUFFIXES[index - 1]
                scaled = magnitude / bigger
            one_decimal = _round(scaled, 1)
            body = f"{_round(scaled, 0):.0f}" if one_decimal >= 100 else f"{one_decimal}"
            return f"{'-' if value < 0 else ''}{body}{suffix}"
    rounded = _round(value, decimals_below_thousand)
    return f"{rounded:,.{decimals_below_thousand}f}"


def format_money(
    micro: float | int | None, currency: str, *, abbreviate: bool = False
) -> str:
    """Micro units as money: '$1,234.56', '¥1,235', '-€3.10'; '$12.3K' when abbreviated."""
    if micro is None or micro != micro:
        return DASH
    units = micro_to_units(micro)
    decimals = currency_decimals(currency)
    symbol = currency_symbol(currency)
    sign = "-" if units < 0 else ""
    magnitude = abs(units)
    if abbreviate and magnitude >= 1000:
        body = _abbreviate(magnitude, decimals)
    else:
        body = f"{_round(magnitude, decimals):,.{decimals}f}"
    if _round(magnitude, decimals) == 0:
        sign = ""  # never "-$0.00"
    return f"{sign}{symbol}{body}"


def format_count(value: float | int | None, *, abbreviate: bool = False) -> str:
    """A count: '12,345' exact or '12.3K' abbreviated; fractional counts are rounded."""
    if value is None or value != value:
        return DASH
    number = Decimal(value) if isinstance(value, int) else Decimal(repr(float(value)))
    if abbreviate:
        return _abbreviate(number, 0)
    return f"{_round(number, 0):,.0f}"


def format_percent(fraction: float | None, decimals: int = 2) -> str:
    """A fraction as a percentage: 0.01234 -> '1.23%'."""
    if fraction is None or fraction != fraction:
        return DASH
    return f"{fraction * 100:,.{decimals}f}%"


def format_ratio(value: float | None, decimals: int = 2) -> str:
    """A multiple such as ROAS: 3.214 -> '3.21x'."""
    if value is None or value != value:
        return DASH
    return f"{value:,.{decimals}f}x"


def format_delta(change: float | None, decimals: int = 1) -> str | None:
    """A relative change for a tile: 0.123 -> '+12.3%', -0.045 -> '-4.5%'; None when unknown.

    The leading sign is what Streamlit's st.metric colours by.
    """
    if change is None or change != change:
        return None
    percent = change * 100
    if round(percent, decimals) == 0:
        return f"{0:.{decimals}f}%"
    return f"{percent:+,.{decimals}f}%"


def format_age(seconds: float) -> str:
    """How old data is, for 'updated N s ago' captions: '4 s', '3 min', '2 h 5 min'."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{int(seconds)} s"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days"


def format_kpi(
    value: float | None, kind: str, currency: str, *, abbreviate: bool = True
) -> str:
    """A KPI value by kind ('money', 'count', 'percent', 'ratio')."""
    if kind == "money":
        return format_money(value, currency, abbreviate=abbreviate)
    if kind == "count":
        return format_count(value, abbreviate=abbreviate)
    if kind == "percent":
        return format_percent(value)
    if kind == "ratio":
        return format_ratio(value)
    raise ValueError(f"unknown KPI kind: {kind!r}")
