"""Columns a conversion and video advertiser reads: gross impressions and clicks, web sessions,
checkouts and leads by action (click / view / engagement) and their web forms, video quartiles.

Every relation is checked on the rows the engine (and the HTTP API) return: gross >= paid,
parts sum to their totals, quartiles decrease, video columns only for video ads, no conversion
column in HOUR rows, targeting segments and async report rows sum to the sync numbers."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from pinterest_sim import SIM_BASE_URL, Simulator
from pinterest_sim.catalog import SERVED_ASYNC_COLUMNS, SERVED_SYNC_COLUMNS
from pinterest_sim.clock import FrozenClock
from pinterest_sim.metrics import ID_COLUMN, Attribution, Level, MetricsEngine
from pinterest_sim.world import DEMO_ACCOUNT_ID, World
from tests.sim.report_support import finished_reports
from tests.support import AUTH, FROZEN_NOW, shared_world

NOW = datetime(2026, 11, 29, 15, 30, 0, tzinfo=UTC)
TODAY = NOW.date()
LEVELS: tuple[Level, ...] = ("AD_ACCOUNT", "CAMPAIGN", "AD_GROUP", "AD")

STAGES = ("P0_COMBINED", "MRC_VIEWS", "3SEC_VIEWS", "P25_COMBINED", "P50_COMBINED",
          "P75_COMBINED", "P95_COMBINED", "P100_COMPLETE")
TOTAL_STAGES = [f"TOTAL_VIDEO_{s}" for s in STAGES]
EARNED_STAGES = [f"VIDEO_{s}_2" for s in STAGES]
ACTIONS = ("CLICK", "VIEW", "ENGAGEMENT")
COLUMNS = [
    "IMPRESSION_1", "IMPRESSION_1_GROSS", "CLICKTHROUGH_1", "CLICKTHROUGH_1_GROSS",
    "OUTBOUND_CLICK_1", "OUTBOUND_CLICK_2", "SPEND_IN_MICRO_DOLLAR", "IMPRESSION_2",
    "TOTAL_WEB_SESSIONS", "WEB_SESSIONS_1", "WEB_SESSIONS_2",
    "TOTAL_CHECKOUT", "TOTAL_WEB_CHECKOUT", "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR",
    "TOTAL_WEB_CHECKOUT_VALUE_IN_MICRO_DOLLAR", "WEB_CHECKOUT_ROAS",
    "WEB_CHECKOUT_COST_PER_ACTION", "TOTAL_LEAD",
    *[f"TOTAL_{a}_CHECKOUT" for a in ACTIONS], *[f"TOTAL_WEB_{a}_CHECKOUT" for a in ACTIONS],
    *[f"TOTAL_{a}_CHECKOUT_VALUE_IN_MICRO_DOLLAR" for a in ACTIONS],
    *[f"TOTAL_WEB_{a}_CHECKOUT_VALUE_IN_MICRO_DOLLAR" for a in ACTIONS],
    *[f"TOTAL_{a}_LEAD" for a in ACTIONS],
    *TOTAL_STAGES, *EARNED_STAGES, "VIDEO_3SEC_VIEWS_1", "VIDEO_MRC_VIEWS_1",
    "PAID_VIDEO_VIEWABLE_RATE", "TOTAL_VIDEO_AVG_WATCHTIME_IN_SECOND", "VIDEO_SPEND_IN_DOLLAR",
]
MONEY_TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def world() -> World:
    return shared_world(7)


@pytest.fixture(scope="module")
def engine(world: World) -> MetricsEngine:
    return MetricsEngine(world, FrozenClock(NOW))


def g(row: dict[str, Any], col: str) -> Any:
    return row.get(col, 0)


def check_row(row: dict[str, Any], hourly: bool = False) -> None:
    """The relations every row keeps, whatever its entity, period or segment."""
    assert g(row, "IMPRESSION_1_GROSS") >= g(row, "IMPRESSION_1")
    assert g(row, "CLICKTHROUGH_1_GROSS") >= g(row, "CLICKTHROUGH_1")
    assert g(row, "IMPRESSION_1_GROSS") <= 1.1 * g(row, "IMPRESSION_1") + 10
    assert g(row, "TOTAL_WEB_SESSIONS") == g(row, "WEB_SESSIONS_1") + g(row, "WEB_SESSIONS_2")
    assert g(row, "WEB_SESSIONS_1") <= g(row, "OUTBOUND_CLICK_1")
    assert g(row, "WEB_SESSIONS_2") <= g(row, "OUTBOUND_CLICK_2")
    # Video: a decreasing funnel, within the impressions; totals = paid + earned.
    totals = [g(row, c) for c in TOTAL_STAGES]
    earned = [g(row, c) for c in EARNED_STAGES]
    assert totals == sorted(totals, reverse=True), row
    assert earned == sorted(earned, reverse=True), row
    assert totals[0] <= g(row, "IMPRESSION_1") + g(row, "IMPRESSION_2")
    assert g(row, "VIDEO_3SEC_VIEWS_1") + g(row, "VIDEO_3SEC_VIEWS_2") == \
        g(row, "TOTAL_VIDEO_3SEC_VIEWS")
    assert g(row, "VIDEO_MRC_VIEWS_1") + g(row, "VIDEO_MRC_VIEWS_2") == \
        g(row, "TOTAL_VIDEO_MRC_VIEWS")
    if "TOTAL_VIDEO_AVG_WATCHTIME_IN_SECOND" in row:
        assert 0 < row["TOTAL_VIDEO_AVG_WATCHTIME_IN_SECOND"] <= 60  # the longest video
    if "PAID_VIDEO_VIEWABLE_RATE" in row:
        assert 0 < row["PAID_VIDEO_VIEWABLE_RATE"] <= 1
    if hourly:
        assert not any(k in row for k in (
            "TOTAL_CHECKOUT", "TOTAL_WEB_CHECKOUT", "TOTAL_LEAD", "TOTAL_CLICK_LEAD",
            "WEB_CHECKOUT_ROAS", "TOTAL_WEB_CLICK_CHECKOUT_VALUE_IN_MICRO_DOLLAR")), row
        return
    by_action = [g(row, f"TOTAL_{a}_CHECKOUT") for a in ACTIONS]
    assert g(row, "TOTAL_CHECKOUT") == sum(by_action) == g(row, "TOTAL_WEB_CHECKOUT")
    assert by_action == [g(row, f"TOTAL_WEB_{a}_CHECKOUT") for a in ACTIONS]
    values = [g(row, f"TOTAL_{a}_CHECKOUT_VALUE_IN_MICRO_DOLLAR") for a in ACTIONS]
    assert sum(values) == g(row, "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR") == \
        g(row, "TOTAL_WEB_CHECKOUT_VALUE_IN_MICRO_DOLLAR")
    assert values == [g(row, f"TOTAL_WEB_{a}_CHECKOUT_VALUE_IN_MICRO_DOLLAR") for a in ACTIONS]
    for count, value in zip(by_action, values, strict=True):
        assert (count == 0) <= (value == 0)  # no value without a checkout
    assert g(row, "TOTAL_LEAD") == sum(g(row, f"TOTAL_{a}_LEAD") for a in ACTIONS)
    spend = g(row, "SPEND_IN_MICRO_DOLLAR")
    if sum(by_action) and spend:
        assert row["WEB_CHECKOUT_ROAS"] == pytest.approx(sum(values) / spend, rel=MONEY_TOLERANCE)
        assert row["WEB_CHECKOUT_COST_PER_ACTION"] == pytest.approx(
            spend / 1e6 / sum(by_action), rel=MONEY_TOLERANCE)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("granularity", ["TOTAL", "DAY", "HOUR"])
def test_every_row_keeps_the_relations(engine: MetricsEngine, level: Level,
                                       granularity: str) -> None:
    start = TODAY - timedelta(days=1 if granularity == "HOUR" else 30)
    rows = engine.rows(DEMO_ACCOUNT_ID, level, None, start, TODAY, granularity, COLUMNS)
    assert rows
    for row in rows:
        check_row(row, hourly=granularity == "HOUR")
    if granularity != "HOUR":
        # The account runs video and conversion campaigns: the columns have values.
        for col in ("IMPRESSION_1_GROSS", "TOTAL_WEB_SESSIONS", "TOTAL_WEB_CHECKOUT",
                    "TOTAL_VIEW_LEAD", "TOTAL_VIDEO_P100_COMPLETE", "VIDEO_P25_COMBINED_2"):
            assert any(col in r for r in rows), col


def test_video_columns_only_for_video_ads(engine: MetricsEngine, world: World) -> None:
    kinds = {a.id: a.creative_type for a in world.ads(DEMO_ACCOUNT_ID)}
    rows = engine.rows(DEMO_ACCOUNT_ID, "AD", None, TODAY - timedelta(days=30), TODAY, "TOTAL",
                       COLUMNS)
    video_cols = [c for c in COLUMNS if "VIDEO" in c]
    seen = {"VIDEO": 0, "other": 0}
    for row in rows:
        is_video = kinds[row["AD_ID"]] == "VIDEO"
        seen["VIDEO" if is_video else "other"] += 1
        assert any(c in row for c in video_cols) == is_video, row["AD_ID"]
        if is_video:
            quartiles = [row[c] for c in TOTAL_STAGES]
            assert quartiles[0] > quartiles[-1] > 0
    assert seen["VIDEO"] and seen["other"]


def test_shorter_windows_count_fewer_leads_and_checkouts(engine: MetricsEngine) -> None:
    start, end = TODAY - timedelta(days=30), TODAY - timedelta(days=3)
    cols = [f"TOTAL_{a}_LEAD" for a in ACTIONS] + [f"TOTAL_{a}_CHECKOUT" for a in ACTIONS] + [
        f"TOTAL_{a}_CHECKOUT_VALUE_IN_MICRO_DOLLAR" for a in ACTIONS]
    short = engine.rows(DEMO_ACCOUNT_ID, "CAMPAIGN", None, start, end, "TOTAL", cols,
                        Attribution(1, 1, 1))
    long = engine.rows(DEMO_ACCOUNT_ID, "CAMPAIGN", None, start, end, "TOTAL", cols,
                       Attribution(60, 60, 60))
    longs = {r["CAMPAIGN_ID"]: r for r in long}
    fewer = 0
    for r in short:
        for c in cols:
            assert g(r, c) <= g(longs[r["CAMPAIGN_ID"]], c), c
            fewer += g(r, c) < g(longs[r["CAMPAIGN_ID"]], c)
    assert fewer


@pytest.mark.parametrize("level", LEVELS)
def test_targeting_segments_sum_to_their_entity(engine: MetricsEngine, level: Level) -> None:
    start, end = TODAY - timedelta(days=14), TODAY - timedelta(days=1)
    id_col = ID_COLUMN[level]
    whole = engine.rows(DEMO_ACCOUNT_ID, level, None, start, end, "TOTAL", COLUMNS)
    ids = None if level == "AD_ACCOUNT" else [r[id_col] for r in whole][:4]
    entity = {r[id_col]: r for r in whole}
    additive = [c for c in COLUMNS if c not in (
        "WEB_CHECKOUT_ROAS", "WEB_CHECKOUT_COST_PER_ACTION", "PAID_VIDEO_VIEWABLE_RATE",
        "TOTAL_VIDEO_AVG_WATCHTIME_IN_SECOND", "VIDEO_SPEND_IN_DOLLAR")]
    sums: dict[tuple[str, str, str], int] = defaultdict(int)
    for r in engine.targeting_rows(DEMO_ACCOUNT_ID, level, ids, ["AGE_BUCKET", "GENDER"],
                                   start, end, "TOTAL", COLUMNS):
        check_row(r["metrics"])
        for c in additive:
            sums[(r["targeting_type"], r["metrics"][id_col], c)] += g(r["metrics"], c)
    assert sums
    for (_, key, col), total in sums.items():
        assert total == g(entity[key], col), (key, col)


def test_served_where_the_spec_lists_them() -> None:
    sync_only_video = {f"VIDEO_{s}_1" for s in STAGES if s not in ("MRC_VIEWS", "3SEC_VIEWS")}
    assert not sync_only_video & SERVED_SYNC_COLUMNS  # async-only in the spec
    assert sync_only_video <= SERVED_ASYNC_COLUMNS
    assert {"TOTAL_WEB_LEAD", "TOTAL_WEB_CLICK_LEAD"} <= SERVED_ASYNC_COLUMNS - SERVED_SYNC_COLUMNS


# ----- over HTTP ---------------------------------------------------------------------------------

@pytest.fixture
def api(sim: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=SIM_BASE_URL, transport=sim.transport(), headers=AUTH) as c:
        yield c


def test_async_days_sum_to_the_sync_total(api: httpx.Client, sim: Simulator) -> None:
    today = FROZEN_NOW.date()
    start, end = today - timedelta(days=10), today - timedelta(days=3)
    base = f"/ad_accounts/{DEMO_ACCOUNT_ID}"
    response = api.get(f"{base}/campaigns/analytics", params={
        "start_date": start.isoformat(), "end_date": end.isoformat(), "granularity": "TOTAL",
        "columns": ",".join(COLUMNS),
        "campaign_ids": ",".join(c.id for c in sim.world.campaigns(DEMO_ACCOUNT_ID))})
    assert response.status_code == 200, response.text
    sync = {r["CAMPAIGN_ID"]: r for r in response.json()}
    for row in sync.values():
        check_row(row)
    paid_video = [f"VIDEO_{s}_1" for s in STAGES]  # async-only columns
    additive = list(dict.fromkeys([
        c for c in COLUMNS
        if c.startswith(("TOTAL_", "IMPRESSION", "CLICK", "WEB_SES", "VIDEO_"))
        and not c.endswith(("_SECOND", "_DOLLAR", "RATE"))] + paid_video))
    (report,) = finished_reports(api, sim, [{
        "start_date": start.isoformat(), "end_date": end.isoformat(), "granularity": "DAY",
        "level": "CAMPAIGN", "columns": additive}])
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for campaign_id, rows in report.items():
        for r in rows:
            for c in additive:
                sums[(campaign_id, c)] += g(r, c)
    assert {k for k, _ in sums} == set(sync)
    for (campaign_id, col), total in sums.items():
        if col in paid_video:
            stage = col.removeprefix("VIDEO_").removesuffix("_1")
            expected = g(sync[campaign_id], f"TOTAL_VIDEO_{stage}") - \
                g(sync[campaign_id], f"VIDEO_{stage}_2")
            assert total == expected, (campaign_id, col)
        else:
            assert total == g(sync[campaign_id], col), (campaign_id, col)
    assert any(sums[(c, "VIDEO_P100_COMPLETE_1")] for c in sync)
    json.dumps(report)  # plain JSON
