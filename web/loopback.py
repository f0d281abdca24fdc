"""Personal mode's guard: one person's token with no sign-in in front is served to this
computer only (pure ASGI middleware).

A request or websocket from any address but loopback (127.0.0.0/8, ::1) gets a plain 403 page
saying why and what the operator can do: team mode, or PINTEREST_DASHBOARD_SHARE_TOKEN=1.
Behind a reverse proxy on the same machine the address is the visitor's only if the proxy
says so: Streamlit's server (uvicorn) takes `X-Forwarded-For` from a loopback peer, and
deploy/'s nginx sets it to the visitor's address. A proxy that does not set it makes every
visitor look local; a deployment behind a proxy is a shared one anyway and should use team
mode (README: Three modes).

The Host header must name this computer too (localhost, 127.0.0.0/8, ::1): a web page on any
site can make its own name resolve to 127.0.0.1 (DNS rebinding), so the browser's requests
arrive from loopback carrying that site's name, and Streamlit's websocket check accepts an
Origin equal to that Host.
"""

from __future__ import annotations

import html
from typing import Final
from urllib.parse import urlsplit

from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from dashboard.team_settings import is_loopback_host

REFUSAL: Final = (
    "This Pinterest Ads dashboard shows one person's Pinterest data without asking who is "
    "looking, so it only answers on the computer it runs on. Ask its operator to set up team "
    "mode (everyone signs in with Pinterest), or to set PINTEREST_DASHBOARD_SHARE_TOKEN=1 if "
    "everyone who can reach it may see that data.")


class LoopbackOnlyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        if client and is_loopback_host(str(client[0])) and _host_is_loopback(scope):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not "
                f"shared</title></head><body style=\"font-family: sans-serif; max-width: 36rem;"
                f" margin: 4rem auto;\"><h1>Not shared</h1><p>{html.escape(REFUSAL)}</p>"
                f"</body></html>")
        await HTMLResponse(body, status_code=403)(scope, receive, send)


def _host_is_loopback(scope: Scope) -> bool:
    """The request's Host header names this computer (port aside)."""
    host = next((value.decode("latin-1") for name, value in scope.get("headers", [])
                 if name.lower() == b"host"), "")
    hostname = urlsplit(f"//{host}").hostname
    return bool(hostname) and is_loopback_host(str(hostname))
