"""Every page in AppTest (demo mode: the in-process simulator), with the numbers shown checked
against sums computed here from a separate Simulator of the same seed (its own ad-level rows)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.formatting import format_money, format_percent
from pinterest_client._cache import default_cache
from pinterest_sim import DEMO_ACCOUNT_ID, EMPTY_ACCOUNT_ID, LARGE_ACCOUNT_ID, SimConfig, Simulator
from pinterest_sim.world import EUR_ACCOUNT_ID, JPY_ACCOUNT_ID
from tests.app.support import (
    SPEND,
    app_simulator,
    fresh_app,
    last_7_days,
    reference_sim,
    rerun,
    texts,
    tile,
    today,
    truth,
)

PAGES = [
    ("pages/overview.py", "Overview"),
    ("pages/campaigns.py", "Campaigns"),
    ("pages/audience.py", "Audience"),
    ("pages/targeting.py", "Targeting"),
    ("pages/glossary.py", "Metrics glossary"),
    ("pages/api_status.py", "API status"),
]


def test_overview_spend_and_ctr_tiles_equal_simulator_rows(app: AppTest) -> None:
    start, end = last_7_days(app)
    expected = truth(DEMO_ACCOUNT_ID, start, end)
    assert expected[SPEND] > 0
    assert tile(app, "Spend") == format_money(expected[SPEND], "USD", abbreviate=True)
    ctr = expected["CLICKTHROUGH_1"] / expected["PAID_IMPRESSION"]
    assert tile(app, "CTR") == format_percent(ctr)
    assert tile(app, "Conversions") in (
        f"{expected['TOTAL_CONVERSIONS']:,.0f}",
        f"{expected['TOTAL_CONVERSIONS'] / 1000:.1f}K",
    )
    # The exact figures: the time-series table sums to the simulator's total, to the cent.
    table = app.dataframe[0].value
    assert round(float(table["Spend"].sum()), 2) == round(expected[SPEND] / 1e6, 2)
    assert len(table) == 7
    assert any("Demo mode" in t and "Demo data" in t for t in texts(app.sidebar.warning))
    assert app.query_params["account"] == DEMO_ACCOUNT_ID


def test_every_page_renders_with_its_title(app: AppTest) -> None:
    for path, title in PAGES:
        app.switch_page(path)
        rerun(app)
        assert texts(app.title)[:1] == [title], path
        assert not app.error, (path, texts(app.error))


def test_preset_change_moves_numbers_and_url(app: AppTest) -> None:
    app.selectbox(key="f_preset").set_value("last_30_days")
    rerun(app)
    end = today(app) - timedelta(days=1)
    expected = truth(DEMO_ACCOUNT_ID, end - timedelta(days=29), end)
    assert tile(app, "Spend") == format_money(expected[SPEND], "USD", abbreviate=True)
    assert app.query_params["preset"] == "last_30_days"
    assert len(app.dataframe[0].value) == 30


def test_euro_and_yen_accounts_use_their_currency(app: AppTest) -> None:
    start, end = last_7_days(app)
    app.selectbox(key="f_account").set_value(EUR_ACCOUNT_ID)
    rerun(app)
    expected = truth(EUR_ACCOUNT_ID, start, end)
    assert tile(app, "Spend") == format_money(expected[SPEND], "EUR", abbreviate=True)
    assert tile(app, "Spend").startswith("€")
    app.selectbox(key="f_account").set_value(JPY_ACCOUNT_ID)
    rerun(app)
    expected = truth(JPY_ACCOUNT_ID, start, end)
    assert tile(app, "Spend") == format_money(expected[SPEND], "JPY", abbreviate=True)
    assert app.query_params["account"] == JPY_ACCOUNT_ID


def test_custom_range_from_a_shared_link(monkeypatch: pytest.MonkeyPatch) -> None:
    probe = fresh_app(monkeypatch)
    rerun(probe)
    end = today(probe) - timedelta(days=10)
    start = end - timedelta(days=4)
    at = fresh_app(
        monkeypatch,
        {"preset": "custom", "start": start.isoformat(), "end": end.isoformat(), "compare": "0",
         "account": EUR_ACCOUNT_ID},
    )
    rerun(at)
    assert not at.warning or all("link" not in t for t in texts(at.warning))
    expected = truth(EUR_ACCOUNT_ID, start, end)
    assert tile(at, "Spend") == format_money(expected[SPEND], "EUR", abbreviate=True)
    assert all(m.delta in (None, "") for m in at.metric)  # compare=0: no deltas
    assert at.query_params["start"] == start.isoformat()


def test_tampered_link_shows_messages_and_safe_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    at = fresh_app(
        monkeypatch,
        {"preset": "last_9999_days", "account": "12;DROP", "click": "3", "start": "2026-02-30"},
    )
    rerun(at)
    messages = texts(at.warning)
    assert any("date preset" in m for m in messages), messages
    assert any("ad account id" in m for m in messages), messages
    assert any("click attribution" in m for m in messages), messages
    start, end = last_7_days(at)
    assert tile(at, "Spend") == format_money(truth(DEMO_ACCOUNT_ID, start, end)[SPEND], "USD",
                                             abbreviate=True)
    assert at.query_params["preset"] == "last_7_days"


def test_link_to_an_account_the_user_cannot_see(monkeypatch: pytest.MonkeyPatch) -> None:
    at = fresh_app(monkeypatch, {"account": "549764106887"})  # exists, no access
    rerun(at)
    assert any("not one this Pinterest user can see" in t for t in texts(at.warning))
    assert at.query_params["account"] == DEMO_ACCOUNT_ID


def test_api_fault_shows_an_error_not_a_traceback(app: AppTest) -> None:
    sim = app_simulator(app)
    sim.faults.update({"storm_429": True, "storm_reset_s": 3600})
    app.selectbox(key="f_preset").set_value("last_14_days")  # not cached yet
    rerun(app)
    errors = texts(app.error)
    assert any("rate limit" in e for e in errors), errors
    assert not app.exception


def test_stale_data_is_marked_with_its_age(app: AppTest) -> None:
    sim = app_simulator(app)
    good = tile(app, "Spend")
    cache = default_cache()
    with cache._lock:  # every fresh copy expires; the stale copies stay
        cache._fresh.clear()
    sim.faults.update({"storm_429": True, "storm_reset_s": 3600})
    rerun(app)
    warnings = texts(app.warning)
    assert any("stale" in w and "ago" in w for w in warnings), warnings
    assert tile(app, "Spend") == good


def test_empty_account_explains_itself(app: AppTest) -> None:
    app.selectbox(key="f_account").set_value(EMPTY_ACCOUNT_ID)
    rerun(app)
    assert any("No delivery in this period" in t for t in texts(app.info))
    assert not app.metric
    app.switch_page("pages/campaigns.py")
    rerun(app)
    assert any("no campaigns yet" in t for t in texts(app.info))


def test_campaigns_table_search_and_drill_down(app: AppTest) -> None:
    app.switch_page("pages/campaigns.py")
    rerun(app)
    start, end = last_7_days(app)
    ref = reference_sim()
    campaign_of = {ad.id: ad.campaign_id for ad in ref.world.ads(DEMO_ACCOUNT_ID)}
    group_of = {ad.id: ad.ad_group_id for ad in ref.world.ads(DEMO_ACCOUNT_ID)}
    by_campaign: dict[str, float] = defaultdict(float)
    by_group: dict[str, float] = defaultdict(float)
    for row in ref.engine.rows(DEMO_ACCOUNT_ID, "AD", None, start, end, "TOTAL", [SPEND]):
        by_campaign[campaign_of[row["AD_ID"]]] += row.get(SPEND, 0)
        by_group[group_of[row["AD_ID"]]] += row.get(SPEND, 0)
    table = app.dataframe[0].value
    assert len(table) == len(ref.world.campaigns(DEMO_ACCOUNT_ID))
    for campaign_id, spend in zip(table["ID"], table["Spend"], strict=True):
        assert round(float(spend), 2) == round(by_campaign[campaign_id] / 1e6, 2)
    # Search narrows the one table.
    name = str(table["Name"].iloc[0])
    app.text_input(key="campaigns_search").set_value(name)
    rerun(app)
    assert list(app.dataframe[0].value["Name"]) == [name]
    app.text_input(key="campaigns_search").set_value("")
    rerun(app)
    # Drill: campaign -> ad groups -> ads, each level summing to its parent.
    top_campaign = str(table["ID"].iloc[0])
    app.selectbox(key="drill_campaign").set_value(top_campaign)
    rerun(app)
    groups = app.dataframe[1].value
    assert round(float(groups["Spend"].sum()), 2) == round(by_campaign[top_campaign] / 1e6, 2)
    top_group = str(groups["ID"].iloc[0])
    app.selectbox(key="drill_ad_group").set_value(top_group)
    rerun(app)
    ads = app.dataframe[2].value
    assert round(float(ads["Spend"].sum()), 2) == round(by_group[top_group] / 1e6, 2)


def test_large_account_campaign_table(app: AppTest) -> None:
    app.selectbox(key="f_account").set_value(LARGE_ACCOUNT_ID)
    app.switch_page("pages/campaigns.py")
    rerun(app)
    campaigns = len(reference_sim().world.campaigns(LARGE_ACCOUNT_ID))
    assert campaigns >= 600
    assert len(app.dataframe[0].value) == campaigns
    assert f"{campaigns:,} of {campaigns:,} campaigns" in texts(app.caption)


def test_targeting_page_breakdowns_sum_to_the_total(app: AppTest) -> None:
    app.switch_page("pages/targeting.py")
    rerun(app)
    start, end = last_7_days(app)
    expected = truth(DEMO_ACCOUNT_ID, start, end)[SPEND] / 1e6
    ages = app.dataframe[0].value  # the Age tab's table
    assert round(float(ages["Spend"].sum()), 2) == round(expected, 2)
    assert len(app.tabs) == 9
    app.selectbox(key="targeting_metric").set_value("ctr")
    rerun(app)
    assert not app.error


def test_audience_page_switches_insight_type(app: AppTest) -> None:
    app.switch_page("pages/audience.py")
    rerun(app)
    total = tile(app, "Audience size")
    app.segmented_control(key="audience_type").set_value("PINTEREST_TOTAL_AUDIENCE")
    rerun(app)
    assert tile(app, "Audience size") != total
    expected = reference_sim().engine.audience_insights(DEMO_ACCOUNT_ID, "PINTEREST_TOTAL_AUDIENCE")
    interests = app.dataframe[-1].value
    assert len(interests) == len(expected["categories"])


def test_glossary_search(app: AppTest) -> None:
    app.switch_page("pages/glossary.py")
    rerun(app)
    everything = len(app.dataframe[0].value)
    app.text_input(key="glossary_search").set_value("checkout value")
    rerun(app)
    found = app.dataframe[0].value
    assert 0 < len(found) < everything
    assert "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR" in set(found["Column"])


def test_api_status_page_counts_calls(app: AppTest) -> None:
    app.switch_page("pages/api_status.py")
    rerun(app)
    calls = int(tile(app, "Upstream calls").replace(",", ""))
    sim = app_simulator(app)
    assert calls == sim.stats.total  # every call the client made reached the simulator once
    assert calls > 0
    assert app.get("progress")  # rate-limit budget bars


def test_today_is_hourly_partial_and_auto_refresh_runs_in_a_fragment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = fresh_app(monkeypatch, {"preset": "today", "refresh": "30s"})
    rerun(at)
    captions = texts(at.caption)
    assert any("today is still running" in c for c in captions), captions
    assert any("refreshing automatically" in c for c in captions), captions
    assert any("Hourly (UTC)" in c for c in captions), captions
    assert tile(at, "Spend").startswith("$")
    hours = at.dataframe[0].value
    assert 1 <= len(hours) <= 24  # the hours of today so far
    assert at.query_params["refresh"] == "30s"


def test_weekly_granularity(app: AppTest) -> None:
    app.selectbox(key="f_preset").set_value("last_30_days")
    app.selectbox(key="f_granularity").set_value("WEEK")
    rerun(app)
    end = today(app) - timedelta(days=1)
    expected = truth(DEMO_ACCOUNT_ID, end - timedelta(days=29), end)
    weeks = app.dataframe[0].value
    assert 4 <= len(weeks) <= 6
    assert round(float(weeks["Spend"].sum()), 2) == round(expected[SPEND] / 1e6, 2)
    assert app.query_params["granularity"] == "WEEK"


def _secrets_app(monkeypatch: pytest.MonkeyPatch, token: str, base_url: str) -> AppTest:
    at = fresh_app(monkeypatch)
    at.secrets["pinterest"] = {"access_token": token, "base_url": base_url}
    return at


def test_token_from_secrets_talks_to_that_api_over_http(monkeypatch: pytest.MonkeyPatch) -> None:
    server_sim = Simulator(SimConfig(seed=7, token="secret-token-from-toml"))
    server = server_sim.serve("127.0.0.1", 0)
    try:
        at = _secrets_app(monkeypatch, "secret-token-from-toml", server.base_url)
        rerun(at)
        assert not any("Demo data" in t for t in texts(at.sidebar.warning))
        assert any(server.base_url in t and t.startswith("Personal mode")
                   for t in texts(at.sidebar.caption))
        start, end = last_7_days(at)
        expected = truth(DEMO_ACCOUNT_ID, start, end)
        assert tile(at, "Spend") == format_money(expected[SPEND], "USD", abbreviate=True)
        assert server_sim.stats.total > 0  # the numbers came over loopback HTTP
        shown = " ".join(texts(at.caption) + texts(at.sidebar.caption) + texts(at.warning))
        assert "secret-token-from-toml" not in shown
    finally:
        server.stop()
        st.cache_resource.clear()


def test_refused_token_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    server_sim = Simulator(SimConfig(seed=7, token="the-right-token"))
    server = server_sim.serve("127.0.0.1", 0)
    try:
        at = _secrets_app(monkeypatch, "a-wrong-token", server.base_url)
        rerun(at)
        errors = texts(at.error)
        assert any("refused the access token" in e for e in errors), errors
        assert not any("a-wrong-token" in e for e in errors)
        # One explanation: no second message saying there is no account to show.
        assert not any("No ad account to show" in t for t in texts(at.info))
    finally:
        server.stop()
        st.cache_resource.clear()
