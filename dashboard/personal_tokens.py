"""Personal mode keeps a rotated token pair across restarts.

Pinterest's refresh tokens are continuous: every refresh returns a new refresh token and the
old one stops working once the new one is used. With only the configured (environment or
secrets) tokens, the first refresh after a restart used the spent token and failed
("Refreshing the access token failed"). So a refreshed pair is saved, encrypted, before it is
used, under the configured refresh token's fingerprint; a later start with the same configured
token continues from the saved pair, and a newly configured token starts a new line.

The pair is sealed with a key derived from the app secret (which refreshing needs anyway): the
file is useless without it. Path: `PINTEREST_DASHBOARD_TOKEN_STORE` or
./data/personal_tokens.sqlite3. With a shared store (several processes on one token) the line
lives in Redis too (dashboard/shared_tokens.py): a refresh holds its lock and takes a pair
another process already rotated (`current_tokens`, `refresh_lock`).
"""

from __future__ import annotations

import hashlib
import logging
import os
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from dashboard.token_store import PersonRecord, TokenStore, TokenStoreError

if TYPE_CHECKING:
    from pinterest_client.shared import SharedStore

log = logging.getLogger(__name__)

DEFAULT_PATH: Final = "data/personal_tokens.sqlite3"
_LINE: Final = "personal"


@dataclass(frozen=True)
class TokenPair:
    access_token: str | None
    refresh_token: str


class PersonalTokens:
    """The token line that starts at one configured refresh token."""

    def __init__(self, configured_refresh: str, app_secret: str, path: str | None = None,
                 shared: SharedStore | None = None) -> None:
        self._configured = configured_refresh
        fingerprint = hashlib.sha256(configured_refresh.encode("utf-8")).hexdigest()[:32]
        self.fingerprint = fingerprint  # names the line (not the token: a hash of it)
        self._key = f"{_LINE}:{fingerprint}"
        where = path or os.environ.get("PINTEREST_DASHBOARD_TOKEN_STORE") or DEFAULT_PATH
        if shared is None:
            self._store = TokenStore(where, app_secret)
        else:
            from dashboard.shared_tokens import SharedTokenStore

            self._store = SharedTokenStore(where, app_secret, shared)

    def __repr__(self) -> str:
        return f"PersonalTokens({self._store!r})"

    def current(self, configured_access: str | None) -> TokenPair:
        """The latest pair of this line: the saved one, else the configured tokens."""
        try:
            record = self._store.load(self._key)
        except (TokenStoreError, OSError) as exc:
            log.warning("personal token store unreadable (%s); using the configured tokens",
                        type(exc).__name__)
            record = None
        if record is None or not record.refresh_token:
            return TokenPair(configured_access, self._configured)
        return TokenPair(record.access_token, record.refresh_token)

    def save(self, access_token: str, refresh_token: str | None) -> None:
        """Called by the client before it uses a refreshed pair."""
        pair = TokenPair(access_token, refresh_token or self.current(None).refresh_token)
        try:
            self._store.save(PersonRecord(user_id=self._key, username="", grant=_LINE,
                                          access_token=pair.access_token,
                                          refresh_token=pair.refresh_token))
        except (TokenStoreError, OSError) as exc:
            # Not fatal now; the next restart will need the tokens configured again.
            log.warning("could not keep the refreshed tokens (%s)", type(exc).__name__)

    def current_tokens(self) -> tuple[str, str | None] | None:
        """The pair saved now (None: none saved, or unreadable), for a client about to refresh."""
        try:
            record = self._store.load(self._key)
        except (TokenStoreError, OSError):
            return None
        if record is None or not record.access_token:
            return None
        return record.access_token, record.refresh_token

    def refresh_lock(self) -> AbstractContextManager[object]:
        """Held around a refresh of this line (across processes with a shared store)."""
        return self._store.refresh_lock(self._key)
