"""Every client method against the simulator, in-process and over loopback HTTP.

Expected values come from the simulator's own ground truth (`sim.world`, `sim.engine`), never
from the client.
"""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal

import pytest

from pinterest_client import (
    Ad,
    AdAccount,
    AdGroup,
    Attribution,
    Campaign,
    ForbiddenError,
    NotFoundError,
    TargetingRow,
)
from pinterest_client.money import format_money, micro_to_amount
from pinterest_sim import (
    DEMO_ACCOUNT_ID,
    EMPTY_ACCOUNT_ID,
    FORBIDDEN_ACCOUNT_ID,
    LARGE_ACCOUNT_ID,
)
from pinterest_sim import (
    Attribution as SimAttribution,
)
from tests.client.support import MakeEnv

COLUMNS = ["SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION", "TOTAL_CLICKTHROUGH", "CTR",
           "TOTAL_CONVERSIONS", "SPEND_IN_DOLLAR"]


def test_user_account(make_env: MakeEnv) -> None:
    env = make_env()
    user = env.client.user_account().data
    assert user.username == env.sim.world.demo_user.username
    assert user.account_type == "BUSINESS"


def test_ad_accounts_list_and_get(make_env: MakeEnv) -> None:
    env = make_env()
    fetched = env.client.list_ad_accounts()
    assert not fetched.stale and fetched.error is None
    accounts = fetched.data
    expected = env.sim.world.accounts_for_user(env.sim.world.demo_user.id)
    assert [a.id for a in accounts] == [a.id for a in expected]
    assert all(isinstance(a, AdAccount) for a in accounts)
    assert FORBIDDEN_ACCOUNT_ID not in {a.id for a in accounts}
    currencies = {a.id: a.currency for a in accounts}
    assert currencies == {a.id: a.currency for a in expected}
    one = env.client.get_ad_account(DEMO_ACCOUNT_ID).data
    assert one == next(a for a in accounts if a.id == DEMO_ACCOUNT_ID)
    with pytest.raises(ForbiddenError) as err:
        env.client.get_ad_account(FORBIDDEN_ACCOUNT_ID)
    assert err.value.status == 403
    with pytest.raises(NotFoundError):
        env.client.get_ad_account("123456789012")


def test_campaigns_follow_pagination_to_the_end(make_env: MakeEnv) -> None:
    env = make_env()
    truth = env.sim.world.campaigns(LARGE_ACCOUNT_ID)
    assert len(truth) > 250  # more than one page of 250
    every = ["ACTIVE", "PAUSED", "ARCHIVED", "DRAFT", "DELETED_DRAFT"]
    campaigns = env.client.list_campaigns(LARGE_ACCOUNT_ID, entity_statuses=every).data
    assert sorted(c.id for c in campaigns) == sorted(c.id for c in truth)
    assert all(isinstance(c, Campaign) and c.ad_account_id == LARGE_ACCOUNT_ID for c in campaigns)
    by_id = {c.id: c for c in truth}
    for c in campaigns[:50]:
        assert c.daily_spend_cap == by_id[c.id].daily_spend_cap
        assert c.name == by_id[c.id].name and c.status == by_id[c.id].status
    # One listing per status, each read from both ends: two calls per round, a round
    # covering two pages of 250 (the readers know they met once they overlap).
    calls = env.sim.stats.by_path[f"/v5/ad_accounts/{LARGE_ACCOUNT_ID}/campaigns"]
    per_status = [sum(1 for c in truth if c.status == s) for s in every]
    rounds = [max(1, math.ceil((n + 1) / 500)) for n in per_status]
    assert calls == 2 * sum(rounds)
    # Pinterest's default statuses are ACTIVE and PAUSED.
    default = env.client.list_campaigns(LARGE_ACCOUNT_ID).data
    assert sorted(c.id for c in default) == sorted(
        c.id for c in truth if c.status in ("ACTIVE", "PAUSED"))


def test_campaigns_by_ids_over_250_are_batched(make_env: MakeEnv) -> None:
    env = make_env()
    truth = env.sim.world.campaigns(LARGE_ACCOUNT_ID)[:300]
    ids = [c.id for c in truth]
    got = env.client.list_campaigns(LARGE_ACCOUNT_ID, campaign_ids=ids,
                                    entity_statuses=["ACTIVE", "PAUSED", "ARCHIVED"]).data
    assert sorted(c.id for c in got) == sorted(
        c.id for c in truth if c.status in ("ACTIVE", "PAUSED", "ARCHIVED"))


def test_ad_groups_and_ads(make_env: MakeEnv) -> None:
    env = make_env()
    campaign = env.sim.world.campaigns(DEMO_ACCOUNT_ID)[0]
    statuses = ["ACTIVE", "PAUSED", "ARCHIVED"]
    groups = env.client.list_ad_groups(DEMO_ACCOUNT_ID, campaign_ids=[campaign.id],
                                       entity_statuses=statuses).data
    truth_groups = [g for g in env.sim.world.ad_groups(DEMO_ACCOUNT_ID)
                    if g.campaign_id == campaign.id and g.status in statuses]
    assert sorted(g.id for g in groups) == sorted(g.id for g in truth_groups)
    assert all(isinstance(g, AdGroup) and isinstance(g.budget_in_micro_currency, int | None)
               for g in groups)
    group = truth_groups[0]
    ads = env.client.list_ads(DEMO_ACCOUNT_ID, ad_group_ids=[group.id],
                              entity_statuses=statuses).data
    truth_ads = [a for a in env.sim.world.ads(DEMO_ACCOUNT_ID)
                 if a.ad_group_id == group.id and a.status in statuses]
    assert sorted(a.id for a in ads) == sorted(a.id for a in truth_ads)
    assert all(isinstance(a, Ad) and a.campaign_id == campaign.id for a in ads)
    all_ads = env.client.list_ads(DEMO_ACCOUNT_ID, entity_statuses=statuses).data
    assert len(all_ads) == len([a for a in env.sim.world.ads(DEMO_ACCOUNT_ID)
                                if a.status in statuses])
    assert env.client.list_campaigns(EMPTY_ACCOUNT_ID).data == []


@pytest.mark.parametrize("level", ["AD_ACCOUNT", "CAMPAIGN", "AD_GROUP", "AD"])
def test_analytics_every_level_matches_engine(make_env: MakeEnv, level: str) -> None:
    env = make_env()
    start, end = env.today - timedelta(days=13), env.today - timedelta(days=1)
    world = env.sim.world
    ids: list[str] | None = {
        "AD_ACCOUNT": None,
        "CAMPAIGN": [c.id for c in world.campaigns(DEMO_ACCOUNT_ID)],
        "AD_GROUP": [g.id for g in world.ad_groups(DEMO_ACCOUNT_ID)][:40],
        "AD": [a.id for a in world.ads(DEMO_ACCOUNT_ID)][:40],
    }[level]
    got = env.client.analytics(DEMO_ACCOUNT_ID, level,  # type: ignore[arg-type]
                               start_date=start, end_date=end, columns=COLUMNS,
                               granularity="DAY", entity_ids=ids)
    truth = env.sim.engine.rows(DEMO_ACCOUNT_ID, level,  # type: ignore[arg-type]
                                ids, start, end, "DAY", COLUMNS)
    assert got.data == truth
    assert len(truth) > 0
    # Spend adds up: the client's rows and the engine agree on the account total too.
    account_total = env.sim.engine.rows(DEMO_ACCOUNT_ID, "AD_ACCOUNT", None, start, end,
                                        "TOTAL", ["SPEND_IN_MICRO_DOLLAR"])
    if level in ("AD_ACCOUNT", "CAMPAIGN"):
        assert sum(r.get("SPEND_IN_MICRO_DOLLAR", 0) for r in got.data) == \
            account_total[0]["SPEND_IN_MICRO_DOLLAR"]


def test_analytics_all_entities_when_no_ids(make_env: MakeEnv) -> None:
    env = make_env()
    start, end = env.today - timedelta(days=6), env.today - timedelta(days=1)
    got = env.client.analytics(DEMO_ACCOUNT_ID, "CAMPAIGN", start_date=start, end_date=end,
                               columns=["SPEND_IN_MICRO_DOLLAR"], granularity="TOTAL")
    account = env.sim.engine.rows(DEMO_ACCOUNT_ID, "AD_ACCOUNT", None, start, end, "TOTAL",
                                  ["SPEND_IN_MICRO_DOLLAR"])
    assert sum(r["SPEND_IN_MICRO_DOLLAR"] for r in got.data) == \
        account[0]["SPEND_IN_MICRO_DOLLAR"]


def test_analytics_attribution_is_sent(make_env: MakeEnv) -> None:
    env = make_env()
    start, end = env.today - timedelta(days=20), env.today - timedelta(days=5)
    attribution = Attribution(click_window_days=7, engagement_window_days=1,
                              view_window_days=0, conversion_report_time="TIME_OF_CONVERSION")
    cols = ["TOTAL_CONVERSIONS", "TOTAL_CHECKOUT"]
    got = env.client.analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT", start_date=start, end_date=end,
                               columns=cols, granularity="TOTAL", attribution=attribution)
    truth = env.sim.engine.rows(DEMO_ACCOUNT_ID, "AD_ACCOUNT", None, start, end, "TOTAL", cols,
                                SimAttribution(7, 1, 0, "TIME_OF_CONVERSION"))
    default = env.sim.engine.rows(DEMO_ACCOUNT_ID, "AD_ACCOUNT", None, start, end, "TOTAL",
                                  cols)
    assert got.data == truth
    assert truth != default  # the windows matter, so the test can tell they were sent


@pytest.mark.parametrize("level", ["AD_ACCOUNT", "CAMPAIGN", "AD_GROUP", "AD"])
def test_targeting_analytics_every_level(make_env: MakeEnv, level: str) -> None:
    env = make_env()
    start, end = env.today - timedelta(days=10), env.today - timedelta(days=2)
    world = env.sim.world
    ids: list[str] | None = {
        "AD_ACCOUNT": None,
        "CAMPAIGN": [c.id for c in world.campaigns(DEMO_ACCOUNT_ID)][:3],
        "AD_GROUP": [g.id for g in world.ad_groups(DEMO_ACCOUNT_ID)][:3],
        "AD": [a.id for a in world.ads(DEMO_ACCOUNT_ID)][:3],
    }[level]
    types = ["AGE_BUCKET", "GENDER"]
    cols = ["SPEND_IN_MICRO_DOLLAR", "TOTAL_IMPRESSION"]
    got = env.client.targeting_analytics(DEMO_ACCOUNT_ID, level,  # type: ignore[arg-type]
                                         targeting_types=types, start_date=start,
                                         end_date=end, columns=cols, entity_ids=ids)
    truth = env.sim.engine.targeting_rows(DEMO_ACCOUNT_ID, level,  # type: ignore[arg-type]
                                          ids, types, start, end, "TOTAL", cols)
    assert all(isinstance(r, TargetingRow) for r in got.data)
    assert [(r.targeting_type, r.targeting_value, dict(r.metrics)) for r in got.data] == [
        (t["targeting_type"], str(t["targeting_value"]), t["metrics"]) for t in truth]
    # Per type, the values add up to the same total.
    spend = {t: sum(r.metrics.get("SPEND_IN_MICRO_DOLLAR", 0) for r in got.data
                    if r.targeting_type == t) for t in types}
    assert spend["AGE_BUCKET"] == spend["GENDER"] > 0


def test_audience_insights_and_scopes(make_env: MakeEnv) -> None:
    env = make_env()
    for kind in ("YOUR_TOTAL_AUDIENCE", "YOUR_ENGAGED_AUDIENCE", "PINTEREST_TOTAL_AUDIENCE"):
        insights = env.client.audience_insights(DEMO_ACCOUNT_ID, kind).data
        truth = env.sim.engine.audience_insights(DEMO_ACCOUNT_ID, kind)
        assert insights.type == kind
        assert insights.size == truth["size"]
        assert [c.key for c in insights.categories] == [c["key"] for c in truth["categories"]]
        assert [(a.key, a.ratio) for a in insights.demographics.ages] == [
            (a["key"], a["ratio"]) for a in truth["demographics"]["ages"]]
    scopes = env.client.audience_scopes(DEMO_ACCOUNT_ID).data
    truth_scopes = env.sim.engine.audience_scopes(DEMO_ACCOUNT_ID)["items"]
    assert [(s.scope, s.type) for s in scopes] == [(s["scope"], s["type"]) for s in truth_scopes]


def test_delivery_metrics_ready_state_and_dictionaries(make_env: MakeEnv) -> None:
    env = make_env()
    every = env.client.delivery_metrics().data
    sync = env.client.delivery_metrics("SYNC").data
    assert sync and len(sync) <= len(every)
    assert {"SPEND_IN_MICRO_DOLLAR", "CTR"} <= {m.name for m in every}
    for day in (env.today, env.today - timedelta(days=1), env.today - timedelta(days=10)):
        state = env.client.metrics_ready_state(day).data
        truth = env.sim.engine.metrics_ready_state(day)
        assert state.conversion_metrics_ready == truth["conversion_metrics_ready"]
        assert state.non_conversion_metrics_ready == truth["non_conversion_metrics_ready"]
        assert state.day == day
    assert env.client.metrics_ready_state(env.today - timedelta(days=10)).data.ready
    assert not env.client.metrics_ready_state(env.today).data.ready
    locations = env.client.targeting_options("LOCATION").data
    genders = env.client.targeting_options("GENDER").data
    assert locations and all(isinstance(k, str) and isinstance(v, str)
                             for k, v in locations.items())
    assert genders


def test_money_helpers_keep_micro_units_exact() -> None:
    assert micro_to_amount(1_234_567, "USD") == Decimal("1.23")
    assert micro_to_amount(1_500_000, "JPY") == Decimal("2")
    assert format_money(1_234_567_890, "USD") == "$1,234.57"
    assert format_money(987_654_321, "JPY") == "¥988"
    assert format_money(-3_100_000, "EUR") == "-€3.10"


def test_money_stays_in_micro_units_of_the_account_currency(make_env: MakeEnv) -> None:
    env = make_env()
    accounts = env.client.list_ad_accounts().data
    yen = next(a for a in accounts if a.currency == "JPY")
    start, end = env.today - timedelta(days=7), env.today - timedelta(days=1)
    rows = env.client.analytics(yen.id, "AD_ACCOUNT", start_date=start, end_date=end,
                                columns=["SPEND_IN_MICRO_DOLLAR"], granularity="TOTAL").data
    micro = rows[0]["SPEND_IN_MICRO_DOLLAR"]
    truth = env.sim.engine.rows(yen.id, "AD_ACCOUNT", None, start, end, "TOTAL",
                                ["SPEND_IN_MICRO_DOLLAR"])[0]["SPEND_IN_MICRO_DOLLAR"]
    assert isinstance(micro, int) and micro == truth
    whole_yen = (Decimal(truth) / Decimal(1_000_000)).quantize(Decimal(1), "ROUND_HALF_UP")
    assert micro_to_amount(micro, yen.currency) == whole_yen
    assert format_money(micro, yen.currency) == f"¥{whole_yen:,}"
