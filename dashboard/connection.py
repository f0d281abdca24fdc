"""Build the one PinterestClient the app uses: real Pinterest, or the in-process simulator.

With an access token the client talks to Pinterest (or the sandbox, or any base URL). Without
one, it talks to `pinterest_sim` through an httpx transport (no port, no network): the
"Demo data" mode. This is the only dashboard module that imports the simulator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dashboard.personal_tokens import PersonalTokens
from dashboard.settings import MODE_NAMES, Settings, check_base_url
from dashboard.shared_backend import SharedBackend, shared_backend
from pinterest_client import ClientConfig
from pinterest_client import PinterestClient as PinterestClient  # the pages' type of it

# Today's numbers stay cached shorter than the fastest auto-refresh (30 s), so every refresh
# can show new data; closed days keep the client's long TTL.
LIVE_CONFIG = ClientConfig(ttl_recent_s=25.0)


@dataclass(frozen=True)
class Connection:
    client: PinterestClient = field(repr=False)
    is_demo: bool
    target: str  # "Demo data", "Pinterest", "Pinterest sandbox", ...
    base_url: str
    # The simulator behind demo mode (None with a real token); tests and the API status page
    # may read its request counts.
    simulator: Any = field(default=None, repr=False)
    notes: tuple[str, ...] = ()  # settings that work, but not as meant (Settings.notes)
    mode_name: str = MODE_NAMES["personal"]  # "Demo mode", "Personal mode", "Team mode"
    # The process's shared store (Redis) or its absence; API status shows its state.
    shared: SharedBackend = field(default_factory=SharedBackend, repr=False)


def build_demo_simulator() -> Any:
    """The in-process simulator with a wall clock, so today's numbers move.

    Seed, token, faults and rate limits come from PINTEREST_SIM_* (SimConfig.from_env).
    """
    from pinterest_sim import SimConfig, Simulator, SystemClock

    return Simulator(SimConfig.from_env(), clock=SystemClock())


def build_connection(settings: Settings, shared: SharedBackend | None = None) -> Connection:
    """The client for these settings (call once per process; the app caches the result).
    Team mode has one client per signed-in person instead (dashboard/people.py). `shared`:
    the process's shared store (default: the one for these settings)."""
    if settings.team is not None:
        raise ValueError("team mode builds one client per person (dashboard.people.People)")
    shared = shared if shared is not None else shared_backend(settings)
    if settings.is_demo:
        from pinterest_sim import SIM_BASE_URL

        simulator = build_demo_simulator()
        client = PinterestClient(
            simulator.config.token,
            base_url=SIM_BASE_URL,
            transport=simulator.transport(),
            config=LIVE_CONFIG,
            **shared.client_kwargs(report_jobs=False),
        )
        return Connection(
            client=client,
            is_demo=True,
            target=settings.target,
            base_url=SIM_BASE_URL,
            simulator=simulator,
            mode_name=settings.mode_name,
            notes=tuple(settings.notes),
            shared=shared,
        )
    check_base_url(settings.base_url)  # also for Settings made by hand, not by load_settings
    access, refresh = settings.access_token, settings.refresh_token
    on_refreshed: Callable[[str, str | None], None] | None = None
    coordination: dict[str, Any] = {}
    if refresh and settings.app_id and settings.app_secret:
        # A refresh rotates the refresh token: keep the new pair for the next start (and, with
        # a shared store, for the other processes, which take it instead of refreshing again).
        line = PersonalTokens(refresh, settings.app_secret, shared=shared.store)
        pair = line.current(access)
        access, refresh, on_refreshed = pair.access_token, pair.refresh_token, line.save
        coordination = {"refresh_guard": line.refresh_lock, "current_tokens": line.current_tokens,
                        # one rate budget and cache identity for the line in every process
                        "identity": f"personal-line:{line.fingerprint}"}
    client = PinterestClient(
        access,
        refresh_token=refresh,
        on_tokens_refreshed=on_refreshed,
        app_id=settings.app_id,
        app_secret=settings.app_secret,
        base_url=settings.base_url,
        timeout=settings.timeout_s,
        config=LIVE_CONFIG,
        **coordination,
        **shared.client_kwargs(),
    )
    return Connection(
        client=client, is_demo=False, target=settings.target, base_url=settings.base_url,
        notes=tuple(settings.notes), mode_name=settings.mode_name, shared=shared,
    )
