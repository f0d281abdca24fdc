"""Credentials: access token, refresh token, app id/secret; refresh once on 401, or before
sending when a token we refreshed is within a minute of its announced `expires_in`.

The secrets live only in private attributes; `repr` masks them and `identity` (a sha256 of the
first access/refresh token, or of the `identity` the owner gives, e.g. a user id) is what
rate-limit registries and cache keys use, so two clients of the same user share quota and cache
without any secret leaving this object.

Several processes holding one person's tokens (replicas sharing a token store) coordinate a
refresh through two optional hooks: `refresh_guard()` is held around the whole refresh (a lock
all processes honour), and inside it `current_tokens()` reads the pair the owner has stored; when
its access token is not ours, another process has already rotated, so that pair is installed
instead of spending our (rotated-away) refresh token.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

TokensCallback = Callable[[str, str | None], None]
RefusedCallback = Callable[[], None]
# () -> a context held around a refresh (e.g. a lock shared by several processes)
RefreshGuard = Callable[[], AbstractContextManager[object]]
# () -> the (access, refresh) pair the owner keeps now, or None when it keeps none
CurrentTokens = Callable[[], tuple[str, str | None] | None]


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


class Credentials:
    """Thread-safe holder of the tokens; `refresh` swaps them in place."""

    def __init__(
        self,
        access_token: str | None = None,
        *,
        refresh_token: str | None = None,
        app_id: str | None = None,
        app_secret: str | None = None,
        on_tokens_refreshed: TokensCallback | None = None,
        on_refresh_refused: RefusedCallback | None = None,
        identity: str | None = None,
        refresh_guard: RefreshGuard | None = None,
        current_tokens: CurrentTokens | None = None,
    ) -> None:
        self._access = access_token or _env("PINTEREST_ACCESS_TOKEN")
        self._refresh = refresh_token or _env("PINTEREST_REFRESH_TOKEN")
        self._app_id = app_id or _env("PINTEREST_APP_ID")
        self._app_secret = app_secret or _env("PINTEREST_APP_SECRET")
        self._on_tokens_refreshed = on_tokens_refreshed
        self._on_refresh_refused = on_refresh_refused
        self._lock = threading.Lock()
        self._generation = 0  # bumped on every refresh; lets a 401 know if someone refreshed
        self._expires_at: float | None = None  # known only for tokens we refreshed
        self._adopted = False  # the pair in use was taken from the owner's store, not refreshed
        self._refresh_guard = refresh_guard
        self._current_tokens = current_tokens
        seed = f"identity:{identity}" if identity else (self._access or self._refresh or "")
        self.identity = hashlib.sha256(seed.encode("utf-8")).hexdigest()

    def __repr__(self) -> str:
        return (
            f"Credentials(access_token={'***' if self._access else None}, "
            f"refresh_token={'***' if self._refresh else None}, "
            f"app_id={'***' if self._app_id else None}, "
            f"app_secret={'***' if self._app_secret else None})"
        )

    __str__ = __repr__

    @property
    def has_access_token(self) -> bool:
        return self._access is not None

    @property
    def can_refresh(self) -> bool:
        return bool(self._refresh and self._app_id and self._app_secret)

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def adopted(self) -> bool:
        """The pair in use came from the owner's store (another process refreshed it): a 401
        on it may still be worth one refresh of our own."""
        return self._adopted

    def expires_soon(self, now: float, margin_s: float = 60.0) -> bool:
        """True when the access token's known lifetime ends within `margin_s`."""
        with self._lock:
            return self._expires_at is not None and now >= self._expires_at - margin_s

    def auth_header(self) -> dict[str, str]:
        with self._lock:
            token = self._access
        return {"Authorization": f"Bearer {token}"} if token else {}

    def basic_header(self) -> dict[str, str]:
        raw = f"{self._app_id}:{self._app_secret}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}

    def refresh_form(self) -> dict[str, str]:
        return {"grant_type": "refresh_token", "refresh_token": self._refresh or ""}

    def install(self, access_token: str, refresh_token: str | None,
                expires_at: float | None = None) -> None:
        """Keep the new tokens (and a new refresh token, when one came back); `expires_at`
        (epoch seconds on the client's clock) when the answer said how long it lives."""
        with self._lock:
            self._access = access_token
            if refresh_token:
                self._refresh = refresh_token
            self._expires_at = expires_at
            self._generation += 1
            self._adopted = False
            current_refresh = self._refresh
        if self._on_tokens_refreshed is not None:
            self._on_tokens_refreshed(access_token, current_refresh)

    def refresh_guard(self) -> AbstractContextManager[object]:
        """What to hold around a refresh: the owner's guard, or nothing."""
        return self._refresh_guard() if self._refresh_guard is not None else nullcontext()

    def adopt_stored(self) -> bool:
        """Install the owner's stored pair when its access token is not ours (another process
        refreshed); True when it did. The owner already has the pair: no callback."""
        if self._current_tokens is None:
            return False
        stored = self._current_tokens()
        if stored is None or not stored[0]:
            return False
        access, refresh = stored
        with self._lock:
            if access == self._access:
                return False
            self._access = access
            if refresh:
                self._refresh = refresh
            self._expires_at = None  # unknown here; a 401 or the next refresh tells
            self._generation += 1
            self._adopted = True
        return True

    def refresh_refused(self) -> None:
        """Pinterest refused the refresh token (revoked, expired, rotated away): tell the
        owner of these credentials, who may send the person back to sign-in."""
        if self._on_refresh_refused is not None:
            self._on_refresh_refused()

    def scrub(self, text: str) -> str:
        """`text` with any of the secrets replaced by ***, for messages built from answers.

        A server may echo only part of a token (cut off, case-folded, with "..." after it), so
        any token-like run of text that shares SCRUB_MATCH characters in a row with a secret
        goes too."""
        with self._lock:
            secrets = [s for s in (self._access, self._refresh, self._app_secret) if s]
        for secret in secrets:
            text = text.replace(secret, "***")
        return scrub_partial(text, secrets)


# A run this long shared with a secret is taken as an echo of it (random tokens share no
# 8-character run with ordinary text).
SCRUB_MATCH = 8
_TOKEN_LIKE = re.compile(rf"[A-Za-z0-9_\-.~+/=]{{{SCRUB_MATCH},}}")


def scrub_partial(text: str, secrets: list[str]) -> str:
    """Token-like runs of `text` sharing SCRUB_MATCH characters in a row with a secret
    (case-insensitive) replaced by ***."""
    pieces = {
        secret[i:i + SCRUB_MATCH]
        for secret in (s.lower() for s in secrets)
        for i in range(len(secret) - SCRUB_MATCH + 1)
    }
    if not pieces:
        return text

    def replace(match: re.Match[str]) -> str:
        run = match.group().lower()
        shared = any(run[i:i + SCRUB_MATCH] in pieces
                     for i in range(len(run) - SCRUB_MATCH + 1))
        return "***" if shared else match.group()

    return _TOKEN_LIKE.sub(replace, text)
