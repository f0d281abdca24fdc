"""dashboard.loader_memo: a page's data built once per data version for every session of the
same token, against the simulator: reused only while every answer under it would be served
again as it was (fresh, same fetch, access still proven), never across tokens, never after a
failure or a stale copy, never for ranges that async reports serve."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from dashboard.filters import Filters
from dashboard.loader_memo import LoaderMemo
from dashboard.loaders import OverviewData, load_overview
from pinterest_client import PinterestClient
from pinterest_client._access import AccessProofs
from pinterest_client._cache import ResponseCache
from pinterest_sim import ANALYST_TOKEN, DEMO_ACCOUNT_ID, FINANCE_TOKEN, SIM_BASE_URL, Simulator
from tests.dashboard.support import FAST_RETRIES, NOW, TODAY

MINUTE = 60.0


class Clock:
    """The cache's TTL clock, its wall clock and the proofs' clock, moved together."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class Shared:
    """One process's cache and access proofs, as the app shares them between sessions."""

    def __init__(self, sim: Simulator, clock: Clock) -> None:
        self.sim = sim
        self.cache = ResponseCache(timer=clock, wall=clock)
        self.proofs = AccessProofs(timer=clock)

    def client(self, token: str = "demo-token") -> PinterestClient:
        return PinterestClient(token, base_url=SIM_BASE_URL, transport=self.sim.transport(),
                               cache=self.cache, access_proofs=self.proofs,
                               now=lambda: NOW, config=FAST_RETRIES)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def shared(sim: Simulator, clock: Clock) -> Shared:
    return Shared(sim, clock)


class CountedLoader:
    """load_overview, counting its runs (the memo keys on the loader's name)."""

    def __init__(self) -> None:
        self.runs = 0
        self.__module__ = load_overview.__module__
        self.__qualname__ = load_overview.__qualname__

    def __call__(self, client: PinterestClient, account_id: str, filters: Filters,
                 today: date) -> OverviewData:
        self.runs += 1
        return load_overview(client, account_id, filters, today)


def closed_week() -> Filters:
    """Seven closed days (cached for hours), against the seven before."""
    end = TODAY - timedelta(days=1)
    return replace(Filters.default(TODAY).with_dates(end - timedelta(days=6), end),
                   compare=True)


def until_today() -> Filters:
    return replace(Filters.default(TODAY).with_dates(TODAY - timedelta(days=6), TODAY),
                   compare=True)


def test_a_second_view_reuses_the_data_without_a_call_or_a_rebuild(shared: Shared) -> None:
    memo, loader, client = LoaderMemo(), CountedLoader(), shared.client()
    first = memo.load(loader, client, DEMO_ACCOUNT_ID, closed_week(), TODAY)
    calls = shared.sim.stats.total
    assert calls > 0
    # Another session of the same token (its own client object, the process's cache).
    again = memo.load(loader, shared.client(), DEMO_ACCOUNT_ID, closed_week(), TODAY)
    assert again is first
    assert (loader.runs, shared.sim.stats.total) == (1, calls)
    # Other filters are another request.
    other = replace(closed_week(), compare=False)
    memo.load(loader, client, DEMO_ACCOUNT_ID, other, TODAY)
    assert loader.runs == 2
    # The same numbers as a loader run with a cache of its own.
    alone = PinterestClient("demo-token", base_url=SIM_BASE_URL,
                            transport=shared.sim.transport(), cache=ResponseCache(),
                            now=lambda: NOW, config=FAST_RETRIES)
    assert load_overview(alone, DEMO_ACCOUNT_ID, closed_week(), TODAY).kpis == first.kpis


def test_the_data_lasts_as_long_as_the_answers_under_it(shared: Shared, clock: Clock) -> None:
    memo, loader, client = LoaderMemo(), CountedLoader(), shared.client()
    first = memo.load(loader, client, DEMO_ACCOUNT_ID, until_today(), TODAY)
    calls = shared.sim.stats.total
    clock.now += 15  # today's answers are still fresh
    assert memo.load(loader, client, DEMO_ACCOUNT_ID, until_today(), TODAY) is first
    clock.now += 5 * MINUTE  # today's have expired (the closed week's have not)
    fresh = memo.load(loader, client, DEMO_ACCOUNT_ID, until_today(), TODAY)
    assert fresh is not first
    assert loader.runs == 2
    assert shared.sim.stats.total > calls  # today's numbers asked again, as without the memo
    assert fresh.freshness.fetched_at == clock.now


def test_another_token_never_gets_anothers_result(shared: Shared) -> None:
    memo, loader = LoaderMemo(), CountedLoader()
    owned = memo.load(loader, shared.client(), DEMO_ACCOUNT_ID, closed_week(), TODAY)
    calls = shared.sim.stats.total
    analysts = memo.load(loader, shared.client(ANALYST_TOKEN), DEMO_ACCOUNT_ID,
                         closed_week(), TODAY)
    assert analysts is not owned and loader.runs == 2
    assert shared.sim.stats.total > calls  # the analyst's own proof, as without the memo
    assert analysts.kpis == owned.kpis
    # A finance manager (listed, no reporting role) gets Pinterest's refusal, not the data.
    with pytest.raises(Exception) as refused:
        memo.load(loader, shared.client(FINANCE_TOKEN), DEMO_ACCOUNT_ID, closed_week(), TODAY)
    assert "403" in str(refused.value) or "permission" in str(refused.value).lower()


def test_a_lapsed_proof_sends_the_loader_back_upstream(shared: Shared, clock: Clock) -> None:
    memo, loader, client = LoaderMemo(), CountedLoader(), shared.client()
    first = memo.load(loader, client, DEMO_ACCOUNT_ID, closed_week(), TODAY)
    calls = shared.sim.stats.total
    clock.now += shared.proofs.ttl_s + 1  # the answers are still cached; the proof is not
    again = memo.load(loader, client, DEMO_ACCOUNT_ID, closed_week(), TODAY)
    assert again is not first and loader.runs == 2
    assert shared.sim.stats.total > calls


def test_a_result_with_a_stale_copy_in_it_is_not_kept(shared: Shared, clock: Clock) -> None:
    memo, loader, client = LoaderMemo(), CountedLoader(), shared.client()
    memo.load(loader, client, DEMO_ACCOUNT_ID, closed_week(), TODAY)
    clock.now += 7 * 3600  # every TTL has passed
    shared.sim.faults.update({"error_rate": 1.0})
    stale = memo.load(loader, client, DEMO_ACCOUNT_ID, closed_week(), TODAY)
    assert stale.freshness.stale
    assert memo.stats.not_kept == 1
    shared.sim.faults.update({"error_rate": 0.0})
    calls = shared.sim.stats.total
    recovered = memo.load(loader, client, DEMO_ACCOUNT_ID, closed_week(), TODAY)
    assert not recovered.freshness.stale
    assert loader.runs == 3 and shared.sim.stats.total > calls


def test_ranges_served_by_async_reports_are_not_kept(shared: Shared) -> None:
    runs: list[Any] = []

    def loader(client: PinterestClient, account_id: str, filters: Filters,
               today: date) -> object:
        runs.append(filters)
        return object()

    memo = LoaderMemo()
    old = Filters.default(TODAY).with_dates(TODAY - timedelta(days=200),
                                            TODAY - timedelta(days=190))
    first = memo.load(loader, shared.client(), DEMO_ACCOUNT_ID, old, TODAY)
    assert memo.load(loader, shared.client(), DEMO_ACCOUNT_ID, old, TODAY) is not first
    assert len(runs) == 2 and len(memo) == 0


def test_memory_is_bounded_by_the_frames_kept(shared: Shared) -> None:
    import pandas as pd

    def loader(client: PinterestClient, rows: int) -> pd.DataFrame:
        client.list_ad_accounts()  # a cached answer under it
        return pd.DataFrame({"n": range(rows)})  # int64: 8 bytes a row (+ the index)

    memo, client = LoaderMemo(max_bytes=20_000), shared.client()
    small = memo.load(loader, client, 1_000)  # about 8 kB
    assert memo.load(loader, client, 1_000) is small and 8_000 <= memo.bytes <= 10_000
    memo.load(loader, client, 1_100)
    assert len(memo) == 2 and memo.bytes <= 20_000
    memo.load(loader, client, 1_200)  # over the bound: the least recently used goes
    assert len(memo) == 2 and memo.bytes <= 20_000
    assert memo.load(loader, client, 1_000) is not small
    huge = memo.load(loader, client, 10_000)  # alone over the bound: not kept
    assert memo.load(loader, client, 10_000) is not huge
    assert memo.stats.not_kept == 2 and memo.bytes <= 20_000
