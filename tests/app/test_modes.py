"""The three modes from configuration: which one, what the log says, and personal mode's
loopback-only guard (web/loopback.py) with its opt-out."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import streamlit as st
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

from dashboard.people import REFRESH_REFUSED
from dashboard.session_cookie import SESSION_COOKIE
from dashboard.settings import SettingsError, load_settings
from dashboard.team_settings import PINTEREST_AUTHORIZE_URL
from pinterest_client._cache import default_cache
from pinterest_sim import DEMO_ACCOUNT_ID, DEMO_USER_ID
from tests.app.support import APP
from tests.markdown_support import visible_text
from tests.sim.oauth_support import exchange
from tests.support import make_sim
from web.asgi import middleware
from web.auth import team_runtime

TEAM = {
    "PINTEREST_APP_ID": "sim-app", "PINTEREST_APP_SECRET": "sim-secret",
    "PINTEREST_DASHBOARD_PUBLIC_URL": "https://ads.example.com/",
    "PINTEREST_DASHBOARD_SECRET_KEY": "s" * 48,
}


def test_modes_follow_the_configuration() -> None:
    assert load_settings(env={}).mode == "demo"
    personal = load_settings(env={"PINTEREST_ACCESS_TOKEN": "pina_token"})
    assert personal.mode == "personal" and personal.loopback_only
    assert "this computer only" in personal.startup_message()
    shared = load_settings(env={"PINTEREST_ACCESS_TOKEN": "pina_token",
                                "PINTEREST_DASHBOARD_SHARE_TOKEN": "1"})
    assert not shared.loopback_only and "anyone who can reach" in shared.startup_message()
    team = load_settings(env=TEAM)
    assert team.mode == "team" and team.mode_name == "Team mode" and team.team is not None
    assert team.team.redirect_uri == "https://ads.example.com/auth/callback"
    assert team.team.authorize_url == PINTEREST_AUTHORIZE_URL and team.team.secure_cookies
    assert "s" * 48 not in repr(team) + team.startup_message()
    # from the [pinterest] secrets section too
    section = {"app_id": "sim-app", "app_secret": "sim-secret",
               "public_url": "https://ads.example.com", "secret_key": "s" * 48,
               "allowed_users": "Ana, @bo", "session_hours": "2"}
    from_secrets = load_settings(env={}, secrets=section).team
    assert from_secrets is not None and from_secrets.allowed_users == {"ana", "bo"}
    assert from_secrets.session_hours == 2


def test_a_local_simulator_brings_its_own_authorize_page() -> None:
    team = load_settings(env={**TEAM, "PINTEREST_API_BASE_URL": "http://127.0.0.1:8123/v5"}).team
    assert team is not None and team.authorize_url == "http://127.0.0.1:8123/oauth/"
    custom = load_settings(env={**TEAM, "PINTEREST_OAUTH_AUTHORIZE_URL":
                                "https://login.example.com/oauth/"}).team
    assert custom is not None and custom.authorize_url == "https://login.example.com/oauth/"


@pytest.mark.parametrize(("change", "named"), [
    ({"PINTEREST_APP_SECRET": None}, "PINTEREST_APP_SECRET"),
    ({"PINTEREST_DASHBOARD_PUBLIC_URL": None}, "PINTEREST_DASHBOARD_PUBLIC_URL"),
    ({"PINTEREST_DASHBOARD_SECRET_KEY": "short"}, "PINTEREST_DASHBOARD_SECRET_KEY"),
    ({"PINTEREST_DASHBOARD_PUBLIC_URL": "http://ads.example.com"}, "PUBLIC_URL"),
    ({"PINTEREST_DASHBOARD_PUBLIC_URL": "https://ads.example.com/?a=1"}, "PUBLIC_URL"),
    ({"PINTEREST_DASHBOARD_SESSION_HOURS": "0"}, "SESSION_HOURS"),
    ({"PINTEREST_OAUTH_AUTHORIZE_URL": "http://evil.example/oauth/"}, "AUTHORIZE_URL"),
    # the client would fall back to it for a person without one: someone else's identity
    ({"PINTEREST_REFRESH_TOKEN": "pinr_operator"}, "PINTEREST_REFRESH_TOKEN"),
])
def test_unusable_team_settings_are_named(change: dict[str, str | None], named: str) -> None:
    env = {k: v for k, v in {**TEAM, **change}.items() if v is not None}
    with pytest.raises(SettingsError, match=named) as error:
        load_settings(env=env)
    assert "s" * 48 not in str(error.value)


def _app(settings_env: dict[str, str]) -> Starlette:
    return Starlette(routes=[Route("/", lambda request: PlainTextResponse("numbers"))],
                     middleware=middleware(load_settings(env=settings_env)))


@pytest.mark.parametrize("host", ["192.168.1.20", "10.0.0.7", "2001:db8::1"])
def test_personal_mode_refuses_other_machines(host: str) -> None:
    app = _app({"PINTEREST_ACCESS_TOKEN": "pina_token"})
    answer = TestClient(app, client=(host, 4000)).get("/")
    assert answer.status_code == 403 and "numbers" not in answer.text
    assert "PINTEREST_DASHBOARD_SHARE_TOKEN=1" in answer.text
    # This computer, by a loopback name (the Host matters too: DNS rebinding).
    local = "http://localhost:8501"
    assert TestClient(app, base_url=local, client=("127.0.0.1", 4000)).get("/").text == "numbers"
    assert TestClient(app, base_url=local, client=("::1", 4000)).get("/").text == "numbers"


def test_personal_mode_shares_when_the_operator_opts_in_and_other_modes_are_open() -> None:
    for env in ({"PINTEREST_ACCESS_TOKEN": "pina_token", "PINTEREST_DASHBOARD_SHARE_TOKEN": "1"},
                {}, TEAM):
        assert TestClient(_app(env), client=("192.168.1.20", 4000)).get("/").text == "numbers"


def test_team_mode_without_a_session_shows_only_the_sign_in_page(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("PINTEREST_ACCESS_TOKEN", "PINTEREST_SIM_FAULTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {**TEAM, "PINTEREST_API_BASE_URL": "http://127.0.0.1:9/v5",
                        "PINTEREST_DASHBOARD_TOKEN_STORE": str(tmp_path / "t.sqlite3")}.items():
        monkeypatch.setenv(name, value)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["preset"] = "last_30_days"
    at.switch_page("pages/campaigns.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    links = [m.value for m in at.markdown if "/auth/login" in m.value]
    assert len(links) == 1
    href = re.search(r'href="([^"]+)"', links[0])
    assert href is not None
    query = parse_qs(urlsplit(html.unescape(href.group(1))).query)
    assert query["next"] == ["/campaigns?preset=last_30_days"]
    # nothing else: no filters, accounts, numbers or tables
    assert not at.sidebar.selectbox and not at.metric and not at.dataframe
    assert not at.sidebar.markdown


def test_a_revoked_sign_in_sends_that_person_to_sign_in_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sim = make_sim()
    server = sim.serve("127.0.0.1", 0)
    try:
        for name in ("PINTEREST_ACCESS_TOKEN", "PINTEREST_SIM_FAULTS"):
            monkeypatch.delenv(name, raising=False)
        env = {**TEAM, "PINTEREST_API_BASE_URL": server.base_url,
               "PINTEREST_DASHBOARD_TOKEN_STORE": str(tmp_path / "t.sqlite3")}
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        runtime = team_runtime(load_settings())
        redirect = runtime.team.redirect_uri
        sim.config.redirect_uris = (redirect,)  # a public address must be registered
        with httpx.Client(base_url=server.base_url) as api:
            answer = exchange(api, sim.authorize(DEMO_USER_ID, redirect), redirect_uri=redirect)
        person = runtime.people.sign_in(answer.json())
        cookie = runtime.signer.session_value(runtime.people.start_session(person))
        # AppTest cannot send cookies: st.context.cookies answers this browser's cookie
        monkeypatch.setattr(type(st.context), "cookies",
                            property(lambda self: {SESSION_COOKIE: cookie}))
        default_cache().clear()
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        assert "Signed in as **evergreen_marketing**" in [visible_text(m.value)
                                                      for m in at.sidebar.markdown]
        assert any("Team mode" in c.value for c in at.sidebar.caption)
        assert at.sidebar.selectbox(key="f_account").value == DEMO_ACCOUNT_ID
        # 61 days later both of the person's tokens have expired at Pinterest
        sim.clock.advance(61 * 86_400)
        default_cache().clear()
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        assert [w.value for w in at.warning] == [REFRESH_REFUSED]
        assert any("/auth/login" in m.value for m in at.markdown)
        assert not at.sidebar.selectbox and not at.metric
    finally:
        server.stop()
        team_runtime.cache_clear()
