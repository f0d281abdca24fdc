"""Helpers for the shared-cache tests (tests/client/test_shared_cache*.py).

``ManualClock``     a monotonic clock the test moves (the store's retry_s, without waiting).
``SlowProxy``       a TCP proxy in front of Redis that, once ``slow`` is set, answers late
                    (beyond the store's per-call budget).
``GarbageServer``   a TCP server that answers everything with an HTTP error page.
``run_workers``     N real Python processes, each a client of one simulator sharing one Redis,
                    running the same queries (at one agreed start time) and reporting what
                    they got as JSON; ``worker_main`` is what each runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
COLUMNS = ["SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION"]


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class _Listener:
    """A loopback TCP server running `handle(conn)` per connection on daemon threads."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    def handle(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self._closed.set()
        self._sock.close()


class GarbageServer(_Listener):
    """Answers anything with an HTTP page: not Redis protocol."""

    def handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                while conn.recv(65536):
                    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            except OSError:
                return


class SlowProxy(_Listener):
    """Forwards to Redis on `target_port`; while `slow` is set, each answer waits `delay_s`."""

    def __init__(self, target_port: int, delay_s: float = 1.0) -> None:
        self.target_port = target_port
        self.delay_s = delay_s
        self.slow = threading.Event()
        super().__init__()

    def handle(self, conn: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
        except OSError:
            conn.close()
            return
        upstream.settimeout(None)

        def pump(src: socket.socket, dst: socket.socket, delay: bool) -> None:
            try:
                while data := src.recv(65536):
                    if delay and self.slow.is_set():
                        time.sleep(self.delay_s)
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    with contextlib.suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)

        threading.Thread(target=pump, args=(conn, upstream, False), daemon=True).start()
        pump(upstream, conn, True)
        conn.close()
        upstream.close()


# ----- real processes --------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerResult:
    answers: list[dict[str, Any]]  # per query: {"digest": sha of the data} or {"error": class}
    cache: dict[str, Any]  # the worker's SharedCacheStats as a dict


def run_workers(count: int, *, redis_url: str, sim_url: str, queries: list[dict[str, Any]],
                token: str = "demo-token", together: bool = True, timeout_s: float = 60.0,
                ) -> list[WorkerResult]:
    """`count` processes run `queries` (see `worker_main`); with `together`, all start their
    first query at one instant agreed in advance (after their imports)."""
    start_at = time.time() + 1.5 + 0.5 * count if together else 0.0
    spec = json.dumps({"redis": redis_url, "sim": sim_url, "token": token, "queries": queries,
                       "start_at": start_at, "processes": count})
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", ""))
                                        if p)
    code = "from tests.client.shared_support import worker_main; worker_main()"
    procs = [subprocess.Popen([sys.executable, "-c", code, spec], cwd=REPO_ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(count)]
    results: list[WorkerResult] = []
    for proc in procs:
        out, err = proc.communicate(timeout=timeout_s)
        if proc.returncode != 0:
            raise AssertionError(f"worker failed ({proc.returncode}): {err[-2000:]}")
        data = json.loads(out.strip().splitlines()[-1])
        results.append(WorkerResult(answers=data["answers"], cache=data["cache"]))
    return results


def query_days(query: dict[str, Any]) -> tuple[Any, Any]:
    end = datetime.now(UTC).date() - timedelta(days=1)
    return end - timedelta(days=int(query.get("days", 7)) - 1), end


def worker_main() -> None:
    """One app process: connect to the shared store, wait for the start, run the queries, print
    {"answers": [...], "cache": {...}} as the last line of stdout."""
    from dataclasses import asdict

    from pinterest_client import ClientConfig, PinterestClient, PinterestError
    from pinterest_client.shared import connect
    from pinterest_sim import DEMO_ACCOUNT_ID

    spec = json.loads(sys.argv[1])
    # A generous budget: a loaded test machine must not make the store look down.
    state = connect(spec["redis"], processes=int(spec["processes"]), call_budget_s=2.0)
    client = PinterestClient(spec["token"], base_url=spec["sim"], cache=state.cache,
                             access_proofs=state.proofs, config=ClientConfig(max_retries=0))
    wait = float(spec["start_at"]) - time.time()
    if wait > 0:
        time.sleep(wait)
    answers: list[dict[str, Any]] = []
    for query in spec["queries"]:
        try:
            if query["kind"] == "analytics":
                start, end = query_days(query)
                data: Any = client.analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT", start_date=start,
                                             end_date=end, columns=COLUMNS,
                                             granularity="DAY").data
            elif query["kind"] == "campaigns":
                data = [c.id for c in client.list_campaigns(DEMO_ACCOUNT_ID).data]
            else:
                data = [a.id for a in client.list_ad_accounts().data]
        except PinterestError as exc:
            answers.append({"error": type(exc).__name__})
            continue
        text = json.dumps(data, sort_keys=True, default=str)
        answers.append({"digest": hashlib.sha256(text.encode()).hexdigest()})
    print(json.dumps({"answers": answers, "cache": asdict(client.stats().cache)}), flush=True)
    client.close()
    state.close()
