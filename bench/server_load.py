"""Server load: the Streamlit server's CPU per page view, and a crowd arriving at once, beside
floor pages that draw the same elements from constant data (what Streamlit itself costs).

    python -m bench.server_load [--latency-ms 150] [--repeat 8] [--crowd 50] [--smoke]

Three processes besides this one: the simulator (`python -m pinterest_sim`, the added latency
per call), the app (`streamlit run app.py` in personal mode against the simulator) and the
floor (`streamlit run bench/floor_app.py`), both from the repository root so both are served
with the same `.streamlit/config.toml`. Sessions speak Streamlit's own websocket protocol
(bench/st_client.py): each view is a new session that asks for a page and waits for its
script run to finish; no browser.

For each page (Overview, Campaigns, Audience, Targeting, default filters): a first view fills
the app's data cache (cold), a second is recorded and becomes the floor page (its blocks,
charts, tables and tiles replayed by bench/floor_app.py), then `--repeat` views of the app
and as many of the floor, one at a time, taking turns: server CPU seconds per view (the server
process's user+system time, /proc), time to first element and to script finished. Then
`--crowd` sessions open the warm Overview at once, on the app, then on the floor: time to
finished (p50, max), time until each session saw its sidebar and its page title.
The warm views must make no upstream call (the simulator counts them) and show no
exception.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx
from streamlit.proto.Element_pb2 import Element

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
from bench.st_client import MAIN, SIDEBAR, RunResult, crowd, view, wait_ready

# (name, URL path): each page with its default filters.
PAGES: Final = (
    ("overview", "/"),
    ("campaigns", "/campaigns"),
    ("audience", "/audience"),
    ("targeting", "/targeting"),
)
SMOKE_PAGES: Final = PAGES[:2]
CROWD_PAGE: Final = PAGES[0]
FLOOR_SCRIPT: Final = REPO_ROOT / "bench" / "floor_app.py"
CPU_TARGET: Final = 1.5  # app CPU per view <= 1.5x the floor's
P50_TARGET: Final = 0.6  # crowd: p50 time to finished <= 0.6x the max
MAX_TARGET: Final = 1.2  # crowd: max <= 1.2x (N x one view's CPU)
FIRST_SIGHT_GOAL_S: Final = 2.0  # crowd: title and sidebar within 2 s
CLOCK_TICKS: Final = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class StreamlitServer:
    """`streamlit run SCRIPT` headless on a free loopback port, from the repository root (its
    .streamlit/config.toml applies), with the given extra environment."""

    def __init__(self, script: Path, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        full_env = dict(os.environ)
        for name in ("PINTEREST_REFRESH_TOKEN", "PINTEREST_APP_ID", "PINTEREST_APP_SECRET"):
            full_env.pop(name, None)
        full_env.update(env)
        self._log = log.open("wb")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script),
             "--server.headless", "true", "--server.port", str(self.port),
             "--server.address", "127.0.0.1"],
            cwd=REPO_ROOT, env=full_env, stdout=self._log, stderr=subprocess.STDOUT,
        )

    def start(self) -> float:
        if self._process.poll() is not None:
            raise RuntimeError("streamlit exited at start")
        return wait_ready(self.url)

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (all its threads)."""
        fields = Path(f"/proc/{self._process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        # After the command name: state is field 3, utime 14 and stime 15 (1-based).
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=15)
        self._log.close()


@dataclass(frozen=True)
class Views:
    """Views one after the other: CPU per view and the median times."""

    cpu_per_view: float
    finished_s: float
    first_element_s: float
    results: list[RunResult]


@dataclass(frozen=True)
class Crowd:
    """Sessions opened at once."""

    sessions: int
    cpu: float
    p50_finished_s: float
    max_finished_s: float
    max_first_element_s: float
    max_first_sight_s: float  # the slowest session's sidebar and page title
    max_first_message_s: float  # the slowest session's first message of any kind
    results: list[RunResult]


def paired_views(servers: Sequence[StreamlitServer], path: str, repeat: int) -> list[Views]:
    """`repeat` views of `path` on each server, one at a time, taking turns (app, floor, app,
    floor...) so that other work on the machine weighs on both alike; each server's CPU per
    view and median times."""
    cpu = [0.0] * len(servers)
    results: list[list[RunResult]] = [[] for _ in servers]
    for _ in range(repeat):
        for number, server in enumerate(servers):
            before = server.cpu_seconds()
            results[number].append(asyncio.run(view(server.url, path)))
            cpu[number] += server.cpu_seconds() - before
    return [
        Views(
            cpu_per_view=cpu[number] / repeat,
            finished_s=statistics.median(r.finished_s or float("nan") for r in runs),
            first_element_s=statistics.median(r.first_element_s or float("nan")
                                              for r in runs),
            results=runs,
        )
        for number, runs in enumerate(results)
    ]


def first_sight_s(result: RunResult) -> float:
    """When the session had both a sidebar (its page links, or any element in it) and its
    page title (inf: never)."""
    sidebars = [s for s in (result.first_s(container=SIDEBAR), result.navigation_s)
                if s is not None]
    title = result.first_s(kind="heading", container=MAIN)
    if not sidebars or title is None:
        return float("inf")
    return max(min(sidebars), title)


def crowd_views(server: StreamlitServer, path: str, sessions: int) -> Crowd:
    before = server.cpu_seconds()
    results = asyncio.run(crowd(server.url, [path] * sessions))
    cpu = server.cpu_seconds() - before
    finished = [r.finished_s if r.finished_s is not None else float("inf") for r in results]
    firsts = [r.first_element_s if r.first_element_s is not None else float("inf")
              for r in results]
    return Crowd(
        sessions=sessions, cpu=cpu,
        p50_finished_s=percentile(finished, 50), max_finished_s=max(finished),
        max_first_element_s=max(firsts),
        max_first_sight_s=max(first_sight_s(r) for r in results),
        max_first_message_s=max(r.first_message_s if r.first_message_s is not None
                                else float("inf") for r in results),
        results=results,
    )


def record_floor(app_url: str, name: str, path: str, folder: Path) -> RunResult:
    """One warm view of the app's page (served at `app_url`), its blocks and elements and its
    download buttons' files saved for the floor page."""
    async def recorded() -> RunResult:
        from bench.st_client import Session

        async with await Session.open(app_url, path) as session:
            return await session.run(record=True)

    result = asyncio.run(recorded())
    files: dict[str, bytes] = {}
    with httpx.Client(base_url=app_url, timeout=30.0) as http:
        for _, kind, data in result.recorded:
            if kind != "element":
                continue
            element = Element.FromString(data)
            url = element.download_button.url if element.HasField("download_button") else ""
            if url and url not in files:
                files[url] = http.get(url).raise_for_status().content
    (folder / f"{name}.pickle").write_bytes(
        pickle.dumps({"steps": result.recorded, "files": files}))
    return result


def problems(results: Sequence[RunResult]) -> list[str]:
    """Every run that did not finish cleanly: its status, or the exceptions it showed."""
    found: list[str] = []
    for result in results:
        if result.status not in ("FINISHED_SUCCESSFULLY",):
            found.append(result.status)
        found.extend(result.exceptions)
    return found


def run(args: argparse.Namespace) -> BenchResult:
    latency_ms = latency_ms_of(args)
    repeat = 2 if args.smoke else args.repeat
    sessions = 3 if args.smoke else args.crowd
    pages = SMOKE_PAGES if args.smoke else PAGES
    result = BenchResult("server_load", settings={
        "latency_ms": latency_ms, "repeat": repeat, "crowd": sessions,
        "pages": [name for name, _ in pages],
    })
    facts = result.facts
    facts.update({"pages": [], "exceptions": {}, "failures": {}, "warm_upstream_calls": {},
                  "elements": {}, "floor_elements": {}, "cpu_per_view_s": {}})
    with (tempfile.TemporaryDirectory(prefix="bench-server-load-") as scratch_name,
          simulator(latency_ms) as sim):
        scratch = Path(scratch_name)
        floor_dir = scratch / "floor"
        floor_dir.mkdir()
        app = StreamlitServer(REPO_ROOT / "app.py", app_env(sim, scratch),
                              scratch / "app.log")
        floor = StreamlitServer(FLOOR_SCRIPT, {"BENCH_FLOOR_DIR": str(floor_dir)},
                                scratch / "floor.log")
        try:
            facts["app_start_s"] = round(app.start(), 2)
            facts["floor_start_s"] = round(floor.start(), 2)
            for name, path in pages:
                measure_page(result, app, floor, sim, name, path, floor_dir, repeat)
            measure_crowd(result, app, floor, sim, sessions)
        finally:
            app.stop()
            floor.stop()
            for log in ("app.log", "floor.log"):
                tail = (scratch / log).read_text(errors="replace")[-2000:]
                if "Traceback" in tail:
                    print(f"--- {log} (end) ---\n{tail}", file=sys.stderr)
    return result


def app_env(sim: SimServerProcess, scratch: Path) -> dict[str, str]:
    """Personal mode against the simulator (README: Three modes)."""
    return {
        "PINTEREST_ACCESS_TOKEN": TOKEN,
        "PINTEREST_API_BASE_URL": sim.base_url,
        "PINTEREST_DASHBOARD_STORE": str(scratch / "reports.sqlite3"),
        "PINTEREST_DASHBOARD_TOKEN_STORE": str(scratch / "tokens.sqlite3"),
    }


def measure_page(result: BenchResult, app: StreamlitServer, floor: StreamlitServer,
                 sim: SimServerProcess, name: str, path: str, floor_dir: Path,
                 repeat: int) -> None:
    facts = result.facts
    cold = asyncio.run(view(app.url, path))  # fills the app's data cache
    sim.reset_stats()
    recorded = record_floor(app.url, name, path, floor_dir)
    asyncio.run(view(floor.url, path))  # the floor builds its constant data once
    ours, base = paired_views([app, floor], path, repeat)
    stats = sim.stats()
    facts["pages"].append(name)
    facts["exceptions"][name] = len([e for r in [cold, recorded, *ours.results]
                                     for e in r.exceptions])
    facts["failures"][name] = problems([cold, recorded, *ours.results, *base.results])
    facts["warm_upstream_calls"][name] = stats.total
    facts["elements"][name] = len(recorded.elements)
    facts["cpu_per_view_s"][name] = round(ours.cpu_per_view, 4)
    facts["floor_elements"][name] = statistics.median(len(r.elements) for r in base.results)
    result.add(Row(
        name=f"{name}: server CPU per view, warm", value=ours.cpu_per_view, unit="s",
        reference=base.cpu_per_view, reference_name="floor page", target=CPU_TARGET,
        note=(f"finished after {ours.finished_s:.2f} s (floor {base.finished_s:.2f} s), first "
              f"element {ours.first_element_s:.2f} s (floor {base.first_element_s:.2f} s); "
              f"{len(recorded.elements)} elements; {repeat} views one at a time"),
    ))


def measure_crowd(result: BenchResult, app: StreamlitServer, floor: StreamlitServer,
                  sim: SimServerProcess, sessions: int) -> None:
    name, path = CROWD_PAGE
    # One view's CPU: the page's own figure, measured over `--repeat` views above (the
    # server's CPU clock ticks every 10 ms: a couple of views alone would be off by half).
    one_view_s = float(result.facts["cpu_per_view_s"][name])
    sim.reset_stats()
    ours = crowd_views(app, path, sessions)
    stats = sim.stats()
    base = crowd_views(floor, path, sessions)
    facts = result.facts
    facts.update({
        "crowd_sessions": sessions,
        "crowd_finished": sum(1 for r in ours.results if r.finished_s is not None),
        "crowd_failures": problems(ours.results) + problems(base.results),
        "crowd_upstream_calls": stats.total,
        "crowd_cpu_s": round(ours.cpu, 3),
        "crowd_floor_cpu_s": round(base.cpu, 3),
    })
    label = f"{name}, {sessions} at once"
    result.add(Row(
        name=f"{label}: p50 time to finished", value=ours.p50_finished_s, unit="s",
        reference=ours.max_finished_s, reference_name="max", target=P50_TARGET,
        note=f"floor: p50 {base.p50_finished_s:.2f} s, max {base.max_finished_s:.2f} s",
    ))
    result.add(Row(
        name=f"{label}: max time to finished", value=ours.max_finished_s, unit="s",
        reference=sessions * one_view_s,
        reference_name=f"{sessions} x one view's CPU", target=MAX_TARGET,
        note=(f"server CPU for the crowd {ours.cpu:.1f} s (floor {base.cpu:.1f} s); one view "
              f"{one_view_s:.3f} s"),
    ))
    result.add(Row(
        name=f"{label}: slowest session's sidebar and title", value=ours.max_first_sight_s,
        unit="s", reference=FIRST_SIGHT_GOAL_S, reference_name="goal", target=1.0,
        note=(f"slowest first message {ours.max_first_message_s:.2f} s, first element "
              f"{ours.max_first_element_s:.2f} s; floor: sidebar and title "
              f"{base.max_first_sight_s:.2f} s"),
    ))


def parser() -> argparse.ArgumentParser:
    p = base_parser(__doc__.splitlines()[0] if __doc__ else "server_load")
    p.add_argument("--repeat", type=int, default=20,
                   help="views of each page, one at a time, app and floor taking turns")
    p.add_argument("--crowd", type=int, default=50, help="sessions opening the Overview at once")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    began = time.perf_counter()
    result = run(args)
    result.facts["bench_s"] = round(time.perf_counter() - began, 1)
    return finish(result, args.json)


if __name__ == "__main__":
    sys.exit(main())
