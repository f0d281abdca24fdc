"""Helpers shared by the AppTest modules (fixtures are in conftest.py; no test module imports
another). Ground truth comes from a separate Simulator of the demo's seed that the app never
talks to, so expected numbers are computed here, not by the code under test."""

from __future__ import annotations

import functools
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pinterest_client import _ratelimit
from pinterest_client._cache import default_cache
from pinterest_sim import SimConfig, Simulator
from tests.markdown_support import visible_text
from web.pages_mode import ServedPagesManager as ServedPagesManager

APP = str(Path(__file__).resolve().parents[2] / "app.py")
SPEND = "SPEND_IN_MICRO_DOLLAR"
COLUMNS = [SPEND, "PAID_IMPRESSION", "CLICKTHROUGH_1", "TOTAL_CONVERSIONS"]


@functools.cache
def reference_sim() -> Simulator:
    """Ground truth: a simulator of the demo's seed that the app never talks to."""
    return Simulator(SimConfig(seed=7))


def truth(account: str, start: date, end: date) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for row in reference_sim().engine.rows(account, "AD", None, start, end, "TOTAL", COLUMNS):
        for column in COLUMNS:
            totals[column] += row.get(column, 0)
    return totals


def fresh_app(monkeypatch: pytest.MonkeyPatch, query: dict[str, str] | None = None) -> AppTest:
    monkeypatch.delenv("PINTEREST_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("PINTEREST_API_BASE_URL", raising=False)
    monkeypatch.delenv("PINTEREST_SIM_FAULTS", raising=False)
    monkeypatch.setenv("PINTEREST_SIM_SEED", "7")
    st.cache_resource.clear()  # a new demo simulator and client for this test
    default_cache().clear()  # and no responses left over from another test
    with _ratelimit._registry_lock:  # nor a rate-limit block a 429 test left behind
        _ratelimit._registry.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at


def another_session(query: dict[str, str] | None = None) -> AppTest:
    """A second visitor of the same process: caches and the connection as the last run left
    them (fresh_app clears them)."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at


def today(at: AppTest) -> date:
    value = at.session_state["page_context"].today
    assert isinstance(value, date)
    return value


def app_simulator(at: AppTest) -> Simulator:
    sim = at.session_state["page_context"].connection.simulator
    assert isinstance(sim, Simulator)
    return sim


def tile(at: AppTest, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert values, f"no {label!r} tile; tiles: {[m.label for m in at.metric]}"
    return str(values[0])


def texts(elements: Any) -> list[str]:
    """The texts as a reader sees them: Markdown escapes resolved (outside text is escaped)."""
    return [visible_text(str(e.value)) for e in elements]


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def last_7_days(at: AppTest) -> tuple[date, date]:
    end = today(at) - timedelta(days=1)
    return end - timedelta(days=6), end
