"""Replicas: 1 vs 3 app processes sharing one Redis vs 3 without it, under 30 sessions.

    python -m bench.replicas [--latency-ms 150] [--rounds 3] [--refresh-s 30] [--smoke]

The simulator runs as a separate process with 150 ms per call and Pinterest's own rate limits
(300 ads_analytics and 1,000 ads_read calls a minute, 100 a second, per token). Each scenario
starts fresh `streamlit run app.py` processes in personal mode against it (and, for the shared
scenarios, a fresh redis-server with PINTEREST_DASHBOARD_REDIS_URL), then drives sessions
through Streamlit's own websocket protocol (bench/st_client.py), not browsers: on a 2-core
machine a browser's drawing, not the server, is what a browser-driven load measures.

The load: 10 distinct views (page x account x range), each opened by 3 sessions (30 sessions);
with 3 processes each process gets one session of every view, with 1 process it gets all 30.
Round 0 opens every session at once (within a second); each later round, `--refresh-s` after
the one before, reruns every session as auto-refresh does (the Overview's auto-refresh
fragment; the other pages a full rerun, as a click does). 30 s between rounds is the app's
shortest auto-refresh, longer than its 25 s TTL of recent days, so every round is a new cache
period for the recent queries.

Figures (ratios measured in one run):
- upstream calls / distinct queries per cache period. The reference is one session of each
  view alone on one fresh process, run one at a time in the same rounds at the same pace: its
  calls are each round's distinct queries (the first round's all of them, later rounds' the
  entries that expired since). Goal <= 1.0 with Redis; about 3 without (every process pays).
- 429s from the simulator (goal 0): 3 processes without a shared budget each think they own
  the whole minute.
- p95 time to script finished under load / p95 of the same runs by one session alone.
- the cost of a cache hit through Redis against an in-process hit: the client's own caches
  (pinterest_client.shared.SharedResponseCache from a second "process" whose near cache is
  empty, against pinterest_client.ResponseCache), on one analytics-sized answer.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from bench.common import (
    REPO_ROOT,
    TOKEN,
    BenchResult,
    Row,
    SimServerProcess,
    base_parser,
    finish,
    latency_ms_of,
    percentile,
    simulator,
)
from bench.st_client import Session, wait_ready
from pinterest_sim.world import DEMO_ACCOUNT_ID, EUR_ACCOUNT_ID

REDIS_SERVER: Final = shutil.which("redis-server") or "/usr/bin/redis-server"
APP_START_TIMEOUT_S: Final = 120.0
RUN_TIMEOUT_S: Final = 180.0
COPIES: Final = 3  # sessions per distinct view
START_SPREAD_S: Final = 1.0  # a round's sessions start within this
QUIET_S: Final = 2.0  # the simulator must stay idle this long after a phase


@dataclass(frozen=True)
class View:
    """A page (its URL path: "" is the Overview), an ad account and a date range."""

    page: str
    account_id: str
    preset: str

    def path(self) -> str:
        query = f"account={self.account_id}&preset={self.preset}"
        if self.page == "":
            query += "&refresh=30s"  # the Overview's auto-refresh fragment
        return f"/{self.page}?{query}"


VIEWS: Final = (
    View("", DEMO_ACCOUNT_ID, "last_7_days"),
    View("", DEMO_ACCOUNT_ID, "last_30_days"),
    View("", EUR_ACCOUNT_ID, "last_7_days"),
    View("", EUR_ACCOUNT_ID, "last_30_days"),
    View("campaigns", DEMO_ACCOUNT_ID, "last_7_days"),
    View("campaigns", EUR_ACCOUNT_ID, "last_30_days"),
    View("audience", DEMO_ACCOUNT_ID, "last_30_days"),
    View("audience", EUR_ACCOUNT_ID, "last_7_days"),
    View("targeting", DEMO_ACCOUNT_ID, "last_7_days"),
    View("targeting", EUR_ACCOUNT_ID, "last_7_days"),
)
SMOKE_VIEWS: Final = (VIEWS[0], VIEWS[4])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


# ---------------------------------------------------------------------------------------------
# Processes: Redis and the app replicas
# ---------------------------------------------------------------------------------------------


class RedisProcess:
    """redis-server on a free loopback port: no persistence, a memory bound with LRU eviction
    (as deploy/run-replicas.sh runs it)."""

    def __init__(self, scratch: Path) -> None:
        self.port = _free_port()
        self._dir = scratch
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisProcess:
        if not Path(REDIS_SERVER).exists():
            raise RuntimeError("redis-server is missing: bash scripts/test.sh installs it")
        self._process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self._dir), "--maxmemory", "256mb",
             "--maxmemory-policy", "volatile-lru", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self._process is not None:
            _stop(self._process)
            self._process = None

    def __enter__(self) -> RedisProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Replicas:
    """`processes` x `streamlit run app.py` in personal mode against the simulator, each on
    its own loopback port; with `redis_url`, all sharing that Redis."""

    def __init__(self, server: SimServerProcess, processes: int, redis_url: str | None,
                 scratch: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PINTEREST_")}
        env.update({
            "PINTEREST_ACCESS_TOKEN": TOKEN,
            "PINTEREST_API_BASE_URL": server.base_url,
            "PINTEREST_DASHBOARD_STORE": str(scratch / "reports.sqlite3"),
            "PINTEREST_DASHBOARD_PROCESSES": str(processes),
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        })
        if redis_url is not None:
            env["PINTEREST_DASHBOARD_REDIS_URL"] = redis_url
        self.urls: list[str] = []
        self._processes: list[subprocess.Popen[bytes]] = []
        self._logs: list[Any] = []
        for n in range(processes):
            port = _free_port()
            log = (scratch / f"replica-{n}.log").open("wb")
            self._logs.append(log)
            self._processes.append(subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"),
                 "--server.headless", "true", "--server.port", str(port),
                 "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
                 "--server.fileWatcherType", "none", "--server.runOnSave", "false"],
                cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
            self.urls.append(f"http://127.0.0.1:{port}")

    def wait_ready(self) -> None:
        for url in self.urls:
            wait_ready(url, APP_START_TIMEOUT_S)

    def stop(self) -> None:
        for process in self._processes:
            _stop(process)
        for log in self._logs:
            log.close()

    def __enter__(self) -> Replicas:
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ---------------------------------------------------------------------------------------------
# Sessions and rounds
# ---------------------------------------------------------------------------------------------


@dataclass
class Tab:
    view: View
    url: str
    session: Session | None = None


@dataclass
class Outcome:
    """What one phase (a scenario or the lone reference) measured."""

    run_times: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    calls_by_round: list[int] = field(default_factory=list)
    rate_limited: int = 0

    @property
    def calls(self) -> int:
        return sum(self.calls_by_round)


async def _run_tab(tab: Tab, delay_s: float) -> tuple[float | None, str]:
    """Open the tab (round 0) or rerun it as the browser would; (seconds, failure or "")."""
    await asyncio.sleep(delay_s)
    if tab.session is None:
        tab.session = await Session.open(tab.url, tab.view.path(), open_timeout_s=RUN_TIMEOUT_S)
        result = await tab.session.run(timeout_s=RUN_TIMEOUT_S)
    elif tab.session.auto_rerun_fragments:
        result = await tab.session.run(fragment_id=tab.session.auto_rerun_fragments[0],
                                       timeout_s=RUN_TIMEOUT_S)
    else:
        result = await tab.session.run(timeout_s=RUN_TIMEOUT_S)
    if result.ok and result.finished_s is not None:
        return result.finished_s, ""
    detail = "; ".join(result.exceptions)[:300]
    return None, f"{tab.view.path()} on {tab.url}: {result.status} {detail}".strip()


def _wait_quiet(server: SimServerProcess, timeout_s: float = 60.0) -> int:
    """The simulator's call count once it has stopped moving (background work finished)."""
    deadline = time.monotonic() + timeout_s
    last, since = server.stats().total, time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = server.stats().total
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= QUIET_S:
            break
    return last


async def _drive(server: SimServerProcess, tabs: Sequence[Tab], *, rounds: int,
                 refresh_s: float, together: bool, seed: int) -> Outcome:
    """Every round: run every tab (all at once, or one after the other when not `together`);
    rounds start `refresh_s` apart. Counts the simulator's calls per round."""
    outcome = Outcome()
    rng = random.Random(seed)
    server.reset_stats()
    began = time.monotonic()
    try:
        for number in range(rounds):
            await asyncio.sleep(max(0.0, began + number * refresh_s - time.monotonic()))
            before = server.stats().total
            if together:
                results = await asyncio.gather(
                    *(_run_tab(tab, rng.uniform(0, START_SPREAD_S)) for tab in tabs))
            else:
                results = [await _run_tab(tab, 0.0) for tab in tabs]
            for seconds, failure in results:
                if seconds is not None:
                    outcome.run_times.append(seconds)
                if failure:
                    outcome.failures.append(failure)
            outcome.calls_by_round.append(
                await asyncio.to_thread(_wait_quiet, server) - before)
    finally:
        for tab in tabs:
            if tab.session is not None:
                await tab.session.close()
    outcome.rate_limited = server.stats().rate_limited
    return outcome


def _scenario(server: SimServerProcess, views: Sequence[View], processes: int, shared: bool,
              *, rounds: int, refresh_s: float, seed: int) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="bench-replicas-") as folder:
        scratch = Path(folder)
        redis = RedisProcess(scratch).start() if shared else None
        try:
            with Replicas(server, processes, redis.url if redis else None, scratch) as apps:
                _wait_quiet(server)
                tabs = [Tab(view, apps.urls[copy % processes])
                        for copy in range(COPIES) for view in views]
                return asyncio.run(_drive(server, tabs, rounds=rounds, refresh_s=refresh_s,
                                          together=True, seed=seed))
        finally:
            if redis is not None:
                redis.stop()


def _alone(server: SimServerProcess, views: Sequence[View], *, rounds: int,
           refresh_s: float) -> Outcome:
    """The reference: one process with its own Redis, one session of each view, one run at a
    time, in the same rounds at the same pace as the scenarios."""
    with tempfile.TemporaryDirectory(prefix="bench-replicas-") as folder:
        scratch = Path(folder)
        with RedisProcess(scratch) as redis, Replicas(server, 1, redis.url, scratch) as apps:
            _wait_quiet(server)
            tabs = [Tab(view, apps.urls[0]) for view in views]
            return asyncio.run(_drive(server, tabs, rounds=rounds, refresh_s=refresh_s,
                                      together=False, seed=0))


# ---------------------------------------------------------------------------------------------
# The cache-hit micro-benchmark
# ---------------------------------------------------------------------------------------------


def _analytics_answer(days: int = 90) -> list[dict[str, Any]]:
    """An answer the size of a 90-day daily analytics read: one row a day, 20 columns."""
    metrics = [f"METRIC_{n}" for n in range(18)]
    return [{"DATE": f"2026-{1 + d // 28:02d}-{1 + d % 28:02d}", "AD_ACCOUNT_ID": DEMO_ACCOUNT_ID,
             **{name: (d * 7919 + n * 104_729) % 1_000_003 / 7.0 for n, name in
                enumerate(metrics)}} for d in range(days)]


def _time_hits(get: Callable[[int], object], keys: int) -> float:
    """Median seconds of one hit over `keys` distinct keys (each read once)."""
    times = []
    for n in range(keys):
        began = time.perf_counter()
        get(n)
        times.append(time.perf_counter() - began)
    times.sort()
    return times[len(times) // 2]


def cache_hit_costs(keys: int, days: int = 90) -> tuple[float, float]:
    """(in-process hit, hit through Redis) in seconds: the median of `keys` reads each, of an
    answer of `days` daily rows."""
    from pinterest_client import ResponseCache
    from pinterest_client.shared import connect

    value = _analytics_answer(days)

    def never() -> tuple[Any, int]:
        raise AssertionError("a hit was expected")

    def key(n: int) -> tuple[str, ...]:
        return ("bench-hit", str(n))

    local = ResponseCache()
    for n in range(keys):
        local.get_or_fetch(key(n), 3600.0, lambda: (value, 20_000))
    in_process = _time_hits(lambda n: local.get_or_fetch(key(n), 3600.0, never), keys)

    with (tempfile.TemporaryDirectory(prefix="bench-replicas-") as folder,
          RedisProcess(Path(folder)) as redis):
        writer, reader = connect(redis.url), connect(redis.url)  # two "processes"
        try:
            for n in range(keys):
                writer.cache.get_or_fetch(key(n), 3600.0, lambda: (value, 20_000))
            # The reader's near cache is empty: every read below is answered by Redis.
            through_redis = _time_hits(
                lambda n: reader.cache.get_or_fetch(key(n), 3600.0, never), keys)
        finally:
            writer.close()
            reader.close()
    return in_process, through_redis


# ---------------------------------------------------------------------------------------------
# The benchmark
# ---------------------------------------------------------------------------------------------

SCENARIOS: Final = (("1 process + Redis", 1, True), ("3 processes + Redis", 3, True),
                    ("3 processes, no Redis", 3, False))
SMOKE_SCENARIOS: Final = (("1 process + Redis", 1, True), ("2 processes + Redis", 2, True),
                          ("2 processes, no Redis", 2, False))


def run(args: argparse.Namespace) -> BenchResult:
    latency_ms = latency_ms_of(args)
    views = SMOKE_VIEWS if args.smoke else VIEWS
    scenarios = SMOKE_SCENARIOS if args.smoke else SCENARIOS
    rounds = 1 if args.smoke else args.rounds
    refresh_s = args.refresh_s
    hit_keys = 50 if args.smoke else 2000
    result = BenchResult("replicas", settings={
        "latency_ms": latency_ms, "views": len(views), "sessions": COPIES * len(views),
        "rounds": rounds, "refresh_s": refresh_s, "rate_limits": "Pinterest's",
    })
    with simulator(latency_ms) as server:
        alone = _alone(server, views, rounds=rounds, refresh_s=refresh_s)
        reference = alone.calls
        p95_alone = percentile(alone.run_times, 95)
        result.facts.update({
            "distinct_by_round": alone.calls_by_round, "reference_calls": reference,
            "alone_failures": alone.failures[:5], "alone_429s": alone.rate_limited,
        })
        for name, processes, shared in scenarios:
            outcome = _scenario(server, views, processes, shared, rounds=rounds,
                                refresh_s=refresh_s, seed=processes)
            tag = f"{processes}{'_redis' if shared else '_local'}"
            result.facts.update({
                f"calls_{tag}": outcome.calls, f"calls_by_round_{tag}": outcome.calls_by_round,
                f"429s_{tag}": outcome.rate_limited, f"failures_{tag}": len(outcome.failures),
                f"failure_samples_{tag}": outcome.failures[:3],
                f"runs_{tag}": len(outcome.run_times),
            })
            result.add(Row(
                name=f"{name}: upstream calls / distinct queries per cache period",
                value=outcome.calls, unit="calls", reference=reference,
                reference_name="one session alone", target=1.0 if shared else None,
                note=(f"{COPIES * len(views)} sessions x {rounds} rounds; "
                      f"{outcome.rate_limited} 429s; {len(outcome.failures)} failed runs"),
            ))
            result.add(Row(
                name=f"{name}: 429s from the simulator", value=outcome.rate_limited,
                unit="429s", note="goal 0",
            ))
            if outcome.run_times:
                result.add(Row(
                    name=f"{name}: p95 time to script finished", unit="s",
                    value=percentile(outcome.run_times, 95), reference=p95_alone,
                    reference_name="the same runs alone",
                ))
    for days in (90, 1):
        in_process, through_redis = cache_hit_costs(hit_keys, days)
        result.facts.update({f"hit_in_process_s_{days}d": in_process,
                             f"hit_through_redis_s_{days}d": through_redis})
        result.add(Row(
            name=f"cache hit through Redis ({days}-day answer, 20 columns)",
            value=through_redis * 1e6, unit="µs", reference=in_process * 1e6,
            reference_name="in-process hit",
            note=f"median of {hit_keys} reads by a second process (its near cache empty)",
        ))
    return result


def parser() -> argparse.ArgumentParser:
    parser = base_parser(__doc__.splitlines()[0] if __doc__ else "replicas")
    parser.add_argument("--rounds", type=int, default=3,
                        help="the first load plus this many minus one refreshes (default 3)")
    parser.add_argument("--refresh-s", type=float, default=30.0,
                        help="seconds between rounds (default 30: the app's shortest "
                             "auto-refresh)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.rounds < 1:
        print("--rounds must be 1 or more", file=sys.stderr)
        return 2
    return finish(run(args), args.json)


if __name__ == "__main__":
    sys.exit(main())
