"""Fixtures of the dashboard tests: a simulator frozen at NOW and a client with its own cache."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from pinterest_client import ClientConfig, PinterestClient
from pinterest_client._cache import ResponseCache
from pinterest_sim import SIM_BASE_URL, FrozenClock, SimConfig, Simulator, World

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
# Failing calls are retried once, quickly: the tests are about what the dashboard makes of them.
FAST_RETRIES = ClientConfig(max_retries=1, backoff_base_s=0.01, backoff_cap_s=0.02)
TODAY = NOW.date()


@pytest.fixture(scope="module")
def world() -> World:
    return World(7)


@pytest.fixture
def sim(world: World) -> Simulator:
    return Simulator(SimConfig(seed=7), clock=FrozenClock(NOW), world=world)


@pytest.fixture
def client(sim: Simulator) -> Iterator[PinterestClient]:
    # Its own cache: no test sees another's responses.
    c = PinterestClient(
        "demo-token",
        base_url=SIM_BASE_URL,
        transport=sim.transport(),
        cache=ResponseCache(),
        now=lambda: NOW,
        config=FAST_RETRIES,
    )
    yield c
    c.close()
