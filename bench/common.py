"""Shared plumbing of the benchmarks: the simulator as a loopback server with a fixed added
latency, fresh clients with empty caches, timing, the results table and the ratios.

The simulator runs in its own process (`python -m pinterest_sim --port 0`), like a remote API:
its work does not share the benchmark's interpreter (and GIL). Its request counts come from
its control route `GET /_sim/stats`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import queue
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final, TypeVar

import httpx

from dashboard.connection import LIVE_CONFIG
from pinterest_client import PinterestClient, RateLimits, ResponseCache

T = TypeVar("T")

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
TOKEN: Final = "demo-token"  # the simulator's default token (SimConfig.token)
DEFAULT_LATENCY_MS: Final = 150.0
SMOKE_LATENCY_MS: Final = 2.0
SERVER_START_TIMEOUT_S: Final = 60.0


# ---------------------------------------------------------------------------------------------
# The simulator as a loopback server
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimStats:
    """What the simulator counted since its last reset (requests that reached /v5)."""

    total: int
    by_category: dict[str, int]
    by_path: dict[str, int]
    by_status: dict[str, int]

    @property
    def rate_limited(self) -> int:
        return self.by_status.get("429", 0)

    @property
    def analytics_calls(self) -> int:
        return self.by_category.get("ads_analytics", 0)


class SimServerProcess:
    """`python -m pinterest_sim --port 0` in a child process with a fixed added latency.

    `rate_limits` is PINTEREST_SIM_RATE_LIMITS (default: Pinterest's published limits).
    """

    def __init__(self, latency_s: float, *, rate_limits: str | None = None, seed: int = 7) -> None:
        self.latency_s = latency_s
        self._rate_limits = rate_limits
        self._seed = seed
        self._process: subprocess.Popen[str] | None = None
        self.base_url = ""
        self._control: httpx.Client | None = None

    @property
    def origin(self) -> str:
        return self.base_url.removesuffix("/v5")

    def start(self) -> SimServerProcess:
        env = dict(os.environ)
        env["PINTEREST_SIM_SEED"] = str(self._seed)
        env["PINTEREST_SIM_TOKEN"] = TOKEN
        env["PINTEREST_SIM_FAULTS"] = f"latency={self.latency_s}" if self.latency_s > 0 else ""
        if self._rate_limits is not None:
            env["PINTEREST_SIM_RATE_LIMITS"] = self._rate_limits
        else:
            env.pop("PINTEREST_SIM_RATE_LIMITS", None)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p
        )
        self._process = subprocess.Popen(
            [sys.executable, "-m", "pinterest_sim", "--host", "127.0.0.1", "--port", "0"],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = _first_line(self._process, SERVER_START_TIMEOUT_S)
        marker = "listening on "
        if marker not in line:
            self.stop()
            raise RuntimeError(f"the simulator did not start: {line!r}")
        self.base_url = line.split(marker, 1)[1].strip()
        self._control = httpx.Client(base_url=self.origin, timeout=30.0)
        return self

    def stats(self) -> SimStats:
        data = self._control_client().get("/_sim/stats").raise_for_status().json()
        return SimStats(
            total=int(data["total"]),
            by_category={str(k): int(v) for k, v in data["by_category"].items()},
            by_path={str(k): int(v) for k, v in data["by_path"].items()},
            by_status={str(k): int(v) for k, v in data["by_status"].items()},
        )

    def reset_stats(self) -> None:
        self._control_client().post("/_sim/reset-stats").raise_for_status()

    def set_latency(self, latency_s: float) -> None:
        self._control_client().post("/_sim/faults", json={"latency": latency_s}).raise_for_status()
        self.latency_s = latency_s

    def _control_client(self) -> httpx.Client:
        if self._control is None:
            raise RuntimeError("the simulator is not running")
        return self._control

    def stop(self) -> None:
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
            if self._process.stdout is not None:
                self._process.stdout.close()
            self._process = None

    def __enter__(self) -> SimServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _first_line(process: subprocess.Popen[str], timeout_s: float) -> str:
    """The child's first stdout line, or "" when it prints none in time."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        lines.put(process.stdout.readline())

    threading.Thread(target=read, daemon=True).start()
    try:
        return lines.get(timeout=timeout_s)
    except queue.Empty:
        return ""


@contextmanager
def simulator(latency_ms: float, *, rate_limits: str | None = None) -> Iterator[SimServerProcess]:
    server = SimServerProcess(latency_ms / 1000.0, rate_limits=rate_limits)
    with server:
        yield server


# ---------------------------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------------------------


class RecordingTransport(httpx.BaseTransport):
    """An ordinary HTTP transport that remembers every URL it sent (to replay them singly)."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self._lock = threading.Lock()
        self.urls: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.urls.append(str(request.url))
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


# Limits far above anything a benchmark sends: for runs that measure time, not the guard.
GENEROUS_LIMITS: Final = RateLimits(
    per_minute={"ads_analytics": 1_000_000, "ads_read": 1_000_000, "org_read": 1_000_000},
    per_second=1_000_000,
)


def fresh_client(
    server: SimServerProcess,
    *,
    cache: ResponseCache | None = None,
    transport: httpx.BaseTransport | None = None,
    rate_limits: RateLimits | None = None,
) -> PinterestClient:
    """A client of the loopback simulator with its own empty cache (never the process-wide one),
    configured as the app's (dashboard.connection.LIVE_CONFIG: its cache TTLs).

    Without `rate_limits`, Pinterest's published limits (the client's default).
    """
    return PinterestClient(
        TOKEN,
        config=LIVE_CONFIG,
        base_url=server.base_url,
        transport=transport if transport is not None else httpx.HTTPTransport(),
        cache=cache if cache is not None else ResponseCache(),
        rate_limits=rate_limits,
        max_wait_s=30.0,
    )


def today_utc() -> date:
    return datetime.now(UTC).date()


# ---------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """The result of `fn()` and the seconds it took (monotonic clock)."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    return statistics.median(timed(fn)[1] for _ in range(max(1, repeat)))


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), math.ceil(q / 100.0 * len(ordered))))
    return ordered[rank - 1]


def _time_get(http: httpx.Client, url: str) -> float:
    start = time.perf_counter()
    http.get(url).raise_for_status()
    return time.perf_counter() - start


def latency_floor(urls: Sequence[str], *, repeat: int = 1) -> tuple[float, str]:
    """The slowest single call among `urls`, each sent alone on one kept-alive
    connection, nothing else in flight, no cache (median of `repeat`
    tries, like the page times).

    Returns (seconds, the slowest URL's path). This is what no page can beat: it needs at
    least its slowest answer.
    """
    slowest, slowest_url = 0.0, ""
    with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120.0) as http:
        for url in dict.fromkeys(urls):  # distinct, in order
            seconds = statistics.median(_time_get(http, url) for _ in range(max(1, repeat)))
            if seconds > slowest:
                slowest, slowest_url = seconds, url
    return slowest, httpx.URL(slowest_url).path if slowest_url else ""


# ---------------------------------------------------------------------------------------------
# Results: rows, ratios, the table
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One figure beside its reference measured in the same run.

    `ratio` is value / reference; `target` is the ratio to stay within (`lower_is_better`)
    or to reach at least (otherwise).
    """

    name: str
    value: float
    unit: str
    reference: float | None = None
    reference_name: str = ""
    target: float | None = None
    lower_is_better: bool = True
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.reference is None or self.reference == 0:
            return None
        return self.value / self.reference

    @property
    def meets_target(self) -> bool | None:
        ratio = self.ratio
        if self.target is None or ratio is None:
            return None
        return ratio <= self.target if self.lower_is_better else ratio >= self.target

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = self.ratio
        data["meets_target"] = self.meets_target
        return data


@dataclass
class BenchResult:
    """A benchmark's rows plus the deterministic facts the smoke tests assert."""

    name: str
    rows: list[Row] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        return row

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "settings": self.settings,
            "facts": self.facts,
            "rows": [r.as_dict() for r in self.rows],
        }


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "s":
        return f"{value * 1000:,.0f} ms" if value < 10 else f"{value:,.1f} s"
    if unit == "MiB":
        return f"{value:,.1f} MiB"
    if unit == "x":
        return f"{value:,.2f}x"
    return f"{value:,.0f} {unit}".rstrip()


def _ratio_cell(row: Row) -> str:
    ratio = row.ratio
    if ratio is None:
        return ""
    text = f"{ratio:,.2f}x"
    if row.target is not None:
        sign = "<=" if row.lower_is_better else ">="
        text += f" (target {sign} {row.target:g}x: {'met' if row.meets_target else 'MISSED'})"
    return text


def table_lines(results: Sequence[BenchResult]) -> list[str]:
    """A Markdown table of every row of every result."""
    header = ["benchmark", "figure", "value", "reference", "ratio", "note"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for result in results:
        for row in result.rows:
            reference = (
                f"{row.reference_name}: {format_value(row.reference, row.unit)}"
                if row.reference is not None else ""
            )
            cells = [result.name, row.name, format_value(row.value, row.unit), reference,
                     _ratio_cell(row), row.note]
            lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return lines


def print_table(results: Sequence[BenchResult]) -> None:
    print("\n".join(table_lines(results)), flush=True)


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def base_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--latency-ms", type=float, default=None,
                        help=f"added latency per API call (default {DEFAULT_LATENCY_MS:g}; "
                             f"smoke {SMOKE_LATENCY_MS:g})")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes and near-zero latency: a few seconds, for the tests")
    parser.add_argument("--json", type=Path, default=None, help="also write the result here")
    return parser


def latency_ms_of(args: argparse.Namespace) -> float:
    if args.latency_ms is not None:
        return float(args.latency_ms)
    return SMOKE_LATENCY_MS if args.smoke else DEFAULT_LATENCY_MS


def finish(result: BenchResult, json_path: Path | None) -> int:
    """Print the table (and write the JSON); exit status 0."""
    print_table([result])
    if result.facts:
        print("facts: " + json.dumps(result.facts, sort_keys=True, default=str), flush=True)
    if json_path is not None:
        json_path.write_text(json.dumps(result.as_dict(), indent=2, default=str) + "\n")
    return 0


def machine_description() -> dict[str, str]:
    """nproc, CPU model, Python version, load and date: where the numbers came from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "n/a"
    return {
        "nproc": str(os.cpu_count() or 0),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg": load,
        "date_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def counts(mapping: Mapping[str, int], prefix: str = "") -> int:
    """Sum of the counts whose key starts with `prefix`."""
    return sum(v for k, v in mapping.items() if k.startswith(prefix))
