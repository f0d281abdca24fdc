"""The export pages in AppTest (demo data): the report builder reads in the account's currency
with readable names and no meaningless file-format choice; the bulk tables show one entity
type's columns with UTC times and caps in currency units. Checked against the simulator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pinterest_sim.world import JPY_ACCOUNT_ID
from tests.app.support import APP, app_simulator, today


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.delenv("PINTEREST_ACCESS_TOKEN", raising=False)
    monkeypatch.setenv("PINTEREST_SIM_REPORT_DELAY", "0")
    monkeypatch.setenv("PINTEREST_SIM_BULK_DELAY", "0")
    monkeypatch.setenv("PINTEREST_DASHBOARD_STORE", str(tmp_path / "reports.sqlite3"))
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    at.selectbox(key="f_account").set_value(JPY_ACCOUNT_ID)
    at.run()
    assert not at.exception
    yield at
    st.cache_resource.clear()


def test_report_builder_speaks_the_accounts_currency_and_plain_names(app: AppTest) -> None:
    app.switch_page("pages/report_builder.py")
    app.run()
    assert not app.exception
    # The async file format changes nothing a user sees, so it is not asked.
    assert "File format" not in [r.label for r in app.radio]
    end = today(app) - timedelta(days=2)
    app.date_input(key="rb_dates_False").set_value((end - timedelta(days=13), end))
    app.button(key="rb_run").click()
    app.run()
    assert not app.exception and not app.error
    picker = app.selectbox(key="rb_chart_metric")
    assert "Spend" in picker.options
    assert not any("MICRO_DOLLAR" in option or "(" in option for option in picker.options)
    chart = json.loads(app.get("plotly_chart")[0].proto.spec)
    axis = chart["layout"]["yaxis"]
    assert axis["rangemode"] == "tozero" and axis["title"]["text"] == "Spend (JPY)"
    assert axis["tickprefix"] == "¥"
    labels = [b.label for b in app.get("download_button")]
    assert labels == ["Download CSV", "Download XLSX", "Download raw CSV (API units)"]
    # The request sent to Pinterest used its default JSON file (nothing else to pick).
    sim = app_simulator(app)
    assert len(sim.backend.reports) == 1
    shown = app.dataframe[0].value
    assert str(shown["SPEND_IN_MICRO_DOLLAR"].dtype) == "float64"  # currency units on screen
    assert str(shown["PAID_IMPRESSION"].dtype) == "Int64"


def test_bulk_tables_show_one_types_columns_utc_times_and_yen(app: AppTest) -> None:
    app.switch_page("pages/bulk_export.py")
    app.run()
    app.radio(key="bulk_format").set_value("CSV")  # the raw file carries every type's columns
    app.button(key="bulk_run").click()
    app.run()
    assert not app.exception and not app.error
    world = app_simulator(app).world
    campaigns = {c.id: c for c in world.campaigns(JPY_ACCOUNT_ID) if c.status == "ACTIVE"}
    frame = app.dataframe[0].value.set_index("id")
    assert set(frame.index) == set(campaigns)
    assert not {"pin_id", "creative_type", "budget (JPY)", "campaign_id"} & set(frame.columns)
    assert "created_time" not in frame and "daily_spend_cap" not in frame
    for campaign_id, campaign in campaigns.items():
        created = datetime.fromtimestamp(campaign.created_time, UTC).replace(tzinfo=None)
        assert pd.Timestamp(frame.loc[campaign_id, "created_time (UTC)"]) == created
        cap = frame.loc[campaign_id, "daily_spend_cap (JPY)"]
        if campaign.daily_spend_cap is None:
            assert pd.isna(cap)
        else:
            assert cap == round(campaign.daily_spend_cap / 1_000_000)
    assert "Download the file (raw, API units)" in [b.label for b in app.get("download_button")]
