"""CSV downloads that a spreadsheet cannot turn into formulas (CSV injection, OWASP).

A campaign named "=HYPERLINK(...)" or "+1+cmd|..." would run as a formula when the file is
opened in Excel or Google Sheets. Every text cell (and header) starting with a formula trigger
is prefixed with a single quote, which spreadsheets show as text. Numbers stay numbers, and so
does text that is only a number ("-1" in a raw bulk file): a spreadsheet reads it as that number,
never as a formula.
"""

from __future__ import annotations

import re
from typing import Final

import pandas as pd

# Characters a spreadsheet treats as the start of a formula (OWASP list: = + - @ tab CR).
FORMULA_TRIGGERS: Final[tuple[str, ...]] = ("=", "+", "-", "@", "\t", "\r")
# A plain signed number, nothing after it ("-2+3" is a formula and does not match).
_PLAIN_NUMBER: Final = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def safe_cell(value: object) -> object:
    """A cell value that cannot start a formula (only text is changed)."""
    if (isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)
            and not _PLAIN_NUMBER.fullmatch(value)):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells and headers cannot start formulas."""
    safe = frame.copy()
    safe.columns = pd.Index([safe_cell(str(column)) for column in safe.columns])
    for column in safe.columns:
        series = safe[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            safe[column] = series.map(safe_cell).astype(object)
    return safe


def to_safe_csv(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV bytes (with a BOM so Excel reads accents and currency symbols).

    Lines end in CRLF (RFC 4180), which also makes the writer quote any cell holding a CR or LF.
    """
    text = safe_frame(frame).to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")
