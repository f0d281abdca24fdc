"""Reach (TOTAL_IMPRESSION_USER) and frequency (TOTAL_IMPRESSION_FREQUENCY).

What a reader of these columns relies on, checked on the engine's own rows: reach never above
impressions, frequency = impressions / reach of the same row, a period's reach below the sum of
its days' reaches (never a sum) and at least the largest of them, a union of entities between
its largest part and the sum of the parts; the same numbers over HTTP (sync and async)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from pinterest_sim import SIM_BASE_URL, Simulator
from pinterest_sim.clock import FrozenClock
from pinterest_sim.metrics import ID_COLUMN, Level, MetricsEngine
from pinterest_sim.world import DEMO_ACCOUNT_ID, LARGE_ACCOUNT_ID, World
from tests.sim.report_support import finished_reports
from tests.support import AUTH, FROZEN_NOW, shared_world

NOW = datetime(2026, 11, 29, 15, 30, 0, tzinfo=UTC)
TODAY = NOW.date()
LEVELS: tuple[Level, ...] = ("AD_ACCOUNT", "CAMPAIGN", "AD_GROUP", "AD")
REACH = "TOTAL_IMPRESSION_USER"
FREQ = "TOTAL_IMPRESSION_FREQUENCY"
COLS = ["TOTAL_IMPRESSION", REACH, FREQ]


@pytest.fixture(scope="module")
def engine() -> MetricsEngine:
    return MetricsEngine(shared_world(7), FrozenClock(NOW))


def check_row(row: dict[str, Any]) -> None:
    """Reach in [1, impressions] and frequency x reach = impressions (float rounding only)."""
    imps = row.get("TOTAL_IMPRESSION", 0)
    if not imps:
        assert REACH not in row and FREQ not in row, row
        return
    reach = row[REACH]
    assert isinstance(reach, int) and 1 <= reach <= imps, row
    assert row[FREQ] >= 1.0
    assert row[FREQ] * reach == pytest.approx(imps, rel=1e-12), row


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("granularity", ["TOTAL", "DAY", "WEEK", "MONTH", "HOUR"])
def test_every_row_keeps_reach_within_impressions(engine: MetricsEngine, level: Level,
                                                   granularity: str) -> None:
    start = TODAY - timedelta(days=2 if granularity == "HOUR" else 45)
    rows = engine.rows(DEMO_ACCOUNT_ID, level, None, start, TODAY, granularity, COLS)
    assert rows and all(REACH in r for r in rows)
    for row in rows:
        check_row(row)


def _by_entity(rows: list[dict[str, Any]], id_col: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        out[r[id_col]].append(r)
    return out


@pytest.mark.parametrize("level", LEVELS)
def test_a_period_is_not_the_sum_of_its_days(engine: MetricsEngine, level: Level) -> None:
    start, end = TODAY - timedelta(days=30), TODAY - timedelta(days=1)
    id_col = ID_COLUMN[level]
    total = _by_entity(engine.rows(DEMO_ACCOUNT_ID, level, None, start, end, "TOTAL", COLS),
                       id_col)
    days = _by_entity(engine.rows(DEMO_ACCOUNT_ID, level, None, start, end, "DAY", COLS), id_col)
    assert total.keys() == days.keys() and total
    several = 0
    for key, (period,) in total.items():
        daily = [r[REACH] for r in days[key]]
        assert max(daily) <= period[REACH] <= sum(daily), key
        assert period["TOTAL_IMPRESSION"] == sum(r["TOTAL_IMPRESSION"] for r in days[key])
        if len(daily) > 1:  # (an ad created yesterday has one day)
            assert period[REACH] < sum(daily)  # returning people are counted once
            several += 1
        # Frequency over the period is at least each day's: people come back.
        assert period[FREQ] >= min(r[FREQ] for r in days[key])
    assert several


def test_weeks_and_months_are_their_own_periods(engine: MetricsEngine) -> None:
    start, end = date(2026, 9, 14), date(2026, 11, 22)  # whole weeks, Monday to Sunday
    days = engine.rows(DEMO_ACCOUNT_ID, "CAMPAIGN", None, start, end, "DAY", COLS)
    def week(d: date) -> str:
        return (d - timedelta(days=d.weekday())).isoformat()

    def month(d: date) -> str:
        return d.replace(day=1).isoformat()

    for granularity, bucket in (("WEEK", week), ("MONTH", month)):
        periods = engine.rows(DEMO_ACCOUNT_ID, "CAMPAIGN", None, start, end, granularity, COLS)
        daily: dict[tuple[str, str], list[int]] = defaultdict(list)
        for r in days:
            daily[(r["CAMPAIGN_ID"], bucket(date.fromisoformat(r["DATE"])))].append(r[REACH])
        assert {(r["CAMPAIGN_ID"], r["DATE"]) for r in periods} == set(daily)
        for r in periods:
            parts = daily[(r["CAMPAIGN_ID"], r["DATE"])]
            assert max(parts) <= r[REACH] <= sum(parts), (granularity, r)
            if len(parts) > 1:
                assert r[REACH] < sum(parts)


def test_reach_grows_with_the_period_and_saturates(engine: MetricsEngine) -> None:
    end = TODAY - timedelta(days=1)
    reaches, freqs = [], []
    for days in (1, 7, 30, 90):
        (row,) = engine.rows(DEMO_ACCOUNT_ID, "AD_ACCOUNT", None, end - timedelta(days=days - 1),
                             end, "TOTAL", COLS)
        reaches.append(row[REACH])
        freqs.append(row[FREQ])
    assert reaches == sorted(reaches) and len(set(reaches)) == 4
    assert freqs == sorted(freqs)
    assert 1.0 < freqs[0] < 1.5  # one day: most people see the ads about once
    assert freqs[-1] > 2 * freqs[0]  # a quarter: the same people again and again


@pytest.mark.parametrize("account_id", [DEMO_ACCOUNT_ID, LARGE_ACCOUNT_ID])
def test_a_union_of_entities_lies_between_its_largest_part_and_the_sum(
        engine: MetricsEngine, account_id: str) -> None:
    start, end = TODAY - timedelta(days=14), TODAY - timedelta(days=1)
    parents = {"AD_ACCOUNT": "AD_ACCOUNT_ID", "CAMPAIGN": "CAMPAIGN_ID",
               "AD_GROUP": "AD_GROUP_ID"}
    children: dict[Level, Level] = {"AD_ACCOUNT": "CAMPAIGN", "CAMPAIGN": "AD_GROUP",
                                    "AD_GROUP": "AD"}
    for parent, child in children.items():
        cols = [*COLS, parents[parent]]
        up = {r[parents[parent]]: r[REACH]
              for r in engine.rows(account_id, parent, None, start, end, "TOTAL", cols)}
        down: dict[str, list[int]] = defaultdict(list)
        for r in engine.rows(account_id, child, None, start, end, "TOTAL", cols):
            down[r[parents[parent]]].append(r[REACH])
        assert up.keys() == down.keys() and up
        for key, reach in up.items():
            assert max(down[key]) <= reach <= sum(down[key]), (parent, key)


def test_aggregate_rows_count_each_person_once(engine: MetricsEngine, world: World) -> None:
    start, end = TODAY - timedelta(days=14), TODAY - timedelta(days=1)
    campaigns = [c.id for c in world.campaigns(DEMO_ACCOUNT_ID)][:4]
    each = engine.rows(DEMO_ACCOUNT_ID, "CAMPAIGN", campaigns, start, end, "DAY", COLS)
    together = engine.rows(DEMO_ACCOUNT_ID, "CAMPAIGN", campaigns, start, end, "DAY", COLS,
                           aggregate=True)
    by_day: dict[str, list[int]] = defaultdict(list)
    for r in each:
        by_day[r["DATE"]].append(r[REACH])
    assert len({r["CAMPAIGN_ID"] for r in each}) > 1
    assert [r["DATE"] for r in together] == sorted(by_day)
    for r in together:
        check_row(r)
        assert max(by_day[r["DATE"]]) <= r[REACH] <= sum(by_day[r["DATE"]])


@pytest.fixture(scope="module")
def world() -> World:
    return shared_world(7)


@pytest.mark.parametrize("level", LEVELS)
def test_targeting_segments_share_their_entity_frequency(engine: MetricsEngine, world: World,
                                                         level: Level) -> None:
    start, end = TODAY - timedelta(days=20), TODAY - timedelta(days=1)
    id_col = ID_COLUMN[level]
    whole = engine.rows(DEMO_ACCOUNT_ID, level, None, start, end, "WEEK", COLS)
    ids = None if level == "AD_ACCOUNT" else sorted({r[id_col] for r in whole})[:3]
    wanted = {(r[id_col], r["DATE"]): r for r in whole if ids is None or r[id_col] in ids}
    rows = engine.targeting_rows(DEMO_ACCOUNT_ID, level, ids, ["GENDER", "AGE_BUCKET"],
                                 start, end, "WEEK", COLS)
    per_type: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        check_row(r["metrics"])
        per_type[(r["targeting_type"], r["metrics"][id_col], r["metrics"]["DATE"])].append(
            r["metrics"])
    assert {(k[1], k[2]) for k in per_type} == set(wanted)
    for (ttype, key, label), segments in per_type.items():
        entity = wanted[(key, label)]
        reached = sum(s[REACH] for s in segments)
        # Disjoint segments: their people add up to the entity's (each rounded up once).
        assert entity[REACH] <= reached <= entity[REACH] + len(segments), (ttype, key)
        for s in segments:  # (small segments: a person more or less moves it)
            if s["TOTAL_IMPRESSION"] >= 1000:
                assert s[FREQ] == pytest.approx(entity[FREQ], rel=0.02)


def test_same_seed_same_reach() -> None:
    first = MetricsEngine(World(11), FrozenClock(NOW)).rows(
        DEMO_ACCOUNT_ID, "AD_GROUP", None, TODAY - timedelta(days=10), TODAY, "DAY", COLS)
    again = MetricsEngine(World(11), FrozenClock(NOW)).rows(
        DEMO_ACCOUNT_ID, "AD_GROUP", None, TODAY - timedelta(days=10), TODAY, "DAY", COLS)
    assert first == again and first


# ----- over HTTP: sync analytics and async reports ---------------------------------------------

@pytest.fixture
def api(sim: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=SIM_BASE_URL, transport=sim.transport(), headers=AUTH) as c:
        yield c


def test_sync_endpoints_and_async_reports_agree(api: httpx.Client, sim: Simulator) -> None:
    today = FROZEN_NOW.date()
    start, end = today - timedelta(days=13), today - timedelta(days=1)
    base = f"/ad_accounts/{DEMO_ACCOUNT_ID}"
    params = {"start_date": start.isoformat(), "end_date": end.isoformat(),
              "columns": ",".join(COLS)}
    account = api.get(f"{base}/analytics", params={**params, "granularity": "TOTAL"})
    assert account.status_code == 200, account.text
    (total,) = account.json()
    campaigns = api.get(f"{base}/campaigns/analytics", params={
        **params, "granularity": "DAY",
        "campaign_ids": ",".join(c.id for c in sim.world.campaigns(DEMO_ACCOUNT_ID))})
    assert campaigns.status_code == 200, campaigns.text
    for row in campaigns.json():
        check_row(row)
    check_row(total)

    report_total, report_days = finished_reports(api, sim, [
        {"start_date": start.isoformat(), "end_date": end.isoformat(), "granularity": g,
         "level": "ADVERTISER", "columns": COLS} for g in ("TOTAL", "DAY")])
    (only,) = [row for rows in report_total.values() for row in rows]
    assert {k: only[k] for k in COLS} == {k: total[k] for k in COLS}
    daily = [row for rows in report_days.values() for row in rows]
    assert sum(r["TOTAL_IMPRESSION"] for r in daily) == total["TOTAL_IMPRESSION"]
    assert max(r[REACH] for r in daily) <= total[REACH] < sum(r[REACH] for r in daily)
    sync_days = api.get(f"{base}/analytics", params={**params, "granularity": "DAY"}).json()
    assert [{k: r[k] for k in ("DATE", *COLS)} for r in sync_days] == \
        [{k: r[k] for k in ("DATE", *COLS)} for r in sorted(daily, key=lambda r: r["DATE"])]
