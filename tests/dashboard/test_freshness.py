"""'Updated N ago' tells the age of the page's own numbers: parts kept for hours (a closed
comparison period, DMA names, the entity list, definitions) can mark a page stale, but do
not make numbers fetched seconds ago read as old."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from dashboard.filters import Filters
from dashboard.loaders import load_campaigns, load_overview, load_targeting
from pinterest_client import PinterestClient
from pinterest_client._cache import ResponseCache
from pinterest_sim import DEMO_ACCOUNT_ID, SIM_BASE_URL, Simulator
from tests.dashboard.support import FAST_RETRIES, NOW, TODAY

MINUTE = 60.0


class Clocks:
    """The cache's TTL clock and the wall clock, moved together by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


@pytest.fixture
def client(sim: Simulator, clocks: Clocks) -> PinterestClient:
    cache = ResponseCache(timer=clocks, wall=clocks)
    return PinterestClient("demo-token", base_url=SIM_BASE_URL, transport=sim.transport(),
                           cache=cache, now=lambda: NOW, config=FAST_RETRIES)


def _recent_vs_closed() -> Filters:
    """The last 7 days up to today (refetched each minute) against the 7 before (closed:
    kept for hours)."""
    return replace(Filters.default(TODAY).with_dates(TODAY - timedelta(days=6), TODAY),
                   compare=True)


def test_overview_age_is_the_current_periods_not_the_comparisons(
    client: PinterestClient, clocks: Clocks
) -> None:
    filters = _recent_vs_closed()
    load_overview(client, DEMO_ACCOUNT_ID, filters, TODAY)
    clocks.now += 15 * MINUTE  # today's numbers expired; yesterday's still cached
    data = load_overview(client, DEMO_ACCOUNT_ID, filters, TODAY)
    assert data.previous_kpis is not None
    assert data.freshness.age_s(clocks.now) == 0.0
    assert not data.freshness.stale


def test_a_stale_supporting_part_still_marks_the_page_stale(
    client: PinterestClient, clocks: Clocks, sim: Simulator
) -> None:
    filters = _recent_vs_closed()
    load_overview(client, DEMO_ACCOUNT_ID, filters, TODAY)
    clocks.now += 7 * 3600  # every TTL has passed
    sim.faults.update({"error_rate": 1.0})
    data = load_overview(client, DEMO_ACCOUNT_ID, filters, TODAY)
    assert data.freshness.stale
    assert data.freshness.age_s(clocks.now) == pytest.approx(7 * 3600)


def test_targeting_age_ignores_the_long_kept_dma_names(
    client: PinterestClient, clocks: Clocks
) -> None:
    load_targeting(client, DEMO_ACCOUNT_ID, Filters.default(TODAY), TODAY)  # names cached
    clocks.now += 17 * MINUTE
    other_range = Filters.default(TODAY).with_dates(TODAY - timedelta(days=40),
                                                    TODAY - timedelta(days=34))
    data = load_targeting(client, DEMO_ACCOUNT_ID, other_range, TODAY)  # never asked before
    assert data.freshness.age_s(clocks.now) == 0.0


def test_campaign_table_age_follows_its_metrics(client: PinterestClient, clocks: Clocks) -> None:
    filters = Filters.default(TODAY)
    load_campaigns(client, DEMO_ACCOUNT_ID, filters, TODAY)  # the campaign list, cached 5 min
    clocks.now += 2 * MINUTE
    data = load_campaigns(client, DEMO_ACCOUNT_ID, filters.with_dates(TODAY - timedelta(days=20),
                                                                      TODAY - timedelta(days=11)),
                          TODAY)
    assert data.freshness.age_s(clocks.now) == 0.0
