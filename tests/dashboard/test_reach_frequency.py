"""Reach and frequency on the Overview and in the campaign table: the period's own values (one
TOTAL row, never a sum of days), checked against the simulator's own TOTAL answers, and no
extra call for them."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from dashboard.filters import Filters
from dashboard.kpis import REACH, TOTAL_IMPRESSIONS, reach_of_row, reach_of_rows
from dashboard.loaders import load_campaigns, load_overview
from pinterest_client import PinterestClient
from pinterest_client._cache import ResponseCache
from pinterest_sim import SIM_BASE_URL, Simulator
from tests.dashboard.support import FAST_RETRIES, NOW, TODAY

FREQUENCY = "TOTAL_IMPRESSION_FREQUENCY"
TRUTH_COLUMNS = [TOTAL_IMPRESSIONS, REACH, FREQUENCY]


def _account(sim: Simulator) -> str:
    return sim.world.accounts[0].id


def _analytics_calls(sim: Simulator) -> int:
    return sum(n for path, n in sim.stats.by_path.items() if "analytics" in path)


def test_overview_reach_is_the_periods_own_total(sim: Simulator, client: PinterestClient
                                                ) -> None:
    account = _account(sim)
    filters = Filters(start=TODAY - timedelta(days=14), end=TODAY - timedelta(days=1),
                      compare=True)
    data = load_overview(client, account, filters, TODAY)
    (truth,) = sim.engine.rows(account, "AD_ACCOUNT", None, filters.start, filters.end,
                               "TOTAL", TRUTH_COLUMNS)
    assert data.reach is not None and data.reach_note is None
    assert data.reach.people == truth[REACH] > 0
    assert data.reach.people <= truth[TOTAL_IMPRESSIONS]
    assert data.reach.frequency == pytest.approx(truth[TOTAL_IMPRESSIONS] / truth[REACH])
    assert data.reach.frequency == pytest.approx(truth[FREQUENCY], rel=1e-3)
    # Not the sum of the days' reach: people seen on two days count once.
    days = sim.engine.rows(account, "AD_ACCOUNT", None, filters.start, filters.end, "DAY",
                           [REACH])
    assert data.reach.people < sum(d[REACH] for d in days)
    prev_start, prev_end = filters.previous_period()
    (before,) = sim.engine.rows(account, "AD_ACCOUNT", None, prev_start, prev_end, "TOTAL",
                                TRUTH_COLUMNS)
    assert data.previous_reach is not None and data.previous_reach.people == before[REACH]
    # Reach rides on the totals' own calls: totals, series, and the previous period's two.
    assert _analytics_calls(sim) == 4


def test_reach_is_left_out_when_the_range_takes_several_calls(sim: Simulator) -> None:
    # A client whose calls cover at most 31 days: a 45-day range is two calls, whose reaches
    # could only be summed (people in both would count twice), so there is none.
    client = PinterestClient("demo-token", base_url=SIM_BASE_URL, transport=sim.transport(),
                             cache=ResponseCache(), now=lambda: NOW,
                             config=replace(FAST_RETRIES, max_window_days=30))
    filters = Filters(start=TODAY - timedelta(days=45), end=TODAY - timedelta(days=1),
                      compare=False)
    data = load_overview(client, _account(sim), filters, TODAY)
    assert data.reach is None and data.reach_note and "shorten the range" in data.reach_note
    frame = load_campaigns(client, _account(sim), filters, TODAY).frame
    assert "reach" not in frame and frame["SPEND_IN_MICRO_DOLLAR"].sum() > 0
    client.close()


def test_campaign_table_has_each_campaigns_period_reach(sim: Simulator, client: PinterestClient
                                                       ) -> None:
    account = _account(sim)
    filters = Filters(start=TODAY - timedelta(days=10), end=TODAY - timedelta(days=1))
    frame = load_campaigns(client, account, filters, TODAY).frame
    truth = {str(r["CAMPAIGN_ID"]): r for r in sim.engine.rows(
        account, "CAMPAIGN", None, filters.start, filters.end, "TOTAL", TRUTH_COLUMNS)}
    checked = 0
    for row in frame.to_dict("records"):
        expected = truth.get(row["id"])
        if expected is None or not expected.get(TOTAL_IMPRESSIONS):
            assert row["reach"] == 0 and row["frequency"] != row["frequency"]  # NaN
            continue
        assert row["reach"] == expected[REACH] <= expected[TOTAL_IMPRESSIONS]
        assert row["frequency"] == pytest.approx(expected[TOTAL_IMPRESSIONS] / expected[REACH])
        checked += 1
    assert checked >= 2
    # The account's reach is less than the campaigns' reaches added up (they overlap).
    (whole,) = sim.engine.rows(account, "AD_ACCOUNT", None, filters.start, filters.end,
                               "TOTAL", [REACH])
    assert whole[REACH] <= frame["reach"].sum()


def test_reach_of_rows_reads_one_row_and_never_sums() -> None:
    assert reach_of_row(None).people == 0 and reach_of_row(None).frequency is None
    nobody = reach_of_row({TOTAL_IMPRESSIONS: 0})
    assert nobody.people == 0
    unknown = reach_of_row({TOTAL_IMPRESSIONS: 500})
    assert unknown.people is None and unknown.frequency is None
    known = reach_of_row({TOTAL_IMPRESSIONS: 500, REACH: 200})
    assert known.people == 200 and known.frequency == 2.5
    assert reach_of_rows([{REACH: 1}, {REACH: 2}]) is None
    assert reach_of_rows([]) == reach_of_row(None)
