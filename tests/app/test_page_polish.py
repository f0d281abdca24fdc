"""Visible details of the pages in AppTest (demo mode: the in-process simulator): the API status
page's data source and tiles, unique glossary names, report-builder number formats, budget
caps without "None", and the maps' plotly config that loads outlines from the app itself."""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import ui.common
from dashboard.formatting import DASH, format_money
from pinterest_client import _ratelimit
from pinterest_client._cache import default_cache
from pinterest_sim import DEMO_ACCOUNT_ID, SimConfig, Simulator
from tests.app.support import APP, texts

ROOT = Path(__file__).resolve().parents[2]


def _clean_state() -> None:
    st.cache_resource.clear()  # a new demo simulator and client for this test
    default_cache().clear()  # and no responses left over from another test
    with _ratelimit._registry_lock:
        _ratelimit._registry.clear()


def _start(monkeypatch: pytest.MonkeyPatch, **env: str) -> AppTest:
    for name in ("PINTEREST_ACCESS_TOKEN", "PINTEREST_API_BASE_URL", "PINTEREST_SIM_FAULTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PINTEREST_SIM_SEED", "7")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    _clean_state()
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[AppTest]:
    yield _start(monkeypatch, PINTEREST_SIM_REPORT_DELAY="0",
                 PINTEREST_DASHBOARD_STORE=str(tmp_path / "reports.sqlite3"))
    st.cache_resource.clear()


def open_page(at: AppTest, path: str) -> AppTest:
    at.switch_page(path)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def column_config(element: Any) -> dict[str, Any]:
    """The st.column_config a dataframe element was drawn with, by column name."""
    config: dict[str, Any] = json.loads(element.proto.columns or "{}")
    return config


def test_api_status_names_the_api_address_once(monkeypatch: pytest.MonkeyPatch) -> None:
    server_sim = Simulator(SimConfig(seed=7, token="status-page-token"))
    server = server_sim.serve("127.0.0.1", 0)
    try:
        at = _start(monkeypatch, PINTEREST_ACCESS_TOKEN="status-page-token",
                    PINTEREST_API_BASE_URL=server.base_url)
        open_page(at, "pages/api_status.py")
        sources = [t for t in texts(at.caption) if t.startswith("Personal mode · Data source")]
        assert len(sources) == 1, texts(at.caption)
        assert sources[0].count(server.base_url) == 1, sources[0]
        assert "status-page-token" not in " ".join(texts(at.caption))
    finally:
        server.stop()
        st.cache_resource.clear()


def test_api_status_latency_tiles_match_the_client(app: AppTest) -> None:
    at = open_page(app, "pages/api_status.py")
    tiles = {m.label: str(m.value) for m in at.metric}
    latency = at.session_state["page_context"].client.stats().latency
    assert tiles["Latency p50"] == f"{latency.p50_ms:,.0f} ms"
    assert tiles["Latency p95"] == f"{latency.p95_ms:,.0f} ms"
    # Short labels: a label longer than this is cut off on a 1280 px wide screen.
    assert all(len(label) <= 15 for label in tiles), list(tiles)


def test_glossary_rows_all_read_differently(app: AppTest) -> None:
    at = open_page(app, "pages/glossary.py")
    frame = at.dataframe[0].value
    assert frame["Metric"].is_unique, frame["Metric"][frame["Metric"].duplicated()].tolist()
    at.text_input(key="glossary_search").set_value("campaign status")
    at.run()
    found = at.dataframe[0].value
    assert {"CAMPAIGN_STATUS", "CAMPAIGN_ENTITY_STATUS"} <= set(found["Column"])


def test_report_builder_formats_counts_and_money_like_the_other_pages(app: AppTest) -> None:
    at = open_page(app, "pages/report_builder.py")
    end = at.session_state["page_context"].today - timedelta(days=1)
    at.selectbox(key="rb_level").set_value("CAMPAIGN")
    at.date_input(key="rb_dates_False").set_value((end - timedelta(days=6), end))
    at.button(key="rb_run").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    config = column_config(at.dataframe[0])
    assert config["SPEND_IN_MICRO_DOLLAR"]["type_config"]["format"] == "$%,.2f"
    assert config["SPEND_IN_MICRO_DOLLAR"]["label"] == "Spend"
    for count in ("PAID_IMPRESSION", "CLICKTHROUGH_1", "TOTAL_CONVERSIONS"):
        assert config[count]["type_config"]["format"] == "%,d", (count, config[count])
    assert config["CAMPAIGN_ID"]["type_config"]["type"] == "text"
    assert config["DATE"]["label"] == "Date"


def test_campaign_caps_show_a_dash_not_none_and_csv_stays_numeric(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    downloads: dict[str, pd.DataFrame] = {}
    real_csv = ui.common.to_safe_csv  # type: ignore[attr-defined]

    def keep(frame: pd.DataFrame) -> bytes:
        downloads[",".join(map(str, frame.columns))] = frame.copy()
        return real_csv(frame)

    monkeypatch.setattr(ui.common, "to_safe_csv", keep)
    at = open_page(app, "pages/campaigns.py")
    shown = at.dataframe[0].value
    campaigns = {c.id: c for c in Simulator(SimConfig(seed=7)).world.campaigns(DEMO_ACCOUNT_ID)}
    assert any(c.daily_spend_cap is None for c in campaigns.values())
    assert any(c.lifetime_spend_cap is not None for c in campaigns.values())
    for campaign_id, daily, lifetime in zip(
        shown["ID"], shown["Daily cap"], shown["Lifetime cap"], strict=True
    ):
        assert daily == format_money(campaigns[campaign_id].daily_spend_cap, "USD")
        assert lifetime == format_money(campaigns[campaign_id].lifetime_spend_cap, "USD")
    assert not shown.isin(["None"]).any().any()
    assert DASH in set(shown["Daily cap"])

    csv = next(f for header, f in downloads.items() if header.startswith("Name,ID,Status"))
    assert pd.api.types.is_float_dtype(csv["Daily cap"])
    for campaign_id, cap in zip(csv["ID"], csv["Daily cap"], strict=True):
        expected = campaigns[campaign_id].daily_spend_cap
        assert (pd.isna(cap) if expected is None else cap == expected / 1_000_000)
    assert b"None" not in real_csv(csv)
    # Counts are whole numbers in the file, as on screen.
    assert pd.api.types.is_integer_dtype(csv["Impressions"])
    assert b".0," not in real_csv(csv[["Impressions", "Clicks"]])


def test_maps_load_outlines_from_the_app(app: AppTest) -> None:
    at = open_page(app, "pages/targeting.py")
    configs: list[dict[str, Any]] = []
    for tab in [tab.label for tab in at.tabs]:  # only the open tab is built
        at.session_state["targeting_tab"] = tab
        at.run()
        configs += [json.loads(chart.proto.config or "{}") for chart in at.get("plotly_chart")]
    maps = [c for c in configs if "topojsonURL" in c]
    assert len(maps) == 2  # the world (Countries) and the US (US states)
    for config in maps:
        url = config["topojsonURL"]
        assert url == "app/static/topojson/"
        folder = ROOT / "static" / url.removeprefix("app/static/")
        assert (folder / "world_110m.json").is_file() and (folder / "usa_110m.json").is_file()
    # Each map keeps its exact top-15 bar chart underneath.
    assert len(configs) >= 9 + 2


def test_page_icon_is_a_local_png(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A :material: page icon makes the browser fetch it from fonts.gstatic.com (offline: none).
    The icon is found from any working directory."""
    seen: list[dict[str, Any]] = []
    real = st.set_page_config

    def recording(*args: Any, **kwargs: Any) -> None:
        seen.append(kwargs)
        real(*args, **kwargs)

    monkeypatch.setattr(st, "set_page_config", recording)
    monkeypatch.chdir(tmp_path)
    _start(monkeypatch)
    icon = seen[0]["page_icon"]
    path = Path(icon)
    assert path.is_absolute() and path.is_file(), icon
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    assert width == height >= 32
