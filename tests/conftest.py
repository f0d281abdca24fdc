"""Shared fixtures: a simulator on a frozen clock, its loopback server, and the OpenAPI contract.

``sim``            Simulator(seed 7) on a FrozenClock at ``FROZEN_NOW`` (move it with
                   ``sim.clock.advance(s)``); ``live_sim`` is the same on the wall clock.
``sim_server``     ``sim`` served on a free loopback port (stopped afterwards).
``openapi_spec``   spec/openapi.json as a dict (session-wide).
``validate_response``: ``tests.support.make_validator`` on that spec.

Helpers and constants live in ``tests/support.py``: import them from there, never from a conftest.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pinterest_sim import SimServer, Simulator, SystemClock
from tests.redis_support import RedisServer
from tests.support import (
    Validate,
    load_spec,
    make_sim,
    make_validator,
)


@pytest.fixture(scope="session")
def openapi_spec() -> dict[str, Any]:
    return load_spec()


@pytest.fixture(scope="session")
def validate_response(openapi_spec: dict[str, Any]) -> Validate:
    return make_validator(openapi_spec)


@pytest.fixture
def sim() -> Simulator:
    return make_sim()


@pytest.fixture
def live_sim() -> Simulator:
    return make_sim(SystemClock())


@pytest.fixture
def sim_server(sim: Simulator) -> Iterator[SimServer]:
    server = sim.serve("127.0.0.1", 0)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _fresh_rate_limit_budget() -> None:
    """Each test starts with the full per-token budget: tests share tokens like 'demo-token'
    and the client's limiter is process-wide, so earlier tests must not use a later one's quota."""
    from pinterest_client import _ratelimit

    with _ratelimit._registry_lock:
        _ratelimit._registry.clear()


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A fresh redis-server of this test's own on a free loopback port (stopped after)."""
    with RedisServer() as server:
        yield server
