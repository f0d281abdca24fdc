"""Security headers on every HTTP answer of the app (pure ASGI middleware).

- Content-Security-Policy: scripts only from the app itself (Streamlit's one inline script is
  allowed by its hash, read from the installed index.html), no plugins, and `frame-ancestors`
  so another site cannot frame the dashboard to trick a click (default 'self'; set
  PINTEREST_DASHBOARD_FRAME_ANCESTORS, e.g. "'self' https://intranet.example.com", to allow
  an intranet portal). Styles need 'unsafe-inline': Streamlit's components style themselves
  at run time (emotion).
- X-Content-Type-Options: nosniff, so a download is never run as a script or page.
- Referrer-Policy: no-referrer, so filters in the URL (account ids) never leave in a Referer.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

FRAME_ANCESTORS_ENV: Final = "PINTEREST_DASHBOARD_FRAME_ANCESTORS"
DEFAULT_FRAME_ANCESTORS: Final = "'self'"
_INLINE_SCRIPT: Final = re.compile(r"<script>(.*?)</script>", re.DOTALL)
# A source list: 'keyword's, schemes and host sources only (no ';' or ',' to smuggle in a
# directive, no quotes but around keywords).
_SOURCE: Final = re.compile(
    r"'(self|none)'|[a-z][a-z0-9+.-]*:(//[A-Za-z0-9.*:_-]+(/[^\s;,'\"]*)?)?")


class HeaderSettingError(ValueError):
    """PINTEREST_DASHBOARD_FRAME_ANCESTORS is not a CSP source list."""


def frame_ancestors(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    value = (env.get(FRAME_ANCESTORS_ENV) or "").strip()
    if not value:
        return DEFAULT_FRAME_ANCESTORS
    sources = value.split()
    if any(not _SOURCE.fullmatch(source) for source in sources):
        raise HeaderSettingError(
            f"{FRAME_ANCESTORS_ENV} must be CSP sources separated by spaces, such as "
            "\"'self' https://intranet.example.com\" or \"'none'\"."
        )
    return " ".join(sources)


@cache
def inline_script_hashes() -> tuple[str, ...]:
    """'sha256-...' sources for the inline scripts of Streamlit's own index.html."""
    import streamlit

    index = Path(streamlit.__file__).parent / "static" / "index.html"
    html = index.read_text(encoding="utf-8")
    return tuple(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    )


def content_security_policy(ancestors: str) -> str:
    scripts = " ".join(("'self'", *inline_script_hashes()))
    return "; ".join((
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob: https://i.pinimg.com",  # team mode: Pinterest avatars
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {ancestors}",
    ))


def security_headers(ancestors: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", content_security_policy(ancestors).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
    ]


class SecurityHeadersMiddleware:
    """Adds the headers above to every HTTP response (websockets pass through untouched).
    A header the inner app already set is replaced, so there is exactly one of each."""

    def __init__(self, app: ASGIApp, ancestors: str = DEFAULT_FRAME_ANCESTORS) -> None:
        self.app = app
        self.headers = security_headers(ancestors)
        self._names = {name for name, _ in self.headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept: list[Any] = [
                    (name, value) for name, value in message.get("headers", [])
                    if name.lower() not in self._names
                ]
                message = {**message, "headers": kept + self.headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
