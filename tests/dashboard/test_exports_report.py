"""Report builder downloads a marketer reads: glossary headers, money in currency units with the
currency's decimals (JPY none), counts as whole numbers; the raw form keeps Pinterest's units.
Numbers are checked against the simulator's own rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pandas as pd
import pytest

from dashboard.report_builder import (
    DEFAULT_COLUMNS,
    export_frame,
    readable_name,
    result_chart,
    result_frame,
)
from dashboard.spreadsheets import to_csv_bytes, to_xlsx_bytes
from pinterest_client import PinterestClient
from pinterest_client.reports import ReportRequest, ReportsAPI
from pinterest_sim import DEMO_ACCOUNT_ID, SIM_BASE_URL, FrozenClock, SimConfig, Simulator
from pinterest_sim.world import JPY_ACCOUNT_ID

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
SPEND = "SPEND_IN_MICRO_DOLLAR"
NAMES = {SPEND: "Spend", "PAID_IMPRESSION": "Paid impressions", "CTR": "CTR",
         "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR": "Checkout value"}


@pytest.fixture
def sim_reports() -> Iterator[tuple[Simulator, ReportsAPI]]:
    clock = FrozenClock(NOW)
    sim = Simulator(SimConfig(seed=7, token="demo-token", report_delay_s=0), clock=clock)
    client = PinterestClient("demo-token", base_url=SIM_BASE_URL, transport=sim.transport(),
                             now=clock.now)
    yield sim, ReportsAPI(client.session, now=clock.now, sleep=clock.advance)
    client.close()


def _request(account: str, **changes: object) -> ReportRequest:
    base = ReportRequest(account, "CAMPAIGN", (SPEND, "PAID_IMPRESSION", "CTR"),
                         TODAY - timedelta(days=20), TODAY - timedelta(days=2))
    return replace(base, **changes)  # type: ignore[arg-type]


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads the UTF-8 (en dashes, yen signs)
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _units(micro: int, decimals: int) -> Decimal:
    step = Decimal(1).scaleb(-decimals)
    return (Decimal(micro) / 1_000_000).quantize(step, rounding=ROUND_HALF_UP)


@pytest.mark.parametrize(("account", "currency", "decimals"),
                         [(DEMO_ACCOUNT_ID, "USD", 2), (JPY_ACCOUNT_ID, "JPY", 0)])
def test_csv_download_has_readable_headers_and_currency_units(
    sim_reports: tuple[Simulator, ReportsAPI], account: str, currency: str, decimals: int,
) -> None:
    sim, reports = sim_reports
    request = _request(account)
    rows = reports.collect(reports.submit(request)).rows
    truth = sim.engine.rows(account, "CAMPAIGN", None, request.start_date, request.end_date,
                            "DAY", [SPEND, "PAID_IMPRESSION"])
    frame = result_frame(rows, request)
    written = _csv_rows(to_csv_bytes(export_frame(frame, NAMES, currency)))
    assert list(written[0]) == ["Campaign ID", "Date", f"Spend ({currency})",
                                "Paid impressions", "CTR"]
    expected = {(str(r["CAMPAIGN_ID"]), str(r["DATE"])): r for r in truth}
    assert len(written) == len(expected)
    for line in written:
        source = expected[(line["Campaign ID"], line["Date"])]
        spend = line[f"Spend ({currency})"]
        # The currency's own decimals: "2187.59" in USD, "2188" (no minor unit) in JPY.
        if decimals == 0:
            assert "." not in spend
        else:
            assert len(spend.partition(".")[2]) == 2  # "2000.00", never "2000.0"
        assert Decimal(spend) == _units(int(source.get(SPEND, 0)), decimals)
        assert line["Paid impressions"] == str(int(source.get("PAID_IMPRESSION", 0)))


def test_raw_download_keeps_pinterest_names_and_micro_units(
    sim_reports: tuple[Simulator, ReportsAPI],
) -> None:
    sim, reports = sim_reports
    request = _request(DEMO_ACCOUNT_ID)
    frame = result_frame(reports.collect(reports.submit(request)).rows, request)
    written = _csv_rows(to_csv_bytes(frame))
    assert list(written[0])[:3] == ["CAMPAIGN_ID", "DATE", SPEND]
    truth = sim.engine.rows(DEMO_ACCOUNT_ID, "CAMPAIGN", None, request.start_date,
                            request.end_date, "DAY", [SPEND])
    assert sum(int(r[SPEND]) for r in written) == sum(int(r.get(SPEND, 0)) for r in truth)


def test_xlsx_download_is_the_readable_table(sim_reports: tuple[Simulator, ReportsAPI]) -> None:
    sim, reports = sim_reports
    request = _request(JPY_ACCOUNT_ID, granularity="TOTAL")
    frame = result_frame(reports.collect(reports.submit(request)).rows, request)
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(
        {"report": export_frame(frame, NAMES, "JPY")})))
    sheet = book["report"]
    header = [c.value for c in sheet[1]]
    assert header == ["Campaign ID", "Spend (JPY)", "Paid impressions", "CTR"]
    truth = sim.engine.rows(JPY_ACCOUNT_ID, "CAMPAIGN", None, request.start_date,
                            request.end_date, "TOTAL", [SPEND])
    by_id = {str(r["CAMPAIGN_ID"]): int(r.get(SPEND, 0)) for r in truth}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        campaign_id, spend = str(row[0]), row[1]
        assert isinstance(row[0], str)  # ids stay text
        assert isinstance(spend, int) and spend == _units(by_id[campaign_id], 0)
        assert isinstance(row[2], int)


def test_json_and_csv_report_files_give_the_same_table(
    sim_reports: tuple[Simulator, ReportsAPI],
) -> None:
    """Why the builder no longer asks for a file format: Pinterest's JSON file leaves zero
    metrics out where its CSV file writes 0; the table fills those, so both read the same."""
    _, reports = sim_reports
    request = _request(DEMO_ACCOUNT_ID, columns=(*DEFAULT_COLUMNS, "CTR"),
                       start_date=TODAY - timedelta(days=60))
    as_json = result_frame(reports.collect(reports.submit(request)).rows, request)
    as_csv_request = replace(request, report_format="CSV")
    as_csv = result_frame(reports.collect(reports.submit(as_csv_request)).rows, as_csv_request)
    key = ["CAMPAIGN_ID", "DATE"]
    left = as_json.sort_values(key).reset_index(drop=True)
    right = as_csv.sort_values(key).reset_index(drop=True)[list(left.columns)]
    assert (left[list(DEFAULT_COLUMNS)] == 0).any().any()  # the zero case is covered
    pd.testing.assert_frame_equal(left, right, check_dtype=False)


def test_counts_with_gaps_are_whole_numbers_and_ratios_keep_decimals() -> None:
    request = _request(DEMO_ACCOUNT_ID)
    rows = [{"CAMPAIGN_ID": "1", "DATE": "2026-11-01", SPEND: 2_187_589_504, "CTR": 0.0123},
            {"CAMPAIGN_ID": "2", "DATE": "2026-11-01", "PAID_IMPRESSION": 596_909}]
    written = _csv_rows(to_csv_bytes(export_frame(result_frame(rows, request), NAMES, "USD")))
    assert written[0]["Spend (USD)"] == "2187.59" and written[1]["Spend (USD)"] == "0.00"
    assert [r["Paid impressions"] for r in written] == ["0", "596909"]  # not "596909.0"
    assert written[0]["CTR"] == "0.0123" and written[1]["CTR"] == ""


def test_readable_names_without_a_glossary() -> None:
    assert readable_name(SPEND, {}) == "Spend"
    assert readable_name("TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR", {}) == "Total checkout value"
    assert readable_name("AD_GROUP_ID", {}) == "Ad group ID"
    assert readable_name(SPEND, {SPEND: "Amount spent"}) == "Amount spent"


@pytest.mark.parametrize("granularity", ["DAY", "TOTAL"])
def test_chart_value_axis_starts_at_zero_and_names_the_currency(granularity: str) -> None:
    request = _request(JPY_ACCOUNT_ID, granularity=granularity)
    rows = [{"CAMPAIGN_ID": "1", "DATE": "2026-11-01", SPEND: 900_000_000, "PAID_IMPRESSION": 7},
            {"CAMPAIGN_ID": "2", "DATE": "2026-11-02", SPEND: 950_000_000, "PAID_IMPRESSION": 9}]
    frame = result_frame(rows, request)
    fig = result_chart(frame, request, SPEND, "Spend", "JPY")
    axis = fig.layout.yaxis if granularity == "DAY" else fig.layout.xaxis
    assert axis.rangemode == "tozero"
    assert axis.title.text == "Spend (JPY)" and axis.tickprefix == "¥"
    values = fig.data[0].y if granularity == "DAY" else fig.data[0].x
    assert sorted(values) == [900.0, 950.0]
    counts = result_chart(frame, request, "PAID_IMPRESSION", "Paid impressions", "JPY")
    count_axis = counts.layout.yaxis if granularity == "DAY" else counts.layout.xaxis
    assert count_axis.rangemode == "tozero" and not count_axis.tickprefix  # money only
    assert count_axis.title.text == "Paid impressions"
