"""The Overview chart's partial periods and Hour notice, and the Campaigns table and pacing
chart, in AppTest (demo data), checked against the simulator's own rows and the calendar."""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.periods import periods
from pinterest_client import _ratelimit
from pinterest_client._cache import default_cache
from pinterest_sim import DEMO_ACCOUNT_ID, LARGE_ACCOUNT_ID, SimConfig, Simulator
from tests.app.support import APP

SPEND = "SPEND_IN_MICRO_DOLLAR"


def _start(monkeypatch: pytest.MonkeyPatch, query: dict[str, str]) -> AppTest:
    for name in ("PINTEREST_ACCESS_TOKEN", "PINTEREST_API_BASE_URL", "PINTEREST_SIM_FAULTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PINTEREST_SIM_SEED", "7")
    st.cache_resource.clear()
    default_cache().clear()
    with _ratelimit._registry_lock:
        _ratelimit._registry.clear()
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.fixture
def cleanup() -> Iterator[None]:
    yield
    st.cache_resource.clear()


def _today(at: AppTest) -> date:
    value = at.session_state["page_context"].today
    assert isinstance(value, date)
    return value


def _texts(elements: Any) -> list[str]:
    return [str(e.value) for e in elements]


def _spend(start: date, end: date) -> float:
    rows = Simulator(SimConfig(seed=7)).engine.rows(
        DEMO_ACCOUNT_ID, "AD", None, start, end, "TOTAL", [SPEND])
    return float(sum(row.get(SPEND, 0) for row in rows))


def test_month_overview_names_cut_months_and_sparklines_skip_them(
    monkeypatch: pytest.MonkeyPatch, cleanup: None
) -> None:
    at = _start(monkeypatch, {"preset": "last_90_days", "granularity": "MONTH"})
    today = _today(at)
    end = today - timedelta(days=1)
    start = end - timedelta(days=89)
    # The calendar, independently: months the range cuts and how many of their days it holds.
    month_length = calendar.monthrange(start.year, start.month)[1]
    first_month_days = month_length - start.day + 1
    captions = " ".join(_texts(at.caption))
    if start.day != 1:
        assert "Lighter bars are partial periods" in captions
        assert f"{start:%b} {start.year} ({first_month_days} of {month_length} days)" in captions
    # Spend sparkline: one point per whole month, each the simulator's spend of that month.
    whole = [p for p in periods(start, end, "MONTH") if p.first == p.start and p.last == p.end]
    spark = next(m for m in at.metric if m.label == "Spend").proto.chart_data
    expected = [_spend(p.start, p.end) for p in whole]
    if len(expected) >= 2:
        assert list(spark) == pytest.approx(expected)
    else:
        assert list(spark) == []


def test_hour_on_90_days_says_the_chart_shows_days(
    monkeypatch: pytest.MonkeyPatch, cleanup: None
) -> None:
    at = _start(monkeypatch, {"preset": "last_90_days", "granularity": "HOUR"})
    notices = " ".join(_texts(at.info))
    assert "(90 days) is too long and too far back for hourly data" in notices
    assert "shows daily data" in notices
    # And where hours are served, no notice.
    at = _start(monkeypatch, {"preset": "yesterday", "granularity": "HOUR"})
    assert not any("Hourly data is not available" in t for t in _texts(at.info))


def test_campaign_table_pins_names_and_pacing_shows_its_number(
    monkeypatch: pytest.MonkeyPatch, cleanup: None
) -> None:
    at = _start(monkeypatch, {"account": LARGE_ACCOUNT_ID})
    at.switch_page("pages/campaigns.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    config: dict[str, Any] = json.loads(at.dataframe[0].proto.columns or "{}")
    assert config["Name"]["pinned"] is True
    pacing = config["Pacing"]
    assert pacing["type_config"]["type"] == "progress"
    assert pacing["type_config"]["format"] == "percent"
    assert pacing["width"] == "medium"  # wide enough for the number beside the bar
    # The pacing chart: the long-flight campaigns stop at the axis end, value written.
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    chart = next(s for s in specs if s["data"][0].get("name") == "Pacing")
    bar = chart["data"][0]
    assert max(bar["x"]) <= 200
    assert chart["layout"]["xaxis"]["range"][1] < 220
    over = [t for t in bar["text"] if t]
    assert over and all("%" in t for t in over)
