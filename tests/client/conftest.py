"""Fixtures for the client tests: a simulator reached in-process or over loopback HTTP.

``make_env(...)`` builds a fresh `ClientEnv` (see ``tests.client.support``); the ``kind`` fixture
parametrizes a test over both faces (in-process transport and loopback HTTP).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from pinterest_client import PinterestClient
from pinterest_client.bulk import BulkAPI
from pinterest_sim import SIM_BASE_URL, FrozenClock, SimConfig, Simulator, SystemClock
from tests.client.support import BULK_NOW, FROZEN_NOW, BulkEnv, ClientEnv, MakeEnv


@pytest.fixture(params=["inprocess", "loopback"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)



@pytest.fixture
def make_env(kind: str) -> Iterator[MakeEnv]:
    built: list[ClientEnv] = []

    def build(*, frozen: bool = True, now: datetime = FROZEN_NOW,
              sim_options: dict[str, Any] | None = None, **client_options: Any) -> ClientEnv:
        clock: Any = FrozenClock(now) if frozen else SystemClock()
        token = f"tok-{uuid.uuid4().hex}"
        sim = Simulator(SimConfig(token=token, **(sim_options or {})), clock=clock)
        server = sim.serve("127.0.0.1", 0) if kind == "loopback" else None
        base_url = server.base_url if server is not None else SIM_BASE_URL
        env = ClientEnv(sim=sim, clock=clock, token=token, base_url=base_url, server=server,
                        client=None)  # type: ignore[arg-type]
        env.client = env.new_client(**client_options)
        built.append(env)
        return env

    yield build
    for env in built:
        for client in env.extra_clients:
            client.close()
        if env.server is not None:
            env.server.stop()


@pytest.fixture
def env() -> Iterator[BulkEnv]:
    clock = FrozenClock(BULK_NOW)
    sim = Simulator(SimConfig(seed=7, token="demo-token", bulk_delay_s=12.0), clock=clock)
    client = PinterestClient("demo-token", base_url=SIM_BASE_URL, transport=sim.transport())
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.advance(seconds)

    yield BulkEnv(sim, clock, client, BulkAPI(client.session, now=clock.now, sleep=sleep), sleeps)
    client.close()
