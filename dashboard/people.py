"""Team mode's signed-in people: who a browser session belongs to, and that person's own client.

`People` is process-wide (the ASGI sign-in routes and every script run share it):
- `sign_in(token)` takes the token answer of a finished OAuth exchange, asks Pinterest who it
  belongs to (GET /v5/user_account), applies the allow-list and keeps the tokens encrypted
  (dashboard/token_store.py);
- `client_for(user_id)` is that person's one PinterestClient in this process (built from the
  store on first use, also after a restart). One client per person means one refresh per
  person: the client's refresh lock lets the first of ten tabs that hit an expired token
  refresh and the nine others use the new token. The rotated pair is saved by
  `on_tokens_refreshed` before the new tokens are used; a refused refresh (revoked or expired
  refresh token) signs that person out with REFRESH_REFUSED, nobody else;
- `session_state(sid)` answers SignedIn(person) or NeedsSignIn(reason or None).
Every client shares the process-wide response cache, keyed by the person's identity (their user
id, so a rotated token keeps the same cache and rate budget in every process).

Several processes (PINTEREST_DASHBOARD_REDIS_URL): the store is a SharedTokenStore and each
client gets the shared cache, proofs and rate limiter (dashboard/shared_backend.py). A refresh
holds the store's refresh lock, and first re-reads the stored pair: when another process has
rotated it already, the client takes that pair instead of spending its own refresh token (which
Pinterest would refuse once the rotated one is used, signing the person out). Streamlit-free.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import httpx

from dashboard.connection import LIVE_CONFIG, Connection
from dashboard.settings import MODE_NAMES, Settings
from dashboard.shared_backend import SharedBackend
from dashboard.team_settings import TeamSettings
from dashboard.token_store import PersonRecord, TokenStore
from pinterest_client import ClientConfig, PinterestClient

REFRESH_REFUSED: Final = ("Pinterest no longer accepts your earlier sign-in (it was revoked or "
                          "has expired), so please sign in again.")
NO_LONGER_ALLOWED: Final = ("Your Pinterest user is no longer on this dashboard's list of people "
                            "who may sign in; ask the person who runs it.")


@dataclass(frozen=True)
class Person:
    user_id: str
    username: str
    profile_image: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class SignedIn:
    person: Person


@dataclass(frozen=True)
class NeedsSignIn:
    reason: str | None = None  # why an earlier sign-in ended, when it did not end by choice


class SignInRefused(Exception):
    """The Pinterest user is not on PINTEREST_DASHBOARD_ALLOWED_USERS."""

    def __init__(self, username: str) -> None:
        super().__init__(username)
        self.username = username


class People:
    def __init__(self, settings: Settings, store: TokenStore, *,
                 transport: httpx.BaseTransport | None = None,
                 config: ClientConfig = LIVE_CONFIG,
                 shared: SharedBackend | None = None) -> None:
        if settings.team is None:
            raise ValueError("People serves team mode only")
        self.team: TeamSettings = settings.team
        self.base_url = settings.base_url
        self._target = settings.target
        self.store = store
        self._transport = transport
        self._config = config
        self.shared = shared or SharedBackend(processes=settings.processes)
        self._notes = tuple(settings.notes)
        self._lock = threading.Lock()
        self._clients: dict[str, tuple[str, PinterestClient]] = {}  # user id -> (grant, client)

    def __repr__(self) -> str:
        return f"People(base_url={self.base_url!r}, signed_in_here={len(self._clients)})"

    def sign_in(self, token: Mapping[str, Any]) -> Person:
        """Keep a fresh token answer (from POST /oauth/token) as its person's sign-in."""
        access, refresh = str(token["access_token"]), token.get("refresh_token")
        probe = PinterestClient(access, base_url=self.base_url, transport=self._transport,
                                config=self._config)
        try:
            account = probe.user_account().data
        finally:
            probe.close()
        if not self.team.allows(account.username):
            raise SignInRefused(account.username)
        expires_at = token.get("refresh_token_expires_at")
        record = PersonRecord(
            user_id=account.id or account.username, username=account.username,
            grant=secrets.token_hex(16), access_token=access,
            refresh_token=str(refresh) if refresh else None,
            refresh_expires_at=float(expires_at) if isinstance(expires_at, int | float) else None,
            profile_image=account.profile_image,
        )
        self.store.save(record)
        return Person(record.user_id, record.username, record.profile_image)

    def session_state(self, sid: str | None) -> SignedIn | NeedsSignIn:
        user_id = self.store.session_user(sid) if sid else None
        record = self.store.load(user_id) if user_id else None
        if record is None:
            return NeedsSignIn()
        if not record.signed_in:
            return NeedsSignIn(record.signed_out_reason)
        if not self.team.allows(record.username):  # the list changed since they signed in
            return NeedsSignIn(NO_LONGER_ALLOWED)
        return SignedIn(Person(record.user_id, record.username, record.profile_image))

    def start_session(self, person: Person) -> str:
        return self.store.create_session(person.user_id, self.team.session_hours * 3600)

    def end_session(self, sid: str) -> None:
        self.store.end_session(sid)

    def client_for(self, user_id: str) -> PinterestClient | None:
        """The person's own client (None when they are not signed in)."""
        record = self.store.load(user_id)
        with self._lock:
            cached = self._clients.get(user_id)
            if record is None or not record.signed_in:
                self._clients.pop(user_id, None)
                return None
            if cached is not None and cached[0] == record.grant:
                return cached[1]
            client = self._build(record)
            self._clients[user_id] = (record.grant, client)
        if cached is not None:
            cached[1].close()  # an older sign-in's client
        return client

    def connection_for(self, person: Person) -> Connection | None:
        client = self.client_for(person.user_id)
        if client is None:
            return None
        return Connection(client=client, is_demo=False, target=self._target,
                          base_url=self.base_url, mode_name=MODE_NAMES["team"],
                          notes=self._notes, shared=self.shared)

    def _build(self, record: PersonRecord) -> PinterestClient:
        user_id, grant = record.user_id, record.grant

        def keep_rotated(access: str, refresh: str | None) -> None:
            self.store.save_rotated(user_id, grant, access, refresh)

        def refused() -> None:
            self.store.sign_out_person(user_id, grant, REFRESH_REFUSED)
            with self._lock:
                if self._clients.get(user_id, ("", None))[0] == grant:
                    del self._clients[user_id]

        return PinterestClient(
            record.access_token, refresh_token=record.refresh_token,
            app_id=self.team.app_id, app_secret=self.team.app_secret,
            base_url=self.base_url, transport=self._transport, config=self._config,
            on_tokens_refreshed=keep_rotated, on_refresh_refused=refused,
            identity=person_identity(user_id),
            refresh_guard=lambda: self.store.refresh_lock(user_id),
            current_tokens=lambda: self.store.current_tokens(user_id, grant),
            **self.shared.client_kwargs(),
        )


def person_identity(user_id: str) -> str:
    """The client identity of a person's tokens (the same in every process and after every
    rotation): their rate budget and private cache entries."""
    return f"pinterest-user:{user_id}"
