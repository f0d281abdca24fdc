"""CSV downloads that a spreadsheet cannot turn into formulas (CSV injection, OWASP).

A campaign named "=HYPERLINK(...)" or "+1+cmd|..." would run as a formula when the file is
opened in Excel or Google Sheets. Every text cell (and header) starting with a formula trigger
(the OWASP list plus a line feed and the full-width ＝ ＋ － ＠, which Excel reads as formulas in
CJK locales) is prefixed with a single quote, which spreadsheets show as text. (XLSX files set
the cell's quote prefix instead: report_builder.to_xlsx_bytes.) Numbers stay numbers, and so
does text that is only a number ("-1" in a raw bulk file): a spreadsheet reads it as that number,
never as a formula.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

import pandas as pd

# Characters a spreadsheet treats as the start of a formula: the OWASP list (= + - @ tab CR),
# a line feed, and their full-width forms.
FORMULA_TRIGGERS: Final[tuple[str, ...]] = (
    "=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20",
)
# A plain signed number in ASCII digits, nothing after it ("-2+3" is a formula and does not
# match; full-width digits are text).
_PLAIN_NUMBER: Final = re.compile(r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")


def formula_like(value: object) -> bool:
    """Text a spreadsheet could read as a formula (a plain signed number is not)."""
    return (isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)
            and not _PLAIN_NUMBER.fullmatch(value))


def safe_cell(value: object) -> object:
    """A cell value that cannot start a formula (only text is changed)."""
    return "'" + value if formula_like(value) and isinstance(value, str) else value


def map_text(frame: pd.DataFrame, change: Callable[[object], object]) -> pd.DataFrame:
    """A copy of `frame` with `change` applied to its headers and text cells."""
    out = frame.copy()
    out.columns = pd.Index([change(str(column)) for column in out.columns])
    for column in out.columns:
        series = out[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            out[column] = series.map(change).astype(object)
    return out


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells and headers cannot start formulas."""
    return map_text(frame, safe_cell)


def to_safe_csv(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV bytes (with a BOM so Excel reads accents and currency symbols).

    Lines end in CRLF (RFC 4180), which also makes the writer quote any cell holding a CR or LF.
    """
    text = safe_frame(frame).to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")
