"""Rate-limit guard, single flight and cache TTLs against the simulator."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest

from pinterest_client import RateLimitedError, ResponseCache
from pinterest_sim import DEMO_ACCOUNT_ID
from tests.client.support import FakeTimer, MakeEnv

SPEND = ["SPEND_IN_MICRO_DOLLAR"]


def test_50_threads_asking_the_same_thing_cost_one_upstream_call(make_env: MakeEnv) -> None:
    env = make_env()
    env.sim.faults.latency = 0.3  # keep the first call in flight while the others arrive
    start, end = env.today - timedelta(days=30), env.today - timedelta(days=1)
    barrier = threading.Barrier(50)

    def ask(_: int) -> object:
        barrier.wait()
        return env.client.analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT", start_date=start,
                                    end_date=end, columns=SPEND, granularity="TOTAL").data

    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(ask, range(50)))
    assert env.sim.stats.total == 1
    assert answers[0] and all(a == answers[0] for a in answers)
    cache = env.client.stats().cache
    assert cache.misses == 1
    assert cache.hits + cache.joined_in_flight == 49
    assert cache.joined_in_flight >= 1


def test_cache_ttl_short_for_recent_days_long_for_closed_days(make_env: MakeEnv) -> None:
    timer = FakeTimer()
    env = make_env(cache=ResponseCache(timer=timer))
    closed = (env.today - timedelta(days=30), env.today - timedelta(days=10))
    recent = (env.today - timedelta(days=5), env.today)
    path = f"/v5/ad_accounts/{DEMO_ACCOUNT_ID}/analytics"

    def ask(span: tuple[date, date]) -> None:
        env.client.analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT", start_date=span[0],
                             end_date=span[1], columns=SPEND, granularity="TOTAL")

    def calls() -> int:
        return int(env.sim.stats.by_path.get(path, 0))

    ask(closed)
    ask(recent)
    ask(closed)
    ask(recent)
    assert calls() == 2
    timer.now += 61  # past the 60 s of data that can still change
    ask(closed)
    ask(recent)
    assert calls() == 3
    timer.now += 6 * 3600  # past the 6 h of closed days
    ask(closed)
    assert calls() == 4
    # Entity lists live ~5 minutes.
    def list_calls() -> int:
        return int(env.sim.stats.by_path.get(f"/v5/ad_accounts/{DEMO_ACCOUNT_ID}/campaigns", 0))

    env.client.list_campaigns(DEMO_ACCOUNT_ID)
    first = list_calls()
    timer.now += 200
    env.client.list_campaigns(DEMO_ACCOUNT_ID)
    assert list_calls() == first
    timer.now += 200
    env.client.list_campaigns(DEMO_ACCOUNT_ID)
    assert list_calls() == first + 1  # expired; known to fit one page: one call


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["loopback"])
def test_1000_calls_in_a_burst_with_pinterest_limits_get_no_429(make_env: MakeEnv) -> None:
    # Wall clock on both sides and Pinterest's limits: 100/s overall, ads_read 1,000/min.
    env = make_env(frozen=False, cache=ResponseCache.disabled())
    with ThreadPoolExecutor(max_workers=20) as pool:
        accounts = list(pool.map(lambda _: env.client.get_ad_account(DEMO_ACCOUNT_ID).data,
                                 range(1000)))
    assert len(accounts) == 1000 and {a.id for a in accounts} == {DEMO_ACCOUNT_ID}
    assert env.sim.stats.by_category.get("ads_read") == 1000
    assert env.sim.stats.by_status.get(429, 0) == 0
    stats = env.client.stats()
    assert stats.rate_limited_429s == 0 and stats.retries == 0
    assert stats.limiter_waits > 0  # the guard did hold callers back
    assert stats.tokens_left["ads_read"] == 0  # the minute's quota used exactly


def test_tightened_limit_with_short_reset_is_absorbed_by_waiting(make_env: MakeEnv) -> None:
    env = make_env(frozen=False, cache=ResponseCache.disabled())
    env.sim.rate_limits.per_second = 3  # the client still believes 100/s
    with ThreadPoolExecutor(max_workers=9) as pool:
        states = list(pool.map(
            lambda i: env.client.metrics_ready_state(env.today - timedelta(days=i)).data,
            range(9)))
    assert len(states) == 9
    assert env.sim.stats.by_status.get(429, 0) >= 1
    stats = env.client.stats()
    assert stats.rate_limited_429s == env.sim.stats.by_status[429]
    assert stats.retries >= 1


def test_429_with_reset_beyond_max_wait_fails_at_once_with_reset_at(make_env: MakeEnv) -> None:
    env = make_env(cache=ResponseCache.disabled(), max_wait_s=5.0)
    env.sim.rate_limits.ads_analytics = 5
    for i in range(5):
        env.client.metrics_ready_state(env.today - timedelta(days=i))
    with pytest.raises(RateLimitedError) as err:
        env.client.metrics_ready_state(env.today - timedelta(days=6))
    assert err.value.retry_after is not None and err.value.retry_after > 5
    assert err.value.reset_at is not None
    assert err.value.code == 8
    sent = env.sim.stats.total
    assert sent == 6  # one 429, no retries past the cap
    # Later calls of the category fail fast without reaching Pinterest; other categories work.
    with pytest.raises(RateLimitedError):
        env.client.metrics_ready_state(env.today - timedelta(days=7))
    assert env.sim.stats.total == sent
    assert env.client.get_ad_account(DEMO_ACCOUNT_ID).data.id == DEMO_ACCOUNT_ID
    assert env.client.stats().tokens_left["ads_analytics"] == 0


def test_trial_tier_67000_s_reset_serves_stale_values_and_fails_fast(make_env: MakeEnv) -> None:
    timer = FakeTimer()
    env = make_env(cache=ResponseCache(timer=timer))
    env.sim.rate_limits.trial = True
    env.sim.rate_limits.trial_per_day = 2
    span = (env.today - timedelta(days=20), env.today - timedelta(days=3))
    fresh = env.client.analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT", start_date=span[0],
                                 end_date=span[1], columns=SPEND, granularity="TOTAL")
    env.client.list_ad_accounts()
    timer.now += 7 * 3600  # both cached copies expired
    stale = env.client.analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT", start_date=span[0],
                                 end_date=span[1], columns=SPEND, granularity="TOTAL")
    assert stale.stale and stale.data == fresh.data
    assert isinstance(stale.error, RateLimitedError)
    assert stale.error.retry_after == 67_000
    assert stale.error.reset_at is not None
    assert stale.fetched_at == fresh.fetched_at
    assert env.sim.stats.total == 3
    # The category is now blocked locally: stale again, and Pinterest is not asked.
    again = env.client.analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT", start_date=span[0],
                                 end_date=span[1], columns=SPEND, granularity="TOTAL")
    assert again.stale and isinstance(again.error, RateLimitedError)
    assert env.sim.stats.total == 3
    # Nothing cached for this one: the error itself, at once.
    with pytest.raises(RateLimitedError) as err:
        env.client.analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT", start_date=span[0],
                             end_date=span[1], columns=["PAID_IMPRESSION"], granularity="TOTAL")
    assert err.value.retry_after is not None and err.value.retry_after > 60_000
    assert env.sim.stats.total == 3
    assert env.client.stats().cache.stale_served == 2


def test_stats_report_calls_tokens_and_latency(make_env: MakeEnv) -> None:
    env = make_env()
    env.client.list_ad_accounts()
    env.client.metrics_ready_state(env.today)
    env.client.metrics_ready_state(env.today)  # cached
    stats = env.client.stats()
    assert stats.calls_by_category == {"ads_read": 1, "ads_analytics": 1}
    assert stats.total_calls == env.sim.stats.total == 2
    assert stats.tokens_left["ads_analytics"] == 299
    assert stats.tokens_left["ads_read"] == 999
    assert stats.latency.count == 2
    assert stats.latency.p50_ms is not None and stats.latency.p95_ms is not None
    assert stats.cache.hits == 1 and stats.cache.misses == 2
