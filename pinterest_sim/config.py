"""``SimConfig``: what a simulator instance is built from, also readable from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from pinterest_sim.faults import Faults
from pinterest_sim.ratelimit import RateLimitConfig

SIM_HOST = "pinterest-sim.local"
SIM_ORIGIN = f"http://{SIM_HOST}"
SIM_BASE_URL = f"{SIM_ORIGIN}/v5"


@dataclass
class SimConfig:
    seed: int = 7
    token: str = field(default="demo-token", repr=False)
    app_id: str = "sim-app"
    app_secret: str = field(default="sim-secret", repr=False)
    refresh_token: str = field(default="sim-refresh-0", repr=False)
    app_name: str = "Pinterest Ads Dashboard (simulator app)"
    # Redirect URIs registered for the app; empty: any absolute http(s) URI is accepted.
    redirect_uris: tuple[str, ...] = ()
    report_delay_s: float = 3.0
    bulk_delay_s: float = 2.0
    access_token_lifetime_s: int = 30 * 86_400
    refresh_token_lifetime_s: int = 60 * 86_400
    faults: Faults = field(default_factory=Faults)
    rate_limits: RateLimitConfig = field(default_factory=RateLimitConfig)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SimConfig:
        """``PINTEREST_SIM_SEED``, ``_TOKEN``, ``_REPORT_DELAY``, ``_BULK_DELAY``, ``_FAULTS``,
        ``_RATE_LIMITS``, ``_REDIRECT_URIS`` (see docs/architecture.md); anything unset keeps
        its default."""
        env = os.environ if environ is None else environ
        config = cls()
        if env.get("PINTEREST_SIM_SEED"):
            config.seed = int(env["PINTEREST_SIM_SEED"])
        if env.get("PINTEREST_SIM_TOKEN"):
            config.token = env["PINTEREST_SIM_TOKEN"]
        if env.get("PINTEREST_SIM_REPORT_DELAY"):
            config.report_delay_s = float(env["PINTEREST_SIM_REPORT_DELAY"])
        if env.get("PINTEREST_SIM_REDIRECT_URIS"):
            config.redirect_uris = tuple(
                u.strip() for u in env["PINTEREST_SIM_REDIRECT_URIS"].split(",") if u.strip())
        if env.get("PINTEREST_SIM_BULK_DELAY"):
            config.bulk_delay_s = float(env["PINTEREST_SIM_BULK_DELAY"])
        config.faults = Faults.parse(env.get("PINTEREST_SIM_FAULTS"))
        config.rate_limits = RateLimitConfig.parse(env.get("PINTEREST_SIM_RATE_LIMITS"))
        return config
