"""Issue 17 item 6 in AppTest (demo mode): the report builder's keyword and product levels
(offered, explained, refused before any job when the range is not allowed, rows adding up to
the simulator's own) and the Campaigns drill-down's keywords."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.formatting import format_kpi
from pinterest_sim import DEMO_ACCOUNT_ID, HOSTILE_ACCOUNT_ID, product_catalog
from tests.app.support import (
    APP,
    fresh_app,
    last_7_days,
    reference_sim,
    rerun,
    texts,
    tile,
    today,
)
from tests.app.support import app_simulator as simulator
from tests.markdown_support import live_markdown

SPEND = "SPEND_IN_MICRO_DOLLAR"


@pytest.fixture
def builder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.delenv("PINTEREST_ACCESS_TOKEN", raising=False)
    monkeypatch.setenv("PINTEREST_SIM_SEED", "7")
    monkeypatch.setenv("PINTEREST_SIM_REPORT_DELAY", "0")
    monkeypatch.setenv("PINTEREST_DASHBOARD_STORE", str(tmp_path / "reports.sqlite3"))
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    rerun(at)
    simulator(at).config.report_delay_s = 0
    at.switch_page("pages/report_builder.py")
    rerun(at)
    yield at
    st.cache_resource.clear()


def _picked(at: AppTest) -> tuple[date, date]:
    value = at.date_input(key="rb_dates_False_items").value
    assert isinstance(value, tuple) and len(value) == 2
    start, end = value
    assert isinstance(start, date) and isinstance(end, date)
    return start, end


def test_builder_offers_the_new_levels_and_explains_their_rules(builder: AppTest) -> None:
    options = builder.selectbox(key="rb_level").options
    for label in ("Keyword", "Product group", "Product item", "Product group, by targeting"):
        assert label in options
    builder.selectbox(key="rb_level").set_value("PRODUCT_ITEM")
    rerun(builder)
    assert any("Only the last 92 days, at most 31 days per job" in t
               for t in texts(builder.caption))
    start, end = _picked(builder)
    assert end == today(builder) - timedelta(days=1) and (end - start).days + 1 == 31


def test_a_product_item_range_too_far_back_is_refused_before_any_job(builder: AppTest) -> None:
    sim = simulator(builder)
    builder.selectbox(key="rb_level").set_value("PRODUCT_ITEM")
    rerun(builder)
    day = today(builder)
    builder.date_input(key="rb_dates_False_items").set_value(
        (day - timedelta(days=120), day - timedelta(days=100)))
    builder.button(key="rb_run").click()
    rerun(builder)
    errors = texts(builder.error)
    assert any("92 days back" in t and "Product item" in t for t in errors), errors
    assert len(sim.backend.reports) == 0 and not builder.success


def test_a_product_item_report_adds_up_to_the_catalog_campaigns(builder: AppTest) -> None:
    sim = simulator(builder)
    builder.selectbox(key="rb_level").set_value("PRODUCT_ITEM")
    rerun(builder)
    start, end = _picked(builder)
    builder.button(key="rb_run").click()
    rerun(builder)
    assert any("Report ready" in t for t in texts(builder.success)), texts(builder.error)
    frame = builder.dataframe[0].value
    assert "PRODUCT_ITEM_ID" in frame.columns
    campaigns = product_catalog.catalog_campaign_ids(sim.world, DEMO_ACCOUNT_ID)
    truth = sim.engine.rows(DEMO_ACCOUNT_ID, "CAMPAIGN", campaigns, start, end, "TOTAL", [SPEND])
    expected = sum(int(r.get(SPEND, 0)) for r in truth)
    assert expected > 0
    assert round(float(frame[SPEND].fillna(0).sum()) * 1_000_000) == expected


def test_drill_down_shows_an_ad_groups_keywords(app: AppTest) -> None:
    app.switch_page("pages/campaigns.py")
    rerun(app)
    sim = simulator(app)
    end = today(app) - timedelta(days=1)
    start = end - timedelta(days=6)
    campaign = str(app.dataframe[0].value["ID"].iloc[0])
    app.selectbox(key="drill_campaign").set_value(campaign)
    rerun(app)
    group = str(app.dataframe[1].value["ID"].iloc[0])
    app.selectbox(key="drill_ad_group").set_value(group)
    rerun(app)
    assert any("Keywords of" in t for t in texts(app.markdown)), texts(app.markdown)
    table = next(d.value for d in app.dataframe if "Keyword" in d.value.columns)
    assert {"Keyword", "Match type", "Status", "Spend", "Impressions", "Clicks", "CTR"} <= set(
        table.columns)
    truth = {r["targeting_value"]: r["metrics"].get(SPEND, 0) for r in sim.engine.targeting_rows(
        DEMO_ACCOUNT_ID, "AD_GROUP", [group], ["KEYWORD"], start, end, "TOTAL", [SPEND])}
    assert set(table["Keyword"]) >= set(truth)
    for keyword, spend in zip(table["Keyword"], table["Spend"], strict=True):
        assert round(float(spend), 2) == round(truth.get(keyword, 0) / 1e6, 2)


def test_overview_tiles_show_the_periods_reach_and_frequency(app: AppTest) -> None:
    start, end = last_7_days(app)
    (truth,) = reference_sim().engine.rows(
        DEMO_ACCOUNT_ID, "AD_ACCOUNT", None, start, end, "TOTAL",
        ["TOTAL_IMPRESSION", "TOTAL_IMPRESSION_USER"])
    reach, impressions = truth["TOTAL_IMPRESSION_USER"], truth["TOTAL_IMPRESSION"]
    assert 0 < reach <= impressions
    currency = app.session_state["page_context"].currency
    assert tile(app, "Reach") == format_kpi(reach, "count", currency)
    assert tile(app, "Frequency") == format_kpi(impressions / reach, "ratio", currency)


def test_campaign_table_shows_reach_and_frequency(app: AppTest) -> None:
    app.switch_page("pages/campaigns.py")
    rerun(app)
    start, end = last_7_days(app)
    truth = {str(r["CAMPAIGN_ID"]): r for r in reference_sim().engine.rows(
        DEMO_ACCOUNT_ID, "CAMPAIGN", None, start, end, "TOTAL",
        ["TOTAL_IMPRESSION", "TOTAL_IMPRESSION_USER"])}
    table = app.dataframe[0].value
    assert {"Reach", "Frequency"} <= set(table.columns)
    for campaign_id, reach in zip(table["ID"], table["Reach"], strict=True):
        assert int(reach) == truth.get(campaign_id, {}).get("TOTAL_IMPRESSION_USER", 0)


def test_hostile_ad_group_names_above_keywords_stay_text(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    at = fresh_app(monkeypatch, {"account": HOSTILE_ACCOUNT_ID, "preset": "last_30_days"})
    rerun(at)
    at.switch_page("pages/campaigns.py")
    rerun(at)
    headings = []
    for index in range(3):
        at.selectbox(key="drill_campaign").set_value(
            at.selectbox(key="drill_campaign").options[index])
        rerun(at)
        at.selectbox(key="drill_ad_group").set_value(
            at.selectbox(key="drill_ad_group").options[0])
        rerun(at)
        headings += [str(m.value) for m in at.markdown if "Keywords of" in str(m.value)]
    assert len(headings) == 3
    for body in headings:
        assert live_markdown(body.replace("**", "")) == [], body
