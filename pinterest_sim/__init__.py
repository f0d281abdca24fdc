"""A faithful local Pinterest API v5: in-process (httpx transport) and over loopback HTTP.

    sim = Simulator(SimConfig(seed=7, token="demo-token"), clock=SystemClock())
    httpx.Client(base_url=SIM_BASE_URL, transport=sim.transport())
    server = sim.serve(port=0); server.base_url; server.stop()
"""

from __future__ import annotations

from pinterest_sim.clock import Clock, FrozenClock, SystemClock
from pinterest_sim.config import SIM_BASE_URL, SIM_ORIGIN, SimConfig
from pinterest_sim.exceptions import SimError
from pinterest_sim.faults import Faults
from pinterest_sim.metrics import Attribution, MetricsEngine
from pinterest_sim.models import RequestStats, SimulatorBackend
from pinterest_sim.ratelimit import RateLimitConfig
from pinterest_sim.server import SimServer
from pinterest_sim.simulator import Simulator
from pinterest_sim.transport import SimTransport
from pinterest_sim.users import AGENCY_TOKEN, ANALYST_TOKEN, FINANCE_TOKEN, PINNER_TOKEN
from pinterest_sim.world import (
    ANALYST_USER_ID,
    DEMO_ACCOUNT_ID,
    DEMO_USER_ID,
    EMPTY_ACCOUNT_ID,
    EUR_ACCOUNT_ID,
    FINANCE_USER_ID,
    FORBIDDEN_ACCOUNT_ID,
    GBP_ACCOUNT_ID,
    HOSTILE_ACCOUNT_ID,
    JPY_ACCOUNT_ID,
    LARGE_ACCOUNT_ID,
    NEWCOMER_USER_ID,
    OTHER_USER_ID,
    World,
)

__all__ = [
    "AGENCY_TOKEN",
    "ANALYST_TOKEN",
    "ANALYST_USER_ID",
    "DEMO_ACCOUNT_ID",
    "DEMO_USER_ID",
    "EMPTY_ACCOUNT_ID",
    "EUR_ACCOUNT_ID",
    "FINANCE_TOKEN",
    "FINANCE_USER_ID",
    "FORBIDDEN_ACCOUNT_ID",
    "GBP_ACCOUNT_ID",
    "HOSTILE_ACCOUNT_ID",
    "JPY_ACCOUNT_ID",
    "LARGE_ACCOUNT_ID",
    "NEWCOMER_USER_ID",
    "OTHER_USER_ID",
    "PINNER_TOKEN",
    "SIM_BASE_URL",
    "SIM_ORIGIN",
    "Attribution",
    "Clock",
    "Faults",
    "FrozenClock",
    "MetricsEngine",
    "RateLimitConfig",
    "RequestStats",
    "SimConfig",
    "SimError",
    "SimServer",
    "SimTransport",
    "Simulator",
    "SimulatorBackend",
    "SystemClock",
    "World",
]
