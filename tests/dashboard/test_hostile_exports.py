"""Downloads of the hostile demo account open as data in a spreadsheet (issue 13 item 2):
every CSV cell and XLSX cell is checked; names are written as they are, a name a spreadsheet
would run as a formula gets only the quote Excel honours (a leading ' in CSV, the cell's quote
prefix in XLSX), and no cell is a formula."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import openpyxl
import pandas as pd

from dashboard.bulk_tables import (
    bulk_file_frame,
    bulk_frames,
    safe_bulk_file,
)
from dashboard.filters import Filters
from dashboard.loaders import load_campaigns
from dashboard.spreadsheets import to_csv_bytes, to_xlsx_bytes
from pinterest_client import PinterestClient
from pinterest_client.bulk import BulkRequest
from pinterest_sim import HOSTILE_ACCOUNT_ID, Simulator
from pinterest_sim.hostile import HOSTILE_NAMES
from tests.dashboard.support import TODAY

# What Excel, LibreOffice and Sheets read as the start of a formula (OWASP CSV injection), with
# the full-width forms CJK locales accept; written here, not taken from the code under test.
TRIGGERS = (*"=+-@\t\r\n", "＝", "＋", "－", "＠")


def _csv_cells(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return cell.isascii()


def _assert_csv_safe(data: bytes) -> list[str]:
    cells = _csv_cells(data)
    for cell in cells:
        assert not cell.startswith(TRIGGERS) or _is_number(cell), repr(cell)
    for name in HOSTILE_NAMES:
        written = "'" + name if name.startswith(TRIGGERS) else name
        assert written in cells, f"{name!r} is not in the file as written"
    return cells


def _assert_xlsx_safe(data: bytes) -> None:
    book = openpyxl.load_workbook(io.BytesIO(data))
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(TRIGGERS):
                    assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
                values.append(cell.value)
    for name in HOSTILE_NAMES:
        # XML reads a bare CR as a line feed: the one change a spreadsheet file allows.
        assert name.replace("\r", "\n") in values, f"{name!r} is not in the workbook as written"


def test_campaign_table_csv_holds_the_names_as_data(client: PinterestClient) -> None:
    table = load_campaigns(client, HOSTILE_ACCOUNT_ID,
                           _filters_for(HOSTILE_ACCOUNT_ID), TODAY)
    frame = table.frame[["name", "status", "SPEND_IN_MICRO_DOLLAR"]]
    assert set(HOSTILE_NAMES) <= set(frame["name"])
    _assert_csv_safe(to_csv_bytes(frame))
    _assert_xlsx_safe(to_xlsx_bytes({"campaigns": frame}))


def test_bulk_tables_and_raw_file_hold_the_names_as_data(
    client: PinterestClient, sim: Simulator
) -> None:
    sim.config.bulk_delay_s = 0
    for output_format in ("CSV", "JSON"):
        request = BulkRequest(ad_account_id=HOSTILE_ACCOUNT_ID,
                              entity_types=("CAMPAIGN", "AD_GROUP", "AD"),
                              output_format=output_format)
        result = client.bulk.run(request, timeout_s=30)
        frames = bulk_frames(result.rows, "USD")
        files = {t: bulk_file_frame(f, "USD") for t, f in frames.items()}
        names = set(pd.concat([f["name"] for f in files.values() if "name" in f]))
        assert len(names & set(HOSTILE_NAMES)) >= 10, "the active entities carry hostile names"
        for frame in files.values():
            _assert_csv_cells_safe(to_csv_bytes(frame))
        _assert_xlsx_cells_safe(to_xlsx_bytes(files))
    raw = safe_bulk_file(client.bulk.run(BulkRequest(
        ad_account_id=HOSTILE_ACCOUNT_ID, entity_types=("CAMPAIGN",), output_format="CSV"),
        timeout_s=30).raw, "CSV")
    _assert_csv_cells_safe(raw)


def _assert_csv_cells_safe(data: bytes) -> None:
    for cell in _csv_cells(data):
        assert not cell.startswith(TRIGGERS) or _is_number(cell), repr(cell)


def _assert_xlsx_cells_safe(data: bytes) -> None:
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


def _filters_for(account_id: str) -> Filters:
    return replace(Filters.default(TODAY).with_preset("last_30_days", TODAY),
                   account_id=account_id)
