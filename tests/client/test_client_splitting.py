"""Splitting: long ranges into date windows, long id lists into batches of 250, merged into
exactly what one call gives (the simulator's engine has no window or id limits, so it answers
the "one big call" directly)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from pinterest_client import ClientConfig, RangeNeedsReportError, ValidationError
from pinterest_sim import DEMO_ACCOUNT_ID, LARGE_ACCOUNT_ID
from tests.client.support import FAST, MakeEnv

COLUMNS = ["SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION", "CLICKTHROUGH_1", "TOTAL_CLICKTHROUGH",
           "CTR", "ECTR", "CPM_IN_MICRO_DOLLAR", "SPEND_IN_DOLLAR", "TOTAL_CONVERSIONS",
           "CHECKOUT_ROAS", "CAMPAIGN_NAME"]
SMALL_WINDOWS = ClientConfig(max_window_days=10, backoff_base_s=0.001, backoff_cap_s=0.01)


def keyed(rows: list[dict[str, Any]], id_column: str) -> dict[tuple[Any, Any], dict[str, Any]]:
    out = {(r[id_column], r.get("DATE")): r for r in rows}
    assert len(out) == len(rows), "duplicate (id, DATE) rows"
    return out


def analytics_calls(env: Any, path: str) -> int:
    return int(env.sim.stats.by_path.get(f"/v5/ad_accounts/{DEMO_ACCOUNT_ID}/{path}", 0))


def test_300_campaigns_split_into_batches_equal_separate_calls(make_env: MakeEnv) -> None:
    env = make_env()
    ids = [c.id for c in env.sim.world.campaigns(LARGE_ACCOUNT_ID)[:300]]
    start, end = env.today - timedelta(days=6), env.today - timedelta(days=1)
    cols = ["SPEND_IN_MICRO_DOLLAR", "TOTAL_CLICKTHROUGH", "CTR"]
    path = f"/v5/ad_accounts/{LARGE_ACCOUNT_ID}/campaigns/analytics"
    split = env.client.analytics(LARGE_ACCOUNT_ID, "CAMPAIGN", start_date=start, end_date=end,
                                 columns=cols, granularity="DAY", entity_ids=ids).data
    assert env.sim.stats.by_path[path] == 2  # 250 + 50
    separate = env.new_client()
    union = [
        *separate.analytics(LARGE_ACCOUNT_ID, "CAMPAIGN", start_date=start, end_date=end,
                            columns=cols, granularity="DAY", entity_ids=ids[:150]).data,
        *separate.analytics(LARGE_ACCOUNT_ID, "CAMPAIGN", start_date=start, end_date=end,
                            columns=cols, granularity="DAY", entity_ids=ids[150:]).data,
    ]
    truth = env.sim.engine.rows(LARGE_ACCOUNT_ID, "CAMPAIGN", ids, start, end, "DAY", cols)
    assert keyed(split, "CAMPAIGN_ID") == keyed(union, "CAMPAIGN_ID") == \
        keyed(truth, "CAMPAIGN_ID")
    assert len(split) > 300
    # Date order like one call.
    assert [r["DATE"] for r in split] == sorted(r["DATE"] for r in split)


@pytest.mark.parametrize("granularity", ["DAY", "WEEK", "MONTH", "TOTAL"])
def test_90_day_range_in_small_windows_equals_one_call(make_env: MakeEnv,
                                                       granularity: str) -> None:
    env = make_env(config=SMALL_WINDOWS)
    start, end = env.today - timedelta(days=89), env.today
    ids = [c.id for c in env.sim.world.campaigns(DEMO_ACCOUNT_ID)]
    split = env.client.analytics(DEMO_ACCOUNT_ID, "CAMPAIGN", start_date=start, end_date=end,
                                 columns=COLUMNS, granularity=granularity, entity_ids=ids)
    windows = analytics_calls(env, "campaigns/analytics")
    assert windows == 9  # 90 days in windows of end - start <= 10: ceil(90 / 11)
    one = env.new_client(config=FAST).analytics(
        DEMO_ACCOUNT_ID, "CAMPAIGN", start_date=start, end_date=end, columns=COLUMNS,
        granularity=granularity, entity_ids=ids)
    assert analytics_calls(env, "campaigns/analytics") == windows + 1
    truth = env.sim.engine.rows(DEMO_ACCOUNT_ID, "CAMPAIGN", ids, start, end, granularity,
                                COLUMNS)
    assert keyed(split.data, "CAMPAIGN_ID") == keyed(one.data, "CAMPAIGN_ID") == \
        keyed(truth, "CAMPAIGN_ID")
    # No helper column leaks into the answer.
    assert set().union(*(r.keys() for r in split.data)) <= {*COLUMNS, "CAMPAIGN_ID", "DATE"}


def test_hour_ranges_split_into_3_day_windows(make_env: MakeEnv) -> None:
    env = make_env()
    start, end = env.today - timedelta(days=8), env.today
    cols = ["SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION", "CTR"]
    got = env.client.analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT", start_date=start, end_date=end,
                               columns=cols, granularity="HOUR").data
    assert analytics_calls(env, "analytics") == 3  # 9 days in windows of end - start <= 3
    truth = env.sim.engine.rows(DEMO_ACCOUNT_ID, "AD_ACCOUNT", None, start, end, "HOUR", cols)
    assert got == truth
    assert got[0]["DATE"].startswith(start.isoformat())


def test_targeting_total_over_windows_equals_one_call(make_env: MakeEnv) -> None:
    env = make_env(config=SMALL_WINDOWS)
    start, end = env.today - timedelta(days=40), env.today - timedelta(days=1)
    types = ["AGE_BUCKET", "COUNTRY"]
    cols = ["SPEND_IN_MICRO_DOLLAR", "TOTAL_IMPRESSION", "ECTR", "TOTAL_CLICKTHROUGH"]
    got = env.client.targeting_analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT", targeting_types=types,
                                         start_date=start, end_date=end, columns=cols).data
    assert analytics_calls(env, "targeting_analytics") == 4
    truth = env.sim.engine.targeting_rows(DEMO_ACCOUNT_ID, "AD_ACCOUNT", None, types, start,
                                          end, "TOTAL", cols)
    assert {(r.targeting_type, r.targeting_value): dict(r.metrics) for r in got} == {
        (t["targeting_type"], str(t["targeting_value"])): t["metrics"] for t in truth}


def test_range_beyond_sync_lookback_says_use_a_report_and_sends_nothing(
        make_env: MakeEnv) -> None:
    env = make_env()
    start, end = env.today - timedelta(days=91), env.today - timedelta(days=60)
    with pytest.raises(RangeNeedsReportError) as err:
        env.client.analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT", start_date=start, end_date=end,
                             columns=["SPEND_IN_MICRO_DOLLAR"])
    assert err.value.start == start and err.value.end == end
    assert err.value.parameter == "start_date"
    assert "async report" in str(err.value)
    # 90 days back is still live analytics (one call: end - start = 90).
    ok = env.client.analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT", start_date=env.today -
                              timedelta(days=90), end_date=env.today,
                              columns=["SPEND_IN_MICRO_DOLLAR"], granularity="TOTAL")
    assert ok.data and env.sim.stats.total == 1
    with pytest.raises(ValidationError) as hour:
        env.client.analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT", start_date=env.today -
                             timedelta(days=9), end_date=env.today,
                             columns=["SPEND_IN_MICRO_DOLLAR"], granularity="HOUR")
    assert not isinstance(hour.value, RangeNeedsReportError)
    assert hour.value.rule == "hour_lookback"
    assert env.sim.stats.total == 1


def test_column_that_cannot_be_merged_is_refused_before_sending(make_env: MakeEnv) -> None:
    env = make_env(config=SMALL_WINDOWS)
    with pytest.raises(ValidationError) as err:
        env.client.analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT", start_date=env.today -
                             timedelta(days=30), end_date=env.today,
                             columns=["PAGE_VISIT_ROAS"], granularity="TOTAL")
    assert err.value.parameter == "columns"
    assert env.sim.stats.total == 0
