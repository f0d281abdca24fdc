"""The report builder's keyword and product levels against the simulator: the rows a report
gives add up to what the synchronous analytics say of the same days, the ids are the entities
the list endpoints name, and a range a level does not allow is refused before any call."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from dashboard.report_builder import (
    BUILDER_LEVELS,
    LEVEL_RULES,
    drive_report,
    export_frame,
    final_day_rule,
    level_default_range,
    plan_report,
    request_problem,
    result_frame,
)
from dashboard.report_store import ReportStore
from dashboard.spreadsheets import to_csv_bytes
from pinterest_client import PinterestClient
from pinterest_client.reports import ReportRequest, ReportsAPI
from pinterest_sim import (
    DEMO_ACCOUNT_ID,
    SIM_BASE_URL,
    FrozenClock,
    SimConfig,
    Simulator,
    product_catalog,
)

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
SPEND = "SPEND_IN_MICRO_DOLLAR"
IMPRESSIONS = "PAID_IMPRESSION"
CLICKS = "CLICKTHROUGH_1"
COLUMNS = (SPEND, IMPRESSIONS, CLICKS)
Parts = tuple[Simulator, PinterestClient, ReportsAPI, ReportStore]


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[Parts]:
    clock = FrozenClock(NOW)
    sim = Simulator(SimConfig(seed=7, token="demo-token", report_delay_s=0), clock=clock)
    client = PinterestClient("demo-token", base_url=SIM_BASE_URL, transport=sim.transport(),
                             now=clock.now)

    def sleep(seconds: float) -> None:
        clock.advance(seconds)

    reports = ReportsAPI(client.session, now=clock.now, sleep=sleep)
    yield sim, client, reports, ReportStore(tmp_path / "s.sqlite3", today=NOW.date)
    client.close()


def _run(parts: Parts, request: ReportRequest) -> tuple[list[dict[str, Any]], int]:
    _sim, client, reports, store = parts
    assert request_problem(request, TODAY) is None
    outcome = drive_report(reports, store, plan_report(reports, store, request),
                           is_final=final_day_rule(client, TODAY))
    return outcome.rows, outcome.jobs


def _sums(rows: list[dict[str, Any]], key: str | None = None
          ) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0.0))
    for row in rows:
        group = str(row.get(key, "")) if key else ""
        for column in COLUMNS:
            value = row.get(column) or 0
            assert isinstance(value, int | float)
            out[group][column] += value
    return dict(out)


def test_the_builder_offers_the_new_levels_with_their_rules() -> None:
    for level in ("KEYWORD", "PRODUCT_GROUP", "PRODUCT_ITEM", "PRODUCT_GROUP_TARGETING"):
        assert level in BUILDER_LEVELS and LEVEL_RULES[level]
    assert "92 days" in LEVEL_RULES["PRODUCT_ITEM"] and "31 days" in LEVEL_RULES["PRODUCT_ITEM"]
    assert "914 days" in LEVEL_RULES["KEYWORD"]
    start, end = level_default_range("PRODUCT_ITEM", "DAY", TODAY)
    assert (end - start).days + 1 == 31 and end == TODAY - timedelta(days=1)


def test_keyword_rows_add_up_to_each_ad_groups_keyword_analytics(parts: Parts) -> None:
    _sim, client, _reports, _store = parts
    start, end = TODAY - timedelta(days=20), TODAY - timedelta(days=2)
    request = ReportRequest(DEMO_ACCOUNT_ID, "KEYWORD", COLUMNS, start, end, granularity="DAY")
    rows, jobs = _run(parts, request)
    assert jobs == 1 and rows
    frame = result_frame(rows, request)
    assert list(frame.columns[:2]) == ["KEYWORD_ID", "DATE"]
    # Each keyword id is one the keywords endpoint lists under the row's ad group.
    by_group = _sums(rows, "AD_GROUP_ID")
    for group_id in list(by_group)[:3]:
        listed = {k.id: k.value for k in client.list_keywords(DEMO_ACCOUNT_ID,
                                                               ad_group_id=group_id).data}
        ids = {str(r["KEYWORD_ID"]) for r in rows if r["AD_GROUP_ID"] == group_id}
        assert ids <= set(listed)
        # The rows of the group's keywords sum to its synchronous KEYWORD breakdown.
        sync = client.targeting_analytics(DEMO_ACCOUNT_ID, "AD_GROUP", targeting_types=["KEYWORD"],
                                          start_date=start, end_date=end, columns=list(COLUMNS),
                                          entity_ids=[group_id]).data
        for column in COLUMNS:
            assert by_group[group_id][column] == sum(r.metrics.get(column, 0) for r in sync)
        per_text: dict[str, float] = defaultdict(float)
        for r in rows:
            if r["AD_GROUP_ID"] == group_id:
                per_text[listed[str(r["KEYWORD_ID"])]] += float(r.get(SPEND) or 0)
        assert per_text == {r.targeting_value: float(r.metrics.get(SPEND, 0)) for r in sync
                            if r.metrics.get(SPEND, 0)}


def _catalog_totals(sim: Simulator, client: PinterestClient, start: datetime | object,
                    end: object) -> dict[str, float]:
    world = sim.world
    campaigns = product_catalog.catalog_campaign_ids(world, DEMO_ACCOUNT_ID)
    assert campaigns, "the demo account runs a catalog campaign"
    sync = client.analytics(DEMO_ACCOUNT_ID, "CAMPAIGN", start_date=start,  # type: ignore[arg-type]
                            end_date=end, columns=list(COLUMNS),  # type: ignore[arg-type]
                            granularity="TOTAL", entity_ids=campaigns).data
    return {c: float(sum(r.get(c, 0) for r in sync)) for c in COLUMNS}


@pytest.mark.parametrize("level", ["PRODUCT_GROUP", "PRODUCT_ITEM"])
def test_product_rows_add_up_to_the_catalog_campaigns(parts: Parts, level: str) -> None:
    sim, client, _reports, _store = parts
    start, end = TODAY - timedelta(days=30), TODAY - timedelta(days=2)
    request = ReportRequest(DEMO_ACCOUNT_ID, level, COLUMNS, start, end, granularity="TOTAL")
    rows, _ = _run(parts, request)
    account = sim.world.account(DEMO_ACCOUNT_ID)
    assert account is not None
    known = (set(product_catalog.product_group_ids(account)) if level == "PRODUCT_GROUP"
             else {i.id for i in product_catalog.product_items(account)})
    id_column = f"{level}_ID"
    assert {str(r[id_column]) for r in rows} <= known and len(rows) == len(known)
    assert _sums(rows)[""] == _catalog_totals(sim, client, start, end)


def test_product_item_range_over_31_days_runs_as_jobs_and_still_adds_up(parts: Parts) -> None:
    sim, client, _reports, _store = parts
    start, end = TODAY - timedelta(days=80), TODAY - timedelta(days=2)  # 79 days: 3 jobs
    request = ReportRequest(DEMO_ACCOUNT_ID, "PRODUCT_ITEM", COLUMNS, start, end)
    rows, jobs = _run(parts, request)
    assert jobs == 3
    assert _sums(rows)[""] == _catalog_totals(sim, client, start, end)


def test_product_group_targeting_splits_the_same_total(parts: Parts) -> None:
    sim, client, _reports, _store = parts
    start, end = TODAY - timedelta(days=14), TODAY - timedelta(days=2)
    request = ReportRequest(DEMO_ACCOUNT_ID, "PRODUCT_GROUP_TARGETING", COLUMNS, start, end,
                            granularity="TOTAL", targeting_types=("AGE_BUCKET",))
    rows, _ = _run(parts, request)
    assert rows and {r["TARGETING_TYPE"] for r in rows} == {"AGE_BUCKET"}
    assert _sums(rows)[""] == _catalog_totals(sim, client, start, end)


def test_keyword_csv_names_the_columns_and_keeps_ids_as_text(parts: Parts) -> None:
    start, end = TODAY - timedelta(days=5), TODAY - timedelta(days=2)
    request = ReportRequest(DEMO_ACCOUNT_ID, "KEYWORD", COLUMNS, start, end,
                            granularity="TOTAL")
    rows, _ = _run(parts, request)
    frame = result_frame(rows, request)
    data = to_csv_bytes(export_frame(frame, {SPEND: "Spend"}, "USD"))
    read = pd.read_csv(io.BytesIO(data), dtype=str)
    assert "Keyword ID" in read.columns and "Spend (USD)" in read.columns
    assert set(read["Keyword ID"]) == {str(r["KEYWORD_ID"]) for r in rows}
    total = sum(float(v) for v in read["Spend (USD)"])
    # Each cell is rounded to the cent: the file's sum is within half a cent per row.
    exact = sum(float(r.get(SPEND) or 0) for r in rows) / 1e6
    assert total == pytest.approx(exact, abs=0.005 * len(rows) + 1e-6)


@pytest.mark.parametrize(("level", "days_back", "changes", "expected"), [
    ("PRODUCT_ITEM", 100, {}, "92 days back"),
    ("PRODUCT_ITEM_TARGETING", 100, {"targeting_types": ("AGE_BUCKET",)}, "92 days back"),
    ("KEYWORD", 920, {}, "914 days back"),
    ("KEYWORD", 10, {"ad_ids": ("123",)}, "ad_ids cannot filter a KEYWORD"),
    ("PRODUCT_GROUP", 10, {"campaign_ids": ("123",)}, "cannot be filtered"),
])
def test_what_a_level_does_not_allow_is_refused_before_any_call(
    parts: Parts, level: str, days_back: int, changes: dict[str, tuple[str, ...]], expected: str,
) -> None:
    _sim, client, reports, store = parts
    request = ReportRequest(DEMO_ACCOUNT_ID, level, COLUMNS, TODAY - timedelta(days=days_back),
                            TODAY - timedelta(days=days_back - 5), **changes)  # type: ignore[arg-type]
    problem = request_problem(request, TODAY)
    assert problem is not None and expected in problem
    if "days back" in expected:
        assert LEVEL_RULES.get(level, "")[:20] in problem or level.endswith("_TARGETING")
    with pytest.raises(ValueError):
        plan_report(reports, store, request)
    assert client.stats().total_calls == 0


def test_reach_of_two_jobs_is_not_added_up() -> None:
    from pinterest_client.reports.parsing import merge_rows

    request = ReportRequest(DEMO_ACCOUNT_ID, "CAMPAIGN", (IMPRESSIONS, "TOTAL_IMPRESSION_USER"),
                            TODAY - timedelta(days=300), TODAY - timedelta(days=2),
                            granularity="TOTAL")
    part = [{"CAMPAIGN_ID": "1", IMPRESSIONS: 100, "TOTAL_IMPRESSION_USER": 60}]
    rows, notes = merge_rows([part, part], request)
    assert rows == [{"CAMPAIGN_ID": "1", IMPRESSIONS: 200}]
    assert notes and "TOTAL_IMPRESSION_USER" in notes[0]
