"""Async reports against the simulator: every lifecycle path, splitting and merging, resuming.

The simulator and the client share a FrozenClock; the client's sleep advances it, so a job that
takes two minutes of simulated time runs in milliseconds and the polls can be counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest

from pinterest_client import (
    ClientConfig,
    ForbiddenError,
    PinterestClient,
    ReportError,
    ValidationError,
)
from pinterest_client.reports import (
    MAX_LINK_RENEWALS,
    ReportJob,
    ReportRequest,
    ReportsAPI,
    ReportStillRunning,
)
from pinterest_sim import DEMO_ACCOUNT_ID, SIM_BASE_URL, FrozenClock, SimConfig, Simulator

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
COLUMNS = ("SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION", "CLICKTHROUGH_1", "TOTAL_CONVERSIONS")
SPEND = "SPEND_IN_MICRO_DOLLAR"


def report_creates(sim: Simulator) -> int:
    """Jobs the simulator holds (each POST that was accepted made one)."""
    return len(sim.backend.reports)


def report_polls(sim: Simulator) -> int:
    calls = sum(n for path, n in sim.stats.by_path.items() if path.endswith("/reports"))
    return calls - report_creates(sim)


@dataclass
class Env:
    sim: Simulator
    clock: FrozenClock
    client: PinterestClient
    reports: ReportsAPI
    sleeps: list[float]


def make_env(report_delay_s: float = 20.0, max_parallel: int = 3) -> Env:
    clock = FrozenClock(NOW)
    sim = Simulator(SimConfig(seed=7, token="demo-token", report_delay_s=report_delay_s),
                    clock=clock)
    client = PinterestClient("demo-token", base_url=SIM_BASE_URL, transport=sim.transport())
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.advance(seconds)

    reports = ReportsAPI(client.session, now=clock.now, sleep=sleep, max_parallel=max_parallel)
    return Env(sim, clock, client, reports, sleeps)


@pytest.fixture
def env() -> Iterator[Env]:
    e = make_env()
    yield e
    e.client.close()


def request(days: int = 30, **changes: object) -> ReportRequest:
    base = ReportRequest(
        ad_account_id=DEMO_ACCOUNT_ID,
        level="CAMPAIGN",
        columns=COLUMNS,
        start_date=TODAY - timedelta(days=days + 10),
        end_date=TODAY - timedelta(days=11),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def engine_rows(sim: Simulator, level: str, start: date, end: date, granularity: str = "DAY",
                columns: tuple[str, ...] = COLUMNS) -> list[dict[str, object]]:
    return sim.engine.rows(DEMO_ACCOUNT_ID, level, None, start, end,  # type: ignore[arg-type]
                           granularity, list(columns))


def _key(row: dict[str, object]) -> tuple[str, str]:
    return str(row.get("DATE", "")), str(row.get("CAMPAIGN_ID", ""))


def test_finished_json_report_equals_the_simulators_rows(env: Env) -> None:
    req = request()
    result = env.reports.run(req)
    expected = engine_rows(env.sim, "CAMPAIGN", req.start_date, req.end_date)
    assert expected, "the demo account delivers in this range"
    assert sorted(result.rows, key=_key) == sorted(expected, key=_key)
    assert result.jobs == 1 and len(result.tokens) == 1
    # 20 s of simulated work: polls at 0, 1, 3, 7, 15 and 25 s, backing off 1-2-4-8-10.
    assert env.sleeps == [1.0, 2.0, 4.0, 8.0, 10.0]
    assert report_creates(env.sim) == 1 and report_polls(env.sim) == 6


def test_csv_report_is_zero_filled_and_typed(env: Env) -> None:
    req = request(report_format="CSV")
    rows = env.reports.run(req).rows
    expected = {_key(r): r for r in engine_rows(env.sim, "CAMPAIGN", req.start_date, req.end_date)}
    assert {_key(r) for r in rows} == set(expected)
    for row in rows:
        for column in COLUMNS:
            assert row[column] == expected[_key(row)].get(column, 0)
            assert isinstance(row[column], int)
        assert isinstance(row["CAMPAIGN_ID"], str) and row["CAMPAIGN_ID"].isdigit()


def test_failed_job_raises_a_report_error_naming_the_status(env: Env) -> None:
    env.sim.fail_next_reports()
    with pytest.raises(ReportError) as caught:
        env.reports.run(request())
    assert caught.value.status == "FAILED"
    assert "FAILED" in str(caught.value)
    assert report_creates(env.sim) == 1  # a failed job is not silently retried


def test_unknown_token_is_does_not_exist(env: Env) -> None:
    req = request()
    assert env.reports.get(DEMO_ACCOUNT_ID, "no-such-token").status == "DOES_NOT_EXIST"
    job = ReportJob(request=req, token="no-such-token", created_at=NOW)
    with pytest.raises(ReportError) as caught:
        env.reports.wait(job)
    assert caught.value.status == "DOES_NOT_EXIST"
    assert "DOES_NOT_EXIST" in str(caught.value)
    assert env.sleeps == []  # terminal at the first poll: no polling forever


def test_report_left_for_over_an_hour_is_expired(env: Env) -> None:
    job = env.reports.create(request())
    env.clock.advance(20 + 3600 + 1)
    with pytest.raises(ReportError) as caught:
        env.reports.wait(job)
    assert caught.value.status == "EXPIRED" and "EXPIRED" in str(caught.value)


def test_run_recreates_a_report_that_expired_before_download(env: Env) -> None:
    req = request()
    batch = env.reports.submit(req)
    # Start the job, then let it outlive its hour before anything is downloaded.
    with pytest.raises(ReportStillRunning):
        env.reports.collect(batch, timeout_s=0)
    env.clock.advance(20 + 3600 + 1)
    result = env.reports.resume(batch)
    assert report_creates(env.sim) == 2
    expected = engine_rows(env.sim, "CAMPAIGN", req.start_date, req.end_date)
    assert sorted(result.rows, key=_key) == sorted(expected, key=_key)


def test_expired_link_is_refused_then_renewed(env: Env) -> None:
    req = request()
    job = env.reports.create(req)
    status = env.reports.wait(job)
    env.clock.advance(301)  # the download link lives five minutes
    with pytest.raises(ForbiddenError):
        env.reports.download(status, req)
    rows = env.reports.fetch(job)  # polls again for a fresh link
    assert sorted(rows, key=_key) == sorted(
        engine_rows(env.sim, "CAMPAIGN", req.start_date, req.end_date), key=_key)
    assert report_creates(env.sim) == 1


def test_link_dying_between_poll_and_download_in_run_is_renewed(env: Env) -> None:
    session = env.client.session
    real_download = session.download
    calls: list[str] = []

    def slow_download(url: str) -> bytes:
        calls.append(url)
        if len(calls) == 1:
            env.clock.advance(301)  # the first link dies before it is used
        return real_download(url)

    session.download = slow_download  # type: ignore[method-assign]
    result = env.reports.run(request())
    assert len(calls) == 2 and calls[0] != calls[1]
    assert result.rows and report_creates(env.sim) == 1


def test_a_slow_job_is_left_and_resumed_by_its_batch() -> None:
    env = make_env(report_delay_s=120)
    req = request()
    progress: list[tuple[int, int, str]] = []
    with pytest.raises(ReportStillRunning) as caught:
        env.reports.run(req, timeout_s=30, on_progress=lambda d, t, s: progress.append((d, t, s)))
    batch = caught.value.batch
    assert caught.value.status == "IN_PROGRESS" and "later" in str(caught.value)
    assert batch.done == 0 and batch.total == 1 and len(batch.tokens) == 1
    assert sum(env.sleeps) <= 30
    env.clock.advance(60)  # the user comes back a minute later
    result = env.reports.resume(batch, on_progress=lambda d, t, s: progress.append((d, t, s)))
    assert report_creates(env.sim) == 1  # picked up, not created again
    assert result.tokens == batch.tokens
    assert progress[-1][:2] == (1, 1)
    assert sorted(result.rows, key=_key) == sorted(
        engine_rows(env.sim, "CAMPAIGN", req.start_date, req.end_date), key=_key)
    env.client.close()


def test_resume_by_token_alone(env: Env) -> None:
    req = request()
    job = env.reports.create(req)
    other = ReportsAPI(env.client.session, now=env.clock.now, sleep=env.clock.advance)
    result = other.resume(other.resume_token(req, job.token))
    assert result.rows and report_creates(env.sim) == 1


def test_400_days_split_into_three_jobs_side_by_side_and_merged(env: Env) -> None:
    start = TODAY - timedelta(days=410)
    req = request(level="ADVERTISER", start_date=start, end_date=start + timedelta(days=399),
                  columns=(SPEND, "PAID_IMPRESSION"))
    progress: list[tuple[int, int]] = []
    result = env.reports.run(req, on_progress=lambda d, t, s: progress.append((d, t)))
    assert result.jobs == 3 and len(set(result.tokens)) == 3
    assert report_creates(env.sim) == 3
    # Side by side: all three were polled in the same rounds, so the whole run waited about as
    # long as one job (20 s), not three.
    assert sum(env.sleeps) < 40
    assert progress[-1] == (3, 3) and all(t == 3 for _, t in progress)
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)
    # Ground truth, independently: every ad's rows of the simulator, added up.
    ads = engine_rows(env.sim, "AD", req.start_date, req.end_date, "DAY",
                      (SPEND, "PAID_IMPRESSION"))
    for column in (SPEND, "PAID_IMPRESSION"):
        assert sum(int(r.get(column, 0)) for r in result.rows) == sum(
            int(r.get(column, 0)) for r in ads)  # type: ignore[call-overload]
    days = sorted({r["DATE"] for r in result.rows})
    assert len(days) == len(set(days)) and days[0] >= start.isoformat()


def test_parallel_jobs_are_bounded() -> None:
    env = make_env(max_parallel=2)
    start = TODAY - timedelta(days=600)
    req = request(level="ADVERTISER", start_date=start, end_date=start + timedelta(days=499),
                  columns=(SPEND,))
    batch = env.reports.submit(req)
    assert batch.total == 3
    with pytest.raises(ReportStillRunning):
        env.reports.collect(batch, timeout_s=0)
    assert report_creates(env.sim) == 2  # the third waits for a free slot
    result = env.reports.resume(batch)
    assert result.jobs == 3 and report_creates(env.sim) == 3
    env.client.close()


def test_targeting_report_rows_add_up_to_the_entity_totals(env: Env) -> None:
    req = request(level="CAMPAIGN_TARGETING", targeting_types=("AGE_BUCKET",),
                  granularity="TOTAL", columns=(SPEND,))
    rows = env.reports.run(req).rows
    assert rows and all(r["TARGETING_TYPE"] == "AGE_BUCKET" for r in rows)
    by_campaign: dict[str, int] = {}
    for r in rows:
        by_campaign[r["CAMPAIGN_ID"]] = by_campaign.get(r["CAMPAIGN_ID"], 0) + int(r[SPEND])
    totals = engine_rows(env.sim, "CAMPAIGN", req.start_date, req.end_date, "TOTAL", (SPEND,))
    assert by_campaign == {str(r["CAMPAIGN_ID"]): int(r[SPEND])  # type: ignore[call-overload]
                           for r in totals if r.get(SPEND)}


def test_invalid_requests_are_refused_before_sending(env: Env) -> None:
    before = env.sim.stats.total
    for bad in (request(columns=("NOPE",)), request(days=200),
                request(start_date=TODAY - timedelta(days=915))):
        with pytest.raises(ValidationError):
            env.reports.create(bad)
    assert env.sim.stats.total == before


def test_over_a_real_loopback_server() -> None:
    clock = FrozenClock(NOW)
    sim = Simulator(SimConfig(seed=7, token="demo-token", report_delay_s=0), clock=clock)
    server = sim.serve(host="127.0.0.1", port=0)
    try:
        client = PinterestClient("demo-token", base_url=server.base_url)
        reports = ReportsAPI(client.session, now=clock.now, sleep=clock.advance)
        req = request(report_format="CSV", level="AD_GROUP")
        rows = reports.run(req).rows
        ids = {str(r["AD_GROUP_ID"]) for r in sim.engine.rows(
            DEMO_ACCOUNT_ID, "AD_GROUP", None, req.start_date, req.end_date, "DAY", list(COLUMNS))}
        assert {r["AD_GROUP_ID"] for r in rows} == ids
        client.close()
    finally:
        server.stop()


def test_a_file_shorter_than_announced_is_never_returned(env: Env) -> None:
    session = env.client.session
    real_download = session.download
    calls: list[int] = []

    def lose_last_line(url: str) -> bytes:
        body = real_download(url)
        cut = body[: body.rstrip(b"\n").rfind(b"\n") + 1]  # whole lines, still valid CSV
        calls.append(len(body) - len(cut))
        return cut

    session.download = lose_last_line  # type: ignore[method-assign]
    with pytest.raises(ReportError) as caught:
        env.reports.run(request(report_format="CSV"))
    assert caught.value.status == "DOWNLOAD_FAILED" and "nothing was kept" in str(caught.value)
    assert len(calls) == 1 + MAX_LINK_RENEWALS and all(n > 0 for n in calls)


def test_flaky_api_still_gives_whole_and_exact_reports() -> None:
    clock = FrozenClock(NOW)
    sim = Simulator(SimConfig(seed=7, token="demo-token", report_delay_s=5), clock=clock)
    sim.faults.update({"error_rate": 0.3, "malformed_rate": 0.1, "truncated_rate": 0.1,
                       "seed": 3})
    client = PinterestClient("demo-token", base_url=SIM_BASE_URL, transport=sim.transport(),
                             config=ClientConfig(backoff_base_s=0.001, backoff_cap_s=0.002))
    reports = ReportsAPI(client.session, now=clock.now, sleep=clock.advance)
    for report_format in ("JSON", "CSV"):
        req = request(level="ADVERTISER", start_date=TODAY - timedelta(days=400),
                      columns=(SPEND,), report_format=report_format)
        rows = reports.run(req).rows
        truth = engine_rows(sim, "AD", req.start_date, req.end_date, "DAY", (SPEND,))
        assert sum(int(r[SPEND]) for r in rows) == sum(int(r.get(SPEND, 0)) for r in truth)
    assert client.stats().retries > 0  # the faults did happen
    client.close()
