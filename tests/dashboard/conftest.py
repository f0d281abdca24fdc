"""Fixtures of the dashboard tests: a simulator frozen at NOW and a client with its own cache."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pinterest_client import PinterestClient
from pinterest_client._cache import ResponseCache, default_cache
from pinterest_sim import SIM_BASE_URL, FrozenClock, SimConfig, Simulator, World
from tests.dashboard.support import FAST_RETRIES, NOW


@pytest.fixture(autouse=True)
def _fresh_default_cache() -> None:
    """Clients built by the app's code share the process-wide cache, keyed by identity; a
    person's identity is their user id (the same in every test's simulator), so each test
    starts with it empty, as a new process would."""
    default_cache().clear()


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
