"""The shared response cache and access proofs (pinterest_client/shared) on a real Redis.

Two `SharedResponseCache` objects on one Redis are what two app processes have: here they live
in one test process (the real-process tests are in test_shared_cache_processes.py). The
simulator counts upstream calls; the store's faults (absent, killed, slow, garbage) never reach
the caller.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import redis

from pinterest_client import ClientConfig, ForbiddenError, PinterestClient, ServerError
from pinterest_client.shared import (
    SharedAccessProofs,
    SharedResponseCache,
    SharedStore,
    codec,
    connect,
)
from pinterest_client.shared.cache import key_digest
from pinterest_sim import ANALYST_TOKEN, DEMO_ACCOUNT_ID, FINANCE_TOKEN, SIM_BASE_URL, Simulator
from tests.client.shared_support import COLUMNS, GarbageServer, ManualClock, SlowProxy
from tests.redis_support import RedisServer, free_port

OWNER_TOKEN = "demo-token"
NO_RETRY = ClientConfig(max_retries=0)
NS = "pinterest-dashboard:v1"
# Generous for a loaded test machine: only the slow-store test goes past it, on purpose.
BUDGET_S = 1.0


def _store(url: str, clock: ManualClock | None = None) -> SharedStore:
    return SharedStore(url, call_budget_s=BUDGET_S, retry_s=5.0, clock=clock or ManualClock())


class Process:
    """What one app process holds: its store connection, cache and proofs."""

    def __init__(self, url: str, clock: ManualClock | None = None, **cache_options: Any) -> None:
        self.store = _store(url, clock)
        self.cache = SharedResponseCache(self.store, **cache_options)
        self.proofs = SharedAccessProofs(self.store)
        self.clients: list[PinterestClient] = []

    def client(self, sim: Simulator, token: str = OWNER_TOKEN) -> PinterestClient:
        client = PinterestClient(token, base_url=SIM_BASE_URL, transport=sim.transport(),
                                 cache=self.cache, access_proofs=self.proofs, config=NO_RETRY,
                                 now=sim.clock.now)
        self.clients.append(client)
        return client

    def close(self) -> None:
        for client in self.clients:
            client.close()
        self.store.close()


@pytest.fixture
def processes() -> Iterator[Callable[..., Process]]:
    made: list[Process] = []

    def make(url: str, clock: ManualClock | None = None, **options: Any) -> Process:
        made.append(Process(url, clock, **options))
        return made[-1]

    yield make
    for process in made:
        process.close()


def _week(sim: Simulator, days: int = 7) -> dict[str, Any]:
    end = sim.clock.now().date() - timedelta(days=1)
    return {"start_date": end - timedelta(days=days - 1), "end_date": end, "columns": COLUMNS,
            "granularity": "DAY"}


def _rows(client: PinterestClient, query: dict[str, Any]) -> list[dict[str, Any]]:
    return client.analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT", **query).data


def _direct(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


# ----- sharing ---------------------------------------------------------------------------------


def test_a_second_process_gets_the_first_ones_answers_without_a_call(
    sim: Simulator, redis_server: RedisServer, processes: Callable[..., Process]
) -> None:
    first, second = processes(redis_server.url), processes(redis_server.url)
    a, b = first.client(sim), second.client(sim)
    week = _week(sim)
    rows, accounts = _rows(a, week), [x.id for x in a.list_ad_accounts().data]
    campaigns = [c.id for c in a.list_campaigns(DEMO_ACCOUNT_ID).data]
    calls = sim.stats.total
    assert calls >= 3
    assert _rows(b, week) == rows
    assert [x.id for x in b.list_ad_accounts().data] == accounts
    assert [c.id for c in b.list_campaigns(DEMO_ACCOUNT_ID).data] == campaigns
    assert sim.stats.total == calls  # all three from Redis
    stats = second.cache.stats()
    assert stats.hits == 3 and stats.misses == 0 and stats.shared
    # Asked again, the second process answers from its own copy (no Redis, no upstream).
    assert _rows(b, week) == rows and sim.stats.total == calls


def test_the_sharing_rule_holds_between_processes(
    sim: Simulator, redis_server: RedisServer, processes: Callable[..., Process]
) -> None:
    owner = processes(redis_server.url).client(sim)
    other = processes(redis_server.url)
    finance, analyst = other.client(sim, FINANCE_TOKEN), other.client(sim, ANALYST_TOKEN)
    week, month = _week(sim), _week(sim, 30)
    owned = _rows(owner, week), _rows(owner, month)
    calls = sim.stats.total
    with pytest.raises(ForbiddenError):
        _rows(finance, week)
    assert sim.stats.total == calls + 1  # asked Pinterest with its own token, refused
    with pytest.raises(ForbiddenError):
        _rows(finance, week)
    assert sim.stats.total == calls + 2  # a refusal proves nothing: asked again
    # The analyst proves access once with its own call, then shares the owner's answers.
    assert _rows(analyst, week) == owned[0]
    assert sim.stats.total == calls + 3
    assert _rows(analyst, month) == owned[1]
    assert sim.stats.total == calls + 3


def test_a_proof_recorded_in_one_process_counts_in_another(redis_server: RedisServer) -> None:
    wall = ManualClock()
    one = SharedAccessProofs(_store(redis_server.url), wall=wall)
    two = SharedAccessProofs(_store(redis_server.url), wall=wall)
    scope = (DEMO_ACCOUNT_ID, "/analytics")
    assert not two.proven("id-a", scope)
    one.record("id-a", scope)
    assert two.proven("id-a", scope) and not two.proven("id-b", scope)
    wall.now += two.ttl_s + 1
    assert not two.proven("id-a", scope) and two.may_see_stale("id-a", scope)
    two.forget("id-a", scope)
    assert not one.may_see_stale("id-a", scope)
    keys = _direct(redis_server.url).keys(f"{NS}:proof:*")
    assert all(b"id-a" not in key for key in keys)  # hashed names only


def test_stale_copies_are_shared_when_pinterest_fails(
    sim: Simulator, redis_server: RedisServer, processes: Callable[..., Process]
) -> None:
    a, b = processes(redis_server.url).client(sim), processes(redis_server.url).client(sim)
    week = _week(sim)
    good = _rows(a, week)
    _rows(b, week)  # the second process proves access (a hit, no call)
    direct = _direct(redis_server.url)
    direct.delete(*direct.keys(f"{NS}:cache:f:*"))  # every fresh copy has expired
    b.cache._fresh.clear()  # and the process's own copy too
    sim.faults.error_rate = 1.0
    got = b.analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT", **week)
    assert got.stale and got.data == good and isinstance(got.error, ServerError)


def test_a_value_too_large_is_kept_in_process_only(
    sim: Simulator, redis_server: RedisServer, processes: Callable[..., Process]
) -> None:
    first = processes(redis_server.url, max_value_bytes=200)
    a, b = first.client(sim), processes(redis_server.url).client(sim)
    week = _week(sim, 30)
    rows = _rows(a, week)
    calls = sim.stats.total
    assert first.cache.stats().too_large >= 1
    assert _rows(a, week) == rows and sim.stats.total == calls  # its own copy
    assert _rows(b, week) == rows and sim.stats.total == calls + 1  # not shared


def test_peek_and_clear_see_the_store(
    sim: Simulator, redis_server: RedisServer, processes: Callable[..., Process]
) -> None:
    first, second = processes(redis_server.url), processes(redis_server.url)
    a, b = first.client(sim), second.client(sim)
    ids = frozenset(x.id for x in a.list_ad_accounts().data)
    calls = sim.stats.total
    assert b.known_ad_account_ids() == ids and sim.stats.total == calls  # peeked, no call
    direct = _direct(redis_server.url)
    direct.set("someone-else:key", "theirs")
    second.cache.clear()
    assert direct.keys(f"{NS}:cache:*") == [] and direct.get("someone-else:key") == b"theirs"
    assert second.cache.cached_keys() == []
    assert first.cache.cached_keys()  # another process's own copies are its own


# ----- single flight ---------------------------------------------------------------------------


def test_one_call_for_a_key_asked_by_two_processes_at_once(redis_server: RedisServer) -> None:
    one = SharedResponseCache(_store(redis_server.url))
    two = SharedResponseCache(_store(redis_server.url))
    calls: list[str] = []
    leading, waiting = threading.Event(), threading.Event()

    def lead() -> tuple[Any, int]:
        calls.append("one")
        leading.set()
        assert waiting.wait(10)  # the other process is polling for this flight
        return {"value": 1}, 11

    def follow() -> tuple[Any, int]:
        calls.append("two")
        return {"value": 2}, 11

    def polled(_seconds: float) -> None:
        waiting.set()

    two._sleep = polled
    first = threading.Thread(target=one.get_or_fetch, args=(("k",), 60.0, lead))
    first.start()
    assert leading.wait(10)
    got = two.get_or_fetch(("k",), 60.0, follow)
    first.join()
    assert got.data == {"value": 1} and calls == ["one"]
    assert two.stats().joined_in_flight == 1


def test_a_failed_flight_fails_its_waiters_without_more_calls(redis_server: RedisServer) -> None:
    one = SharedResponseCache(_store(redis_server.url))
    two = SharedResponseCache(_store(redis_server.url))
    calls: list[str] = []
    leading, waiting = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def lead() -> tuple[Any, int]:
        calls.append("one")
        leading.set()
        assert waiting.wait(10)
        raise ServerError(503, None, "unavailable")

    def follow() -> tuple[Any, int]:
        calls.append("two")
        return {"value": 2}, 11

    def polled(_seconds: float) -> None:
        waiting.set()

    def run_first() -> None:
        try:
            one.get_or_fetch(("k",), 60.0, lead)
        except ServerError as exc:
            errors.append(exc)

    two._sleep = polled
    first = threading.Thread(target=run_first)
    first.start()
    assert leading.wait(10)
    with pytest.raises(ServerError) as raised:
        two.get_or_fetch(("k",), 60.0, follow)
    first.join()
    assert calls == ["one"] and len(errors) == 1
    assert raised.value.status == 503
    # A later caller is no waiter of that flight: it asks again.
    assert two.get_or_fetch(("k",), 60.0, follow).data == {"value": 2}


@pytest.mark.parametrize("same_token", [True, False])
def test_an_unproven_callers_flight_is_its_tokens_own(
    redis_server: RedisServer, same_token: bool
) -> None:
    """`fetch_and_store` across processes: a call in flight for one token is joined by the
    same token elsewhere, never by another token (which asks Pinterest itself)."""
    one = SharedResponseCache(_store(redis_server.url))
    two = SharedResponseCache(_store(redis_server.url))
    key = ("shared", "GET", "/ad_accounts/1/analytics")
    calls: list[str] = []
    leading, waiting = threading.Event(), threading.Event()

    def lead() -> tuple[Any, int]:
        calls.append("one")
        leading.set()
        waiting.wait(0.5 if not same_token else 10)
        return {"who": "one"}, 11

    def follow() -> tuple[Any, int]:
        calls.append("two")
        return {"who": "two"}, 11

    def polled(_seconds: float) -> None:
        waiting.set()

    two._sleep = polled
    first = threading.Thread(target=one.fetch_and_store,
                             args=(key, 60.0, lead), kwargs={"flight": ("id-a", *key)})
    first.start()
    assert leading.wait(10)
    got = two.fetch_and_store(key, 60.0, follow,
                              flight=("id-a" if same_token else "id-b", *key),
                              allowed_now=lambda: False)
    first.join()
    if same_token:
        assert got.data == {"who": "one"} and calls == ["one"]
    else:
        assert got.data == {"who": "two"} and sorted(calls) == ["one", "two"]


def test_a_long_call_keeps_its_lock(redis_server: RedisServer) -> None:
    """The holder renews its lock while its call runs: waiters keep waiting past the lock's
    own lifetime instead of calling too."""
    one = SharedResponseCache(_store(redis_server.url), lock_ttl_s=1.0)
    two = SharedResponseCache(_store(redis_server.url), lock_ttl_s=1.0)
    calls: list[str] = []
    leading, waited_long = threading.Event(), threading.Event()
    rounds: list[float] = []

    def lead() -> tuple[Any, int]:
        calls.append("one")
        leading.set()
        assert waited_long.wait(30)
        return {"value": 1}, 11

    def follow() -> tuple[Any, int]:
        calls.append("two")
        return {"value": 2}, 11

    def polled(seconds: float) -> None:
        rounds.append(seconds)
        time.sleep(0.05)
        if len(rounds) >= 60:  # 3 s of waiting: three lock lifetimes
            waited_long.set()

    two._sleep = polled
    first = threading.Thread(target=one.get_or_fetch, args=(("k",), 60.0, lead))
    first.start()
    assert leading.wait(10)
    got = two.get_or_fetch(("k",), 60.0, follow)
    first.join()
    assert got.data == {"value": 1} and calls == ["one"]
    assert two.stats().lock_takeovers == 0


def test_a_lock_whose_holder_died_is_taken_over(redis_server: RedisServer) -> None:
    cache = SharedResponseCache(_store(redis_server.url))
    lock = f"{NS}:cache:l:{key_digest(('k',))}"
    _direct(redis_server.url).set(lock, "a-dead-process", px=300)
    calls: list[int] = []

    def fetch() -> tuple[Any, int]:
        calls.append(1)
        return [1, 2, 3], 7

    assert cache.get_or_fetch(("k",), 60.0, fetch).data == [1, 2, 3]
    assert calls == [1] and cache.stats().lock_takeovers == 1


# ----- faults of the store ---------------------------------------------------------------------


def test_no_store_at_start_answers_from_upstream_and_the_process(
    sim: Simulator, processes: Callable[..., Process]
) -> None:
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    process = processes(nowhere)
    client = process.client(sim)
    week = _week(sim)
    rows = _rows(client, week)
    calls = sim.stats.total
    assert _rows(client, week) == rows and sim.stats.total == calls
    stats = process.cache.stats()
    assert not stats.shared and stats.fallbacks >= 1 and stats.hits == 1
    assert not process.store.status().shared


def test_killed_mid_run_falls_back_then_shares_again(
    sim: Simulator, redis_server: RedisServer, processes: Callable[..., Process]
) -> None:
    clock_a, clock_b = ManualClock(), ManualClock()
    first, second = processes(redis_server.url, clock_a), processes(redis_server.url, clock_b)
    a, b = first.client(sim), second.client(sim)
    week, month, quarter = _week(sim), _week(sim, 30), _week(sim, 14)
    rows = _rows(a, week)
    redis_server.kill()
    calls = sim.stats.total
    assert _rows(a, week) == rows and sim.stats.total == calls  # its own copy
    month_rows = _rows(a, month)  # upstream, kept in process
    assert sim.stats.total == calls + 1
    assert _rows(b, week) == rows  # the second process has no copy: upstream
    assert sim.stats.total == calls + 2
    sim.faults.error_rate = 1.0  # Pinterest fails too: the process's stale copy answers
    first.cache._fresh.clear()
    stale = a.analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT", **month)
    assert stale.stale and stale.data == month_rows
    sim.faults.error_rate = 0.0
    redis_server.restart()  # empty: no persistence
    clock_a.now += 10  # past retry_s
    clock_b.now += 10
    calls = sim.stats.total
    quarter_rows = _rows(a, quarter)
    assert sim.stats.total > calls
    calls = sim.stats.total
    assert _rows(b, quarter) == quarter_rows and sim.stats.total == calls  # shared again
    assert first.store.status().shared and second.cache.stats().shared


def test_a_slow_store_is_left_for_the_process(
    sim: Simulator, redis_server: RedisServer, processes: Callable[..., Process]
) -> None:
    proxy = SlowProxy(redis_server.port, delay_s=3 * BUDGET_S)
    try:
        clock = ManualClock()
        process = processes(proxy.url, clock)
        client = process.client(sim)
        week, month = _week(sim), _week(sim, 30)
        rows = _rows(client, week)  # shared, fast
        assert process.store.status().shared
        proxy.slow.set()
        calls = sim.stats.total
        assert _rows(client, month)  # one call over budget, then in process
        assert sim.stats.total == calls + 1
        assert not process.store.status().shared
        assert _rows(client, week) == rows and sim.stats.total == calls + 1
        assert process.cache.stats().fallbacks >= 1
    finally:
        proxy.close()


def test_a_store_answering_garbage_is_left_for_the_process(
    sim: Simulator, processes: Callable[..., Process]
) -> None:
    garbage = GarbageServer()
    try:
        process = processes(garbage.url)
        client = process.client(sim)
        week = _week(sim)
        rows = _rows(client, week)
        assert rows
        assert [x.id for x in client.list_ad_accounts().data]
        assert not process.store.status().shared
        calls = sim.stats.total
        assert _rows(client, week) == rows and sim.stats.total == calls
    finally:
        garbage.close()


def test_garbage_under_our_keys_is_a_miss(
    sim: Simulator, redis_server: RedisServer, processes: Callable[..., Process]
) -> None:
    a = processes(redis_server.url).client(sim)
    second = processes(redis_server.url)
    b = second.client(sim)
    week = _week(sim)
    rows = _rows(a, week)
    direct = _direct(redis_server.url)
    names = direct.keys(f"{NS}:cache:[fs]:*")
    assert names
    for number, name in enumerate(names):
        direct.delete(name)
        if number % 3 == 0:
            direct.hset(name, "junk", "1")  # a key of the wrong type
        elif number % 3 == 1:
            direct.set(name, b"\x01Z not zlib at all")
        else:
            direct.set(name, b"junk")
    calls = sim.stats.total
    assert _rows(b, week) == rows  # correct data, from upstream
    assert sim.stats.total == calls + 1
    assert second.store.status().shared  # junk is no reason to leave the store
    assert _rows(a, week) == rows  # a's own copy


# ----- the codec and connect -------------------------------------------------------------------


def test_codec_round_trips_and_refuses_junk() -> None:
    small = codec.Envelope(value={"a": [1, 2.5, None, "é"]}, fetched_at=12.5, size=30, ttl_s=60)
    big = codec.Envelope(value=[{"row": i, "name": "x" * 20} for i in range(200)],
                         fetched_at=1.0, size=9000, ttl_s=5)
    small_blob, big_blob = codec.encode(small), codec.encode(big)
    assert small_blob is not None and big_blob is not None
    assert small_blob[:2] == b"\x01J" and big_blob[:2] == b"\x01Z"
    assert len(big_blob) < len(str(big.value))  # compressed
    assert codec.decode(small_blob) == small and codec.decode(big_blob) == big
    assert codec.encode(codec.Envelope(value={1, 2}, fetched_at=0, size=1, ttl_s=1)) is None
    for junk in (b"", b"junk", b"\x02J{}", b"\x01J[1]", b"\x01J{\"d\":1}", b"\x01Zxx",
                 b"\x01J{\"d\":1,\"at\":\"x\",\"n\":1,\"ttl\":1}", "text"):
        with pytest.raises(codec.Undecodable):
            codec.decode(junk)
    error = codec.decode_error(codec.encode_error(ServerError(502, 7, "bad gateway")))
    assert isinstance(error, ServerError) and (error.status, error.code) == (502, 7)
    assert codec.encode_error(ForbiddenError(403, 29, "no")) is None  # depends on who asked
    assert codec.decode_error(b"\x01E{not json") is None


def test_connect_builds_the_shared_parts(redis_server: RedisServer) -> None:
    state = connect(redis_server.url, processes=3)
    try:
        assert state.status().shared and state.status().processes == 3
        assert state.cache.store is state.store and state.proofs.store is state.store
        assert "@" not in repr(state.store)
    finally:
        state.close()
    with pytest.raises(ValueError):
        connect("http://not-redis")
