"""Helpers for the shared rate-limit tests: the simulator as a server process of its own, app
processes that spend a rate budget (`python -m tests.client.support_shared_ratelimit`), and a
fake store that is slow or answers garbage.

A worker reads one line per phase on stdin (the number of requests to make, or "quit"), makes
them on a few threads through `PinterestClient`'s HTTP session (so the limiter in use is the
one a dashboard would have), and prints one JSON line per phase: requests answered, refused by
the limiter (`RateLimitedError`), any other error by type name, the 429s it met, and the
limiter's counters.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "demo-token"  # the simulator's default token (not a Pinterest token)


# ----- the simulator, as its own process ---------------------------------------------------------


class SimProcess:
    """`python -m pinterest_sim` on a free loopback port with the given rate limits."""

    def __init__(self, rate_limits: str) -> None:
        self.rate_limits = rate_limits
        self.base_url = ""
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> SimProcess:
        env = {**os.environ, "PINTEREST_SIM_RATE_LIMITS": self.rate_limits,
               "PINTEREST_SIM_FAULTS": ""}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "pinterest_sim", "--host", "127.0.0.1", "--port", "0"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if "listening on " not in line:
            self.stop()
            raise RuntimeError(f"the simulator did not start: {line!r}")
        self.base_url = line.rsplit("listening on ", 1)[1].strip()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(timeout=10)

    @property
    def origin(self) -> str:
        return self.base_url.rsplit("/v5", 1)[0]

    def stats(self) -> dict[str, Any]:
        """GET /_sim/stats: requests by category and by status, as the simulator counted them."""
        answer: dict[str, Any] = httpx.get(self.origin + "/_sim/stats", timeout=10).json()
        return answer

    def answered(self) -> int:
        return int(self.stats()["by_status"].get("200", 0))

    def refused_429(self) -> int:
        return int(self.stats()["by_status"].get("429", 0))

    def first_account(self) -> str:
        answer = httpx.get(self.base_url + "/ad_accounts", timeout=10,
                           headers={"Authorization": f"Bearer {TOKEN}"}).json()
        account: str = answer["items"][0]["id"]
        httpx.post(self.origin + "/_sim/reset-stats", timeout=10)
        # This request opened the token's one-second window (all categories count in it): let it
        # close, so the budget under test is the processes' alone.
        time.sleep(1.1)
        return account


# ----- app processes -----------------------------------------------------------------------------


@dataclass
class WorkerSpec:
    base_url: str
    redis_url: str | None  # None: the in-process limiter of today (no sharing)
    per_minute: dict[str, int]
    per_second: int = 100
    category: str = "ads_read"
    processes: int = 1
    max_wait_s: float = 3.0
    max_block_s: float = 300.0
    retry_s: float = 0.3
    account: str = ""  # for ads_analytics requests
    threads: int = 3


@dataclass
class Worker:
    """One app process; `run(n)` starts a phase of n requests, `result()` waits for its line."""

    spec: WorkerSpec
    proc: subprocess.Popen[str] = field(init=False)

    def __post_init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.client.support_shared_ratelimit",
             json.dumps(self.spec.__dict__)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        ready = self._line()
        assert ready == {"ready": True}, ready

    def run(self, requests: int) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{requests}\n")
        self.proc.stdin.flush()

    def result(self) -> dict[str, Any]:
        return self._line()

    def _line(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=10)
            err = self.proc.stderr.read() if self.proc.stderr else ""
            raise AssertionError(f"worker ended: {err[-2000:]}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                assert self.proc.stdin is not None
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@contextlib.contextmanager
def workers(*specs: WorkerSpec) -> Iterator[list[Worker]]:
    started: list[Worker] = []
    try:
        for spec in specs:
            started.append(Worker(spec))
        yield started
    finally:
        for worker in started:
            worker.stop()


def phase(group: list[Worker], requests: int) -> list[dict[str, Any]]:
    """Every worker makes `requests` requests at the same time; their results."""
    for worker in group:
        worker.run(requests)
    return [worker.result() for worker in group]


def total(results: list[dict[str, Any]], name: str) -> int:
    return sum(int(r[name]) for r in results)


# ----- a store that is slow or answers garbage ---------------------------------------------------


class FakeStore:
    """A TCP server on loopback that takes Redis commands and either never answers ("slow") or
    answers bytes that are not the Redis protocol ("garbage")."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = int(self._sock.getsockname()[1])
        self._stop = threading.Event()
        self._conns: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> FakeStore:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._sock.close()
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self._conns.append(conn)
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while not self._stop.is_set():
                if not conn.recv(65536):
                    return
                if self.mode == "garbage":
                    conn.sendall(b"\x00\xffnot redis at all\r\n")


# ----- the worker process ------------------------------------------------------------------------


def _request(client: Any, spec: WorkerSpec) -> None:
    if spec.category == "ads_analytics":
        today = date.today()
        client.session.request_json(
            "GET", f"/ad_accounts/{spec.account}/analytics", category="ads_analytics",
            params={"start_date": str(today - timedelta(days=7)),
                    "end_date": str(today - timedelta(days=1)),
                    "columns": "SPEND_IN_DOLLAR", "granularity": "DAY"})
    else:
        client.session.request_json("GET", "/ad_accounts", category=spec.category)


def _outcome(client: Any, spec: WorkerSpec, refused: type[Exception]) -> tuple[str, float]:
    """("ok", 0), ("refused", retry_after) or (the error's type name, 0)."""
    try:
        _request(client, spec)
    except refused as exc:
        return "refused", float(getattr(exc, "retry_after", 0.0) or 0.0)
    except Exception as exc:  # any other error is what the tests must not see
        return type(exc).__name__, 0.0
    return "ok", 0.0


def _main(raw: str) -> int:
    from pinterest_client import ClientConfig, PinterestClient, ResponseCache
    from pinterest_client._errors import RateLimitedError
    from pinterest_client._ratelimit import RateLimits
    from pinterest_client.shared import SharedRateLimiter, connect

    spec = WorkerSpec(**json.loads(raw))
    # As the dashboard does: one SharedState per process, its limiter per token identity.
    state = (connect(spec.redis_url, processes=spec.processes, retry_s=spec.retry_s)
             if spec.redis_url else None)
    client = PinterestClient(
        TOKEN, base_url=spec.base_url, cache=ResponseCache(), max_wait_s=spec.max_wait_s,
        rate_limits=RateLimits(per_minute=spec.per_minute, per_second=spec.per_second),
        config=ClientConfig(max_retries=2, backoff_base_s=0.01, backoff_cap_s=0.05,
                            max_block_s=spec.max_block_s),
        limiter_factory=state.limiter if state else None)
    limiter = client.rate_limiter
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if line.strip() == "quit":
            break
        before_429 = client.stats().rate_limited_429s
        with ThreadPoolExecutor(spec.threads) as pool:
            outcomes = list(pool.map(lambda _: _outcome(client, spec, RateLimitedError),
                                     range(int(line))))
        shared = limiter if isinstance(limiter, SharedRateLimiter) else None
        print(json.dumps({
            "ok": sum(1 for kind, _ in outcomes if kind == "ok"),
            "refused": sum(1 for kind, _ in outcomes if kind == "refused"),
            "retry_after": [s for kind, s in outcomes if kind == "refused"],
            "errors": sorted(kind for kind, _ in outcomes if kind not in ("ok", "refused")),
            "client_429s": client.stats().rate_limited_429s - before_429,
            "shared_slots": shared.shared_slots if shared else 0,
            "local_slots": shared.local_slots if shared else 0,
            "shared_now": shared.shared if shared else False,
        }), flush=True)
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1]))
