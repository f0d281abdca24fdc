"""Report builder, bulk export and the long-range fallback in AppTest (demo mode: the in-process
simulator), numbers checked against the simulator's own rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.formatting import format_kpi
from pinterest_sim import DEMO_ACCOUNT_ID
from tests.app.support import APP, texts, today
from tests.app.support import app_simulator as simulator

SPEND = "SPEND_IN_MICRO_DOLLAR"


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.delenv("PINTEREST_ACCESS_TOKEN", raising=False)
    monkeypatch.setenv("PINTEREST_SIM_REPORT_DELAY", "0")
    monkeypatch.setenv("PINTEREST_SIM_BULK_DELAY", "0")
    monkeypatch.setenv("PINTEREST_DASHBOARD_STORE", str(tmp_path / "reports.sqlite3"))
    st.cache_resource.clear()  # a fresh demo simulator built from the settings above
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    sim = simulator(at)
    sim.config.report_delay_s = 0
    sim.config.bulk_delay_s = 0
    yield at
    st.cache_resource.clear()


def open_builder(at: AppTest) -> AppTest:
    at.switch_page("pages/report_builder.py")
    at.run()
    assert not at.exception
    return at


def run_report(at: AppTest) -> None:
    at.button(key="rb_run").click()
    at.run()
    assert not at.exception


@pytest.mark.slow
def test_builder_runs_a_split_report_shows_table_chart_and_files(app: AppTest) -> None:
    at = open_builder(app)
    sim = simulator(at)
    end = today(at) - timedelta(days=1)
    start = end - timedelta(days=399)
    at.selectbox(key="rb_level").set_value("CAMPAIGN")
    at.date_input(key="rb_dates_False").set_value((start, end))
    run_report(at)
    assert any("3 job(s)" in t for t in texts(at.success)), texts(at.success)
    assert len(sim.backend.reports) == 3
    frame = at.dataframe[0].value
    truth = sim.engine.rows(DEMO_ACCOUNT_ID, "CAMPAIGN", None, start, end, "DAY", [SPEND])
    assert len(frame) == len(truth)
    # The table shows money in currency units (the raw download keeps Pinterest's micro units).
    assert round(float(frame[SPEND].fillna(0).sum()) * 1_000_000) == sum(
        int(r.get(SPEND, 0)) for r in truth)
    assert set(frame["CAMPAIGN_ID"]) == {str(r["CAMPAIGN_ID"]) for r in truth}
    labels = [b.label for b in at.get("download_button")]
    assert "Download CSV" in labels and "Download XLSX" in labels
    assert at.get("plotly_chart")

    # Opening it again costs one small job: only yesterday, which Pinterest (metrics ready
    # state) does not call final yet, is fetched again; the other 399 days come from the store.
    run_report(at)
    assert any("1 job(s), 399 day(s) from the local store" in t for t in texts(at.success)), \
        texts(at.success)
    assert len(sim.backend.reports) == 4
    assert len(at.dataframe[0].value) == len(truth)


def test_failed_report_shows_the_status_and_retry_works(app: AppTest) -> None:
    at = open_builder(app)
    sim = simulator(at)
    sim.fail_next_reports()
    run_report(at)
    errors = texts(at.error)
    assert errors and "FAILED" in errors[0]
    assert not at.success
    at.button(key="rb_retry").click()
    at.run()
    assert not at.error and any("Report ready" in t for t in texts(at.success))


def test_long_job_is_left_and_picked_up_later(app: AppTest) -> None:
    at = open_builder(app)
    sim = simulator(at)
    sim.config.report_delay_s = 1.5
    at.number_input(key="rb_wait").set_value(1)
    at.date_input(key="rb_dates_False").set_value(
        (today(at) - timedelta(days=20), today(at) - timedelta(days=10)))
    run_report(at)
    assert any("still running" in t for t in texts(at.info)), texts(at.info)
    assert at.button(key="rb_resume")
    for _ in range(5):  # "Check again" until Pinterest has finished (1.5 s of wall time)
        at.button(key="rb_resume").click()
        at.run()
        if at.success:
            break
    assert any("Report ready" in t for t in texts(at.success))
    assert len(sim.backend.reports) == 1  # resumed, not created again


def test_invalid_choice_is_explained(app: AppTest) -> None:
    at = open_builder(app)
    at.selectbox(key="rb_level").set_value("CAMPAIGN_TARGETING")
    at.run()
    at.multiselect(key="rb_targeting").set_value([])
    run_report(at)
    assert any("targeting_types" in t for t in texts(at.error))
    assert len(simulator(at).backend.reports) == 0


def test_bulk_export_shows_tables_per_entity_type(app: AppTest) -> None:
    app.switch_page("pages/bulk_export.py")
    app.run()
    sim = simulator(app)
    app.button(key="bulk_run").click()
    app.run()
    assert not app.exception
    world = sim.world
    active = {
        "CAMPAIGN": [c for c in world.campaigns(DEMO_ACCOUNT_ID) if c.status == "ACTIVE"],
        "AD_GROUP": [g for g in world.ad_groups(DEMO_ACCOUNT_ID) if g.status == "ACTIVE"],
        "AD": [a for a in world.ads(DEMO_ACCOUNT_ID) if a.status == "ACTIVE"],
    }
    # One table per entity type, in the order asked for (campaigns, ad groups, ads).
    assert len(app.dataframe) == 3
    for table, items in zip(app.dataframe, active.values(), strict=True):
        frame = table.value
        assert set(frame["id"].astype(str)) == {e.id for e in items}
    assert [t.label for t in app.tabs] == [
        f"Campaigns ({len(active['CAMPAIGN'])})",
        f"Ad groups ({len(active['AD_GROUP'])})",
        f"Ads ({len(active['AD'])})",
    ]
    assert any("ready" in t for t in texts(app.success))
    assert "Download the file (raw, API units)" in [b.label for b in app.get("download_button")]


def test_bulk_failure_shows_message_and_retry(app: AppTest) -> None:
    app.switch_page("pages/bulk_export.py")
    app.run()
    simulator(app).fail_next_bulk()
    app.button(key="bulk_run").click()
    app.run()
    assert any("FAILED" in t for t in texts(app.error))
    app.button(key="bulk_retry").click()
    app.run()
    assert not app.error and any("ready" in t for t in texts(app.success))


def test_overview_of_a_year_falls_back_to_reports_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PINTEREST_ACCESS_TOKEN", raising=False)
    monkeypatch.setenv("PINTEREST_SIM_REPORT_DELAY", "0")
    monkeypatch.setenv("PINTEREST_DASHBOARD_STORE", str(tmp_path / "reports.sqlite3"))
    st.cache_resource.clear()
    # Closed days only, so the simulator's numbers cannot move between the page and the check.
    end = datetime.now(UTC).date() - timedelta(days=1)
    start = end - timedelta(days=299)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(
        {"preset": "custom", "start": start.isoformat(), "end": end.isoformat(), "compare": "0"}
    )
    at.run()
    assert not at.exception and not at.error
    labels = [s.label for s in at.status]
    assert any("async reports (2 report jobs run now" in label for label in labels), labels
    sim = simulator(at)
    truth = sim.engine.rows(DEMO_ACCOUNT_ID, "AD_ACCOUNT", None, start, end, "TOTAL", [SPEND])
    assert at.metric[0].value == format_kpi(truth[0][SPEND], "money", "USD")
    at.run()
    labels = [s.label for s in at.status]
    assert any("from the local report store, no new job" in label for label in labels)
    st.cache_resource.clear()


def test_an_unreadable_bulk_file_is_explained_and_still_offered(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that arrived whole but is not UTF-8: one message, no traceback, and the file
    as it arrived can still be downloaded (nothing is lost)."""
    import pinterest_client.bulk as bulk_module

    broken = b'{"campaigns": [{"name": "caf\xe9 =1+1"}]}'

    def unreadable(body: bytes, request: object) -> object:
        raise bulk_module.BulkFileError("The bulk file is not valid UTF-8 text.", raw=broken)

    monkeypatch.setattr(bulk_module, "parse_bulk", unreadable)
    app.switch_page("pages/bulk_export.py")
    app.run()
    app.button(key="bulk_run").click()
    app.run()
    assert not app.exception
    assert [t for t in texts(app.error) if "not valid UTF-8" in t]
    labels = [b.proto.label for b in app.get("download_button")]
    assert labels.count("Download the file as it arrived (raw)") == 1
