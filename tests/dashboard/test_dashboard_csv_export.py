"""CSV downloads cannot carry spreadsheet formulas."""

from __future__ import annotations

import csv
import io

import pandas as pd

from dashboard.csv_export import safe_cell, to_safe_csv
from tests.dashboard.support import HOSTILE_TEXTS


def _read(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_formula_triggers_are_quoted() -> None:
    names = ["=HYPERLINK(\"http://x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"]
    frame = pd.DataFrame({"Campaign": [*names, "Summer sale"], "Spend": [1.5] * 7})
    rows = _read(to_safe_csv(frame))
    assert rows[0] == ["Campaign", "Spend"]
    cells = [r[0] for r in rows[1:]]
    for original, cell in zip(names, cells, strict=False):
        assert cell == "'" + original
    assert cells[-1] == "Summer sale"


def test_numbers_stay_numbers_even_negative() -> None:
    frame = pd.DataFrame({"delta": [-0.5, 2.0], "count": [-3, 4]})
    rows = _read(to_safe_csv(frame))
    assert rows[1] == ["-0.5", "-3"]


def test_headers_and_categoricals_are_protected() -> None:
    frame = pd.DataFrame({"=bad": pd.Categorical(["+x", "y"])})
    rows = _read(to_safe_csv(frame))
    assert rows[0] == ["'=bad"]
    assert rows[1] == ["'+x"]


def test_round_trip_with_accents_and_currency_symbols() -> None:
    frame = pd.DataFrame({"name": ["Été ¥ campaign"], "spend": ["€3.10"]})
    data = to_safe_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads UTF-8
    assert _read(data)[1] == ["Été ¥ campaign", "€3.10"]


def test_safe_cell_leaves_other_values() -> None:
    assert safe_cell(5) == 5
    assert safe_cell(None) is None
    assert safe_cell("a=b") == "a=b"




def test_line_feed_and_full_width_triggers_are_quoted() -> None:
    # A leading LF and the full-width ＝ ＋ － ＠ (read as formulas by Excel in CJK locales).
    frame = pd.DataFrame({"Campaign": HOSTILE_TEXTS})
    cells = [r[0] for r in _read(to_safe_csv(frame))[1:]]
    assert cells == ["'" + text for text in HOSTILE_TEXTS]
    # Plain numbers are ASCII digits only: full-width digits are text, and quoted after a sign.
    assert safe_cell("-\uff11") == "'-\uff11"
