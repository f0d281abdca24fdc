"""Rate limits on the simulator clock and faults on demand (in-process and over loopback)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from pinterest_sim import (
    DEMO_ACCOUNT_ID,
    SIM_BASE_URL,
    Faults,
    RateLimitConfig,
    SimConfig,
    SimServer,
    Simulator,
)
from tests.support import AUTH, FROZEN_NOW

READY = "/resources/metrics_ready_state"  # category ads_analytics, cheap
DAY = {"date": (FROZEN_NOW.date()).isoformat()}
ACCOUNT = f"/ad_accounts/{DEMO_ACCOUNT_ID}"


@pytest.fixture
def api(sim: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=SIM_BASE_URL, transport=sim.transport(), headers=AUTH) as c:
        yield c


def test_301st_analytics_call_in_a_minute_is_429(api: httpx.Client, sim: Simulator) -> None:
    clock = sim.clock
    for _ in range(300):
        assert api.get(READY, params=DAY).status_code == 200
        clock.advance(0.05)  # type: ignore[attr-defined]  # stay under 100/s
    assert sim.usage("ads_analytics") == 300
    refused = api.get(READY, params=DAY)
    assert refused.status_code == 429
    assert refused.json() == {
        "code": 8,
        "message": "This request exceeded a rate limit. This can happen if the client exceeds "
                   "one of the published rate limits within a short time window."}
    reset = int(refused.headers["X-RateLimit-Reset"])
    assert reset == 45  # the minute window opened 15 s (300 x 0.05 s) ago
    # ads_read has its own quota; the refused call used none.
    assert api.get(ACCOUNT).status_code == 200
    assert sim.usage("ads_analytics") == 300
    clock.advance(reset)  # type: ignore[attr-defined]
    assert api.get(READY, params=DAY).status_code == 200
    assert sim.stats.by_category["ads_analytics"] == 302
    assert sim.stats.by_category["ads_read"] == 1


def test_overall_per_second_limit(api: httpx.Client, sim: Simulator) -> None:
    for _ in range(100):
        assert api.get(ACCOUNT).status_code == 200
    refused = api.get(ACCOUNT)
    assert refused.status_code == 429 and refused.headers["X-RateLimit-Reset"] == "1"
    sim.clock.advance(1)  # type: ignore[attr-defined]
    assert api.get(ACCOUNT).status_code == 200


def test_limits_are_configurable_and_per_token(api: httpx.Client, sim: Simulator) -> None:
    sim.rate_limits.ads_read = 3
    for _ in range(3):
        assert api.get(ACCOUNT).status_code == 200
    assert api.get(ACCOUNT).status_code == 429
    fresh = api.post("/oauth/token", auth=("sim-app", "sim-secret"),
                     data={"grant_type": "refresh_token", "refresh_token": sim.refresh_token})
    other = {"Authorization": f"Bearer {fresh.json()['access_token']}"}
    assert api.get(ACCOUNT, headers=other).status_code == 200
    sim.rate_limits.enabled = False
    assert api.get(ACCOUNT).status_code == 200
    parsed = RateLimitConfig.parse("ads_analytics=5,ads_read=7,per_second=9,trial=1")
    assert (parsed.ads_analytics, parsed.ads_read, parsed.per_second, parsed.trial) == (
        5, 7, 9, True)
    env = SimConfig.from_env({"PINTEREST_SIM_RATE_LIMITS": "ads_analytics=2"})
    assert env.rate_limits.ads_analytics == 2 and env.rate_limits.ads_read == 1000
    with pytest.raises(ValueError, match="unknown rate limit"):
        RateLimitConfig.parse("ads_writes=1")


def test_trial_tier_1000_a_day_with_a_far_reset(api: httpx.Client, sim: Simulator) -> None:
    sim.rate_limits.trial = True
    for _ in range(1000):
        assert api.get(READY, params=DAY).status_code == 200
    refused = api.get(ACCOUNT)
    assert refused.status_code == 429 and refused.json()["code"] == 8
    # 05:23:20 UTC: 67,000 s until the UTC day (and the trial quota) starts again.
    assert int(refused.headers["X-RateLimit-Reset"]) == 67_000
    sim.clock.advance(67_000)  # type: ignore[attr-defined]
    assert api.get(ACCOUNT).status_code == 200


def test_faults_error_storm_malformed_truncated(api: httpx.Client, sim: Simulator) -> None:
    sim.faults.error_rate = 1.0
    assert api.get(ACCOUNT).json() == {
        "code": 4197, "message": "The service is temporarily unavailable. Please retry later."}
    sim.faults.error_rate = 0.0
    sim.faults.storm_429 = True
    storm = api.get(ACCOUNT)
    assert storm.status_code == 429 and storm.headers["X-RateLimit-Reset"] == "1"
    sim.faults.storm_429 = False
    sim.faults.malformed_rate = 1.0
    malformed = api.get(ACCOUNT)
    assert malformed.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        malformed.json()
    sim.faults.malformed_rate = 0.0
    sim.faults.truncated_rate = 1.0
    with pytest.raises(httpx.RemoteProtocolError):
        api.get(ACCOUNT)
    sim.faults.truncated_rate = 0.0
    assert api.get(ACCOUNT).status_code == 200


def test_fractional_faults_are_seeded(sim: Simulator) -> None:
    def run(seed: int) -> list[int]:
        other = Simulator(SimConfig(faults=Faults(error_rate=0.5, seed=seed)), clock=sim.clock,
                          world=sim.world)
        with httpx.Client(base_url=SIM_BASE_URL, transport=other.transport(),
                          headers=AUTH) as c:
            return [c.get("/user_account").status_code for _ in range(40)]

    first, again = run(3), run(3)
    assert first == again
    assert 5 < first.count(503) < 35 and set(first) == {200, 503}


def test_latency_sleeps_before_answering(api: httpx.Client, sim: Simulator,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    sim.faults.latency = 0.15
    assert api.get(ACCOUNT).status_code == 200
    assert slept == [0.15]


def test_hang_past_the_read_timeout_in_process(sim: Simulator) -> None:
    sim.faults.hang = 30
    with httpx.Client(base_url=SIM_BASE_URL, transport=sim.transport(), headers=AUTH,
                      timeout=httpx.Timeout(5.0, read=0.2)) as c, pytest.raises(httpx.ReadTimeout):
        c.get(ACCOUNT)


def test_faults_over_loopback_and_control_routes(sim_server: SimServer, sim: Simulator) -> None:
    with httpx.Client(base_url=sim_server.base_url, headers=AUTH,
                      timeout=httpx.Timeout(5.0, read=0.3)) as c:
        control = httpx.Client(base_url=sim_server.origin)
        assert control.post("/_sim/faults", json={"truncated_rate": 1.0}).status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            c.get(ACCOUNT)
        assert control.post("/_sim/faults", json={"truncated_rate": 0, "hang": 20}).json()[
            "hang"] == 20
        with pytest.raises(httpx.ReadTimeout):
            c.get(ACCOUNT)
        bad = control.post("/_sim/faults", json={"typo": 1})
        assert bad.status_code == 400 and "typo" in bad.json()["message"]
        sim.faults.clear()
        assert c.get(ACCOUNT).status_code == 200
        stats = control.get("/_sim/stats").json()
        assert stats["total"] == 3 and stats["by_category"] == {"ads_read": 3}
        assert stats["by_path"] == {f"/v5{ACCOUNT}": 3}
        assert control.post("/_sim/reset-stats").json()["total"] == 0
        assert sim.stats.total == 0


def test_faults_from_the_environment() -> None:
    config = SimConfig.from_env({"PINTEREST_SIM_FAULTS": "latency=0.15,error_rate=0.1,"
                                 "storm_429=1,hang=30,malformed_rate=0.1,truncated_rate=0.1"})
    faults = config.faults
    assert (faults.latency, faults.error_rate, faults.storm_429, faults.hang,
            faults.malformed_rate, faults.truncated_rate) == (0.15, 0.1, True, 30.0, 0.1, 0.1)
    with pytest.raises(ValueError, match="unknown fault"):
        Faults.parse("lag=1")


def test_an_internal_error_is_a_500_body_not_a_dropped_connection(
        api: httpx.Client, sim: Simulator, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("engine bug")

    monkeypatch.setattr(sim.engine, "metrics_ready_state", broken)
    answer = api.get(READY, params=DAY)
    assert answer.status_code == 500
    assert answer.json() == {"code": 12,
                             "message": "Something went wrong on our end. Sorry about that."}
    assert "engine bug" in caplog.text and "demo-token" not in caplog.text
