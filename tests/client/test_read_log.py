"""PinterestClient.recording_reads / reads_unchanged: which cached answers a block of code
read (the client's own worker threads included), and whether reading them again now would
give the very same answers without a call."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pinterest_client import ClientConfig, PinterestError
from pinterest_sim import LARGE_ACCOUNT_ID
from tests.client.support import MakeEnv

COLUMNS = ["SPEND_IN_MICRO_DOLLAR", "TOTAL_CLICKTHROUGH"]
NO_RETRY = ClientConfig(max_retries=0)


def test_every_answer_is_recorded_even_from_the_clients_own_threads(make_env: MakeEnv) -> None:
    env = make_env()
    ids = [c.id for c in env.sim.world.campaigns(LARGE_ACCOUNT_ID)[:300]]
    start, end = env.today - timedelta(days=6), env.today - timedelta(days=1)
    accounts = env.client.list_ad_accounts()
    with env.client.recording_reads() as log:
        env.client.list_ad_accounts()
        env.client.analytics(LARGE_ACCOUNT_ID, "CAMPAIGN", start_date=start, end_date=end,
                             columns=COLUMNS, granularity="DAY", entity_ids=ids)
    path = f"/v5/ad_accounts/{LARGE_ACCOUNT_ID}/campaigns/analytics"
    assert env.sim.stats.by_path[path] == 2  # 250 + 50 ids, in the client's pool
    assert len(log.reads) == 3  # the account list and both batches
    assert [r.scope is None for r in log.reads].count(True) == 1  # the token's own list
    assert {r.fetched_at for r in log.reads if r.scope is None} == {accounts.fetched_at}
    assert log.reusable and env.client.reads_unchanged(log)
    calls = env.sim.stats.total
    assert env.client.reads_unchanged(log)  # asking costs no call
    assert env.sim.stats.total == calls


def test_an_answer_gone_or_fetched_again_changes_the_reads(make_env: MakeEnv) -> None:
    env = make_env()
    with env.client.recording_reads() as log:
        env.client.list_ad_accounts()
    shared_cache = env.new_client(cache=env.client.cache)
    assert shared_cache.reads_unchanged(log)  # same token, same cache
    env.client.cache.clear()
    assert not env.client.reads_unchanged(log)
    env.client.list_ad_accounts()  # fetched again: another answer, however alike
    assert not env.client.reads_unchanged(log)


def test_another_token_cannot_reuse_the_reads(make_env: MakeEnv) -> None:
    env = make_env()
    with env.client.recording_reads() as log:
        env.client.list_ad_accounts()
    other = env.new_client(cache=env.client.cache, access_token="another-token")
    assert env.client.reads_unchanged(log)
    assert not other.reads_unchanged(log)


def test_a_failed_call_spoils_the_log(make_env: MakeEnv) -> None:
    env = make_env(config=NO_RETRY)
    env.sim.faults.update({"error_rate": 1.0})
    with env.client.recording_reads() as log, pytest.raises(PinterestError):
        env.client.list_ad_accounts()
    assert not log.reusable
    assert not env.client.reads_unchanged(log)
