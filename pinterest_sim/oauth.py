"""Pinterest's OAuth 2.0 authorization-code flow, as rules with no HTTP: consent requests (the
authorize page), authorization codes and continuous refresh tokens.

- A consent request is what the authorize page was opened with (app, redirect URI, scopes,
  state), kept server-side under a random ticket so the page's form cannot be tampered with;
  the ticket is single-use and lives ``CONSENT_LIFETIME_S``.
- An authorization code is single-use, lives ``AUTH_CODE_LIFETIME_S`` on the simulator's clock
  and is bound to the redirect URI it was issued for. Presenting a used code again revokes every
  token issued from it (RFC 6749 section 4.1.2) and answers 400.
- Refresh tokens rotate on every use (continuous refresh): each refresh returns a new access
  token and a new refresh token. The old refresh token keeps working until its replacement has
  itself been used once (so an answer lost on the way does not sign the person out); after that
  it answers 400 code 1104, as does an expired one.

The caller (``SimulatorBackend``) holds its lock around every method here. Tokens are random
(``secrets.token_urlsafe``) and never logged or shown in a repr.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from pinterest_sim.exceptions import SimError, invalid_parameter

AUTH_CODE_LIFETIME_S = 600
CONSENT_LIFETIME_S = 600
MAX_STATE_LENGTH = 1024

# The spec's OAuth scopes (securitySchemes.pinterest_oauth2), shown on the authorize page.
SCOPES: Mapping[str, str] = {
    "ads:read": "See all of your advertising data, including ads, ad groups, campaigns etc.",
    "ads:write": "Create, update, or delete ads, ad groups, campaigns etc.",
    "billing:read": "See all of your billing data, billing profile, etc.",
    "billing:write": "Create, update, or delete billing data, billing profiles, etc.",
    "biz_access:read": "See business access data",
    "biz_access:write": "Create, update, or delete business access data",
    "boards:read": "See your public boards, including group boards you join",
    "boards:read_secret": "See your secret boards",
    "boards:write": "Create, update, or delete your public boards",
    "boards:write_secret": "Create, update, or delete your secret boards",
    "catalogs:read": "See all of your catalogs data",
    "catalogs:write": "Create, update, or delete your catalogs data",
    "msot:write": "Create measurement source of truth events",
    "pins:read": "See your public Pins",
    "pins:read_secret": "See your secret Pins",
    "pins:write": "Create, update, or delete your public Pins",
    "pins:write_secret": "Create, update, or delete your secret Pins",
    "user_accounts:read": "See your user accounts and followers",
    "user_accounts:write": "Update your user accounts and followers",
}

INVALID_TOKEN = "The token you provided is not valid or has expired."


class ConsentError(ValueError):
    """The authorize request cannot be shown or answered; the message says why, for people."""


@dataclass(frozen=True)
class ConsentRequest:
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    expires_at: datetime


@dataclass
class _Code:
    user_id: str
    redirect_uri: str
    scope: str
    expires_at: datetime
    family: str
    used: bool = False


@dataclass
class _Refresh:
    user_id: str
    scope: str
    expires_at: datetime
    family: str
    parent: str | None  # the refresh token this one replaced
    dead: bool = False


@dataclass
class IssuedTokens:
    """What ``POST /oauth/token`` answers (``OauthAccessTokenResponseCode`` / ``...Refresh``)."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    scope: str
    expires_in: int
    refresh_expires_in: int
    issued_at: datetime
    response_type: str

    def as_api_dict(self) -> dict[str, Any]:
        return token_answer(self.access_token, self.refresh_token, self.scope, self.expires_in,
                            self.refresh_expires_in, self.issued_at, self.response_type)


def token_answer(access: str, refresh: str, scope: str, expires_in: int, refresh_expires_in: int,
                 now: datetime, response_type: str) -> dict[str, Any]:
    return {
        "access_token": access,
        "token_type": "bearer",
        "expires_in": expires_in,
        "scope": scope,
        "response_type": response_type,
        "refresh_token": refresh,
        "refresh_token_expires_in": refresh_expires_in,
        "refresh_token_expires_at": int(now.timestamp()) + refresh_expires_in,
    }


def parse_scopes(raw: str | None) -> tuple[str, ...]:
    """Pinterest's comma-separated scopes (spaces accepted too), known ones only, in order."""
    names = [s for s in (raw or "").replace(",", " ").split() if s]
    if not names:
        raise ConsentError("The request names no scope ('scope' is required).")
    unknown = [s for s in names if s not in SCOPES]
    if unknown:
        raise ConsentError(f"Unknown scope: {', '.join(unknown)}.")
    return tuple(dict.fromkeys(names))


def check_redirect_uri(uri: str | None, registered: tuple[str, ...]) -> str:
    if not uri:
        raise ConsentError("The request has no 'redirect_uri'.")
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
        raise ConsentError("The 'redirect_uri' must be an absolute http(s) address "
                           "without a fragment.")
    if registered and uri not in registered:
        raise ConsentError("The 'redirect_uri' is not registered for this app.")
    if not registered and not _loopback(parts.hostname or ""):
        # Nothing registered: only this machine may receive codes (a demo simulator must not
        # hand sign-in codes to any site; register others with PINTEREST_SIM_REDIRECT_URIS).
        raise ConsentError("With no redirect URI registered (PINTEREST_SIM_REDIRECT_URIS), only "
                           "addresses on this machine may receive the sign-in.")
    return uri


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# (user id, lifetime in seconds, family) -> a new access token
IssueAccess = Callable[[str, int, str], str]
RevokeFamily = Callable[[str], None]


class OAuthFlow:
    """Consent tickets, authorization codes and rotating refresh tokens (no HTTP, no lock)."""

    def __init__(self, app_id: str, redirect_uris: Callable[[], tuple[str, ...]],
                 issue_access: IssueAccess, revoke_access: RevokeFamily,
                 access_life_s: Callable[[], int], refresh_life_s: Callable[[], int]) -> None:
        self.app_id = app_id
        self._redirect_uris = redirect_uris  # read per request: the config may change
        self._issue_access = issue_access
        self._revoke_access = revoke_access
        self._access_life_s = access_life_s
        self._refresh_life_s = refresh_life_s
        self._consents: dict[str, ConsentRequest] = {}
        self._codes: dict[str, _Code] = {}
        self._refresh: dict[str, _Refresh] = {}

    def __repr__(self) -> str:
        return (f"OAuthFlow(app_id={self.app_id!r}, consents={len(self._consents)}, "
                f"codes={len(self._codes)}, refresh_tokens={len(self._refresh)})")

    # ----- the authorize page ----------------------------------------------------------------

    def open_consent(self, query: Mapping[str, str], now: datetime) -> tuple[str, ConsentRequest]:
        """Check an authorize request; (ticket, request) for the page, else ConsentError."""
        client_id = query.get("client_id")
        if not client_id:
            raise ConsentError("The request names no app ('client_id' is required).")
        if client_id != self.app_id:
            raise ConsentError("No app is registered with this client_id.")
        redirect_uri = check_redirect_uri(query.get("redirect_uri"), self._redirect_uris())
        if query.get("response_type") != "code":
            raise ConsentError("Only response_type=code (the authorization-code flow) is "
                               "supported.")
        scopes = parse_scopes(query.get("scope"))
        state = query.get("state")
        if state is not None and len(state) > MAX_STATE_LENGTH:
            raise ConsentError(f"The 'state' is longer than {MAX_STATE_LENGTH} characters.")
        self._forget_expired(now)
        request = ConsentRequest(client_id, redirect_uri, scopes, state or None,
                                 now + timedelta(seconds=CONSENT_LIFETIME_S))
        ticket = secrets.token_urlsafe(24)
        self._consents[ticket] = request
        return ticket, request

    def consent(self, ticket: str, now: datetime) -> ConsentRequest:
        request = self._consents.get(ticket)
        if request is None or now >= request.expires_at:
            raise ConsentError("This sign-in request has expired or was already answered. "
                               "Go back to the app and sign in again.")
        return request

    def close_consent(self, ticket: str) -> None:
        self._consents.pop(ticket, None)

    def decide(self, ticket: str, user_id: str | None, now: datetime) -> str:
        """Answer a consent request once: the redirect location with ``code`` and ``state``
        (Allow as ``user_id``), or with ``error=access_denied`` (Cancel: ``user_id`` None)."""
        request = self.consent(ticket, now)
        self.close_consent(ticket)
        state = {"state": request.state} if request.state is not None else {}
        if user_id is None:
            return redirect_with(request.redirect_uri, {"error": "access_denied", **state})
        code = self.issue_code(request, user_id, now)
        return redirect_with(request.redirect_uri, {"code": code, **state})

    def issue_code(self, request: ConsentRequest, user_id: str, now: datetime) -> str:
        self._forget_expired(now)
        code = secrets.token_urlsafe(32)
        self._codes[code] = _Code(user_id, request.redirect_uri, ",".join(request.scopes),
                                  now + timedelta(seconds=AUTH_CODE_LIFETIME_S),
                                  family=secrets.token_hex(8))
        return code

    # ----- the token endpoint ----------------------------------------------------------------

    def exchange_code(self, form: Mapping[str, str], now: datetime) -> IssuedTokens:
        code_text, redirect_uri = form.get("code"), form.get("redirect_uri")
        if not code_text:
            raise invalid_parameter("Parameter 'code' is required for grant_type "
                                    "'authorization_code'.")
        if not redirect_uri:
            raise invalid_parameter("Parameter 'redirect_uri' is required for grant_type "
                                    "'authorization_code'.")
        code = self._codes.get(code_text)
        if code is None or now >= code.expires_at:
            raise invalid_parameter("Parameter 'code' is not a valid authorization code or "
                                    "has expired.")
        if code.used:
            # A replayed code: whoever holds it may be an attacker; end what it started.
            self._revoke_family(code.family)
            raise invalid_parameter("Parameter 'code' was already used; the tokens issued for "
                                    "it are revoked.")
        if redirect_uri != code.redirect_uri:
            raise invalid_parameter("Parameter 'redirect_uri' does not match the one the code "
                                    "was issued for.")
        code.used = True
        return self._issue(code.user_id, code.scope, code.family, None, now,
                           "authorization_code")

    def knows_refresh_token(self, token: str) -> bool:
        return token in self._refresh

    def refresh(self, token: str, scope: str | None, now: datetime) -> IssuedTokens:
        entry = self._refresh.get(token)
        if entry is None or entry.dead or now >= entry.expires_at:
            raise SimError(400, 1104, INVALID_TOKEN)
        granted = entry.scope.split(",")
        wanted = list(parse_scope_or_keep(scope, granted))
        if entry.parent is not None:
            # The replacement is in use: the token it replaced stops working.
            parent = self._refresh.get(entry.parent)
            if parent is not None:
                parent.dead = True
        return self._issue(entry.user_id, ",".join(wanted), entry.family, token, now,
                           "refresh_token")

    def _issue(self, user_id: str, scope: str, family: str, parent: str | None, now: datetime,
               response_type: str) -> IssuedTokens:
        access_life, refresh_life = self._access_life_s(), self._refresh_life_s()
        access = self._issue_access(user_id, access_life, family)
        refresh = f"pinr.{secrets.token_urlsafe(32)}"
        self._refresh[refresh] = _Refresh(user_id, scope, now + timedelta(seconds=refresh_life),
                                          family, parent)
        return IssuedTokens(access, refresh, scope, access_life, refresh_life, now,
                            response_type)

    def _revoke_family(self, family: str) -> None:
        for entry in self._refresh.values():
            if entry.family == family:
                entry.dead = True
        self._revoke_access(family)

    def _forget_expired(self, now: datetime) -> None:
        for ticket in [t for t, r in self._consents.items() if now >= r.expires_at]:
            del self._consents[ticket]
        for code in [c for c, entry in self._codes.items() if now >= entry.expires_at]:
            del self._codes[code]


def redirect_with(uri: str, params: Mapping[str, str]) -> str:
    """``uri`` with ``params`` added to its query (its own query parameters kept)."""
    parts = urlsplit(uri)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def parse_scope_or_keep(scope: str | None, granted: list[str]) -> tuple[str, ...]:
    """A refresh may narrow the granted scopes, never widen them."""
    if not scope:
        return tuple(granted)
    try:
        wanted = parse_scopes(scope)
    except ConsentError as exc:
        raise invalid_parameter(f"Parameter 'scope' is not valid: {exc}") from None
    extra = [s for s in wanted if s not in granted]
    if extra:
        raise invalid_parameter(f"Parameter 'scope' asks for more than was granted: "
                                f"{', '.join(extra)}.")
    return wanted
