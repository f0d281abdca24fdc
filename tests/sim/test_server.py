"""The loopback face: ``python -m pinterest_sim`` and ``Simulator.serve`` under concurrency."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from pinterest_sim import DEMO_ACCOUNT_ID, Faults, RateLimitConfig, SimServer, Simulator
from pinterest_sim.__main__ import main
from tests.support import AUTH

ROOT = Path(__file__).resolve().parents[2]


def test_module_entry_point_serves_with_the_env_token() -> None:
    env = {**os.environ, "PINTEREST_SIM_TOKEN": "token-from-env"}
    process = subprocess.Popen(
        [sys.executable, "-m", "pinterest_sim", "--host", "127.0.0.1", "--port", "0"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        prefix = "Pinterest simulator listening on http://127.0.0.1:"
        assert line.startswith(prefix) and line.endswith("/v5"), line
        base_url = line.removeprefix("Pinterest simulator listening on ")
        good = httpx.get(f"{base_url}/ad_accounts",
                         headers={"Authorization": "Bearer token-from-env"})
        assert good.status_code == 200 and good.json()["items"]
        assert httpx.get(f"{base_url}/ad_accounts", headers=AUTH).status_code == 401
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_concurrent_requests_are_all_counted(sim_server: SimServer, sim: Simulator) -> None:
    def fetch(_: int) -> int:
        with httpx.Client(base_url=sim_server.base_url, headers=AUTH) as c:
            return sum(c.get(f"/ad_accounts/{DEMO_ACCOUNT_ID}/campaigns").status_code == 200
                       for _ in range(10))

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert sum(pool.map(fetch, range(8))) == 80
    assert sim.stats.total == 80
    assert sim.stats.by_path == {f"/v5/ad_accounts/{DEMO_ACCOUNT_ID}/campaigns": 80}


def test_in_process_and_loopback_give_the_same_answers(sim_server: SimServer,
                                                       sim: Simulator) -> None:
    path = f"/ad_accounts/{DEMO_ACCOUNT_ID}/analytics"
    params = {"start_date": "2026-11-01", "end_date": "2026-11-19",
              "columns": "SPEND_IN_MICRO_DOLLAR,CTR", "granularity": "DAY"}
    with httpx.Client(base_url=sim_server.base_url, headers=AUTH) as http, \
            httpx.Client(base_url="http://pinterest-sim.local/v5", transport=sim.transport(),
                         headers=AUTH) as local:
        over_http, in_process = http.get(path, params=params), local.get(path, params=params)
    assert over_http.status_code == in_process.status_code == 200
    assert over_http.json() == in_process.json() and over_http.json()


def test_help_lists_every_environment_setting(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    for name in ("--host", "--port", "PINTEREST_SIM_TOKEN", "PINTEREST_SIM_SEED",
                 "PINTEREST_SIM_REPORT_DELAY", "PINTEREST_SIM_BULK_DELAY",
                 "PINTEREST_SIM_FAULTS", "PINTEREST_SIM_RATE_LIMITS"):
        assert name in text, name
    # Every fault and rate-limit knob the parsers accept is named in the help.
    for knob in [f.name for f in dataclasses.fields(Faults) if not f.name.startswith("_")] + \
            [f.name for f in dataclasses.fields(RateLimitConfig)]:
        assert knob in text, knob


def test_a_mistyped_setting_is_a_usage_error(capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINTEREST_SIM_FAULTS", "lateny=0.1")
    with pytest.raises(SystemExit) as done:
        main(["--port", "0"])
    assert done.value.code == 2
    assert "unknown fault 'lateny'" in capsys.readouterr().err


@pytest.mark.parametrize("method", ["TRACE", "QUERY", "OPTIONS", "HEAD"])
def test_any_other_method_gets_pinterest_405_not_an_html_501(sim_server: SimServer,
                                                              method: str) -> None:
    # http.server answered methods it has no do_* for with its own 501 HTML page (found by
    # schemathesis): a 5xx, and not Pinterest's error body.
    response = httpx.request(method, f"{sim_server.base_url}/ad_accounts", headers=AUTH)
    assert response.status_code == 405
    if method == "HEAD":
        assert response.content == b""  # a HEAD answer carries no body
        return
    body = response.json()
    assert isinstance(body["code"], int) and body["message"]
