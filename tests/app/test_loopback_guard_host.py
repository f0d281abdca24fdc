"""Personal mode's loopback guard (web/loopback.py) and DNS rebinding: a web page on any site
can make its own name resolve to 127.0.0.1, so the browser's request arrives from loopback
with that site's name in Host (and Origin == Host, which Streamlit's WebSocket check accepts as
same-origin). The peer address alone does not say the visitor is this computer's user: the
guard must also refuse a Host that is not a loopback name."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from web.loopback import LoopbackOnlyMiddleware


def _answer(kind: str, host: str) -> list[dict[str, Any]]:
    """What the guard sends for one request from 127.0.0.1 with this Host header."""
    sent: list[dict[str, Any]] = []
    reached: list[bool] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append(True)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"dashboard"})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    scope = {"type": kind, "client": ("127.0.0.1", 51000), "path": "/_stcore/stream",
             "headers": [(b"host", host.encode()),
                         (b"origin", f"http://{host}".encode())],
             "method": "GET", "query_string": b"", "scheme": "http", "root_path": "",
             "http_version": "1.1", "asgi": {"version": "3.0"}}
    # In a thread of its own: another test in this process may have left an event loop
    # running in the main thread (Playwright's sync API does).
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, LoopbackOnlyMiddleware(app)(scope, receive, send)).result()
    return [{"reached": bool(reached)}, *sent]


@pytest.mark.parametrize("host", ["localhost:8501", "127.0.0.1:8501", "[::1]:8501"])
def test_this_computer_is_served(host: str) -> None:
    assert _answer("http", host)[0]["reached"]


@pytest.mark.parametrize("kind", ["http", "websocket"])
def test_a_rebound_name_is_refused(kind: str) -> None:
    answer = _answer(kind, "rebind.evil.example:8501")
    assert not answer[0]["reached"]
