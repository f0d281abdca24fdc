"""Helpers of the sign-in route tests (tests/app/test_team_auth_routes.py and others)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
from starlette.testclient import TestClient

from dashboard.people import People
from dashboard.session_cookie import CookieSigner
from dashboard.token_store import TokenStore
from pinterest_sim import Simulator
from tests.dashboard.team_support import FAST, team_settings
from tests.sim.oauth_support import PageReader, redirect_query, sign_in
from web.auth import TeamRuntime

WANTED = "/campaigns?account=549755885175&preset=last_7_days"


def runtime_for(sim: Simulator, store: Path, **extra: str) -> TeamRuntime:
    settings = team_settings(store, **extra)
    assert settings.team is not None
    people = People(settings, TokenStore(store, settings.team.secret_key),
                    transport=sim.transport(), config=FAST)
    return TeamRuntime(people, CookieSigner(settings.team.secret_key, 3600))



def start_sign_in(browser: TestClient, next_path: str = WANTED) -> dict[str, str]:
    answer = browser.get("/auth/login", params={"next": next_path})
    assert answer.status_code == 303
    location = urlsplit(answer.headers["location"])
    assert location.path == "/oauth/"
    return {k: v[-1] for k, v in parse_qs(location.query).items()}



def press(pinterest: httpx.Client, asked: dict[str, str], user_id: str,
           decision: str = "allow") -> dict[str, str]:
    answer = sign_in(pinterest, user_id=user_id, decision=decision,
                     redirect_uri=asked["redirect_uri"], state=asked["state"],
                     scope=asked["scope"], client_id=asked["client_id"])
    return redirect_query(answer)



def message_of(answer: httpx.Response) -> str:
    return PageReader(answer.text).all_text
