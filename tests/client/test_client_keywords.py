"""`PinterestClient.list_keywords` against the simulator: every page read, the parent filters
and match types as Pinterest's spec defines them, bad input refused before any call."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pinterest_client import ClientConfig, PinterestClient, ValidationError
from pinterest_client._cache import ResponseCache
from pinterest_sim import SIM_BASE_URL, FrozenClock, SimConfig, Simulator
from pinterest_sim import keywords as sim_keywords
from tests.support import FROZEN_NOW, TOKEN, shared_world

SEED = 7


@pytest.fixture
def sim() -> Simulator:
    return Simulator(SimConfig(seed=SEED, token=TOKEN), clock=FrozenClock(FROZEN_NOW),
                     world=shared_world(SEED))


def _client(sim: Simulator, page_size: int = 250) -> PinterestClient:
    return PinterestClient(TOKEN, base_url=SIM_BASE_URL, transport=sim.transport(),
                           cache=ResponseCache(), now=lambda: FROZEN_NOW,
                           config=ClientConfig(page_size=page_size, max_retries=0))


@pytest.fixture
def client(sim: Simulator) -> Iterator[PinterestClient]:
    c = _client(sim)
    yield c
    c.close()


def _account_and_group(sim: Simulator) -> tuple[str, str]:
    world = shared_world(SEED)
    account = world.accounts[0].id
    return account, world.ad_groups(account)[0].id


def test_an_ad_groups_keywords_all_pages(sim: Simulator) -> None:
    account, group = _account_and_group(sim)
    expected = [k for k in sim_keywords.account_keywords(shared_world(SEED), account)
                if k.parent_id == group]
    assert len(expected) > 7
    client = _client(sim, page_size=7)  # several pages
    got = client.list_keywords(account, ad_group_id=group).data
    client.close()
    assert [(k.id, k.value, k.match_type) for k in got] == [
        (k.id, k.value, k.match_type) for k in expected]
    assert {k.parent_id for k in got} == {group}
    assert {k.parent_type for k in got} == {"ad_group"}
    assert not any(k.archived for k in got)


def test_default_filter_is_the_account_and_match_types_filter(
        sim: Simulator, client: PinterestClient) -> None:
    account, group = _account_and_group(sim)
    own = client.list_keywords(account).data
    assert own and {k.parent_id for k in own} == {account}
    assert all(k.match_type.endswith("_NEGATIVE") for k in own)
    exact = client.list_keywords(account, ad_group_id=group, match_types=["EXACT"]).data
    everything = client.list_keywords(account, ad_group_id=group).data
    assert [k.id for k in exact] == [k.id for k in everything if k.match_type == "EXACT"]


def test_cached_second_read(sim: Simulator, client: PinterestClient) -> None:
    account, group = _account_and_group(sim)
    client.list_keywords(account, ad_group_id=group)
    calls = client.stats().total_calls
    client.list_keywords(account, ad_group_id=group)
    assert client.stats().total_calls == calls


@pytest.mark.parametrize("kwargs", [
    {"ad_group_id": "12a"},
    {"campaign_id": "1", "ad_group_id": "2"},
    {"match_types": ["SIMILAR"]},
])
def test_bad_input_refused_before_any_call(sim: Simulator, client: PinterestClient,
                                           kwargs: dict[str, object]) -> None:
    account, _ = _account_and_group(sim)
    with pytest.raises(ValidationError):
        client.list_keywords(account, **kwargs)  # type: ignore[arg-type]
    assert client.stats().total_calls == 0
