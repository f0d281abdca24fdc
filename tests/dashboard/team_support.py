"""Team mode test helpers: settings for the simulator's app, and a person signed in through the
simulator's real authorization-code exchange (no HTML, `sim.authorize`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from dashboard.people import People
from dashboard.settings import Settings, load_settings
from dashboard.token_store import TokenStore
from pinterest_client import ClientConfig
from pinterest_sim import SIM_BASE_URL, Simulator
from tests.sim.oauth_support import exchange

PUBLIC_URL = "http://127.0.0.1:8501"
SECRET_KEY = "test-secret-key-" + "k" * 40
REDIRECT = PUBLIC_URL + "/auth/callback"
# The in-process simulator answers whatever host the client names; a loopback one passes the
# base URL check (as `python -m pinterest_sim` would).
LOOPBACK_BASE_URL = "http://127.0.0.1:9/v5"
FAST = ClientConfig(max_retries=0)


def team_settings(store: Path, **extra: str) -> Settings:
    return load_settings(env={
        "PINTEREST_APP_ID": "sim-app", "PINTEREST_APP_SECRET": "sim-secret",
        "PINTEREST_API_BASE_URL": LOOPBACK_BASE_URL,
        "PINTEREST_DASHBOARD_PUBLIC_URL": PUBLIC_URL,
        "PINTEREST_DASHBOARD_SECRET_KEY": SECRET_KEY,
        "PINTEREST_DASHBOARD_TOKEN_STORE": str(store), **extra})


def make_people(sim: Simulator, store_path: Path, **extra: str) -> People:
    settings = team_settings(store_path, **extra)
    assert settings.team is not None
    return People(settings, TokenStore(store_path, settings.team.secret_key),
                  transport=sim.transport(), config=FAST)


def token_answer(sim: Simulator, user_id: str) -> dict[str, Any]:
    """What POST /v5/oauth/token answers for `user_id` pressing Allow."""
    code = sim.authorize(user_id, REDIRECT)
    with httpx.Client(base_url=SIM_BASE_URL, transport=sim.transport()) as api:
        answer = exchange(api, code, redirect_uri=REDIRECT)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body
