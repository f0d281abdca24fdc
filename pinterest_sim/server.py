"""The loopback face: a real HTTP server (stdlib ``ThreadingHTTPServer``) over the same
``SimResponder`` the in-process transport uses."""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pinterest_sim.responses import SimRequest, SimResponder


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], responder: SimResponder) -> None:
        super().__init__(address, _Handler)
        self.responder = responder
        self.stopping = threading.Event()
        self.port = int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out and hung up (hang fault) is normal here, not an error.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate writes: without this, Nagle + delayed ACK add ~40 ms
    # to every keep-alive request.
    disable_nagle_algorithm = True
    server_version = "PinterestSim/1.0"

    def _serve(self) -> None:
        path, _, query = self.path.partition("?")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:  # a garbled length: read no body (the request then fails as a 400)
            length = 0
        body = self.rfile.read(length) if length > 0 else b""
        host = self.headers.get("Host") or f"{self.server.server_address[0]!s}:{self.server.port}"
        request = SimRequest.build(self.command, path, query, dict(self.headers.items()), body,
                                   f"http://{host}")
        answer = self.server.responder.handle(request)
        if answer.hang_s > 0 and self.server.stopping.wait(answer.hang_s):
            self.close_connection = True
            return
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        if answer.truncate_at is not None:
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(answer.body[: answer.truncate_at])
            self.wfile.flush()
            self.close_connection = True
            return
        self.end_headers()
        if self.command != "HEAD":  # a HEAD answer has the headers of its GET, no body
            self.wfile.write(answer.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def __getattr__(self, name: str) -> Any:
        # Every other method (HEAD, OPTIONS, TRACE, QUERY, ...) goes through the route table
        # too: a path without that method answers 405 with Pinterest's error body, not
        # http.server's own 501 HTML page.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        # Quiet: test output stays readable and nothing request-specific is logged.
        return


class SimServer:
    """A running loopback server: ``base_url`` (with /v5), ``port``, ``stop()``."""

    def __init__(self, responder: SimResponder, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _Server((host, port), responder)
        self.host = host
        self.port = int(self._server.server_address[1])
        self._thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v5"

    def start(self) -> SimServer:
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name=f"pinterest-sim:{self.port}", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SimServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"SimServer({self.base_url})"
