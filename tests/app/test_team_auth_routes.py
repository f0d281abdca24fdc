"""The sign-in routes (web/auth.py) against the in-process simulator's authorize page and token
endpoint: state bound to the browser, Cancel, the allow-list, the session cookie, sign-out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from dashboard.people import SignedIn
from dashboard.session_cookie import SESSION_COOKIE, SIGN_IN_COOKIE
from pinterest_sim import ANALYST_USER_ID, DEMO_USER_ID, SIM_ORIGIN, Simulator
from tests.app.auth_support import WANTED, message_of, press, runtime_for, start_sign_in
from tests.dashboard.team_support import PUBLIC_URL, REDIRECT
from tests.sim.oauth_support import PageReader
from web.auth import SignInRoutes, TeamRuntime


@pytest.fixture
def runtime(sim: Simulator, tmp_path: Path) -> TeamRuntime:
    return runtime_for(sim, tmp_path / "tokens.sqlite3")


def _browser(sim: Simulator, runtime: TeamRuntime) -> TestClient:
    app = Starlette(routes=SignInRoutes(runtime, transport=sim.transport()).routes)
    return TestClient(app, base_url=PUBLIC_URL, follow_redirects=False)


@pytest.fixture
def pinterest(sim: Simulator) -> Iterator[httpx.Client]:
    """The person's browser on Pinterest's (the simulator's) authorize page."""
    with httpx.Client(base_url=SIM_ORIGIN, transport=sim.transport()) as client:
        yield client





def test_sign_in_lands_on_the_wanted_view_with_a_safe_cookie(
    sim: Simulator, runtime: TeamRuntime, pinterest: httpx.Client
) -> None:
    browser = _browser(sim, runtime)
    asked = start_sign_in(browser)
    assert asked["client_id"] == "sim-app" and asked["redirect_uri"] == REDIRECT
    assert asked["scope"] == "ads:read,user_accounts:read" and asked["response_type"] == "code"
    back = press(pinterest, asked, DEMO_USER_ID)
    answer = browser.get("/auth/callback", params=back)
    assert answer.status_code == 303 and answer.headers["location"] == WANTED
    cookie = next(h for h in answer.headers.get_list("set-cookie")
                  if h.startswith(SESSION_COOKIE + "="))
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()  # PUBLIC_URL is plain http on loopback
    sid = runtime.signer.read_session(browser.cookies.get(SESSION_COOKIE))
    state = runtime.people.session_state(sid)
    assert isinstance(state, SignedIn) and state.person.username == "evergreen_marketing"
    # the code is used up: the same callback again finishes nothing
    assert browser.get("/auth/callback", params=back).status_code != 303


def test_a_state_from_another_browser_or_altered_is_refused(
    sim: Simulator, runtime: TeamRuntime, pinterest: httpx.Client
) -> None:
    victim, attacker = _browser(sim, runtime), _browser(sim, runtime)
    asked = start_sign_in(attacker)
    back = press(pinterest, asked, DEMO_USER_ID)
    # the attacker's finished sign-in link, opened in the victim's browser (login CSRF)
    refused = victim.get("/auth/callback", params=back)
    assert refused.status_code == 400 and "not started in this browser" in message_of(refused)
    assert SESSION_COOKIE not in victim.cookies
    # the right browser with a changed state
    mine = start_sign_in(victim)
    back = press(pinterest, mine, DEMO_USER_ID)
    altered = victim.get("/auth/callback", params={**back, "state": back["state"] + "x"})
    assert altered.status_code == 400 and SESSION_COOKIE not in victim.cookies
    assert victim.get("/auth/callback", params=back).status_code == 303


def test_cancel_lands_on_a_friendly_page(
    sim: Simulator, runtime: TeamRuntime, pinterest: httpx.Client
) -> None:
    browser = _browser(sim, runtime)
    back = press(pinterest, start_sign_in(browser), DEMO_USER_ID, decision="cancel")
    assert back["error"] == "access_denied"
    answer = browser.get("/auth/callback", params=back)
    assert answer.status_code == 200 and "You chose Cancel" in message_of(answer)
    assert SESSION_COOKIE not in browser.cookies
    link = [a["href"] for tag, a in PageReader(answer.text).tags if tag == "a"]
    assert link and parse_qs(urlsplit(link[0]).query)["next"] == [WANTED]


def test_someone_off_the_allow_list_gets_a_clear_refusal(
    sim: Simulator, tmp_path: Path, pinterest: httpx.Client
) -> None:
    runtime = runtime_for(sim, tmp_path / "a.sqlite3",
                       PINTEREST_DASHBOARD_ALLOWED_USERS="evergreen_marketing")
    browser = _browser(sim, runtime)
    answer = browser.get("/auth/callback",
                         params=press(pinterest, start_sign_in(browser), ANALYST_USER_ID))
    assert answer.status_code == 403
    assert "harbor_analytics is not on this dashboard's list" in message_of(answer)
    assert SESSION_COOKIE not in browser.cookies


def test_only_paths_of_this_site_are_returned_to(sim: Simulator, runtime: TeamRuntime) -> None:
    browser = _browser(sim, runtime)
    for hostile in ("https://evil.example/x", "//evil.example/x", "/\\evil.example",
                    "javascript:alert(1)", "/auth/logout"):
        browser.get("/auth/login", params={"next": hostile})
        pending = runtime.signer.read_sign_in(browser.cookies.get(SIGN_IN_COOKIE))
        assert pending is not None and pending.next_path == "/", hostile


def test_sign_out_ends_the_session_for_every_tab(
    sim: Simulator, runtime: TeamRuntime, pinterest: httpx.Client
) -> None:
    browser = _browser(sim, runtime)
    browser.get("/auth/callback", params=press(pinterest, start_sign_in(browser), DEMO_USER_ID))
    cookie = browser.cookies.get(SESSION_COOKIE)
    sid = runtime.signer.read_session(cookie)
    assert isinstance(runtime.people.session_state(sid), SignedIn)
    answer = browser.post("/auth/logout")
    assert answer.status_code == 200 and "signed out" in message_of(answer)
    assert SESSION_COOKIE not in browser.cookies
    # another tab still holding the old cookie value is signed out too (server-side end)
    assert not isinstance(runtime.people.session_state(sid), SignedIn)


def test_a_link_to_sign_out_only_asks_and_another_site_cannot_sign_anyone_out(
    sim: Simulator, runtime: TeamRuntime, pinterest: httpx.Client
) -> None:
    """GET is what any page can make a browser do (a link, an <img>, SameSite=Lax lets the
    cookie through): it must not end the session. Only this site's own POST does."""
    browser = _browser(sim, runtime)
    browser.get("/auth/callback", params=press(pinterest, start_sign_in(browser), DEMO_USER_ID))
    sid = runtime.signer.read_session(browser.cookies.get(SESSION_COOKIE))
    asked = browser.get("/auth/logout")
    assert asked.status_code == 200 and 'method="post"' in asked.text
    assert isinstance(runtime.people.session_state(sid), SignedIn)
    for other_site in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
                       {"Sec-Fetch-Site": "same-site", "Origin": "https://sub.example"}):
        refused = browser.post("/auth/logout", headers=other_site)
        assert refused.status_code == 403, other_site
    assert isinstance(runtime.people.session_state(sid), SignedIn)
    assert SESSION_COOKIE in browser.cookies


def test_downloads_and_metrics_need_a_signed_in_browser(
    sim: Simulator, runtime: TeamRuntime, pinterest: httpx.Client
) -> None:
    from starlette.middleware import Middleware
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from web.private_files import SignedInFilesMiddleware

    def file(request: object) -> PlainTextResponse:
        return PlainTextResponse("campaign,spend\nQ3,100\n",
                                 headers={"Cache-Control": "max-age=300"})

    app = Starlette(
        routes=[*SignInRoutes(runtime, transport=sim.transport()).routes,
                Route("/media/{name}", file), Route("/_stcore/metrics", file),
                Route("/", lambda request: PlainTextResponse("page"))],
        middleware=[Middleware(SignedInFilesMiddleware, runtime=runtime)])
    stranger = TestClient(app, base_url=PUBLIC_URL, follow_redirects=False)
    for path in ("/media/f0e460eff90400e149d4d32ccde084e9.csv", "/_stcore/metrics"):
        answer = stranger.get(path)
        assert answer.status_code == 403 and "Q3" not in answer.text
    assert stranger.get("/").text == "page"  # the page itself shows the sign-in
    browser = TestClient(app, base_url=PUBLIC_URL, follow_redirects=False)
    asked = start_sign_in(browser)
    browser.get("/auth/callback", params=press(pinterest, asked, DEMO_USER_ID))
    answer = browser.get("/media/f0e460eff90400e149d4d32ccde084e9.csv")
    assert answer.status_code == 200 and "Q3" in answer.text
    assert answer.headers["cache-control"] == "no-store"
