"""Several app processes on one token share one rate budget through Redis (issue 14).

Real processes: the simulator runs as a server process of its own with small limits, and each
app process is a `python -m tests.client.support_shared_ratelimit` worker with a
`PinterestClient` whose limiter is `limiter_for(SharedStore(redis))`. The simulator counts what
reached it; each case also runs the same load without the shared limiter to show that it would
draw 429s.
"""

from __future__ import annotations

from tests.client.support_shared_ratelimit import (
    SimProcess,
    WorkerSpec,
    phase,
    total,
    workers,
)
from tests.redis_support import RedisServer

LIMIT = 10  # ads_read requests per minute, in the simulator and in the clients


def test_two_processes_stay_within_one_minute_budget(redis_server: RedisServer) -> None:
    # Each process wants 14 requests: alone, each would use the whole budget of 10.
    with SimProcess(f"ads_read={LIMIT}") as sim:
        spec = WorkerSpec(sim.base_url, redis_server.url, {"ads_read": LIMIT}, processes=2,
                          max_wait_s=1.0)
        with workers(spec, spec) as group:
            results = phase(group, 14)
        assert [r["errors"] for r in results] == [[], []]
        assert sim.answered() == LIMIT  # all of the budget, and not one request more
        assert sim.refused_429() == 0
        assert total(results, "ok") == LIMIT
        assert total(results, "refused") == 2 * 14 - LIMIT  # refused before sending
        assert total(results, "shared_slots") == LIMIT

    # The same load with today's in-process limiter: each process believes it owns the budget.
    with SimProcess(f"ads_read={LIMIT}") as sim:
        alone = WorkerSpec(sim.base_url, None, {"ads_read": LIMIT}, max_wait_s=1.0)
        with workers(alone, alone) as group:
            results = phase(group, 14)
        assert sim.answered() == LIMIT  # the simulator enforces it...
        assert sim.refused_429() > 0  # ...with 429s the shared limiter avoids
        assert total(results, "client_429s") > 0


def test_three_processes_stay_within_minute_and_second_budgets(
        redis_server: RedisServer) -> None:
    limits = "ads_analytics=12,per_second=4"
    with SimProcess(limits) as sim:
        account = sim.first_account()
        spec = WorkerSpec(sim.base_url, redis_server.url, {"ads_analytics": 12}, per_second=4,
                          category="ads_analytics", processes=3, max_wait_s=3.0,
                          account=account)
        with workers(spec, spec, spec) as group:
            results = phase(group, 13)
        assert [r["errors"] for r in results] == [[], [], []]
        # 12 answered, none refused by the simulator, although the per-second limit (4) made
        # the processes wait for each other: 3 processes x 13 requests, each alone over both.
        assert sim.answered() == 12
        assert sim.refused_429() == 0
        assert total(results, "refused") == 3 * 13 - 12

    with SimProcess(limits) as sim:
        account = sim.first_account()
        alone = WorkerSpec(sim.base_url, None, {"ads_analytics": 12}, per_second=4,
                           category="ads_analytics", max_wait_s=3.0, account=account)
        with workers(alone, alone, alone) as group:
            phase(group, 13)
        assert sim.refused_429() > 0


def test_a_cooldown_set_by_one_process_is_honoured_by_the_others(
        redis_server: RedisServer) -> None:
    # The clients believe in 50 a minute; Pinterest (the simulator) allows 3. The first process
    # meets a 429 with a reset of up to 60 s; it blocks the category locally for at most 20 s
    # (max_block_s) and tells callers Pinterest's own reset.
    with SimProcess("ads_read=3") as sim:
        spec = WorkerSpec(sim.base_url, redis_server.url, {"ads_read": 50}, processes=2,
                          max_wait_s=0.5, max_block_s=20.0, threads=1)
        with workers(spec, spec) as (first, second):
            [hit] = phase([first], 5)
            assert hit["ok"] == 3 and hit["client_429s"] == 1 and hit["errors"] == []
            seen = sim.stats()["total"]
            assert seen == 4  # 3 answered, 1 refused; the fifth was not sent (cooldown)

            [other] = phase([second], 5)
            assert other["refused"] == 5 and other["errors"] == []
            assert sim.stats()["total"] == seen  # nothing reached the simulator
            # Refused callers are told Pinterest's reset, not the shorter local block.
            assert min(other["retry_after"]) > 20.0

    with SimProcess("ads_read=3") as sim:
        alone = WorkerSpec(sim.base_url, None, {"ads_read": 50}, max_wait_s=0.5,
                           max_block_s=20.0, threads=1)
        with workers(alone, alone) as (first, second):
            phase([first], 5)
            phase([second], 5)
        assert sim.refused_429() == 2  # the second process met its own 429
