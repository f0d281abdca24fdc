"""Fixtures for the client tests: a simulator reached in-process or over loopback HTTP.

``make_env(...)`` builds a fresh simulator (frozen clock by default), serves it on a free port
when the test runs in the ``loopback`` variant, and a `PinterestClient` with its own cache and a
unique token (rate-limit buckets are process-wide per token, so tests never share quota).
The ``kind`` fixture parametrizes a test over both faces.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from pinterest_client import ClientConfig, PinterestClient, ResponseCache
from pinterest_sim import SIM_BASE_URL, FrozenClock, SimConfig, SimServer, Simulator, SystemClock

# 05:23:20 UTC: a trial-tier day then has 67,000 s left (the reset Pinterest was seen to send).
FROZEN_NOW = datetime(2026, 11, 20, 5, 23, 20, tzinfo=UTC)
# Retries without long sleeps: tests count retries, they do not wait for them.
FAST = ClientConfig(backoff_base_s=0.001, backoff_cap_s=0.01)


@dataclass
class ClientEnv:
    sim: Simulator
    clock: Any  # FrozenClock or SystemClock
    token: str
    base_url: str
    server: SimServer | None
    client: PinterestClient
    extra_clients: list[PinterestClient] = field(default_factory=list)

    def new_client(self, **kwargs: Any) -> PinterestClient:
        """Another client on the same simulator and token (its own cache unless given)."""
        options: dict[str, Any] = {
            "base_url": self.base_url,
            "transport": self.sim.transport() if self.server is None else None,
            "cache": ResponseCache(),
            "config": FAST,
            "now": self.clock.now,
        }
        options.update(kwargs)
        token = options.pop("access_token", self.token)
        client = PinterestClient(token, **options)
        self.extra_clients.append(client)
        return client

    @property
    def today(self) -> Any:
        return self.clock.now().date()


@pytest.fixture(params=["inprocess", "loopback"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


MakeEnv = Callable[..., ClientEnv]


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
