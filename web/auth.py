"""Team mode's sign-in routes on app.py's st.App: Pinterest's OAuth 2.0 authorization-code flow.

- GET /auth/login?next=/page?filters: a random `state`, kept with the wanted page in a signed
  ten-minute cookie bound to this browser (path /auth), then 303 to the authorize page
  (client_id, redirect_uri = PUBLIC_URL + /auth/callback, scope ads:read,user_accounts:read).
- GET /auth/callback: the state must be this browser's; `error=access_denied` (Cancel) gets a
  friendly page; the code is exchanged at POST /v5/oauth/token with HTTP Basic app credentials
  (Authlib's httpx OAuth2Client); dashboard.people signs the person in (user account, allow-list,
  tokens encrypted); then the session cookie (signed, HttpOnly, SameSite=Lax, Secure over
  https) and 303 back to the wanted page, its link filters intact.
- GET /auth/logout asks (a page with one button); POST /auth/logout, from this site only (an
  Origin header of another site is refused), ends this browser's session server-side (every
  tab of it) and the cookie. A GET never signs out: any other page can make a browser follow a
  link, and SameSite=Lax sends the cookie along.
Pages drawn here are small HTML, every outside text `html.escape`d; no token ever reaches one.
"""

from __future__ import annotations

import hmac
import html
import logging
import secrets
import warnings
from dataclasses import dataclass
from functools import cache
from typing import Any, Final
from urllib.parse import quote, urlsplit

import httpx
from authlib.deprecate import AuthlibDeprecationWarning
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from dashboard.errors import PinterestError, describe_error
from dashboard.people import People, SignInRefused
from dashboard.session_cookie import (
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    SIGN_IN_LIFETIME_S,
    CookieSigner,
    PendingSignIn,
)
from dashboard.settings import Settings
from dashboard.team_settings import SCOPES, TeamSettings
from dashboard.token_store import TokenStore, TokenStoreError

with warnings.catch_warnings():
    # Authlib 1.9 prefers the `httpx2` fork and warns when it falls back to httpx, which the
    # whole project (client, simulator transport) uses; the fallback is supported and tested.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.httpx_client import OAuth2Client

LOGIN_PATH: Final = "/auth/login"
LOGOUT_PATH: Final = "/auth/logout"
log = logging.getLogger("dashboard.auth")


@dataclass(frozen=True)
class TeamRuntime:
    """What the routes and the script share in one process."""

    people: People
    signer: CookieSigner

    @property
    def team(self) -> TeamSettings:
        return self.people.team


@cache
def team_runtime(settings: Settings) -> TeamRuntime:
    """The process's one People and cookie signer for these (team mode) settings."""
    assert settings.team is not None
    team = settings.team
    store = TokenStore(team.token_store_path, team.secret_key)
    return TeamRuntime(People(settings, store), CookieSigner(team.secret_key,
                                                             team.session_hours * 3600))


def safe_next(value: str | None) -> str:
    """A path on this site to return to ('/campaigns?preset=...'); anything else is '/'."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value \
            or any(ord(c) < 0x20 for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith("/auth/"):
        return "/"
    return value


def login_link(next_path: str) -> str:
    return LOGIN_PATH + "?next=" + quote(safe_next(next_path), safe="")


class SignInRoutes:
    def __init__(self, runtime: TeamRuntime,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.runtime = runtime
        self._transport = transport  # the in-process simulator in tests

    @property
    def routes(self) -> list[BaseRoute]:
        return [Route(LOGIN_PATH, self.login, methods=["GET"]),
                Route("/auth/callback", self.callback, methods=["GET"]),
                Route(LOGOUT_PATH, self.logout, methods=["GET", "POST"])]

    @property
    def team(self) -> TeamSettings:
        return self.runtime.team

    async def login(self, request: Request) -> Response:
        next_path = safe_next(request.query_params.get("next"))
        state = secrets.token_urlsafe(32)
        with OAuth2Client(client_id=self.team.app_id) as oauth:
            url, _ = oauth.create_authorization_url(
                self.team.authorize_url, state=state, redirect_uri=self.team.redirect_uri,
                scope=",".join(SCOPES))
        response = RedirectResponse(url, status_code=303)
        self._cookie(response, SIGN_IN_COOKIE,
                     self.runtime.signer.sign_in_value(PendingSignIn(state, next_path)),
                     max_age=SIGN_IN_LIFETIME_S, path="/auth")
        return response

    async def callback(self, request: Request) -> Response:
        query = request.query_params
        pending = self.runtime.signer.read_sign_in(request.cookies.get(SIGN_IN_COOKIE))
        state = query.get("state") or ""
        if pending is None or not hmac.compare_digest(state.encode(), pending.state.encode()):
            return page("Sign-in not finished",
                        "This sign-in was not started in this browser, or it took longer than "
                        "ten minutes. Please sign in again.", LOGIN_PATH, 400)
        again = login_link(pending.next_path)
        error = query.get("error")
        if error == "access_denied":
            return page("Not signed in", "You chose Cancel on Pinterest's page, so you are not "
                        "signed in and nothing was shared with the dashboard.", again, 200)
        code = query.get("code")
        if error or not code:
            return page("Not signed in", "Pinterest did not sign you in ("
                        + (error[:100] if error else "no code came back") + ").", again, 400)
        try:
            token = await run_in_threadpool(self._exchange, code)
            person = await run_in_threadpool(self.runtime.people.sign_in, token)
            sid = await run_in_threadpool(self.runtime.people.start_session, person)
        except SignInRefused as refused:
            return page("Not allowed", f"The Pinterest user {refused.username} is not on this "
                        "dashboard's list of people who may sign in. Ask the person who runs "
                        "the dashboard to add you.", again, 403)
        except SignInFailed as exc:
            return page("Not signed in", str(exc), again, 502)
        except (PinterestError, httpx.HTTPError) as exc:
            return page("Not signed in", "Pinterest could not confirm who you are: "
                        + describe_error(exc), again, 502)
        except TokenStoreError as exc:
            log.error("team sign-in: %s", exc)
            return page("Not signed in", "The dashboard could not keep your sign-in; its "
                        "operator has been told in the log.", again, 500)
        log.info("team sign-in: %s signed in", person.username)
        response = RedirectResponse(pending.next_path, status_code=303)
        self._cookie(response, SESSION_COOKIE, self.runtime.signer.session_value(sid),
                     max_age=int(self.team.session_hours * 3600), path="/")
        response.delete_cookie(SIGN_IN_COOKIE, path="/auth")
        return response

    async def logout(self, request: Request) -> Response:
        if request.method != "POST":
            return _ask_to_sign_out()
        if not _from_this_site(request):
            return page("Not signed out", "Signing out works from this dashboard's own page "
                        "only.", LOGIN_PATH, 403)
        sid = self.runtime.signer.read_session(request.cookies.get(SESSION_COOKIE))
        if sid:
            await run_in_threadpool(self.runtime.people.end_session, sid)
        response = page("Signed out", "You are signed out of the Pinterest Ads dashboard in "
                        "this browser, in every tab.", LOGIN_PATH, 200)
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                               secure=self.team.secure_cookies)
        return response

    def _exchange(self, code: str) -> dict[str, Any]:
        """POST /oauth/token (authorization_code) with HTTP Basic app credentials."""
        with OAuth2Client(client_id=self.team.app_id, client_secret=self.team.app_secret,
                          token_endpoint_auth_method="client_secret_basic",
                          transport=self._transport, timeout=30.0) as oauth:
            try:
                answer = oauth.fetch_token(self.runtime.people.base_url + "/oauth/token",
                                           grant_type="authorization_code", code=code,
                                           redirect_uri=self.team.redirect_uri)
            except (AuthlibBaseError, ValueError) as exc:
                # An answer that is not a token (unreadable JSON, an "error" object): Authlib
                # raises these, not httpx errors; the page says so instead of a bare 500.
                log.warning("sign-in: the token answer could not be used (%s)",
                            type(exc).__name__)
                raise SignInFailed("Pinterest's answer to the sign-in could not be read. "
                                   "Please sign in again.") from exc
        token = dict(answer)
        if not isinstance(token.get("access_token"), str):
            message = token.get("message")
            raise SignInFailed("Pinterest did not accept the sign-in"
                               + (f": {message}" if isinstance(message, str) else "")
                               + ". Please sign in again.")
        return token

    def _cookie(self, response: Response, name: str, value: str, *, max_age: int,
                path: str) -> None:
        response.set_cookie(name, value, max_age=max_age, path=path, httponly=True,
                            samesite="lax", secure=self.team.secure_cookies)


class SignInFailed(Exception):
    """The token exchange was refused (message: one sentence for the person)."""


_PAGE: Final = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} · Pinterest Ads dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem;">
<h1 style="font-size: 1.5rem;">{title}</h1>
<p data-testid="auth-message">{message}</p>
<p><a href="{link}" style="display: inline-block; padding: .6rem 1.2rem; background: #e60023;
color: #fff; border-radius: 1.5rem; text-decoration: none;">Sign in with Pinterest</a></p>
</body></html>
"""


_ASK_PAGE: Final = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign out · Pinterest Ads dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem;">
<h1 style="font-size: 1.5rem;">Sign out?</h1>
<p data-testid="auth-message">This signs you out of the Pinterest Ads dashboard in this browser,
in every tab.</p>
<form method="post" action="{path}"><button type="submit" style="padding: .6rem 1.2rem;
background: #e60023; color: #fff; border: 0; border-radius: 1.5rem; font-size: 1rem;">Sign out
</button></form>
</body></html>
"""


def _ask_to_sign_out() -> HTMLResponse:
    return HTMLResponse(_ASK_PAGE.format(path=LOGOUT_PATH), headers={"Cache-Control": "no-store"})


def _from_this_site(request: Request) -> bool:
    """The browser says the request comes from this site: Sec-Fetch-Site (sent by every
    current browser) when present, else an Origin naming the Host it was sent to. Our pages
    send no referrer, so a browser may send `Origin: null` for our own form: that is left to
    SameSite=Lax, which keeps the cookie off another site's POST anyway."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")


def page(title: str, message: str, link: str, status: int) -> HTMLResponse:
    """A small page with one sentence and a way to sign in (again); everything escaped."""
    return HTMLResponse(_PAGE.format(title=html.escape(title), message=html.escape(message),
                                     link=html.escape(link, quote=True)), status_code=status,
                        headers={"Cache-Control": "no-store"})
