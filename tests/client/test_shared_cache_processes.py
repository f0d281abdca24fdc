"""Real app processes (not threads) sharing one Redis, against the simulator run as a process of
its own (`python -m pinterest_sim`): N processes asking the same queries cost Pinterest what one
process costs, a key all ask at once is fetched once, and the sharing rule holds between them.
Counts come from the simulator's own request counter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis

from bench.common import SimServerProcess
from pinterest_sim import ANALYST_TOKEN, FINANCE_TOKEN
from tests.client.shared_support import run_workers
from tests.redis_support import RedisServer, free_port

QUERIES: list[dict[str, Any]] = [
    {"kind": "accounts"},
    {"kind": "analytics", "days": 7},
    {"kind": "campaigns"},
    {"kind": "analytics", "days": 30},
]


@pytest.fixture(scope="module")
def sim_process() -> Iterator[SimServerProcess]:
    with SimServerProcess(0.0) as server:
        yield server


def _fresh(sim: SimServerProcess, store: RedisServer, latency_s: float = 0.0) -> None:
    redis.Redis.from_url(store.url).flushall()
    sim.set_latency(latency_s)
    sim.reset_stats()


@pytest.mark.parametrize("count", [2, 3])
def test_n_processes_cost_what_one_costs(
    sim_process: SimServerProcess, redis_server: RedisServer, count: int
) -> None:
    _fresh(sim_process, redis_server)
    (alone,) = run_workers(1, redis_url=redis_server.url, sim_url=sim_process.base_url,
                           queries=QUERIES, together=False)
    one_process = sim_process.stats().total
    assert one_process >= len(QUERIES)
    _fresh(sim_process, redis_server, latency_s=0.05)
    results = run_workers(count, redis_url=redis_server.url, sim_url=sim_process.base_url,
                          queries=QUERIES)
    assert sim_process.stats().total == one_process
    for result in results:
        assert result.answers == alone.answers  # the same data in every process
        assert "error" not in str(result.answers)
    cache = [r.cache for r in results]
    assert sum(c["misses"] for c in cache) + sum(c["joined_in_flight"] for c in cache) \
        + sum(c["hits"] for c in cache) >= count * len(QUERIES)


def test_a_key_asked_by_every_process_at_once_is_fetched_once(
    sim_process: SimServerProcess, redis_server: RedisServer
) -> None:
    _fresh(sim_process, redis_server, latency_s=1.0)  # every flight overlaps the others
    results = run_workers(3, redis_url=redis_server.url, sim_url=sim_process.base_url,
                          queries=[{"kind": "analytics", "days": 7}])
    assert sim_process.stats().total == 1
    assert len({str(r.answers) for r in results}) == 1 and "digest" in str(results[0].answers)
    joined = sum(r.cache["joined_in_flight"] for r in results)
    # The two others waited for the leader's call (or, started late on a loaded machine, found
    # its answer already there): either way no second call.
    assert joined + sum(r.cache["hits"] for r in results) == 2 and joined >= 1


def test_the_sharing_rule_holds_between_processes(
    sim_process: SimServerProcess, redis_server: RedisServer
) -> None:
    _fresh(sim_process, redis_server)
    week, month = {"kind": "analytics", "days": 7}, {"kind": "analytics", "days": 30}
    (owner,) = run_workers(1, redis_url=redis_server.url, sim_url=sim_process.base_url,
                           queries=[week, month], together=False)
    calls = sim_process.stats().total
    (finance,) = run_workers(1, redis_url=redis_server.url, sim_url=sim_process.base_url,
                             queries=[week, week], token=FINANCE_TOKEN, together=False)
    assert finance.answers == [{"error": "ForbiddenError"}] * 2
    assert sim_process.stats().total == calls + 2  # refused with its own token, twice
    (analyst,) = run_workers(1, redis_url=redis_server.url, sim_url=sim_process.base_url,
                             queries=[week, month], token=ANALYST_TOKEN, together=False)
    assert analyst.answers == owner.answers
    assert sim_process.stats().total == calls + 3  # its proof, then the owner's month


def test_processes_without_their_store_still_answer(sim_process: SimServerProcess) -> None:
    """Redis absent at start: every process answers from Pinterest and its own cache (each
    pays for itself), nothing fails."""
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    sim_process.set_latency(0.0)
    sim_process.reset_stats()
    (alone,) = run_workers(1, redis_url=nowhere, sim_url=sim_process.base_url,
                           queries=QUERIES + QUERIES, together=False)
    one_process = sim_process.stats().total
    assert alone.cache["hits"] == len(QUERIES) and alone.cache["fallbacks"] >= len(QUERIES)
    sim_process.reset_stats()
    results = run_workers(2, redis_url=nowhere, sim_url=sim_process.base_url,
                          queries=QUERIES + QUERIES)
    assert [r.answers for r in results] == [alone.answers] * 2
    assert sim_process.stats().total == 2 * one_process
