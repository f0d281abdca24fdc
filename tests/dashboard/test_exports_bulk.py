"""Bulk export files: per-type tables with only that type's columns, UTC times, caps and budgets
in currency units, ids as text; the raw CSV with a BOM; the CSV writer still stops formulas.
Checked against the simulator's own entities."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest

from dashboard.bulk_tables import (
    bulk_file_frame,
    bulk_frames,
    bulk_kinds,
    safe_bulk_file,
)
from dashboard.csv_export import safe_cell, to_safe_csv
from dashboard.spreadsheets import to_csv_bytes, to_xlsx_bytes
from pinterest_client import PinterestClient
from pinterest_client.bulk import BulkRequest, BulkResult
from pinterest_sim import DEMO_ACCOUNT_ID, SIM_BASE_URL, FrozenClock, SimConfig, Simulator
from pinterest_sim.world import JPY_ACCOUNT_ID

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
TYPES = ("CAMPAIGN", "AD_GROUP", "AD")


@pytest.fixture
def sim_client() -> Iterator[tuple[Simulator, PinterestClient]]:
    clock = FrozenClock(NOW)
    sim = Simulator(SimConfig(seed=7, token="demo-token", report_delay_s=0, bulk_delay_s=0),
                    clock=clock)
    client = PinterestClient("demo-token", base_url=SIM_BASE_URL, transport=sim.transport(),
                             now=clock.now)
    yield sim, client
    client.close()


def _bulk(client: PinterestClient, account: str, output_format: str) -> BulkResult:
    request = BulkRequest(ad_account_id=account, entity_types=TYPES, output_format=output_format)
    return client.bulk.fetch(client.bulk.create(request), timeout_s=30)


def _utc(seconds: int | None) -> pd.Timestamp | None:
    return None if seconds is None else pd.Timestamp(datetime.fromtimestamp(seconds, UTC)
                                                     .replace(tzinfo=None))


@pytest.mark.parametrize("output_format", ["JSON", "CSV"])
@pytest.mark.parametrize(("account", "currency"), [(DEMO_ACCOUNT_ID, "USD"),
                                                   (JPY_ACCOUNT_ID, "JPY")])
def test_campaign_table_reads_like_a_marketer_expects(
    sim_client: tuple[Simulator, PinterestClient], output_format: str, account: str,
    currency: str,
) -> None:
    sim, client = sim_client
    frames = bulk_frames(_bulk(client, account, output_format).rows, currency)
    campaigns = frames["CAMPAIGN"].set_index("id")
    active = [c for c in sim.world.campaigns(account) if c.status == "ACTIVE"]
    assert set(campaigns.index) == {c.id for c in active}
    # Only campaign columns: an ad's pin_id or an ad group's budget is not a campaign's.
    assert "pin_id" not in campaigns and "budget (" + currency + ")" not in campaigns
    assert "daily_spend_cap" not in campaigns and "created_time" not in campaigns
    decimals = 0 if currency == "JPY" else 2
    for campaign in active:
        row = campaigns.loc[campaign.id]
        assert row["created_time (UTC)"] == _utc(campaign.created_time)
        assert row["start_time (UTC)"] == _utc(campaign.start_time)
        cap = row[f"daily_spend_cap ({currency})"]
        if campaign.daily_spend_cap is None:
            assert pd.isna(cap)
        else:
            expected = round(Decimal(campaign.daily_spend_cap) / 1_000_000, decimals)
            assert Decimal(str(cap)) == expected
    kinds = bulk_kinds(frames["CAMPAIGN"], currency)
    assert kinds["created_time (UTC)"] == "datetime"
    assert kinds[f"daily_spend_cap ({currency})"] == "money"


@pytest.mark.parametrize("output_format", ["JSON", "CSV"])
def test_per_type_csv_has_only_that_types_columns_ids_as_text_and_a_bom(
    sim_client: tuple[Simulator, PinterestClient], output_format: str,
) -> None:
    sim, client = sim_client
    frames = bulk_frames(_bulk(client, DEMO_ACCOUNT_ID, output_format).rows, "USD")
    data = to_csv_bytes(frames["AD"])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    header = list(rows[0])
    for column in header:  # no column is empty for every ad
        assert any(r[column] for r in rows), column
    assert not any(c.startswith(("daily_spend_cap", "budget", "objective_type")) for c in header)
    ads = {a.id: a for a in sim.world.ads(DEMO_ACCOUNT_ID) if a.status == "ACTIVE"}
    assert {r["id"] for r in rows} == set(ads)
    for row in rows:
        ad = ads[row["id"]]
        assert row["pin_id"] == ad.pin_id  # 19 digits, written as they are (not 1.05e+18)
        assert row["ad_group_id"] == ad.ad_group_id
        assert row["created_time (UTC)"] == _iso(ad.created_time)


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S")


def test_ad_group_budgets_are_currency_units(
    sim_client: tuple[Simulator, PinterestClient],
) -> None:
    sim, client = sim_client
    groups = bulk_frames(_bulk(client, DEMO_ACCOUNT_ID, "CSV").rows, "USD")["AD_GROUP"]
    by_id = groups.set_index("id")
    for group in sim.world.ad_groups(DEMO_ACCOUNT_ID):
        if group.status != "ACTIVE" or group.budget_in_micro_currency is None:
            continue
        assert by_id.loc[group.id, "budget (USD)"] == pytest.approx(
            group.budget_in_micro_currency / 1_000_000)


def test_raw_csv_file_has_a_bom_and_keeps_numbers(
    sim_client: tuple[Simulator, PinterestClient],
) -> None:
    _, client = sim_client
    result = _bulk(client, DEMO_ACCOUNT_ID, "CSV")
    assert not result.raw.startswith(b"\xef\xbb\xbf")  # Pinterest's file has none
    data = safe_bulk_file(result.raw, "CSV")
    assert data.startswith(b"\xef\xbb\xbf")
    assert "–" in data.decode("utf-8-sig")  # the en dashes of the campaign names survive
    original = list(csv.reader(io.StringIO(result.raw.decode("utf-8"))))
    written = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert written == original  # same layout and cells (no names here start a formula)
    assert safe_bulk_file(b"entity_type,name,cap\nCAMPAIGN,-1,-1\nCAMPAIGN,=1+1,-2+3\n",
                          "CSV").decode("utf-8-sig").splitlines()[1:] == [
        "CAMPAIGN,-1,-1", "CAMPAIGN,'=1+1,'-2+3"]


def test_formula_safety_stays_with_plain_numbers_as_text() -> None:
    # A plain number written as text is read as that number, never as a formula...
    for number in ("-1", "+2", "-0.5", "-1e5", "-.5"):
        assert safe_cell(number) == number
    # ...anything more after a trigger is still quoted.
    for formula in ("-1+1", "+1+cmd|' /C calc'!A0", "-2+3", "=1", "@SUM(A1)", "-1 ", "- 1",
                    "-", "+", "-1e5+1", "-1\n=2"):
        assert safe_cell(formula) == "'" + formula
    frame = pd.DataFrame({"name": ["=HYPERLINK(\"http://x\")", "-5"], "n": [-3, 4]})
    rows = list(csv.reader(io.StringIO(to_safe_csv(frame).decode("utf-8-sig"))))
    assert rows[1:] == [["'=HYPERLINK(\"http://x\")", "-3"], ["-5", "4"]]


@pytest.mark.parametrize(("account", "currency", "decimals"),
                         [(DEMO_ACCOUNT_ID, "USD", 2), (JPY_ACCOUNT_ID, "JPY", 0)])
def test_bulk_files_write_caps_with_the_currencys_decimals(
    sim_client: tuple[Simulator, PinterestClient], account: str, currency: str, decimals: int,
) -> None:
    sim, client = sim_client
    frame = bulk_frames(_bulk(client, account, "JSON").rows, currency)["CAMPAIGN"]
    caps = {c.id: c.daily_spend_cap for c in sim.world.campaigns(account)}
    assert any(caps.values())
    column = f"daily_spend_cap ({currency})"
    data = to_csv_bytes(bulk_file_frame(frame, currency))
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    for row in rows:
        micro = caps[row["id"]]
        if micro is None:
            assert row[column] == ""
        else:
            written = row[column]
            assert len(written.partition(".")[2]) == decimals  # "2000.00" / "600000"
            assert Decimal(written) == Decimal(micro) / 1_000_000
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(
        {"CAMPAIGN": bulk_file_frame(frame, currency)})))
    sheet = book["CAMPAIGN"]
    header = [c.value for c in sheet[1]]
    at = header.index(column)
    for cells in sheet.iter_rows(min_row=2):
        micro = caps[str(cells[header.index("id")].value)]
        value = cells[at].value
        assert value is None if micro is None else value == micro / 1_000_000
        # Excel shows the currency's decimals too ("2,000.00"; General would show "2000").
        assert cells[at].number_format == ("#,##0.00" if decimals == 2 else "#,##0")
        assert isinstance(cells[header.index("created_time (UTC)")].value, datetime)


def test_an_unreadable_raw_file_is_still_offered_defused() -> None:
    bad_utf8 = b"entity_type,id,name\nCAMPAIGN,1,Caf\xe9 =sale\nCAMPAIGN,2,=HYPERLINK(1)\n"
    rows = list(csv.reader(io.StringIO(safe_bulk_file(bad_utf8, "CSV").decode("utf-8-sig"))))
    assert rows == [["entity_type", "id", "name"], ["CAMPAIGN", "1", "Caf\ufffd =sale"],
                    ["CAMPAIGN", "2", "'=HYPERLINK(1)"]]
    huge = "x" * (128 * 1024 + 1)
    raw = f"entity_type,id,name\nCAMPAIGN,1,{huge}\nCAMPAIGN,2,+cmd\n".encode()
    lines = safe_bulk_file(raw, "CSV").decode("utf-8-sig").splitlines()
    assert lines[1:] == [f"CAMPAIGN,1,{huge}", "CAMPAIGN,2,'+cmd"]
    # An unclosed quote: the rest of the file is one cell, as a spreadsheet reads it too.
    unclosed = b'entity_type,id,name\nCAMPAIGN,1,"=Summer\nCAMPAIGN,2,y\n'
    rows = list(csv.reader(io.StringIO(safe_bulk_file(unclosed, "CSV").decode("utf-8-sig"))))
    assert rows[1] == ["CAMPAIGN", "1", "'=Summer\nCAMPAIGN,2,y\n"]
    assert csv.field_size_limit() == 128 * 1024  # the process-wide limit is left as it was
