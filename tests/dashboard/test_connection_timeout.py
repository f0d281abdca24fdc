"""PINTEREST_API_TIMEOUT_S reaches the client: a hung Pinterest fails after the configured
timeout (then the page explains it) instead of holding the page for 30 s per attempt."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import pinterest_client as pc
from dashboard.connection import build_connection
from dashboard.settings import DEFAULT_TIMEOUT_S, SettingsError, load_settings
from pinterest_sim import SimConfig, SimServer, Simulator, SystemClock, World

TOKEN = "timeout-test-token"  # its own token: the client's limiter and cache are per token


@pytest.fixture
def hung_server(world: World) -> Iterator[tuple[Simulator, SimServer]]:
    sim = Simulator(SimConfig(seed=7, token=TOKEN), clock=SystemClock(), world=world)
    sim.faults.hang = 3.0  # every answer is held back 3 s
    server = sim.serve("127.0.0.1", 0)
    try:
        yield sim, server
    finally:
        server.stop()


def test_the_configured_timeout_cuts_a_hang(hung_server: tuple[Simulator, SimServer]) -> None:
    sim, server = hung_server
    settings = load_settings(env={"PINTEREST_ACCESS_TOKEN": TOKEN,
                                  "PINTEREST_API_BASE_URL": server.base_url,
                                  "PINTEREST_API_TIMEOUT_S": "1"})
    assert settings.timeout_s == 1.0
    connection = build_connection(settings)
    try:
        with pytest.raises(pc.APITimeoutError):
            connection.client.user_account()
    finally:
        connection.client.close()
    # Every attempt timed out: the first one plus each retry reached the simulator.
    assert sim.stats.total == 1 + connection.client.config.max_retries


@pytest.mark.parametrize("value", ["0", "0.5", "121", "nan", "inf", "soon", "-3"])
def test_a_timeout_outside_1_to_120_s_is_refused_by_name(value: str) -> None:
    with pytest.raises(SettingsError, match="PINTEREST_API_TIMEOUT_S"):
        load_settings(env={"PINTEREST_API_TIMEOUT_S": value})


def test_the_timeout_defaults_to_30_s_and_reads_secrets() -> None:
    assert load_settings(env={}).timeout_s == DEFAULT_TIMEOUT_S == 30.0
    assert load_settings(env={}, secrets={"timeout_s": "7.5"}).timeout_s == 7.5
    assert load_settings(env={"PINTEREST_API_TIMEOUT_S": "5"},
                         secrets={"timeout_s": "7.5"}).timeout_s == 5.0
