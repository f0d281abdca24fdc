"""Process-wide maps stay bounded when a link is tampered with over and over: 10,000 distinct
made-up account ids through the client against the in-process simulator, 10,000 token
identities, 10,000 long-range activities and key locks."""

from __future__ import annotations

import gc
import threading
import tracemalloc
from collections.abc import Iterator
from datetime import date

import pytest

from dashboard import long_range
from dashboard.long_range_activity import ActivityBoard, LongRangeActivity
from pinterest_client import NotFoundError, PinterestClient, RateLimits, ResponseCache, _ratelimit
from pinterest_client._ratelimit import MAX_SHARED_LIMITERS, shared_limiter
from pinterest_sim import DEMO_ACCOUNT_ID, SIM_BASE_URL, SimConfig, Simulator
from pinterest_sim.ratelimit import RateLimitConfig

TAMPERED = 10_000
NO_LIMITS = RateLimits(per_minute={"ads_read": 10**9, "ads_analytics": 10**9},
                       per_second=10**9)


@pytest.fixture
def sim_client() -> Iterator[tuple[Simulator, PinterestClient]]:
    sim = Simulator(SimConfig(seed=7, token="demo-token",
                              rate_limits=RateLimitConfig(enabled=False)))
    client = PinterestClient("demo-token", base_url=SIM_BASE_URL, transport=sim.transport(),
                             rate_limits=NO_LIMITS, cache=ResponseCache(max_entries=256))
    yield sim, client
    client.close()


def _open(client: PinterestClient, ids: range) -> int:
    refused = 0
    for n in ids:
        try:
            client.get_ad_account(f"{900_000_000_000 + n}")
        except NotFoundError:
            refused += 1
    return refused


def test_ten_thousand_tampered_accounts_leave_the_maps_bounded(
    sim_client: tuple[Simulator, PinterestClient],
) -> None:
    sim, client = sim_client
    client.get_ad_account(DEMO_ACCOUNT_ID)  # a real one is counted by its own path
    assert _open(client, range(500)) == 500  # warm up: first-use allocations
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        assert _open(client, range(500, TAMPERED)) == TAMPERED - 500
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    growth = sum(s.size_diff for s in after.compare_to(before, "filename"))
    assert growth < 2 * 1024 * 1024, f"{growth:,} bytes kept for {TAMPERED - 500:,} refusals"

    stats = sim.stats.as_dict()
    template = "/v5/ad_accounts/{ad_account_id}"
    assert stats["by_path"] == {f"/v5/ad_accounts/{DEMO_ACCOUNT_ID}": 1, template: TAMPERED}
    assert sim.stats.by_route == {template: TAMPERED + 1}
    assert stats["total"] == TAMPERED + 1
    cache = client.cache.stats()
    assert cache.entries <= 256 and cache.stale_entries <= 256
    assert len(client.cache._flights) == 0
    assert len(client.stats().recent_errors) <= 20


def test_unknown_paths_are_counted_under_one_key() -> None:
    sim = Simulator(SimConfig(seed=7, token="demo-token"))
    client = PinterestClient("demo-token", base_url=SIM_BASE_URL, transport=sim.transport(),
                             rate_limits=NO_LIMITS, cache=ResponseCache.disabled())
    for n in range(300):
        with pytest.raises(NotFoundError):
            client.session.request_json("GET", f"/made-up/{n}", category="ads_read")
    client.close()
    assert sim.stats.by_path == {"(unknown path)": 300}


def test_limiter_registry_keeps_the_most_recent_identities() -> None:
    keep = shared_limiter("identity-kept")
    for n in range(TAMPERED):
        shared_limiter(f"tampered-token-{n}")
        if n % 100 == 0:
            assert shared_limiter("identity-kept") is keep  # in use: stays shared
    assert len(_ratelimit._registry) <= MAX_SHARED_LIMITERS


def test_activity_board_is_bounded() -> None:
    board = ActivityBoard()
    for n in range(TAMPERED):
        board.update(LongRangeActivity(account_id=str(n), start=date(2026, 1, 1),
                                       end=date(2026, 2, 1)))
    assert len(board) <= ActivityBoard.MAX_ITEMS
    assert board.get(str(TAMPERED - 1), date(2026, 1, 1), date(2026, 2, 1)) is not None
    assert board.get("0", date(2026, 1, 1), date(2026, 2, 1)) is None  # the oldest went


def test_key_locks_are_dropped_when_nobody_holds_them() -> None:
    for n in range(TAMPERED):
        with long_range._key_lock(f"key-{n}"):
            pass
    assert long_range._key_locks == {}
    # Still single flight: a second caller of the same key waits for the first.
    order: list[str] = []
    with long_range._key_lock("same"):
        waiter = threading.Thread(target=lambda: _take("same", order))
        waiter.start()
        waiter.join(0.2)
        order.append("first done")
    waiter.join()
    assert order == ["first done", "second"]
    assert long_range._key_locks == {}


def _take(key: str, order: list[str]) -> None:
    with long_range._key_lock(key):
        order.append("second")


def test_left_running_batches_are_bounded() -> None:
    assert long_range.MAX_INFLIGHT_BATCHES <= 256
    long_range._inflight.clear()
    for n in range(1_000):
        long_range._remember_batch(("k", date(2026, 1, 1), date(2026, 1, n % 28 + 1)), n)
    assert len(long_range._inflight) <= long_range.MAX_INFLIGHT_BATCHES
    long_range._inflight.clear()
