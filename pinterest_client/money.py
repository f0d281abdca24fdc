"""Money: Pinterest's `*_MICRO_DOLLAR` and `*_micro_currency` values are int micro units of the
ad account's currency (not dollars). Convert exactly with Decimal; format with the currency's
symbol and minor-unit decimals (JPY and KRW have none)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Final

MICRO: Final = Decimal(1_000_000)

# ISO 4217 minor units of the currencies Pinterest ad accounts can have (schema Currency).
_DECIMALS: Final[dict[str, int]] = {"JPY": 0, "KRW": 0, "CLP": 0, "HUF": 2, "UNK": 2}
_SYMBOLS: Final[dict[str, str]] = {
    "USD": "$", "GBP": "£", "CAD": "CA$", "EUR": "€", "AUD": "A$", "NZD": "NZ$", "SEK": "kr",
    "ILS": "₪", "CHF": "CHF", "HKD": "HK$", "JPY": "¥", "SGD": "S$", "KRW": "₩", "NOK": "kr",
    "DKK": "kr", "PLN": "zł", "RON": "lei", "HUF": "Ft", "CZK": "Kč", "BRL": "R$", "MXN": "MX$",
    "ARS": "AR$", "CLP": "CLP$", "COP": "COL$", "INR": "₹", "TRY": "₺", "UNK": "",
}


def micro_to_decimal(micro: int) -> Decimal:
    """Micro units to currency units, exactly (1_234_567 -> Decimal('1.234567'))."""
    if isinstance(micro, bool) or not isinstance(micro, int):
        raise TypeError("micro must be an int (micro units)")
    return Decimal(micro) / MICRO


def decimal_to_micro(amount: Decimal | int | str) -> int:
    """Currency units to int micro units (rounded half up to the micro)."""
    return int((Decimal(amount) * MICRO).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def currency_decimals(currency: str) -> int:
    return _DECIMALS.get(currency.upper(), 2)


def currency_symbol(currency: str) -> str:
    code = currency.upper()
    return _SYMBOLS.get(code, code)


def micro_to_amount(micro: int, currency: str) -> Decimal:
    """Micro units rounded (half up) to the currency's minor unit: 1_500_000 JPY -> 2."""
    exponent = Decimal(1).scaleb(-currency_decimals(currency))
    return micro_to_decimal(micro).quantize(exponent, rounding=ROUND_HALF_UP)


def format_money(micro: int, currency: str) -> str:
    """'$1,234.57', '¥1,235', '-€3.10' (symbol first; thousands separators)."""
    amount = micro_to_amount(micro, currency)
    places = currency_decimals(currency)
    sign = "-" if amount < 0 else ""
    return f"{sign}{currency_symbol(currency)}{abs(amount):,.{places}f}"
