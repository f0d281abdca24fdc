"""Report builder logic: column catalogue, store-backed runs, frames and safe files."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from dashboard.bulk_tables import safe_bulk_file
from dashboard.report_builder import (
    CATEGORY_ORDER,
    ReportOutcome,
    async_columns,
    display_frame,
    drive_report,
    final_day_rule,
    grouped_columns,
    plan_report,
    result_chart,
    result_frame,
)
from dashboard.report_store import ReportStore
from dashboard.spreadsheets import to_xlsx_bytes
from pinterest_client import PinterestClient
from pinterest_client.reports import ReportRequest, ReportsAPI
from pinterest_sim import DEMO_ACCOUNT_ID, SIM_BASE_URL, FrozenClock, SimConfig, Simulator
from tests.dashboard.support import HOSTILE_TEXTS

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
SPEND = "SPEND_IN_MICRO_DOLLAR"


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[tuple[Simulator, PinterestClient, ReportsAPI, ReportStore]]:
    clock = FrozenClock(NOW)
    sim = Simulator(SimConfig(seed=7, token="demo-token", report_delay_s=0), clock=clock)
    client = PinterestClient("demo-token", base_url=SIM_BASE_URL, transport=sim.transport(),
                             now=clock.now)
    reports = ReportsAPI(client.session, now=clock.now, sleep=clock.advance)
    yield sim, client, reports, ReportStore(tmp_path / "s.sqlite3", today=NOW.date)
    client.close()


def test_every_async_column_is_in_exactly_one_category() -> None:
    groups = grouped_columns(names={"SPEND_IN_MICRO_DOLLAR": "Spend"})
    flat = [c for columns in groups.values() for c in columns]
    assert sorted(flat) == sorted(async_columns()) and len(flat) == len(set(flat))
    assert list(groups) == [c for c in CATEGORY_ORDER if c in groups]
    assert "SPEND_IN_MICRO_DOLLAR" in groups["Spend and cost"]
    assert "CAMPAIGN_NAME" in groups["Entity details"]
    assert "TOTAL_CONVERSIONS" in groups["Conversions and value"]


def _request(**changes: object) -> ReportRequest:
    base = ReportRequest(DEMO_ACCOUNT_ID, "CAMPAIGN", (SPEND, "PAID_IMPRESSION"),
                         TODAY - timedelta(days=40), TODAY - timedelta(days=1))
    return replace(base, **changes)  # type: ignore[arg-type]


def test_day_report_reuses_final_days_and_refetches_open_ones(
    parts: tuple[Simulator, PinterestClient, ReportsAPI, ReportStore],
) -> None:
    sim, client, reports, store = parts
    rule = final_day_rule(client, TODAY)
    # Ready state: the day before yesterday is final at the simulator, yesterday is not.
    assert rule(TODAY - timedelta(days=2)) and not rule(TODAY - timedelta(days=1))
    request = _request()
    first = drive_report(reports, store, plan_report(reports, store, request), is_final=rule)
    assert first.jobs == 1 and first.days_from_store == 0
    truth = sim.engine.rows(DEMO_ACCOUNT_ID, "CAMPAIGN", None, request.start_date,
                            request.end_date, "DAY", [SPEND, "PAID_IMPRESSION"])
    assert sum(r[SPEND] for r in first.rows) == sum(r.get(SPEND, 0) for r in truth)
    pending = plan_report(reports, store, request)
    assert pending.span == (TODAY - timedelta(days=1), TODAY - timedelta(days=1))
    second = drive_report(reports, store, pending, is_final=rule)
    assert second.jobs == 1 and second.days_from_store == 39
    assert sorted(second.rows, key=str) == sorted(first.rows, key=str)
    assert len(sim.backend.reports) == 2


def test_total_report_is_stored_whole_when_final(
    parts: tuple[Simulator, PinterestClient, ReportsAPI, ReportStore],
) -> None:
    sim, client, reports, store = parts
    request = _request(granularity="TOTAL", end_date=TODAY - timedelta(days=5))
    rule = final_day_rule(client, TODAY)
    outcome = drive_report(reports, store, plan_report(reports, store, request), is_final=rule)
    again = plan_report(reports, store, request)
    assert again.batch is None  # nothing to fetch
    cached = drive_report(reports, store, again, is_final=rule)
    assert isinstance(cached, ReportOutcome) and cached.from_store_only
    assert sorted(cached.rows, key=str) == sorted(outcome.rows, key=str)
    assert len(sim.backend.reports) == 1
    other = replace(request, end_date=TODAY - timedelta(days=6))  # other dates: another key
    assert plan_report(reports, store, other).batch is not None


def test_xlsx_cells_hold_hostile_text_as_written_and_no_formula() -> None:
    texts = [*HOSTILE_TEXTS, "Summer sale", "-5", "bell\x07"]
    frame = pd.DataFrame({"=name": texts, "spend": range(len(texts))})
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"report": frame})))
    sheet = book["report"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert sheet["A1"].value == "=name" and sheet["A1"].quotePrefix
    for row, text in enumerate(texts, start=2):
        cell = sheet.cell(row=row, column=1)
        # XML reads a bare CR as LF (line-end normalisation), and cannot hold a bell at all
        # (U+FFFD instead of failing the file): the only changes to the text.
        shown = text.replace("\r", "\n").replace("\x07", "\ufffd")
        assert (cell.value, cell.data_type) == (shown, "s")
        assert cell.quotePrefix == (text not in ("Summer sale", "-5", "bell\x07"))
        assert sheet.cell(row=row, column=2).value == row - 2


def test_frames_chart_and_money_display() -> None:
    request = _request()
    rows = [{"CAMPAIGN_ID": "1", "DATE": "2026-11-01", SPEND: 2_500_000, "PAID_IMPRESSION": 10},
            {"CAMPAIGN_ID": "2", "DATE": "2026-11-01", SPEND: 500_000}]
    frame = result_frame(rows, request)
    assert list(frame.columns) == ["CAMPAIGN_ID", "DATE", SPEND, "PAID_IMPRESSION"]
    shown, kinds = display_frame(frame)
    assert kinds[SPEND] == "money" and kinds["CAMPAIGN_ID"] == "text"
    assert shown[SPEND].tolist() == [2.5, 0.5]
    fig = result_chart(frame, request, SPEND, "Spend")
    assert list(fig.data[0].y) == [3.0]  # summed per date, in currency units


def test_xlsx_and_bulk_csv_cannot_start_formulas() -> None:
    frame = pd.DataFrame({"CAMPAIGN_NAME": ["=HYPERLINK(\"http://x\")", "fine"], SPEND: [1, 2]})
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes({"report": frame})))
    sheet = book["report"]
    # Shown exactly as written (no visible apostrophe): the cell's quote prefix makes it text.
    assert sheet["A2"].value == "=HYPERLINK(\"http://x\")" and sheet["A2"].data_type == "s"
    assert sheet["A2"].quotePrefix and not sheet["A3"].quotePrefix
    assert sheet["B3"].value == 2
    raw = b"entity_type,id,name\nCAMPAIGN,1,+cmd|calc\nCAMPAIGN,2,ok\n"
    safe = safe_bulk_file(raw, "CSV").decode()
    assert "'+cmd|calc" in safe and ",ok" in safe
    assert safe_bulk_file(b'{"campaigns": []}', "JSON") == b'{"campaigns": []}'
