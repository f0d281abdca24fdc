"""Team mode's tokens at rest: each person's Pinterest tokens, encrypted, and the browser sessions.

One SQLite file (`PINTEREST_DASHBOARD_TOKEN_STORE`, default ./data/team_tokens.sqlite3, created
with owner-only permissions):
- `people`: per Pinterest user id, one Fernet token (AES-128-CBC + HMAC-SHA256) sealing their
  access and refresh tokens, expiry, name and avatar, and the sign-in ("grant") they came from.
  The key is derived (HKDF-SHA256) from PINTEREST_DASHBOARD_SECRET_KEY, so the file alone
  gives nobody a token; a changed key makes old rows unreadable (those people sign in again).
- `sessions`: one row per signed-in browser: the SHA-256 of the session id the cookie carries
  (the id itself is never stored), whose session it is and until when. Signing out deletes the
  row, so every tab of that browser is signed out at its next run.
A refused refresh (revoked or expired refresh token) drops the person's tokens and keeps one
sentence saying why, for the sign-in page. Streamlit-free.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

TOKENS_PURPOSE: Final = b"pinterest-dashboard token store v1"
_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS people (
    user_id TEXT PRIMARY KEY, sealed BLOB NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    sid_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires_at REAL NOT NULL);
"""


def derive_key(secret_key: str, purpose: bytes) -> bytes:
    """32 bytes for one purpose (token encryption, cookie signing) from the operator's key:
    one secret setting, independent keys."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret_key.encode("utf-8"))


class TokenStoreError(RuntimeError):
    """The store file cannot be read or written (message: one sentence, no secret)."""


@dataclass(frozen=True)
class PersonRecord:
    """What the store keeps for one person (tokens never in repr)."""

    user_id: str
    username: str
    grant: str  # a random id per sign-in: a client of an older sign-in never overwrites it
    access_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    refresh_expires_at: float | None = None
    profile_image: str | None = field(default=None, repr=False)
    signed_out_reason: str | None = None  # set when the tokens were dropped (why, one sentence)

    @property
    def signed_in(self) -> bool:
        return self.access_token is not None and self.signed_out_reason is None


class TokenStore:
    """Thread-safe; every call opens its own short SQLite connection."""

    def __init__(self, path: str | Path, secret_key: str,
                 clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self._fernet = Fernet(base64.urlsafe_b64encode(derive_key(secret_key, TOKENS_PURPOSE)))
        self._clock = clock
        self._lock = threading.Lock()
        self._ready = False

    def __repr__(self) -> str:
        return f"TokenStore(path={str(self.path)!r})"

    # -- people ---------------------------------------------------------------------------

    def save(self, record: PersonRecord) -> None:
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO people VALUES (?, ?, ?)",
                       (record.user_id, self.seal(record.__dict__), self._clock()))

    def load(self, user_id: str) -> PersonRecord | None:
        """The person's record; None when unknown or sealed with another key."""
        with self._db() as db:
            row = db.execute("SELECT sealed FROM people WHERE user_id = ?",
                             (user_id,)).fetchone()
        return None if row is None else self.open_record(row[0])

    def current_tokens(self, user_id: str, grant: str) -> tuple[str, str | None] | None:
        """The pair kept now for this sign-in (None when signed out or signed in again): a
        client compares it with its own before refreshing (another process may have)."""
        record = self.load(user_id)
        if record is None or record.grant != grant or record.access_token is None \
                or not record.signed_in:
            return None
        return record.access_token, record.refresh_token

    def refresh_lock(self, user_id: str) -> AbstractContextManager[object]:
        """Held around a refresh of this person's tokens; in one process the client's own lock
        is enough (SharedTokenStore holds one all processes honour)."""
        return nullcontext()

    # -- sealing (Fernet) ------------------------------------------------------------------

    def seal(self, data: dict[str, Any]) -> bytes:
        return self._fernet.encrypt(json.dumps(data).encode("utf-8"))

    def unseal(self, sealed: bytes) -> dict[str, Any] | None:
        """The sealed mapping; None when sealed with another key or not ours at all."""
        try:
            data = json.loads(self._fernet.decrypt(sealed))
        except (InvalidToken, ValueError, TypeError):
            return None
        return data if isinstance(data, dict) else None

    def open_record(self, sealed: bytes) -> PersonRecord | None:
        data = self.unseal(sealed)
        try:
            return PersonRecord(**data) if data is not None else None
        except TypeError:
            return None

    def save_rotated(self, user_id: str, grant: str, access_token: str,
                     refresh_token: str | None) -> bool:
        """Keep a refreshed pair (called before the new tokens are used). False when the
        person has signed in again since (that newer grant wins) or was signed out."""
        with self._lock:
            record = self.load(user_id)
            if record is None or record.grant != grant or not record.signed_in:
                return False
            self.save(replace(record, access_token=access_token,
                              refresh_token=refresh_token or record.refresh_token))
            return True

    def sign_out_person(self, user_id: str, grant: str, reason: str) -> None:
        """Drop the person's tokens (all their browsers go back to sign-in) and keep why."""
        with self._lock:
            record = self.load(user_id)
            if record is None or record.grant != grant:
                return
            self.save(replace(record, access_token=None, refresh_token=None,
                              signed_out_reason=reason))

    # -- sessions -------------------------------------------------------------------------

    def create_session(self, user_id: str, lifetime_s: float) -> str:
        """A new random session id for this browser (only its hash is stored)."""
        sid = secrets.token_urlsafe(32)
        self._insert_session(sid, user_id, self._clock() + lifetime_s)
        return sid

    def _insert_session(self, sid: str, user_id: str, expires_at: float) -> None:
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE expires_at <= ?", (self._clock(),))
            db.execute("INSERT OR REPLACE INTO sessions VALUES (?, ?, ?)",
                       (_hash(sid), user_id, expires_at))

    def session_user(self, sid: str) -> str | None:
        """Whose session this is, while it lasts; None when ended, expired or unknown."""
        with self._db() as db:
            row = db.execute("SELECT user_id, expires_at FROM sessions WHERE sid_hash = ?",
                             (_hash(sid),)).fetchone()
        if row is None or row[1] <= self._clock():
            return None
        return str(row[0])

    def end_session(self, sid: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE sid_hash = ?", (_hash(sid),))

    # -- plumbing -------------------------------------------------------------------------

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        try:
            if not self._ready:
                self._create()
            db = sqlite3.connect(self.path, timeout=10.0)
            try:
                with db:
                    yield db
            finally:
                db.close()
        except (sqlite3.Error, OSError) as exc:
            raise TokenStoreError(
                f"The sign-in store {self.path} cannot be used ({type(exc).__name__}); "
                "check that the folder exists and is writable.") from None

    def _create(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)  # owner-only from the start
        os.close(fd)
        db = sqlite3.connect(self.path, timeout=10.0)
        try:
            db.executescript(_SCHEMA)
        finally:
            db.close()
        self._ready = True


def session_hash(sid: str) -> str:
    """What the store keeps of a session id (never the id itself)."""
    return _hash(sid)


def _hash(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()
