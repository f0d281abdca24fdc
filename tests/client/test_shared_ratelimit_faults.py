"""The shared rate budget when Redis fails: absent at start, killed mid run and back, slow,
answering garbage. No exception reaches a caller, no 429 burst, and while the store is down each
process keeps to its share of the budget (the limit divided by the configured processes).

App processes and the simulator are real processes (see support_shared_ratelimit.py); the last
two cases drive `SharedRateLimiter` in this process to reach the moments between a request's
send and its answer.
"""

from __future__ import annotations

import time

import redis

from pinterest_client._errors import RateLimitedError
from pinterest_client._ratelimit import RateLimits
from pinterest_client.shared.ratelimit import SharedRateLimiter
from pinterest_client.shared.store import SharedStore
from tests.client.support_shared_ratelimit import (
    FakeStore,
    SimProcess,
    WorkerSpec,
    phase,
    total,
    workers,
)
from tests.redis_support import RedisServer, free_port

IDENTITY = "ab" * 32  # a token identity (a sha256 hex)


def test_store_absent_at_start_each_process_keeps_to_its_share() -> None:
    nowhere = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with SimProcess("ads_read=12") as sim:
        # 3 configured processes: each may use 12 // 3 = 4 a minute on its own.
        spec = WorkerSpec(sim.base_url, nowhere, {"ads_read": 12}, processes=3,
                          max_wait_s=1.0)
        with workers(spec, spec) as group:
            results = phase(group, 8)
        assert [r["errors"] for r in results] == [[], []]
        assert [r["ok"] for r in results] == [4, 4]
        assert [r["local_slots"] for r in results] == [4, 4]
        assert sim.answered() == 8 and sim.refused_429() == 0


def test_store_killed_mid_run_then_back(redis_server: RedisServer) -> None:
    limit = 20
    with SimProcess(f"ads_read={limit}") as sim:
        spec = WorkerSpec(sim.base_url, redis_server.url, {"ads_read": limit}, processes=2,
                          max_wait_s=1.0, retry_s=0.3)
        with workers(spec, spec) as group:
            first = phase(group, 3)
            assert total(first, "shared_slots") == 6 and sim.answered() == 6

            redis_server.kill()
            down = phase(group, 6)
            assert all(r["local_slots"] > 0 for r in down)  # went on, from the local share
            assert sim.answered() <= limit

            redis_server.restart()  # empty: a store without persistence lost every window
            time.sleep(0.4)  # the workers' stores try again after retry_s (0.3 s)
            # One process comes back before the other: the store does not know the other's
            # slots of this minute yet, so the first keeps to its local share for one window.
            back = phase(group[:1], 10) + phase(group[1:], 10)

        results = first + down + back
        assert [r["errors"] for r in results] == [[]] * 6
        assert sim.refused_429() == 0 and total(results, "client_429s") == 0
        assert sim.answered() <= limit
        assert sim.answered() == total(results, "ok")
        # Back in Redis: each process wrote its slots of this minute back, so the store again
        # knows every request the simulator counted in its window.
        done = redis.Redis.from_url(redis_server.url).keys("*:m:ads_read:done")
        assert len(done) == 1
        assert redis.Redis.from_url(redis_server.url).zcard(done[0]) == sim.answered()


def test_slow_store_and_garbage_answers_fall_back_to_the_local_share() -> None:
    with FakeStore("slow") as slow, FakeStore("garbage") as garbage, \
            SimProcess("ads_read=10") as sim:
        on_slow = WorkerSpec(sim.base_url, slow.url, {"ads_read": 10}, processes=2,
                             max_wait_s=1.0)
        on_garbage = WorkerSpec(sim.base_url, garbage.url, {"ads_read": 10}, processes=2,
                                max_wait_s=1.0)
        with workers(on_slow, on_garbage) as group:
            results = phase(group, 8)
        assert [r["errors"] for r in results] == [[], []]
        assert [r["ok"] for r in results] == [5, 5]  # 10 // 2 each
        assert [r["shared_now"] for r in results] == [False, False]
        assert sim.answered() == 10 and sim.refused_429() == 0


def test_a_slot_taken_in_redis_is_released_there_even_if_the_store_flapped(
        redis_server: RedisServer) -> None:
    limits = RateLimits(per_minute={"ads_read": 5}, per_second=100)
    store = SharedStore(redis_server.url, processes=2, retry_s=0.05)
    limiter = SharedRateLimiter(store, IDENTITY, limits)
    other = SharedRateLimiter(SharedStore(redis_server.url, processes=2), IDENTITY, limits)
    limiter.acquire("ads_read", 0.0)  # taken in Redis
    assert other.tokens_left()["ads_read"] == 4

    redis_server.kill()
    limiter.release("ads_read")  # no exception; the store is down
    redis_server.restart()
    time.sleep(0.1)
    limiter.acquire("ads_read", 0.0)  # back: the ledger (one done slot) is written first
    limiter.release("ads_read")
    assert limiter.shared_slots == 2 and limiter.local_slots == 0
    # Both slots count in Redis (as done) for the rest of the minute, for every process.
    assert other.tokens_left()["ads_read"] == 3


def test_a_slot_of_a_process_that_died_expires(redis_server: RedisServer) -> None:
    limits = RateLimits(per_minute={"ads_read": 5}, per_second=2)
    dead = SharedRateLimiter(SharedStore(redis_server.url), IDENTITY, limits,
                             in_flight_ttl_s=0.2)
    dead.acquire("ads_read", 0.0)
    dead.acquire("ads_read", 0.0)  # two requests sent, never answered: the process died
    alive = SharedRateLimiter(SharedStore(redis_server.url), IDENTITY, limits)
    assert alive.tokens_left()["per_second"] == 0
    assert alive.tokens_left()["ads_read"] == 3
    time.sleep(1.0 + 0.2 + 0.3)  # the per-second window + in-flight TTL have passed
    assert alive.tokens_left()["per_second"] == 2
    alive.acquire("ads_read", 0.0)  # the budget is usable again


def test_the_local_share_counts_what_the_others_had_used(redis_server: RedisServer) -> None:
    # One process used 4 of the minute's 5 through Redis, the other 1; then Redis went away.
    # A share of 5 // 2 = 2 each, counting only its own slot, would let the second process send
    # one more (6 in the minute); counting the others' 4 as last seen, it sends none.
    limits = RateLimits(per_minute={"ads_read": 5}, per_second=100)
    busy = SharedRateLimiter(SharedStore(redis_server.url, processes=2), IDENTITY, limits)
    quiet = SharedRateLimiter(SharedStore(redis_server.url, processes=2, retry_s=60),
                              IDENTITY, limits)
    for _ in range(4):
        busy.acquire("ads_read", 0.0)
        busy.release("ads_read")
    quiet.acquire("ads_read", 0.0)  # the store says 5 used: 4 of them another process's
    quiet.release("ads_read")

    redis_server.kill()
    try:
        quiet.acquire("ads_read", 0.5)
    except RateLimitedError as exc:
        assert exc.retry_after is not None and exc.retry_after > 0.5
    else:
        raise AssertionError("the local share let a sixth request of the minute through")
    assert quiet.local_slots == 0 and quiet.tokens_left()["ads_read"] == 0
