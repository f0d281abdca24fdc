"""Build the one PinterestClient the app uses: real Pinterest, or the in-process simulator.

With an access token the client talks to Pinterest (or the sandbox, or any base URL). Without
one, it talks to `pinterest_sim` through an httpx transport (no port, no network): the
"Demo data" mode. This is the only dashboard module that imports the simulator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dashboard.settings import DEMO_BASE_URL, DEMO_TOKEN, Settings
from pinterest_client import PinterestClient


@dataclass(frozen=True)
class Connection:
    client: PinterestClient = field(repr=False)
    is_demo: bool
    target: str  # "Demo data", "Pinterest", "Pinterest sandbox", ...
    base_url: str
    # The simulator behind demo mode (None with a real token); tests and the API status page
    # may read its request counts.
    simulator: Any = field(default=None, repr=False)


def build_demo_simulator(settings: Settings) -> Any:
    """The in-process simulator with a wall clock, so today's numbers move."""
    from pinterest_sim import Faults, SimConfig, Simulator, SystemClock

    config = SimConfig(seed=settings.demo_seed, token=DEMO_TOKEN)
    simulator = Simulator(config, clock=SystemClock())
    if settings.demo_faults:
        simulator.faults.update(Faults.parse(settings.demo_faults).as_dict())
    return simulator


def build_connection(settings: Settings) -> Connection:
    """The client for these settings (call once per process; the app caches the result)."""
    if settings.is_demo:
        simulator = build_demo_simulator(settings)
        client = PinterestClient(
            DEMO_TOKEN,
            base_url=DEMO_BASE_URL,
            transport=simulator.transport(),
        )
        return Connection(
            client=client,
            is_demo=True,
            target=settings.target,
            base_url=DEMO_BASE_URL,
            simulator=simulator,
        )
    client = PinterestClient(
        settings.access_token,
        refresh_token=settings.refresh_token,
        app_id=settings.app_id,
        app_secret=settings.app_secret,
        base_url=settings.base_url,
    )
    return Connection(
        client=client, is_demo=False, target=settings.target, base_url=settings.base_url
    )
