"""The signed cookies of team mode (itsdangerous, HMAC-SHA256 with a key derived from
PINTEREST_DASHBOARD_SECRET_KEY; the ASGI routes write them, the script reads them).

- SESSION_COOKIE carries a random session id (dashboard/token_store.py keeps its hash, whose
  session it is and until when) and its signing time: a tampered value, one signed with another
  key (another deployment's) or older than the session lifetime reads as None.
- SIGN_IN_COOKIE carries the OAuth `state` and the page the person wanted, for ten minutes,
  only to /auth/ paths: the callback checks that the `state` Pinterest sends back is this
  browser's, so nobody can finish a sign-in started in another browser (login CSRF).
Streamlit-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from itsdangerous import BadSignature, URLSafeTimedSerializer

from dashboard.token_store import derive_key

SESSION_COOKIE: Final = "pinterest_dashboard_session"
SIGN_IN_COOKIE: Final = "pinterest_dashboard_sign_in"
SIGN_IN_LIFETIME_S: Final = 600
COOKIE_PURPOSE: Final = b"pinterest-dashboard cookies v1"


@dataclass(frozen=True)
class PendingSignIn:
    state: str
    next_path: str


class CookieSigner:
    def __init__(self, secret_key: str, session_lifetime_s: float) -> None:
        key = derive_key(secret_key, COOKIE_PURPOSE)
        self._session = URLSafeTimedSerializer(key, salt="session")
        self._sign_in = URLSafeTimedSerializer(key, salt="sign-in")
        self.session_lifetime_s = session_lifetime_s

    def __repr__(self) -> str:
        return "CookieSigner()"

    def session_value(self, sid: str) -> str:
        return self._session.dumps(sid)

    def read_session(self, value: str | None) -> str | None:
        """The session id of a cookie we signed within the lifetime, else None."""
        if not value:
            return None
        try:
            sid = self._session.loads(value, max_age=int(self.session_lifetime_s))
        except BadSignature:  # also SignatureExpired
            return None
        return sid if isinstance(sid, str) else None

    def sign_in_value(self, pending: PendingSignIn) -> str:
        return self._sign_in.dumps([pending.state, pending.next_path])

    def read_sign_in(self, value: str | None) -> PendingSignIn | None:
        if not value:
            return None
        try:
            data = self._sign_in.loads(value, max_age=SIGN_IN_LIFETIME_S)
        except BadSignature:
            return None
        if not (isinstance(data, list) and len(data) == 2
                and all(isinstance(part, str) for part in data)):
            return None
        return PendingSignIn(state=data[0], next_path=data[1])
