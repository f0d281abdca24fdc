"""The sharing rule (docs/architecture.md, "Who sees what"): an ad account's data fetched by
one person is served to another only after Pinterest let that other person's own token read
the same account and kind of data, recently. Checked both ways against the simulator's people
(pinterest_sim/users.py): the owner and an analyst share, a finance manager (listed, but no
reporting: 403 code 29) and a stranger get nothing, not even a stale copy or a call in flight.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from pinterest_client import ClientConfig, ForbiddenError, PinterestClient, PinterestError
from pinterest_client._access import AccessProofs
from pinterest_client._cache import ResponseCache
from pinterest_sim import (
    AGENCY_TOKEN,
    ANALYST_TOKEN,
    DEMO_ACCOUNT_ID,
    FINANCE_TOKEN,
    SIM_BASE_URL,
    Simulator,
)

OWNER_TOKEN = "demo-token"
COLUMNS = ["SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION"]
NO_RETRY = ClientConfig(max_retries=0)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def shared(clock: Clock) -> tuple[ResponseCache, AccessProofs]:
    return ResponseCache(timer=clock), AccessProofs(timer=clock)


def _client(sim: Simulator, token: str, shared: tuple[ResponseCache, AccessProofs]
            ) -> PinterestClient:
    cache, proofs = shared
    return PinterestClient(token, base_url=SIM_BASE_URL, transport=sim.transport(),
                           cache=cache, access_proofs=proofs, config=NO_RETRY)


def _week(sim: Simulator, days: int = 7) -> dict[str, Any]:
    end = sim.clock.now().date() - timedelta(days=1)
    return {"start_date": end - timedelta(days=days - 1), "end_date": end, "columns": COLUMNS,
            "granularity": "DAY"}


def _rows(client: PinterestClient, query: dict[str, Any]) -> list[dict[str, Any]]:
    return client.analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT", **query).data


def test_people_who_may_read_an_account_share_its_answers(
    sim: Simulator, shared: tuple[ResponseCache, AccessProofs]
) -> None:
    owner, analyst = _client(sim, OWNER_TOKEN, shared), _client(sim, ANALYST_TOKEN, shared)
    week, month = _week(sim), _week(sim, 30)
    owned = _rows(owner, week), _rows(owner, month)
    calls = sim.stats.total
    # The analyst's first request goes to Pinterest with the analyst's own token (the proof) ...
    assert _rows(analyst, week) == owned[0]
    assert sim.stats.total == calls + 1
    # ... and from then on the owner's answers of the same kind are the analyst's too.
    assert _rows(analyst, month) == owned[1]
    assert _rows(analyst, week) == owned[0]
    assert sim.stats.total == calls + 1


@pytest.mark.parametrize("token", [FINANCE_TOKEN, AGENCY_TOKEN])
def test_a_person_pinterest_refuses_gets_nothing_shared(
    sim: Simulator, shared: tuple[ResponseCache, AccessProofs], token: str
) -> None:
    owner, other = _client(sim, OWNER_TOKEN, shared), _client(sim, token, shared)
    week = _week(sim)
    assert _rows(owner, week)
    calls = sim.stats.total
    with pytest.raises(PinterestError) as refused:
        _rows(other, week)
    assert isinstance(refused.value, ForbiddenError) or "not found" in str(refused.value).lower()
    assert sim.stats.total == calls + 1  # asked Pinterest with its own token, was refused
    # Asking again is refused again: a refusal proves nothing.
    with pytest.raises(PinterestError):
        _rows(other, week)


def test_no_stale_copy_for_a_person_who_never_proved_access(
    sim: Simulator, shared: tuple[ResponseCache, AccessProofs], clock: Clock
) -> None:
    owner, finance = _client(sim, OWNER_TOKEN, shared), _client(sim, FINANCE_TOKEN, shared)
    week = _week(sim)
    good = _rows(owner, week)
    clock.now += 24 * 3600 - 60  # every fresh copy has expired; stale copies are kept a day
    sim.faults.error_rate = 1.0
    stale = owner.analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT", **week)
    assert stale.stale and stale.data == good  # the owner proved access: last good copy
    with pytest.raises(PinterestError):
        _rows(finance, week)


def test_a_proof_expires_and_is_asked_for_again(
    sim: Simulator, shared: tuple[ResponseCache, AccessProofs], clock: Clock
) -> None:
    owner, analyst = _client(sim, OWNER_TOKEN, shared), _client(sim, ANALYST_TOKEN, shared)
    week, month = _week(sim), _week(sim, 30)
    _rows(owner, week)
    _rows(analyst, week)
    clock.now += shared[1].ttl_s + 1
    _rows(owner, month)  # fresh in the cache, fetched by the owner
    calls = sim.stats.total
    _rows(analyst, month)  # the analyst's proof is old: Pinterest is asked again
    assert sim.stats.total == calls + 1


def test_a_refused_person_never_joins_a_call_in_flight(
    sim: Simulator, shared: tuple[ResponseCache, AccessProofs]
) -> None:
    owner, finance = _client(sim, OWNER_TOKEN, shared), _client(sim, FINANCE_TOKEN, shared)
    week = _week(sim)
    sim.faults.latency = 0.5
    results: dict[str, object] = {}

    def ask(name: str, client: PinterestClient) -> None:
        try:
            results[name] = _rows(client, week)
        except PinterestError as exc:
            results[name] = exc

    threads = [threading.Thread(target=ask, args=("owner", owner)),
               threading.Thread(target=ask, args=("finance", finance))]
    threads[0].start()
    threads[1].start()
    for thread in threads:
        thread.join(10)
    assert isinstance(results["owner"], list) and results["owner"]
    assert isinstance(results["finance"], PinterestError)


def test_the_token_s_own_lists_are_never_shared(
    sim: Simulator, shared: tuple[ResponseCache, AccessProofs]
) -> None:
    owner, analyst = _client(sim, OWNER_TOKEN, shared), _client(sim, ANALYST_TOKEN, shared)
    mine = {a.id for a in owner.list_ad_accounts().data}
    theirs = {a.id for a in analyst.list_ad_accounts().data}
    assert mine != theirs and DEMO_ACCOUNT_ID in mine & theirs
    assert owner.user_account().data.username != analyst.user_account().data.username


def test_prove_access_costs_one_call_then_none(
    sim: Simulator, shared: tuple[ResponseCache, AccessProofs]
) -> None:
    analyst, finance = _client(sim, ANALYST_TOKEN, shared), _client(sim, FINANCE_TOKEN, shared)
    calls = sim.stats.total
    analyst.prove_access(DEMO_ACCOUNT_ID)
    analyst.prove_access(DEMO_ACCOUNT_ID)
    assert sim.stats.total == calls + 1
    with pytest.raises(ForbiddenError):
        finance.prove_access(DEMO_ACCOUNT_ID)
