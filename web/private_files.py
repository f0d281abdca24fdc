"""Team mode: files the app made for a person (downloads under /media/) and the server's
metrics are served only to a signed-in browser, and never cached.

Streamlit serves a download at /media/<content hash>.<ext> from its own route, before any
script runs, so the script's sign-in check does not cover it: without this, the link to a
person's CSV worked from any browser while the file was held (minutes), and a small file's
name can be guessed from its content.
"""

from __future__ import annotations

import re
from typing import Final

from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dashboard.people import SignedIn
from dashboard.session_cookie import SESSION_COOKIE
from web.auth import TeamRuntime

_PRIVATE: Final = re.compile(r"(^|/)media/|/_stcore/metrics$")


class SignedInFilesMiddleware:
    def __init__(self, app: ASGIApp, runtime: TeamRuntime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _PRIVATE.search(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        cookie = HTTPConnection(scope).cookies.get(SESSION_COOKIE)
        sid = self.runtime.signer.read_session(cookie)
        if not isinstance(self.runtime.people.session_state(sid), SignedIn):
            await PlainTextResponse("Sign in to the dashboard first.", status_code=403,
                                    headers={"Cache-Control": "no-store"})(scope, receive, send)
            return

        async def no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != b"cache-control"]
                message = {**message, "headers": [*headers, (b"cache-control", b"no-store")]}
            await send(message)

        await self.app(scope, receive, no_store)
