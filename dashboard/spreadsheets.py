"""Files a spreadsheet opens as data: CSV and XLSX bytes that can start no formula, and money
written as exact decimals with the currency's own places.

Used by the report builder and the bulk export (and their tests); the CSV rules themselves
(which cells a spreadsheet would run) are in `csv_export`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

import pandas as pd

from dashboard.csv_export import formula_like, map_text, to_safe_csv
from dashboard.formatting import MICRO, currency_decimals


def money_cells(values: pd.Series, currency: str, *, micro: bool = False) -> pd.Series:
    """Amounts as files write them: exact decimals with the currency's own decimals
    ("2000.00" USD, "280848" JPY), empty where there is none. `micro`: values in micro units."""
    step = Decimal(1).scaleb(-currency_decimals(currency))

    def cell(value: Any) -> Decimal | None:
        if value is None or pd.isna(value):
            return None
        amount = Decimal(int(value)) / MICRO if micro else Decimal(repr(float(value)))
        return amount.quantize(step, rounding=ROUND_HALF_UP)

    return pd.to_numeric(values, errors="coerce").astype(object).map(cell).astype(object)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    return to_safe_csv(frame)


def to_xlsx_bytes(frames: Mapping[str, pd.DataFrame]) -> bytes:
    """One sheet per frame. Text is written as it is; a text cell that could start a formula
    is typed as a string with the cell's quote prefix set (openpyxl would otherwise store
    "=..." as a live formula, and a literal apostrophe would show in Excel). Characters XML
    cannot hold (control characters other than tab/CR/LF) become U+FFFD instead of failing
    the whole file."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in frames.items():
            sheet = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "Sheet1"
            map_text(frame, _xml_safe).to_excel(writer, sheet_name=sheet, index=False)
            _text_cells(writer.sheets[sheet])
            _money_formats(writer.sheets[sheet], frame)
    return buffer.getvalue()


# Control characters XML 1.0 cannot hold (openpyxl refuses them); tab, LF and CR it can.
_XML_ILLEGAL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_safe(value: object) -> object:
    return _XML_ILLEGAL.sub("\ufffd", value) if isinstance(value, str) else value


def _text_cells(sheet: Any) -> None:
    """No formula cells: formula-like text (headers too) becomes quote-prefixed text."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f" or formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True


def _money_formats(sheet: Any, frame: pd.DataFrame) -> None:
    """Money cells (exact decimals, see `money_cells`) keep their decimals in Excel too
    ("2,000.00"), which its General format would drop."""
    for position, column in enumerate(frame.columns, start=1):
        amounts = [v for v in frame[column] if isinstance(v, Decimal)]
        if not amounts:
            continue
        places = max(0, -int(amounts[0].as_tuple().exponent))
        number_format = "#,##0" + ("." + "0" * places if places else "")
        for row in range(2, len(frame) + 2):
            sheet.cell(row=row, column=position).number_format = number_format
