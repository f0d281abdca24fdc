"""known_ad_account_ids: the token's account list as last read, without a call."""

from __future__ import annotations

from pinterest_client import PinterestClient, ResponseCache
from pinterest_sim import DEMO_ACCOUNT_ID, FORBIDDEN_ACCOUNT_ID, SIM_BASE_URL, Simulator


def _client(sim: Simulator, token: str = "demo-token") -> PinterestClient:
    return PinterestClient(token, base_url=SIM_BASE_URL, transport=sim.transport(),
                           cache=ResponseCache())


def test_unknown_until_listed_then_the_listed_ids_with_no_call(sim: Simulator) -> None:
    client = _client(sim)
    assert client.known_ad_account_ids() is None
    assert sim.stats.total == 0
    listed = {a.id for a in client.list_ad_accounts().data}
    calls = sim.stats.total
    known = client.known_ad_account_ids()
    assert known == listed
    assert DEMO_ACCOUNT_ID in listed and FORBIDDEN_ACCOUNT_ID not in listed
    assert sim.stats.total == calls  # peeking costs nothing


def test_another_tokens_list_is_not_this_tokens(sim: Simulator) -> None:
    cache = ResponseCache()
    first = PinterestClient("demo-token", base_url=SIM_BASE_URL, transport=sim.transport(),
                            cache=cache)
    first.list_ad_accounts()
    other = PinterestClient("someone-else", base_url=SIM_BASE_URL, transport=sim.transport(),
                            cache=cache)
    assert other.known_ad_account_ids() is None
