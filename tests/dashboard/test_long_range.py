"""The long-range fallback: ranges beyond live analytics come from async reports and the store,
in the sync rows' shape, through the same `fetch_analytics_rows` every page uses."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dashboard import long_range
from dashboard.errors import DataUnavailable
from dashboard.filters import Filters
from dashboard.loaders import fetch_analytics_rows, fetch_targeting_rows, load_overview
from dashboard.long_range import ACTIVITY, fetch_long_range_rows, listening, needs_reports
from dashboard.report_store import ReportStore
from pinterest_client import PinterestClient, ReportError
from pinterest_sim import DEMO_ACCOUNT_ID, SIM_BASE_URL, FrozenClock, SimConfig, Simulator

NOW = datetime(2026, 11, 29, 15, 30, tzinfo=UTC)
TODAY = NOW.date()
SPEND, IMPRESSIONS = "SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION"
COLUMNS = (SPEND, IMPRESSIONS, "CLICKTHROUGH_1", "TOTAL_CONVERSIONS")


@dataclass
class Env:
    sim: Simulator
    client: PinterestClient
    store: ReportStore


@pytest.fixture(autouse=True)
def _private_default_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Calls through dashboard.loaders use the default store: never the repository's ./data.
    monkeypatch.setenv("PINTEREST_DASHBOARD_STORE", str(tmp_path / "default-store.sqlite3"))


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    clock = FrozenClock(NOW)
    sim = Simulator(SimConfig(seed=7, token="demo-token", report_delay_s=0), clock=clock)
    client = PinterestClient("demo-token", base_url=SIM_BASE_URL, transport=sim.transport(),
                             now=clock.now)
    yield Env(sim, client, ReportStore(tmp_path / "reports.sqlite3", today=lambda: TODAY))
    client.close()


def jobs(env: Env) -> int:
    return len(env.sim.backend.reports)


def truth(env: Env, level: str, start: date, end: date, granularity: str = "DAY",
          entity_ids: list[str] | None = None) -> list[dict[str, Any]]:
    return env.sim.engine.rows(DEMO_ACCOUNT_ID, level, entity_ids,  # type: ignore[arg-type]
                               start, end, granularity, list(COLUMNS))


def keyed(rows: list[dict[str, Any]], id_column: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(str(r.get("DATE", "")), str(r[id_column])): r for r in rows}


def fetch(env: Env, level: str, start: date, end: date, granularity: str = "DAY",
          **kwargs: Any) -> list[dict[str, Any]]:
    return fetch_long_range_rows(env.client, DEMO_ACCOUNT_ID, level,  # type: ignore[arg-type]
                                 start=start, end=end, columns=COLUMNS, granularity=granularity,
                                 today=TODAY, store=env.store, **kwargs).data


def test_old_range_rows_equal_the_sync_shape_of_the_simulator(env: Env) -> None:
    start, end = TODAY - timedelta(days=200), TODAY - timedelta(days=120)
    assert needs_reports(start, TODAY)
    rows = fetch(env, "CAMPAIGN", start, end)
    expected = truth(env, "CAMPAIGN", start, end)
    assert keyed(rows, "CAMPAIGN_ID") == keyed(expected, "CAMPAIGN_ID")
    assert jobs(env) == 1


def test_range_reaching_today_mixes_reports_and_live_analytics(env: Env) -> None:
    start, end = TODAY - timedelta(days=150), TODAY
    rows = fetch(env, "AD_ACCOUNT", start, end)
    expected = truth(env, "AD_ACCOUNT", start, end)
    assert keyed(rows, "AD_ACCOUNT_ID") == keyed(expected, "AD_ACCOUNT_ID")
    activity = ACTIVITY.get(DEMO_ACCOUNT_ID, start, end)
    assert activity is not None and activity.finished
    assert activity.days_from_reports == 60 and activity.days_live == 91
    assert "async reports" in activity.describe()


@pytest.mark.parametrize("granularity", ["TOTAL", "WEEK", "MONTH"])
def test_aggregated_granularities_equal_the_simulators(env: Env, granularity: str) -> None:
    start, end = TODAY - timedelta(days=300), TODAY - timedelta(days=95)
    rows = fetch(env, "CAMPAIGN", start, end, granularity)
    expected = truth(env, "CAMPAIGN", start, end, granularity)
    assert keyed(rows, "CAMPAIGN_ID") == keyed(expected, "CAMPAIGN_ID")
    assert jobs(env) == 2  # 206 days: two jobs, stored per day, added up here


def test_store_is_used_on_the_second_open(env: Env) -> None:
    start, end = TODAY - timedelta(days=400), TODAY - timedelta(days=100)
    first = fetch(env, "AD_ACCOUNT", start, end)
    assert jobs(env) == 2
    report_calls = sum(n for p, n in env.sim.stats.by_path.items() if p.endswith("/reports"))
    second = fetch(env, "AD_ACCOUNT", start, end)
    assert second == first
    assert jobs(env) == 2  # no new report job
    assert sum(n for p, n in env.sim.stats.by_path.items()
               if p.endswith("/reports")) == report_calls
    activity = ACTIVITY.get(DEMO_ACCOUNT_ID, start, end)
    assert activity is not None
    assert activity.days_from_store == 301 and activity.days_from_reports == 0
    # A shorter range inside it is served from the same stored days.
    inner = fetch(env, "AD_ACCOUNT", start + timedelta(days=10), end - timedelta(days=10))
    assert jobs(env) == 2 and len(inner) == len(first) - 20


def test_days_not_final_when_fetched_are_fetched_again(env: Env) -> None:
    start, end = TODAY - timedelta(days=130), TODAY - timedelta(days=100)
    cut = end - timedelta(days=4)  # pretend the last 4 days were still open when fetched
    fetch(env, "AD_ACCOUNT", start, end, is_final=lambda d: d <= cut)
    assert jobs(env) == 1
    fetch(env, "AD_ACCOUNT", start, end)
    assert jobs(env) == 2
    refetch = list(env.sim.backend.reports._jobs.values())[-1].request.window
    assert (refetch.start, refetch.end) == (cut + timedelta(days=1), end)
    fetch(env, "AD_ACCOUNT", start, end)
    assert jobs(env) == 2  # now every day is final


def test_failed_job_stores_nothing_and_raises(env: Env) -> None:
    env.sim.fail_next_reports()
    start, end = TODAY - timedelta(days=200), TODAY - timedelta(days=150)
    with pytest.raises(ReportError) as caught:
        fetch(env, "AD_ACCOUNT", start, end)
    assert caught.value.status == "FAILED"
    assert env.store.stats().days == 0 and env.store.stats().rows == 0
    rows = fetch(env, "AD_ACCOUNT", start, end)  # the retry works and is stored
    assert rows and env.store.stats().days == 51


def test_slow_jobs_are_left_then_picked_up_by_the_next_open(env: Env) -> None:
    env.sim.config.report_delay_s = 200
    start, end = TODAY - timedelta(days=180), TODAY - timedelta(days=170)
    with pytest.raises(DataUnavailable, match="still preparing"):
        fetch(env, "CAMPAIGN", start, end, report_timeout_s=0)
    assert jobs(env) == 1 and env.store.stats().days == 0
    env.sim.backend.clock.advance(201)  # type: ignore[attr-defined]
    rows = fetch(env, "CAMPAIGN", start, end, report_timeout_s=0)
    assert jobs(env) == 1  # the same job, picked up
    assert keyed(rows, "CAMPAIGN_ID") == keyed(truth(env, "CAMPAIGN", start, end), "CAMPAIGN_ID")


def test_a_cut_off_download_is_never_stored(env: Env) -> None:
    session = env.client.session
    real_download = session.download
    session.download = lambda url: real_download(url)[:-20]  # type: ignore[method-assign]
    start, end = TODAY - timedelta(days=220), TODAY - timedelta(days=210)
    with pytest.raises(ReportError) as caught:
        fetch(env, "CAMPAIGN", start, end)
    assert caught.value.status == "DOWNLOAD_FAILED"
    assert env.store.stats().days == 0 and env.store.stats().rows == 0
    session.download = real_download  # type: ignore[method-assign]
    assert fetch(env, "CAMPAIGN", start, end) and env.store.stats().days == 11


def test_entity_filters_within_and_beyond_500_ids(env: Env) -> None:
    start, end = TODAY - timedelta(days=160), TODAY - timedelta(days=140)
    ids = sorted({str(r["AD_ID"]) for r in truth(env, "AD", start, end)})[:3]
    rows = fetch(env, "AD", start, end, entity_ids=ids)
    assert keyed(rows, "AD_ID") == keyed(truth(env, "AD", start, end, entity_ids=ids), "AD_ID")
    # Over 500 ids: one unfiltered report, rows kept here.
    many = ids + [str(10**12 + i) for i in range(600)]
    rows = fetch(env, "AD", start, end, entity_ids=many)
    assert {r["AD_ID"] for r in rows} == set(ids)
    assert fetch(env, "AD", start, end, entity_ids=[]) == []


def test_concurrent_opens_share_one_job(env: Env) -> None:
    start, end = TODAY - timedelta(days=250), TODAY - timedelta(days=200)
    results: list[list[dict[str, Any]]] = []
    threads = [threading.Thread(target=lambda: results.append(
        fetch(env, "CAMPAIGN", start, end))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 3 and results[0] == results[1] == results[2]
    assert jobs(env) == 1


def test_fetch_analytics_rows_falls_back_with_progress(env: Env,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    monkeypatch.setenv("PINTEREST_DASHBOARD_STORE", str(tmp_path / "default.sqlite3"))
    start, end = TODAY - timedelta(days=500), TODAY - timedelta(days=95)
    seen: list[tuple[int, int]] = []
    with listening(lambda done, total, text: seen.append((done, total))) as log:
        fetched = fetch_analytics_rows(env.client, DEMO_ACCOUNT_ID, "AD_ACCOUNT", start=start,
                                       end=end, columns=COLUMNS, granularity="TOTAL",
                                       today=TODAY)
    expected = truth(env, "AD_ACCOUNT", start, end, "TOTAL")
    assert fetched.data == expected and not fetched.stale
    assert seen and seen[-1] == (3, 3)  # 406 days: three jobs
    assert log.jobs_run == 3 and "3 report jobs" in log.describe()
    assert long_range.default_store().path == tmp_path / "default.sqlite3"
    assert long_range.default_store().stats().days == 406


def test_overview_of_a_long_range_equals_the_simulators_totals(env: Env,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    monkeypatch.setenv("PINTEREST_DASHBOARD_STORE", str(tmp_path / "overview.sqlite3"))
    filters = Filters(start=TODAY - timedelta(days=364), end=TODAY, preset="custom",
                      account_id=DEMO_ACCOUNT_ID, compare=False, granularity="DAY")
    seen: list[int] = []
    with listening(lambda done, total, text: seen.append(total)) as log:
        data = load_overview(env.client, DEMO_ACCOUNT_ID, filters, TODAY)
    totals = truth(env, "AD_ACCOUNT", filters.start, filters.end, "TOTAL")[0]
    assert data.kpis.spend_micro == totals[SPEND]
    assert int(data.series[SPEND].sum()) == totals[SPEND]
    assert len(data.series) == 365 and seen
    assert jobs(env) == 2  # totals and series share the stored days (single flight)
    assert log.jobs_run == 2 and log.days_live == 91
    assert "async reports (2 report jobs run now" in log.describe()
    with listening() as again:
        load_overview(env.client, DEMO_ACCOUNT_ID, filters, TODAY)
    assert jobs(env) == 2 and again.jobs_run == 0
    assert "from the local report store, no new job" in again.describe()


def _targeting_truth(env: Env, level: str, types: list[str], start: date,
                     end: date) -> dict[tuple[str, str, str], int]:
    id_column = {"AD_ACCOUNT": "AD_ACCOUNT_ID", "CAMPAIGN": "CAMPAIGN_ID"}[level]
    rows = env.sim.engine.targeting_rows(DEMO_ACCOUNT_ID, level, None,  # type: ignore[arg-type]
                                         types, start, end, "TOTAL", [SPEND])
    return {(r["targeting_type"], r["targeting_value"], str(r["metrics"][id_column])):
            int(r["metrics"].get(SPEND, 0)) for r in rows if r["metrics"].get(SPEND)}


@pytest.mark.parametrize("level", ["AD_ACCOUNT", "CAMPAIGN"])
def test_targeting_breakdowns_of_a_long_range(env: Env, level: str) -> None:
    types = ["AGE_BUCKET", "GENDER", "APPTYPE", "COUNTRY", "REGION", "PLACEMENT", "LOCATION"]
    start, end = TODAY - timedelta(days=250), TODAY - timedelta(days=1)
    id_column = {"AD_ACCOUNT": "AD_ACCOUNT_ID", "CAMPAIGN": "CAMPAIGN_ID"}[level]
    with listening() as log:
        fetched = fetch_targeting_rows(env.client, DEMO_ACCOUNT_ID, level,  # type: ignore[arg-type]
                                       targeting_types=types, start=start, end=end,
                                       columns=[SPEND, IMPRESSIONS], today=TODAY)
    got = {(r.targeting_type, r.targeting_value, str(r.metrics[id_column])):
           int(r.metrics.get(SPEND, 0)) for r in fetched.data if r.metrics.get(SPEND)}
    assert got == _targeting_truth(env, level, types, start, end)
    # 160 old days: one 5-type and one 2-type report (each 1 job), the rest live.
    assert jobs(env) == 2 and log.jobs_run == 2 and log.days_live == 90
    again = fetch_targeting_rows(env.client, DEMO_ACCOUNT_ID, level,  # type: ignore[arg-type]
                                 targeting_types=types, start=start, end=end,
                                 columns=[SPEND, IMPRESSIONS], today=TODAY)
    assert jobs(env) == 2 and len(again.data) == len(fetched.data)


def test_an_unusable_store_is_named_in_the_pages_note(env: Env, tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.sqlite3"
    folder.mkdir()  # a folder where the store file should be
    env.store = ReportStore(folder, today=lambda: TODAY)
    start, end = TODAY - timedelta(days=130), TODAY - timedelta(days=100)
    with listening() as log:
        rows = fetch(env, "CAMPAIGN", start, end)
    # The rows still come (from the report job), and the page's note says why nothing is kept.
    assert keyed(rows, "CAMPAIGN_ID") == keyed(truth(env, "CAMPAIGN", start, end), "CAMPAIGN_ID")
    note = log.describe()
    assert "a-folder.sqlite3" in note and "folder, not a file" in note
    assert str(tmp_path) not in note
    fetch(env, "CAMPAIGN", start, end)
    assert jobs(env) == 2  # nothing was stored, so the second open runs the job again
