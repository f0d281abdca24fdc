"""Helpers for the client tests (importable as ``tests.client.support``; fixtures stay in
``conftest.py``, which test modules never import).

``ClientEnv`` is what the ``make_env`` fixture builds: a fresh simulator (frozen clock by
default), served on a free port in the ``loopback`` variant, and a `PinterestClient` with its own
cache and a unique token (rate-limit buckets are process-wide per token, so tests never share
quota).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from pinterest_client import ClientConfig, PinterestClient, ResponseCache
from pinterest_client._auth import Credentials
from pinterest_client._http import HttpSession
from pinterest_client._ratelimit import RateLimiter, RateLimits
from pinterest_client.bulk import BulkAPI
from pinterest_sim import FrozenClock, SimServer, Simulator
from tests.support import FROZEN_NOW as FROZEN_NOW

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


MakeEnv = Callable[..., ClientEnv]


class FakeTimer:
    """A monotonic clock the test moves by hand (for cache TTLs)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


def make_session(handler: Callable[[httpx.Request], httpx.Response], *,
                 credentials: Credentials | None = None, max_wait_s: float = 30.0,
                 ) -> tuple[HttpSession, FakeClock]:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(), clock=clock.now, sleep=clock.sleep)
    session = HttpSession(credentials or Credentials("tok-unit"), limiter,
                          base_url="http://api.test/v5", transport=httpx.MockTransport(handler),
                          max_wait_s=max_wait_s, config=ClientConfig(), sleep=clock.sleep,
                          rng=lambda: 0.5)
    return session, clock


# Bulk downloads against the simulator (fixture `bulk_env`... see conftest `env`).
BULK_NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@dataclass
class BulkEnv:
    sim: Simulator
    clock: FrozenClock
    client: PinterestClient
    bulk: BulkAPI
    sleeps: list[float]
