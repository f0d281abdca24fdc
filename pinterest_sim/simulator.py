"""``Simulator``: the public face that ties the backend to its two HTTP faces."""

from __future__ import annotations

from pinterest_sim.clock import Clock, SystemClock
from pinterest_sim.config import SimConfig
from pinterest_sim.faults import Faults
from pinterest_sim.metrics import MetricsEngine
from pinterest_sim.models import RequestStats, SimulatorBackend
from pinterest_sim.ratelimit import RateLimitConfig
from pinterest_sim.responses import SimResponder
from pinterest_sim.server import SimServer
from pinterest_sim.transport import SimTransport
from pinterest_sim.users import PERSONAL_TOKENS
from pinterest_sim.world import World


class Simulator:
    """A local Pinterest API v5 (see docs/architecture.md, section 1)."""

    def __init__(self, config: SimConfig | None = None, clock: Clock | None = None, *,
                 world: World | None = None) -> None:
        """``world``: an already built ``World`` of the same seed to share (it is immutable;
        building one takes most of a second)."""
        self.config = config if config is not None else SimConfig()
        self.clock: Clock = clock if clock is not None else SystemClock()
        if world is not None and world.seed != self.config.seed:
            raise ValueError(f"world seed {world.seed} != config seed {self.config.seed}")
        self.backend = SimulatorBackend(self.config, self.clock, world=world)
        self.responder = SimResponder(self.backend)

    # ----- faces -------------------------------------------------------------------------

    def transport(self) -> SimTransport:
        """In-process face; use with base URL ``SIM_BASE_URL`` (http://pinterest-sim.local/v5)."""
        return SimTransport(self.responder)

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> SimServer:
        """Loopback face in a background thread; ``.stop()`` it when done."""
        return SimServer(self.responder, host, port).start()

    # ----- ground truth and knobs --------------------------------------------------------

    @property
    def world(self) -> World:
        return self.backend.world

    @property
    def engine(self) -> MetricsEngine:
        return self.backend.engine

    @property
    def stats(self) -> RequestStats:
        return self.backend.stats

    @property
    def faults(self) -> Faults:
        return self.backend.faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        self.backend.faults = faults

    @property
    def rate_limits(self) -> RateLimitConfig:
        return self.backend.rate_limits

    @rate_limits.setter
    def rate_limits(self, config: RateLimitConfig) -> None:
        self.backend.rate_limits = config
        self.backend.limiter.config = config

    # ----- test helpers ------------------------------------------------------------------

    def usage(self, category: str, token: str | None = None) -> int:
        """Requests of ``category`` counted in the token's current minute window."""
        return self.backend.usage(category, token)

    def expire_access_token(self, token: str | None = None) -> None:
        """The given access token (default: the configured one) answers 401 from now on."""
        self.backend.expire_access_token(token)

    def expire_all_access_tokens(self) -> None:
        self.backend.expire_all_access_tokens()

    @property
    def refresh_token(self) -> str:
        """The refresh token that ``POST /oauth/token`` currently accepts."""
        return self.backend.current_refresh_token

    def personal_token(self, user_id: str) -> str:
        """The fixed access token of a person of the world (the demo user's: config.token)."""
        if user_id == self.world.demo_user.id:
            return self.config.token
        return PERSONAL_TOKENS[user_id]

    def authorize(self, user_id: str, redirect_uri: str,
                  scope: str = "ads:read,user_accounts:read", state: str | None = None) -> str:
        """An authorization code as if ``user_id`` pressed Allow on ``/oauth/`` (no HTML)."""
        return self.backend.authorize(user_id, redirect_uri, scope, state)

    def fail_next_reports(self, n: int = 1) -> None:
        self.backend.fail_next_reports(n)

    def fail_next_bulk(self, n: int = 1) -> None:
        self.backend.fail_next_bulk(n)

    def reset_rate_limits(self) -> None:
        self.backend.limiter.reset()

    def __repr__(self) -> str:
        return f"Simulator(seed={self.config.seed}, clock={self.clock!r})"
