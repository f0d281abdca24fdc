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
from typing import Any

from pinterest_client import ClientConfig, PinterestClient, ResponseCache
from pinterest_sim import SimServer, Simulator
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
