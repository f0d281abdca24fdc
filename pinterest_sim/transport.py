"""``SimTransport``: the in-process face (an ``httpx.BaseTransport``; no socket, no port).

It shows the client what a real connection would: a hang longer than the request's read timeout
becomes ``httpx.ReadTimeout`` after that timeout, and a truncated body fails while being read
with ``httpx.RemoteProtocolError``, as httpx reports a peer that closed mid-body.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx

from pinterest_sim.responses import SimRequest, SimResponder


class _TruncatedStream(httpx.SyncByteStream):
    def __init__(self, part: bytes) -> None:
        self._part = part

    def __iter__(self) -> Iterator[bytes]:
        if self._part:
            yield self._part
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body (incomplete read)")


class SimTransport(httpx.BaseTransport):
    """Thread-safe: every request is dispatched independently to the shared backend."""

    def __init__(self, responder: SimResponder) -> None:
        self._responder = responder

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        origin = f"{request.url.scheme}://{request.url.netloc.decode('ascii')}"
        sim_request = SimRequest.build(request.method, request.url.path,
                                       request.url.query.decode("ascii"), dict(request.headers),
                                       body, origin)
        answer = self._responder.handle(sim_request)
        if answer.hang_s > 0:
            timeouts = request.extensions.get("timeout") or {}
            read_timeout = timeouts.get("read")
            if read_timeout is not None and read_timeout < answer.hang_s:
                time.sleep(read_timeout)
                raise httpx.ReadTimeout("The simulator hung past the read timeout.",
                                        request=request)
            time.sleep(answer.hang_s)
        if answer.truncate_at is not None:
            headers = {**answer.headers, "Content-Length": str(len(answer.body))}
            return httpx.Response(answer.status, headers=headers,
                                  stream=_TruncatedStream(answer.body[: answer.truncate_at]),
                                  request=request)
        return httpx.Response(answer.status, headers=answer.headers, content=answer.body,
                              request=request)

    def __repr__(self) -> str:
        return "SimTransport()"
