"""Async report jobs in flight shared by app processes through one real Redis: a second process
asked for the same report waits for the first one's job (the simulator counts the jobs it
created); a token that may not read the account is never handed that job; Redis down -> each
process creates its own job, as without the store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dashboard.jobs import StillRunning, start_report, wait_for_report
from dashboard.report_store import ReportStore
from dashboard.shared_reports import InFlightReports
from pinterest_client import PinterestClient, PinterestError
from pinterest_client._cache import ResponseCache
from pinterest_client.reports import ReportRequest, ReportsAPI
from pinterest_sim import (
    DEMO_ACCOUNT_ID,
    OTHER_USER_ID,
    SIM_BASE_URL,
    FrozenClock,
    SimConfig,
    Simulator,
)
from tests.dashboard.shared_support import shared_store
from tests.redis_support import RedisServer

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
COLUMNS = ("SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION")


@dataclass
class World:
    sim: Simulator
    clock: FrozenClock
    url: str


@pytest.fixture
def world(redis_server: RedisServer) -> Iterator[World]:
    clock = FrozenClock(NOW)
    sim = Simulator(SimConfig(seed=7, token="demo-token", report_delay_s=20.0), clock=clock)
    yield World(sim, clock, redis_server.url)


def process_client(world: World, token: str = "demo-token") -> PinterestClient:
    """One app process's client: its own cache and connection, jobs in flight in Redis."""
    return PinterestClient(token, base_url=SIM_BASE_URL, transport=world.sim.transport(),
                           cache=ResponseCache(), now=world.clock.now,
                           report_jobs=InFlightReports(shared_store(world.url)))


def report_creates(sim: Simulator) -> int:
    """Jobs the simulator holds (each accepted POST made one)."""
    return len(sim.backend.reports)


def request(days: int = 20) -> ReportRequest:
    return ReportRequest(ad_account_id=DEMO_ACCOUNT_ID, level="CAMPAIGN", columns=COLUMNS,
                         start_date=TODAY - timedelta(days=days + 10),
                         end_date=TODAY - timedelta(days=11))


def _quiet(_done: float | None, _text: str) -> None:
    pass


def test_a_second_process_waits_for_the_first_ones_job(world: World, tmp_path: Path) -> None:
    first, second = process_client(world), process_client(world)
    first_store = ReportStore(tmp_path / "first.sqlite3", today=lambda: TODAY)
    second_store = ReportStore(tmp_path / "second.sqlite3", today=lambda: TODAY)
    # the first process starts the report; Pinterest needs 20 s, the page waits 0 s
    pending = start_report(first, first_store, request())
    with pytest.raises(StillRunning):
        wait_for_report(first, first_store, TODAY, pending, 0.0, _quiet)
    assert report_creates(world.sim) == 1
    # the second process (its own store and cache) is asked for the same report meanwhile
    other = start_report(second, second_store, request())
    with pytest.raises(StillRunning):
        wait_for_report(second, second_store, TODAY, other, 0.0, _quiet)
    assert report_creates(world.sim) == 1  # joined, not created again
    assert other.tokens == pending.tokens
    # the job finishes: both get the same rows, still from one job
    world.clock.advance(30)
    joined = wait_for_report(second, second_store, TODAY, other, 0.0, _quiet)
    own = wait_for_report(first, first_store, TODAY, pending, 0.0, _quiet)
    assert report_creates(world.sim) == 1
    assert joined.rows == own.rows and joined.rows
    truth = world.sim.engine.rows(DEMO_ACCOUNT_ID, "CAMPAIGN", None,
                                  request().start_date, request().end_date, "DAY",
                                  list(COLUMNS))
    assert len(joined.rows) == len(truth)
    assert sum(r["SPEND_IN_MICRO_DOLLAR"] for r in joined.rows) == pytest.approx(
        sum(float(r.get("SPEND_IN_MICRO_DOLLAR", 0)) for r in truth))


def test_another_request_or_account_gets_its_own_job(world: World) -> None:
    first, second = process_client(world), process_client(world)
    a = first.reports.create(request(20))
    b = second.reports.create(request(10))
    assert a.token != b.token and report_creates(world.sim) == 2


def test_a_token_that_may_not_read_the_account_is_not_handed_the_job(world: World) -> None:
    owner = process_client(world)
    job = owner.reports.create(request())
    outsider = process_client(world, world.sim.personal_token(OTHER_USER_ID))
    # straight to the reports API (the pages prove access before; this is the last line)
    with pytest.raises(PinterestError) as refused:
        outsider.reports.create(request())
    assert job.token not in str(refused.value)
    assert report_creates(world.sim) == 1
    # refused at its own poll of the job (GET), before any create (POST) of its own
    assert [e.split(":")[0] for e in outsider.stats().recent_errors] == [
        f"GET /ad_accounts/{DEMO_ACCOUNT_ID}/reports"]


def test_a_failed_job_in_flight_is_replaced_not_reused(world: World) -> None:
    first, second = process_client(world), process_client(world)
    world.sim.backend.reports.fail_next(1)
    failed = first.reports.create(request())
    world.clock.advance(30)
    assert first.reports.get(DEMO_ACCOUNT_ID, failed.token).failed
    fresh = second.reports.create(request())
    assert fresh.token != failed.token and report_creates(world.sim) == 2
    # and the replacement is what a third asker joins
    third = process_client(world).reports.create(request())
    assert third.token == fresh.token and report_creates(world.sim) == 2


def test_redis_down_each_process_creates_its_own_job(
    world: World, redis_server: RedisServer
) -> None:
    first, second = process_client(world), process_client(world)
    redis_server.kill()
    a = first.reports.create(request())
    b = second.reports.create(request())
    assert a.token != b.token and report_creates(world.sim) == 2


def test_the_registry_is_the_clients_hook(world: World) -> None:
    """The same sharing through a ReportsAPI built by hand (as extensions do)."""
    registry = InFlightReports(shared_store(world.url))
    one = PinterestClient("demo-token", base_url=SIM_BASE_URL, transport=world.sim.transport(),
                          cache=ResponseCache(), now=world.clock.now)
    api = ReportsAPI(one.session, now=world.clock.now, jobs=registry)
    first = api.create(request())
    again = ReportsAPI(one.session, now=world.clock.now, jobs=registry).create(request())
    assert first.token == again.token and report_creates(world.sim) == 1


def test_real_processes_three_askers_one_job(world: World) -> None:
    """Three app processes (real ones) asked for the same report at once: one job."""
    server = world.sim.serve("127.0.0.1", 0)
    try:
        req = request()
        args = ["report", world.url, server.base_url, "demo-token", DEMO_ACCOUNT_ID,
                req.start_date.isoformat(), req.end_date.isoformat()]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        children = [subprocess.Popen([sys.executable, "-m", "tests.dashboard.shared_support",
                                      *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                     text=True) for _ in range(3)]
        tokens = []
        for child in children:
            out, _ = child.communicate(timeout=60)
            assert child.returncode == 0, out
            tokens.append(json.loads(out.strip().splitlines()[-1])["token"])
        assert len(set(tokens)) == 1 and report_creates(world.sim) == 1
    finally:
        server.stop()
