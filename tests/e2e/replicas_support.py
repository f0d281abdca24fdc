"""Debian's nginx with the deploy configuration (deploy/nginx.conf.template, rendered by
deploy/nginx.py for the test's ports) in front of replicas started by e2e_harness.

nginx runs in the foreground in its own process group, with its pid, logs and temp folders in
a temporary folder of its own, and is stopped afterwards. Its access log names the replica of
every request (`replica=127.0.0.1:PORT`), which is how a test learns which sticky-cookie value
leads to which replica.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from deploy.nginx import ProxySettings, prepare_runtime_dir, render
from web.headers import frame_ancestors

NGINX: Final = shutil.which("nginx") or "/usr/sbin/nginx"
START_TIMEOUT_S: Final = 20.0
STOP_TIMEOUT_S: Final = 10.0
REPLICA_COOKIE: Final = "dashboard_replica"
_REPLICA_IN_LOG: Final = re.compile(r'"(?P<request>[A-Z]+ \S+) [^"]*" (?P<status>\d{3}) .*'
                                    r"replica=(?P<replica>\S+)")


def _free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class LoggedRequest:
    request: str  # "GET /_stcore/stream"
    status: int
    replica: str  # "127.0.0.1:PORT" ("-" when no replica was asked)


@dataclass
class NginxProcess:
    url: str  # "http://127.0.0.1:PORT/"
    runtime_dir: Path
    process: subprocess.Popen[bytes]

    @property
    def access_log(self) -> Path:
        return self.runtime_dir / "access.log"

    def requests(self) -> list[LoggedRequest]:
        """Every request nginx has logged so far (websockets once they have closed)."""
        try:
            lines = self.access_log.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return []
        found = (_REPLICA_IN_LOG.search(line) for line in lines)
        return [LoggedRequest(m["request"], int(m["status"]), m["replica"]) for m in found if m]

    def error_log_tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join((self.runtime_dir / "error.log").read_text().splitlines()[-lines:])
        return "(no error log)"

    def replica_of(self, cookie_value: str) -> str:
        """The replica nginx routes a browser with this sticky cookie to (asked through the
        proxy with a health check, answered from the access log)."""
        before = len(self.requests())
        request = urllib.request.Request(self.url + "_stcore/health",
                                         headers={"Cookie": f"{REPLICA_COOKIE}={cookie_value}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            logged = self.requests()[before:]
            if logged:
                return logged[-1].replica
            time.sleep(0.05)
        raise AssertionError("nginx did not log the health check")

    def cookie_for(self, replica: str, *, tries: int = 200) -> str:
        """A sticky-cookie value that nginx routes to `replica` ("127.0.0.1:PORT")."""
        for n in range(tries):
            value = f"e2e-pin-{n}"
            if self.replica_of(value) == replica:
                return value
        raise AssertionError(f"no cookie value among {tries} leads to {replica}")

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=STOP_TIMEOUT_S)
        shutil.rmtree(self.runtime_dir, ignore_errors=True)


def start_nginx(upstreams: Sequence[str], *, host: str = "127.0.0.1") -> NginxProcess:
    """nginx with the deploy configuration on a free port of `host` (default loopback), in
    front of `upstreams` ("127.0.0.1:PORT" each); returns once it answers a request."""
    if not os.access(NGINX, os.X_OK):
        raise RuntimeError(f"{NGINX} is missing: scripts/test.sh installs Debian's nginx")
    port = _free_port(host)
    # Not under pytest's private temp folders: nginx's workers may run as another user and
    # must reach their temp folders (prepare_runtime_dir opens the path to them).
    runtime_dir = Path(tempfile.mkdtemp(prefix="nginx-e2e-"))
    prepare_runtime_dir(runtime_dir)
    config = runtime_dir / "nginx.conf"
    config.write_text(render(ProxySettings(
        upstreams=tuple(upstreams), runtime_dir=runtime_dir, listen=f"{host}:{port}",
        frame_ancestors=frame_ancestors())))
    with (runtime_dir / "stderr.log").open("wb") as stderr_file:
        process = subprocess.Popen(
            [NGINX, "-c", str(config), "-p", str(runtime_dir), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=stderr_file, start_new_session=True,
        )
    proxy = NginxProcess(url=f"http://{host}:{port}/", runtime_dir=runtime_dir,
                         process=process)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(proxy.url + "_stcore/health", timeout=2) as answer:
                answer.read()
                return proxy
        except urllib.error.HTTPError:
            return proxy  # nginx answered (personal mode refuses a visitor that is not local)
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    stderr = (runtime_dir / "stderr.log").read_text(errors="replace")
    errors = proxy.error_log_tail()
    proxy.stop()
    raise RuntimeError(f"nginx did not start (exit code {process.poll()}):\n{stderr}\n{errors}")


def non_loopback_address() -> str | None:
    """An IPv4 address of this machine that is not loopback (None when it has none)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.254", 9))  # TEST-NET-1: no packet is sent by connect
            address = str(probe.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address
