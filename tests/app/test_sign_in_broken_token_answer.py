"""A broken answer from Pinterest's token endpoint during sign-in gets the friendly "Not
signed in" page (web/auth.py promises one sentence, never a traceback), not a bare 500."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dashboard.session_cookie import SESSION_COOKIE
from pinterest_sim import DEMO_USER_ID, SIM_ORIGIN, Simulator
from tests.app.auth_support import message_of as _message
from tests.app.auth_support import press as _press
from tests.app.auth_support import runtime_for as _runtime
from tests.app.auth_support import start_sign_in as _start
from tests.dashboard.team_support import PUBLIC_URL
from web.auth import SignInRoutes


# truncated_rate already gets the page (an httpx error); malformed_rate raises ValueError in
# Authlib's parse_response_token, which the callback does not catch.
@pytest.mark.parametrize("fault", ["malformed_rate", "truncated_rate"])
def test_an_unreadable_token_answer_gets_a_clear_page(
    sim: Simulator, tmp_path: Path, fault: str
) -> None:
    runtime = _runtime(sim, tmp_path / "tokens.sqlite3")
    app = Starlette(routes=SignInRoutes(runtime, transport=sim.transport()).routes)
    browser = TestClient(app, base_url=PUBLIC_URL, follow_redirects=False,
                         raise_server_exceptions=False)
    with httpx.Client(base_url=SIM_ORIGIN, transport=sim.transport()) as pinterest:
        back = _press(pinterest, _start(browser), DEMO_USER_ID)
    sim.faults.update({fault: 1.0})  # only the token exchange is a /v5 call from here on
    answer = browser.get("/auth/callback", params=back)
    assert answer.status_code == 502, answer.text[:200]
    assert "Not signed in" in _message(answer)
    assert SESSION_COOKIE not in browser.cookies
