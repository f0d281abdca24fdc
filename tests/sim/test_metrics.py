"""MetricsEngine: the numbers add up, move with the clock and stay fixed for closed days.

Every expectation is computed here from the engine's own rows (sums, ratios) or from the world,
never copied from the engine's code.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pinterest_sim.catalog import (
    ADDITIVE_COLUMNS,
    ASYNC_COLUMNS,
    ATTRIBUTE_COLUMNS,
    CONVERSION_COLUMNS,
    SERVED_ASYNC_COLUMNS,
    SERVED_SYNC_COLUMNS,
    SYNC_COLUMNS,
    TARGETING_TYPES_BY_LEVEL,
)
from pinterest_sim.clock import FrozenClock
from pinterest_sim.metric_definitions import delivery_metrics
from pinterest_sim.metrics import ID_COLUMN, Attribution, Level, MetricsEngine, _DayCache
from pinterest_sim.world import (
    DEMO_ACCOUNT_ID,
    EMPTY_ACCOUNT_ID,
    EUR_ACCOUNT_ID,
    JPY_ACCOUNT_ID,
    LARGE_ACCOUNT_ID,
    World,
)

NOW = datetime(2026, 11, 29, 15, 30, 0, tzinfo=UTC)  # a Sunday afternoon
TODAY = NOW.date()
LEVELS: tuple[Level, ...] = ("AD_ACCOUNT", "CAMPAIGN", "AD_GROUP", "AD")
ADDITIVE = sorted(ADDITIVE_COLUMNS)
CONVERSIONS = sorted(c for c in ADDITIVE_COLUMNS if c in CONVERSION_COLUMNS)
SPEC = json.loads((Path(__file__).resolve().parents[2] / "spec" / "openapi.json").read_text())


@pytest.fixture(scope="module")
def world() -> World:
    return World(7)


@pytest.fixture(scope="module")
def engine(world: World) -> MetricsEngine:
    return MetricsEngine(world, FrozenClock(NOW))


def totals_by_key(rows: list[dict[str, Any]], columns: list[str]) -> dict[tuple[Any, str], int]:
    """Sum each column per DATE over the rows (whatever entity they belong to)."""
    out: dict[tuple[Any, str], int] = defaultdict(int)
    for r in rows:
        for c in columns:
            out[(r.get("DATE"), c)] += r.get(c, 0)
    return {k: v for k, v in out.items() if v}


# ----- additivity ------------------------------------------------------------------------------

@pytest.mark.parametrize("account_id", [DEMO_ACCOUNT_ID, JPY_ACCOUNT_ID])
@pytest.mark.parametrize("granularity", ["TOTAL", "DAY", "WEEK", "MONTH", "HOUR"])
def test_account_equals_sum_of_campaigns_ad_groups_and_ads(
        engine: MetricsEngine, account_id: str, granularity: str) -> None:
    start = TODAY - timedelta(days=2 if granularity == "HOUR" else 60)
    columns = [c for c in ADDITIVE if granularity != "HOUR" or c not in CONVERSION_COLUMNS]
    per_level = {
        level: totals_by_key(engine.rows(account_id, level, None, start, TODAY, granularity,
                                         ADDITIVE), columns)
        for level in LEVELS
    }
    assert per_level["AD_ACCOUNT"], "the account delivered"
    for level in ("CAMPAIGN", "AD_GROUP", "AD"):
        assert per_level[level] == per_level["AD_ACCOUNT"], level


def test_total_equals_sum_of_days_equals_sum_of_hours(engine: MetricsEngine) -> None:
    start = TODAY - timedelta(days=2)
    columns = [c for c in ADDITIVE if c not in CONVERSION_COLUMNS]
    total = engine.rows(DEMO_ACCOUNT_ID, "CAMPAIGN", None, start, TODAY, "TOTAL", columns)
    days = engine.rows(DEMO_ACCOUNT_ID, "CAMPAIGN", None, start, TODAY, "DAY", columns)
    hours = engine.rows(DEMO_ACCOUNT_ID, "CAMPAIGN", None, start, TODAY, "HOUR", columns)

    def by_campaign(rows: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = defaultdict(int)
        for r in rows:
            for c in columns:
                out[(r["CAMPAIGN_ID"], c)] += r.get(c, 0)
        return dict(out)

    assert by_campaign(total) == by_campaign(days) == by_campaign(hours)


def test_entity_filter_returns_exactly_those_entities(engine: MetricsEngine,
                                                      world: World) -> None:
    picked = [c.id for c in world.campaigns(DEMO_ACCOUNT_ID)[:2]]
    rows = engine.rows(DEMO_ACCOUNT_ID, "CAMPAIGN", picked, TODAY - timedelta(days=7),
                       TODAY - timedelta(days=1), "DAY", ["SPEND_IN_MICRO_DOLLAR"])
    assert {r["CAMPAIGN_ID"] for r in rows} == set(picked)
    everything = engine.rows(DEMO_ACCOUNT_ID, "CAMPAIGN", None, TODAY - timedelta(days=7),
                             TODAY - timedelta(days=1), "DAY", ["SPEND_IN_MICRO_DOLLAR"])
    assert [r for r in everything if r["CAMPAIGN_ID"] in picked] == rows


# ----- plausibility ----------------------------------------------------------------------------

@pytest.mark.parametrize("level", LEVELS)
def test_impressions_at_least_clicks_at_least_conversions(engine: MetricsEngine,
                                                          level: Level) -> None:
    rows = engine.rows(DEMO_ACCOUNT_ID, level, None, TODAY - timedelta(days=30), TODAY, "DAY",
                       ADDITIVE)
    assert rows
    for r in rows:
        g = r.get
        assert g("PAID_IMPRESSION", 0) >= g("CLICKTHROUGH_1", 0) >= g("OUTBOUND_CLICK_1", 0)
        assert g("TOTAL_IMPRESSION", 0) >= g("TOTAL_CLICKTHROUGH", 0) >= \
            g("TOTAL_CONVERSIONS", 0)
        assert g("TOTAL_CONVERSIONS", 0) >= g("TOTAL_CHECKOUT", 0)
        assert g("TOTAL_CHECKOUT", 0) == g("TOTAL_CLICK_CHECKOUT", 0) + \
            g("TOTAL_VIEW_CHECKOUT", 0) + g("TOTAL_ENGAGEMENT_CHECKOUT", 0)
        assert g("TOTAL_IMPRESSION", 0) == g("IMPRESSION_1", 0) + g("IMPRESSION_2", 0)
        assert all(isinstance(g(c), int) for c in ADDITIVE if c in r)


@pytest.mark.parametrize(("account_id", "low", "high"), [
    (DEMO_ACCOUNT_ID, 4.0, 12.0), (EUR_ACCOUNT_ID, 3.0, 11.0), (JPY_ACCOUNT_ID, 600.0, 1500.0),
])
def test_spend_follows_cpm_in_the_account_currency(engine: MetricsEngine, account_id: str,
                                                   low: float, high: float) -> None:
    rows = engine.rows(account_id, "AD", None, TODAY - timedelta(days=30),
                       TODAY - timedelta(days=1), "DAY",
                       ["SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION", "CPM_IN_DOLLAR",
                        "SPEND_IN_DOLLAR"])
    checked = 0
    for r in rows:
        if r.get("PAID_IMPRESSION", 0) < 1000:
            continue  # rounding dominates tiny rows
        cpm = r["SPEND_IN_MICRO_DOLLAR"] / r["PAID_IMPRESSION"] * 1000 / 1e6
        assert low <= cpm <= high, r
        assert r["CPM_IN_DOLLAR"] == pytest.approx(cpm)
        assert r["SPEND_IN_DOLLAR"] == pytest.approx(r["SPEND_IN_MICRO_DOLLAR"] / 1e6)
        checked += 1
    assert checked > 100


def test_jpy_money_is_yen_sized(engine: MetricsEngine) -> None:
    usd = engine.rows(DEMO_ACCOUNT_ID, "AD_ACCOUNT", None, TODAY - timedelta(days=7),
                      TODAY - timedelta(days=1), "TOTAL",
                      ["SPEND_IN_MICRO_DOLLAR", "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR"])[0]
    jpy = engine.rows(JPY_ACCOUNT_ID, "AD_ACCOUNT", None, TODAY - timedelta(days=7),
                      TODAY - timedelta(days=1), "TOTAL",
                      ["SPEND_IN_MICRO_DOLLAR", "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR",
                       "CPC_IN_MICRO_DOLLAR"])[0]
    assert jpy["SPEND_IN_MICRO_DOLLAR"] > 30 * usd["SPEND_IN_MICRO_DOLLAR"]
    # A yen click costs tens to hundreds of yen.
    assert 10 <= jpy["CPC_IN_MICRO_DOLLAR"] / 1e6 <= 1000
    assert jpy["TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR"] / jpy["SPEND_IN_MICRO_DOLLAR"] < 20


def test_ratios_are_computed_from_the_sums(engine: MetricsEngine) -> None:
    cols = ["PAID_IMPRESSION", "CLICKTHROUGH_1", "SPEND_IN_MICRO_DOLLAR",
            "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR", "CTR", "CPC_IN_MICRO_DOLLAR",
            "CPM_IN_MICRO_DOLLAR", "CHECKOUT_ROAS", "ECTR", "TOTAL_IMPRESSION",
            "TOTAL_CLICKTHROUGH"]
    for r in engine.rows(DEMO_ACCOUNT_ID, "CAMPAIGN", None, TODAY - timedelta(days=14),
                         TODAY - timedelta(days=1), "TOTAL", cols):
        assert r["CTR"] == pytest.approx(r["CLICKTHROUGH_1"] / r["PAID_IMPRESSION"])
        assert r["ECTR"] == pytest.approx(r["TOTAL_CLICKTHROUGH"] / r["TOTAL_IMPRESSION"])
        assert r["CPC_IN_MICRO_DOLLAR"] == pytest.approx(
            r["SPEND_IN_MICRO_DOLLAR"] / r["CLICKTHROUGH_1"])
        assert r["CPM_IN_MICRO_DOLLAR"] == pytest.approx(
            r["SPEND_IN_MICRO_DOLLAR"] / r["PAID_IMPRESSION"] * 1000)
        if "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR" in r:
            assert r["CHECKOUT_ROAS"] == pytest.approx(
                r["TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR"] / r["SPEND_IN_MICRO_DOLLAR"])
        assert 0.002 <= r["CTR"] <= 0.025


def test_weekends_differ_from_weekdays(engine: MetricsEngine) -> None:
    rows = engine.rows(DEMO_ACCOUNT_ID, "AD_ACCOUNT", None, TODAY - timedelta(days=84),
                       TODAY - timedelta(days=1), "DAY", ["PAID_IMPRESSION"])
    by_weekday: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        by_weekday[date.fromisoformat(r["DATE"]).weekday()].append(r["PAID_IMPRESSION"])
    mean = {d: sum(v) / len(v) for d, v in by_weekday.items()}
    assert len(mean) == 7
    assert mean[5] < 0.92 * min(mean[d] for d in range(5))  # Saturday is the quiet day


def test_paused_and_archived_entities_do_not_deliver(engine: MetricsEngine,
                                                     world: World) -> None:
    # The world lives (statuses change over time): each day, the campaigns that were not
    # ACTIVE at 00:00 UTC have no delivery that day; the ACTIVE ones mostly do.
    for back in range(8):
        day = TODAY - timedelta(days=back)
        at_start = world.at(datetime(day.year, day.month, day.day, tzinfo=UTC))
        campaigns = at_start.campaigns(LARGE_ACCOUNT_ID)
        idle = sorted(c.id for c in campaigns if c.status != "ACTIVE")
        assert idle
        assert engine.rows(LARGE_ACCOUNT_ID, "CAMPAIGN", idle[:250], day, day, "DAY",
                           ["SPEND_IN_MICRO_DOLLAR"]) == [], day
        live = [c.id for c in campaigns if c.status == "ACTIVE"][:250]
        rows = engine.rows(LARGE_ACCOUNT_ID, "CAMPAIGN", live, day, day, "DAY",
                           ["SPEND_IN_MICRO_DOLLAR"])
        assert len(rows) > 0.5 * len(live), day


def test_empty_account_has_no_rows(engine: MetricsEngine) -> None:
    for level in LEVELS:
        assert engine.rows(EMPTY_ACCOUNT_ID, level, None, TODAY - timedelta(days=30), TODAY,
                           "DAY", ADDITIVE) == []


# ----- rows' shape -----------------------------------------------------------------------------

def test_row_keys_and_date_labels(engine: MetricsEngine) -> None:
    cols = ["SPEND_IN_MICRO_DOLLAR", "CAMPAIGN_NAME", "AD_GROUP_NAME", "TOTAL_CONVERSIONS",
            "NOT_A_SERVED_COLUMN_BUT_VALID"]
    start = date(2026, 10, 15)  # a Thursday, mid month
    week = engine.rows(DEMO_ACCOUNT_ID, "AD_GROUP", None, start, TODAY - timedelta(days=1),
                       "WEEK", cols)
    assert {date.fromisoformat(r["DATE"]).weekday() for r in week} == {0}
    month = engine.rows(DEMO_ACCOUNT_ID, "AD_GROUP", None, start, TODAY - timedelta(days=1),
                        "MONTH", cols)
    assert {r["DATE"] for r in month} == {"2026-10-01", "2026-11-01"}
    total = engine.rows(DEMO_ACCOUNT_ID, "AD_GROUP", None, start, TODAY, "TOTAL", cols)
    for r in total:
        assert "DATE" not in r
        assert r["AD_GROUP_ID"].isdigit()
        assert r["CAMPAIGN_NAME"] and r["AD_GROUP_NAME"]
        assert "NOT_A_SERVED_COLUMN_BUT_VALID" not in r
    hours = engine.rows(DEMO_ACCOUNT_ID, "AD", None, TODAY - timedelta(days=1), TODAY, "HOUR",
                        cols)
    assert hours
    for r in hours:
        assert len(r["DATE"]) == 19 and r["DATE"].endswith(":00:00")
        assert not set(r) & CONVERSION_COLUMNS
        assert r["DATE"] <= f"{TODAY.isoformat()} {NOW.hour:02d}:00:00"
    assert set(ID_COLUMN.values()) <= ATTRIBUTE_COLUMNS


def test_future_days_have_no_rows(engine: MetricsEngine) -> None:
    rows = engine.rows(DEMO_ACCOUNT_ID, "AD_ACCOUNT", None, TODAY + timedelta(days=1),
                       TODAY + timedelta(days=5), "DAY", ["SPEND_IN_MICRO_DOLLAR"])
    assert rows == []


# ----- time ------------------------------------------------------------------------------------

def test_determinism_and_day_independent_of_range(world: World) -> None:
    a = MetricsEngine(world, FrozenClock(NOW))
    b = MetricsEngine(World(7), FrozenClock(NOW))
    # Each engine its own empty day cache: the range (whose days are generated in parallel)
    # and the lone days are really computed twice, not read from the process-wide cache.
    a._days, b._days = _DayCache(10**9), _DayCache(10**9)
    day = TODAY - timedelta(days=20)
    in_range = b.rows(DEMO_ACCOUNT_ID, "AD", None, day - timedelta(days=10),
                      day + timedelta(days=5), "DAY", ADDITIVE)
    for lone_day in (day - timedelta(days=10), day, day + timedelta(days=5)):
        alone = a.rows(DEMO_ACCOUNT_ID, "AD", None, lone_day, lone_day, "DAY", ADDITIVE)
        assert alone and alone == [r for r in in_range if r["DATE"] == lone_day.isoformat()]
    other_seed = MetricsEngine(World(8), FrozenClock(NOW))
    assert other_seed.rows(DEMO_ACCOUNT_ID, "AD_ACCOUNT", None, day, day, "DAY", ADDITIVE) != \
        a.rows(DEMO_ACCOUNT_ID, "AD_ACCOUNT", None, day, day, "DAY", ADDITIVE)


def test_today_grows_with_the_clock_and_closed_days_never_change(world: World) -> None:
    clock = FrozenClock(datetime(2026, 11, 29, 9, 0, 0, tzinfo=UTC))
    engine = MetricsEngine(world, clock)
    cols = ["SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION", "TOTAL_CLICKTHROUGH"]

    def today_and_yesterday() -> tuple[dict[str, Any], dict[str, Any]]:
        rows = engine.rows(DEMO_ACCOUNT_ID, "AD_ACCOUNT", None, date(2026, 11, 28),
                           date(2026, 11, 29), "DAY", cols)
        return rows[1], rows[0]

    today0, yesterday0 = today_and_yesterday()
    spends = [today0["SPEND_IN_MICRO_DOLLAR"]]
    for _ in range(5):
        clock.advance(30)
        today, yesterday = today_and_yesterday()
        assert yesterday == yesterday0
        spends.append(today["SPEND_IN_MICRO_DOLLAR"])
    assert all(b > a for a, b in itertools.pairwise(spends))
    # By the end of the day "today" reaches the full day; the next day it is closed and fixed.
    clock.set(datetime(2026, 11, 29, 23, 59, 59, tzinfo=UTC))
    late = today_and_yesterday()[0]
    clock.set(datetime(2026, 11, 30, 0, 0, 1, tzinfo=UTC))
    closed = today_and_yesterday()[0]
    assert late["SPEND_IN_MICRO_DOLLAR"] <= closed["SPEND_IN_MICRO_DOLLAR"]
    assert closed["SPEND_IN_MICRO_DOLLAR"] < 1.01 * late["SPEND_IN_MICRO_DOLLAR"]
    clock.advance(86400 * 3)
    assert today_and_yesterday()[0] == closed


def test_attribution_windows_are_monotone(engine: MetricsEngine) -> None:
    start, end = TODAY - timedelta(days=30), TODAY - timedelta(days=1)

    def conversions(**windows: int) -> list[dict[str, Any]]:
        return engine.rows(DEMO_ACCOUNT_ID, "AD", None, start, end, "TOTAL", CONVERSIONS,
                           Attribution(**windows))  # type: ignore[arg-type]

    for key in ("click_window_days", "engagement_window_days", "view_window_days"):
        previous: dict[str, dict[str, Any]] | None = None
        for days in (0, 1, 7, 14, 30, 60):
            now = {r["AD_ID"]: r for r in conversions(**{key: days})}
            if previous is not None:
                for ad_id, row in now.items():
                    for c in ("TOTAL_CONVERSIONS", "TOTAL_CHECKOUT", "TOTAL_SIGNUP"):
                        assert previous.get(ad_id, {}).get(c, 0) <= row.get(c, 0)
            previous = now
    one_day = totals_by_key(conversions(click_window_days=1), CONVERSIONS)
    thirty = totals_by_key(conversions(click_window_days=30), CONVERSIONS)
    assert one_day[(None, "TOTAL_CONVERSIONS")] < 0.9 * thirty[(None, "TOTAL_CONVERSIONS")]


def test_time_of_conversion_moves_conversions_later(engine: MetricsEngine) -> None:
    start, end = TODAY - timedelta(days=40), TODAY - timedelta(days=10)
    by_action = engine.rows(DEMO_ACCOUNT_ID, "AD_ACCOUNT", None, start, end, "DAY",
                            ["TOTAL_CONVERSIONS", "PAID_IMPRESSION"])
    by_conversion = engine.rows(DEMO_ACCOUNT_ID, "AD_ACCOUNT", None, start, end, "DAY",
                                ["TOTAL_CONVERSIONS", "PAID_IMPRESSION"],
                                Attribution(conversion_report_time="TIME_OF_CONVERSION"))
    assert [r["PAID_IMPRESSION"] for r in by_action] == \
        [r["PAID_IMPRESSION"] for r in by_conversion]
    assert [r["TOTAL_CONVERSIONS"] for r in by_action] != \
        [r["TOTAL_CONVERSIONS"] for r in by_conversion]
    # Conversions are moved, not made: over a month the totals differ by at most the few days
    # at the edges.
    total_a = sum(r["TOTAL_CONVERSIONS"] for r in by_action)
    total_c = sum(r["TOTAL_CONVERSIONS"] for r in by_conversion)
    edge = sum(r["TOTAL_CONVERSIONS"] for r in by_action[-5:])
    assert abs(total_a - total_c) <= edge


def test_metrics_ready_state(engine: MetricsEngine) -> None:
    assert engine.metrics_ready_state(TODAY) == {
        "conversion_metrics_ready": False, "non_conversion_metrics_ready": False}
    assert engine.metrics_ready_state(TODAY - timedelta(days=1)) == {
        "conversion_metrics_ready": False, "non_conversion_metrics_ready": True}
    assert engine.metrics_ready_state(TODAY - timedelta(days=10)) == {
        "conversion_metrics_ready": True, "non_conversion_metrics_ready": True}
    assert engine.metrics_ready_state(TODAY + timedelta(days=1))["non_conversion_metrics_ready"] \
        is False


# ----- targeting -------------------------------------------------------------------------------

@pytest.mark.parametrize("level", LEVELS)
def test_targeting_breakdowns_sum_to_the_total(engine: MetricsEngine, level: Level) -> None:
    start, end = TODAY - timedelta(days=10), TODAY
    types = [t for t in TARGETING_TYPES_BY_LEVEL[level]]
    id_col = ID_COLUMN[level]
    base = engine.rows(DEMO_ACCOUNT_ID, level, None, start, end, "DAY", ADDITIVE)
    expected = {(r[id_col], r["DATE"], c): r[c] for r in base for c in ADDITIVE if c in r}
    rows = engine.targeting_rows(DEMO_ACCOUNT_ID, level, None, types, start, end, "DAY",
                                 ADDITIVE)
    served = {r["targeting_type"] for r in rows}
    assert {"AGE_BUCKET", "GENDER", "APPTYPE", "LOCATION", "COUNTRY", "REGION", "GEO",
            "PLACEMENT", "KEYWORD", "TARGETED_INTEREST", "AGE_BUCKET_AND_GENDER"} <= served
    for ttype in served:
        sums: dict[tuple[str, str, str], int] = defaultdict(int)
        for r in rows:
            if r["targeting_type"] == ttype:
                m = r["metrics"]
                for c in ADDITIVE:
                    sums[(m[id_col], m["DATE"], c)] += m.get(c, 0)
        assert {k: v for k, v in sums.items() if v} == expected, ttype
    for r in rows:  # every segment keeps the funnel, however small its counts
        assert_funnel(r["metrics"])


def assert_funnel(m: dict[str, Any]) -> None:
    g = m.get
    assert g("PAID_IMPRESSION", 0) >= g("CLICKTHROUGH_1", 0) >= g("OUTBOUND_CLICK_1", 0), m
    assert g("IMPRESSION_2", 0) >= g("CLICKTHROUGH_2", 0) >= g("OUTBOUND_CLICK_2", 0), m
    assert g("TOTAL_IMPRESSION", 0) >= g("TOTAL_CLICKTHROUGH", 0), m
    assert g("CLICKTHROUGH_1", 0) >= g("TOTAL_CONVERSIONS", 0) >= g("TOTAL_CHECKOUT", 0), m


def test_targeting_segments_keep_the_funnel_on_small_counts(engine: MetricsEngine) -> None:
    # One campaign-day split over ~200 DMAs: many segments hold a click or two, where tilted
    # CTRs and conversion rates used to put more clicks than impressions, or more conversions
    # than clicks, into a segment.
    start, end = TODAY - timedelta(days=30), TODAY - timedelta(days=1)
    types = ["LOCATION", "REGION", "KEYWORD", "PINNER_INTEREST", "AGE_BUCKET_AND_GENDER"]
    rows = engine.targeting_rows(DEMO_ACCOUNT_ID, "CAMPAIGN", None, types, start, end, "DAY",
                                 ADDITIVE)
    small = [r for r in rows if 0 < r["metrics"].get("TOTAL_CLICKTHROUGH", 0) <= 2]
    assert len(small) >= 1000  # the case in question is well represented
    for r in rows:
        assert_funnel(r["metrics"])


def test_hourly_targeting_sums_to_the_hourly_rows(engine: MetricsEngine) -> None:
    # HOUR: the values of a type sum, per ad group and hour, to the ad group's hourly rows,
    # whose 24 hours sum to its DAY row (conversions are not reported per hour).
    start = TODAY - timedelta(days=1)
    cols = sorted(c for c in ADDITIVE if c not in CONVERSION_COLUMNS)
    hourly = engine.rows(DEMO_ACCOUNT_ID, "AD_GROUP", None, start, TODAY, "HOUR", cols)
    daily = engine.rows(DEMO_ACCOUNT_ID, "AD_GROUP", None, start, start, "DAY", cols)
    expected = {(r["AD_GROUP_ID"], r["DATE"], c): r[c] for r in hourly for c in cols if r.get(c)}
    by_day: dict[tuple[str, str, str], int] = defaultdict(int)
    for (ad_group, label, c), v in expected.items():
        by_day[(ad_group, label[:10], c)] += v
    assert {k: v for k, v in by_day.items() if k[1] == start.isoformat()} == \
        {(r["AD_GROUP_ID"], r["DATE"], c): r[c] for r in daily for c in cols if r.get(c)}
    rows = engine.targeting_rows(DEMO_ACCOUNT_ID, "AD_GROUP", None, ["AGE_BUCKET", "APPTYPE"],
                                 start, TODAY, "HOUR", cols)
    hours_today = {r["metrics"]["DATE"] for r in rows if r["metrics"]["DATE"] >= TODAY.isoformat()}
    assert max(hours_today) == f"{TODAY.isoformat()} {NOW.hour:02d}:00:00"
    for ttype in ("AGE_BUCKET", "APPTYPE"):
        sums: dict[tuple[str, str, str], int] = defaultdict(int)
        for r in rows:
            if r["targeting_type"] == ttype:
                m = r["metrics"]
                assert len(m["DATE"]) == 19 and not set(m) & CONVERSION_COLUMNS, m
                for c in cols:
                    sums[(m["AD_GROUP_ID"], m["DATE"], c)] += m.get(c, 0)
        assert {k: v for k, v in sums.items() if v} == expected, ttype


def test_targeting_account_equals_sum_of_campaigns(engine: MetricsEngine) -> None:
    start, end = TODAY - timedelta(days=14), TODAY - timedelta(days=1)
    cols = ["SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION", "TOTAL_CONVERSIONS"]
    account = engine.targeting_rows(DEMO_ACCOUNT_ID, "AD_ACCOUNT", None, ["LOCATION"], start,
                                    end, "TOTAL", cols)
    campaigns = engine.targeting_rows(DEMO_ACCOUNT_ID, "CAMPAIGN", None, ["LOCATION"], start,
                                      end, "TOTAL", cols)
    summed: dict[tuple[Any, str], int] = defaultdict(int)
    for r in campaigns:
        for c in cols:
            summed[(r["targeting_value"], c)] += r["metrics"].get(c, 0)
    direct = {(r["targeting_value"], c): r["metrics"].get(c, 0) for r in account for c in cols}
    assert {k: v for k, v in summed.items() if v} == {k: v for k, v in direct.items() if v}


def test_location_values_are_dma_codes_with_big_metros_first(engine: MetricsEngine) -> None:
    rows = engine.targeting_rows(DEMO_ACCOUNT_ID, "AD_ACCOUNT", None, ["LOCATION"],
                                 TODAY - timedelta(days=30), TODAY - timedelta(days=1), "TOTAL",
                                 ["PAID_IMPRESSION"])
    impressions = {r["targeting_value"]: r["metrics"]["PAID_IMPRESSION"] for r in rows}
    assert len(impressions) >= 50
    assert all(code.isdigit() for code in impressions)
    assert impressions["501"] > 5 * impressions["811"]  # New York outdraws Reno
    top = sorted(impressions, key=lambda k: -impressions[k])[:5]
    assert "501" in top and "803" in top


def test_targeting_of_non_us_account_uses_its_regions(engine: MetricsEngine) -> None:
    rows = engine.targeting_rows(EUR_ACCOUNT_ID, "AD_ACCOUNT", None, ["REGION", "COUNTRY"],
                                 TODAY - timedelta(days=7), TODAY - timedelta(days=1), "TOTAL",
                                 ["PAID_IMPRESSION"])
    regions = {r["targeting_value"] for r in rows if r["targeting_type"] == "REGION"}
    assert regions and all(v.startswith("DE-") for v in regions)
    countries = {r["targeting_value"]: r["metrics"]["PAID_IMPRESSION"] for r in rows
                 if r["targeting_type"] == "COUNTRY"}
    assert max(countries, key=lambda k: countries[k]) == "DE"


# ----- resources -------------------------------------------------------------------------------

def test_delivery_metrics_cover_every_served_sync_column() -> None:
    items = delivery_metrics()
    names = {i["name"] for i in items}
    assert names == set(SERVED_SYNC_COLUMNS) | set(SERVED_ASYNC_COLUMNS)
    assert set(SERVED_SYNC_COLUMNS) <= set(SYNC_COLUMNS)
    assert names <= set(SYNC_COLUMNS) | set(ASYNC_COLUMNS)
    for item in items:
        assert item["category"] == "ADS"
        assert len(item["definition"]) > 10 and item["display_name"]


def _schema(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}", "components": SPEC["components"]}


@pytest.mark.parametrize("insight_type", ["YOUR_TOTAL_AUDIENCE", "YOUR_ENGAGED_AUDIENCE",
                                          "PINTEREST_TOTAL_AUDIENCE"])
def test_audience_insights(engine: MetricsEngine, insight_type: str) -> None:
    body = engine.audience_insights(DEMO_ACCOUNT_ID, insight_type)
    jsonschema.validate(body, _schema("AudienceInsightsResponse"))
    assert body["type"] == insight_type and body["size"] > 0
    assert body["categories"] and all(c["subcategories"] for c in body["categories"])
    for values in body["demographics"].values():
        assert values
        assert sum(v["ratio"] for v in values) == pytest.approx(1.0, abs=0.02) or \
            len(values) == 20  # metros: the top 20 only
    if insight_type == "PINTEREST_TOTAL_AUDIENCE":
        assert body["size_is_upper_bound"] is False
        assert all(c["index"] == 1.0 for c in body["categories"])


def test_audience_sizes_are_consistent(engine: MetricsEngine) -> None:
    total = engine.audience_insights(DEMO_ACCOUNT_ID, "YOUR_TOTAL_AUDIENCE")["size"]
    engaged = engine.audience_insights(DEMO_ACCOUNT_ID, "YOUR_ENGAGED_AUDIENCE")["size"]
    pinterest = engine.audience_insights(DEMO_ACCOUNT_ID, "PINTEREST_TOTAL_AUDIENCE")["size"]
    assert engaged < total < pinterest
    empty = engine.audience_insights(EMPTY_ACCOUNT_ID, "YOUR_TOTAL_AUDIENCE")
    assert empty["size"] == 0 and empty["categories"] == []
    scopes = engine.audience_scopes(DEMO_ACCOUNT_ID)
    jsonschema.validate(scopes, _schema("AudienceDefinitionResponse"))
    assert {i["scope"] for i in scopes["items"]} == {"PARTNER", "PINTEREST"}


# ----- scale and threads -----------------------------------------------------------------------

def test_large_account_campaign_rows_for_90_days(engine: MetricsEngine, world: World) -> None:
    start = TODAY - timedelta(days=89)
    rows = engine.rows(LARGE_ACCOUNT_ID, "CAMPAIGN", None, start, TODAY, "DAY",
                       ["SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION", "CTR", "CAMPAIGN_NAME"])
    # Campaigns pause and resume over the 90 days (the living world): a campaign delivers on a
    # day only if it was ACTIVE at 00:00 UTC that day; archived ones never.
    active_on: dict[str, set[str]] = {}
    for r in rows:
        day = date.fromisoformat(r["DATE"])
        if r["DATE"] not in active_on:
            at = world.at(datetime(day.year, day.month, day.day, tzinfo=UTC))
            active_on[r["DATE"]] = {c.id for c in at.campaigns(LARGE_ACCOUNT_ID)
                                    if c.status == "ACTIVE"}
        assert r["CAMPAIGN_ID"] in active_on[r["DATE"]], r
    archived = {c.id for c in world.campaigns(LARGE_ACCOUNT_ID) if c.status == "ARCHIVED"}
    delivering = {r["CAMPAIGN_ID"] for r in rows}
    assert len(delivering) >= 300 and not delivering & archived
    assert len(rows) >= 300 * 90
    account = engine.rows(LARGE_ACCOUNT_ID, "AD_ACCOUNT", None, start, TODAY, "TOTAL",
                          ["SPEND_IN_MICRO_DOLLAR"])[0]
    assert sum(r["SPEND_IN_MICRO_DOLLAR"] for r in rows) == account["SPEND_IN_MICRO_DOLLAR"]


def test_many_threads_get_the_same_rows(world: World) -> None:
    engine = MetricsEngine(world, FrozenClock(NOW))
    serial = MetricsEngine(world, FrozenClock(NOW)).rows(
        DEMO_ACCOUNT_ID, "AD", None, TODAY - timedelta(days=20), TODAY, "DAY", ADDITIVE)
    results: list[list[dict[str, Any]]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(engine.rows(DEMO_ACCOUNT_ID, "AD", None, TODAY - timedelta(days=20),
                                       TODAY, "DAY", ADDITIVE))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 8 and all(r == serial for r in results)


def test_segments_perform_differently(engine: MetricsEngine) -> None:
    cols = ["PAID_IMPRESSION", "CLICKTHROUGH_1", "TOTAL_CONVERSIONS"]
    rows = engine.targeting_rows(DEMO_ACCOUNT_ID, "AD_ACCOUNT", None, ["PLACEMENT", "AGE_BUCKET"],
                                 TODAY - timedelta(days=28), TODAY - timedelta(days=1), "TOTAL",
                                 cols)
    m = {(r["targeting_type"], r["targeting_value"]): r["metrics"] for r in rows}
    ctr = {k: v["CLICKTHROUGH_1"] / v["PAID_IMPRESSION"] for k, v in m.items()}
    assert ctr[("PLACEMENT", "SEARCH")] > 1.2 * ctr[("PLACEMENT", "BROWSE")]
    cvr = {k: v["TOTAL_CONVERSIONS"] / v["CLICKTHROUGH_1"] for k, v in m.items()
           if k[0] == "AGE_BUCKET"}
    assert max(cvr.values()) > 1.3 * min(cvr.values())


def test_targeting_rows_do_not_depend_on_selection_or_range(engine: MetricsEngine,
                                                             world: World) -> None:
    start, end = TODAY - timedelta(days=9), TODAY - timedelta(days=1)
    cols = ["SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION", "TOTAL_CONVERSIONS"]
    one = world.campaigns(DEMO_ACCOUNT_ID)[1].id
    alone = engine.targeting_rows(DEMO_ACCOUNT_ID, "CAMPAIGN", [one], ["AGE_BUCKET"], start, end,
                                  "DAY", cols)
    everyone = engine.targeting_rows(DEMO_ACCOUNT_ID, "CAMPAIGN", None, ["AGE_BUCKET"], start,
                                     end, "DAY", cols)
    assert alone and alone == [r for r in everyone if r["metrics"]["CAMPAIGN_ID"] == one]
    total = engine.targeting_rows(DEMO_ACCOUNT_ID, "CAMPAIGN", [one], ["AGE_BUCKET"], start,
                                  end, "TOTAL", cols)
    summed: dict[tuple[str, str], int] = defaultdict(int)
    for r in alone:
        for c in cols:
            summed[(r["targeting_value"], c)] += r["metrics"].get(c, 0)
    assert {(r["targeting_value"], c): r["metrics"].get(c, 0) for r in total for c in cols} == \
        dict(summed)


def test_campaigns_stop_delivering_at_their_end_time(world: World) -> None:
    engine = MetricsEngine(world, FrozenClock(datetime(2027, 3, 1, 12, tzinfo=UTC)))
    ending = [c for c in world.campaigns(LARGE_ACCOUNT_ID)
              if c.status == "ACTIVE" and c.end_time is not None]
    assert ending
    last_day = datetime.fromtimestamp(ending[0].end_time or 0, UTC).date()
    ids = [c.id for c in ending]
    before = engine.rows(LARGE_ACCOUNT_ID, "CAMPAIGN", ids, last_day - timedelta(days=1),
                         last_day, "TOTAL", ["PAID_IMPRESSION"])
    after = engine.rows(LARGE_ACCOUNT_ID, "CAMPAIGN", ids, last_day + timedelta(days=1),
                        last_day + timedelta(days=2), "TOTAL", ["PAID_IMPRESSION"])
    assert before and after == []
