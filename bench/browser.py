"""Browser: time from navigation to the Overview's last chart drawn, in headless Chromium
(Debian's /usr/bin/chromium through Playwright), cold and warm.

    python -m bench.browser [--latency-ms 150] [--repeat 3] [--smoke]

`streamlit run app.py` talks to the loopback simulator (PINTEREST_API_BASE_URL) with the
fixed added latency. Cold: the first visit after the app started (empty caches: the app's
data cache and the browser's HTTP cache). Warm: new pages of the same browser afterwards, each a new
Streamlit session (data in the app's cache, the app's JavaScript in the browser's cache).
"Drawn": the script run has finished and every plotly chart on the page has its SVG. The
note gives when the script run itself ended (the rest is the browser's work).

Beside the warm Overview, in the same browser run: its floor page (bench/floor_app.py, the
same elements replayed from constant data, recorded from the app with bench/st_client.py,
served with the same config), drawn the same way: the browser's own cost of those elements.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
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
    simulator,
)

CHROMIUM: Final = "/usr/bin/chromium"
CHROMIUM_ARGS: Final = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
APP_START_TIMEOUT_S: Final = 90.0
FLOOR_TARGET: Final = 1.5  # the warm Overview drawn <= 1.5x its floor page
DRAW_TIMEOUT_MS: Final = 120_000

# The Overview is drawn: the script run is over, the main chart exists and every plotly
# chart has its SVG.
OVERVIEW_DRAWN_JS: Final = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') { return false; }
  if (document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')) { return false; }
  const charts = Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'));
  if (charts.length < 1) { return false; }
  return charts.every((c) => c.querySelector('.js-plotly-plot .main-svg') !== null);
}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class StreamlitApp:
    """`streamlit run app.py` headless on a free loopback port, against the given simulator."""

    def __init__(self, server: SimServerProcess, scratch: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = dict(os.environ)
        env.update({
            "PINTEREST_ACCESS_TOKEN": TOKEN,
            "PINTEREST_API_BASE_URL": server.base_url,
            "PINTEREST_DASHBOARD_STORE": str(scratch / "reports.sqlite3"),
        })
        for name in ("PINTEREST_REFRESH_TOKEN", "PINTEREST_APP_ID", "PINTEREST_APP_SECRET"):
            env.pop(name, None)
        self._log = (scratch / "streamlit.log").open("wb")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"),
             "--server.headless", "true", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", "--server.runOnSave", "false"],
            cwd=REPO_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
        )

    def wait_healthy(self) -> float:
        """Seconds until the health check answers."""
        began = time.perf_counter()
        deadline = time.monotonic() + APP_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.url + "_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - began
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("streamlit did not start")

    def stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=15)
        self._log.close()


# When the first script run ended, in ms since navigation started (page's own clock).
SCRIPT_END_JS: Final = """
() => {
  window.__benchScriptEnd = null;
  let seenRunning = false;
  const tick = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app ? app.getAttribute('data-test-script-state') : null;
    if (state === 'running') { seenRunning = true; }
    if (seenRunning && state === 'notRunning' && window.__benchScriptEnd === null) {
      window.__benchScriptEnd = performance.now();
      return;
    }
    requestAnimationFrame(tick);
  };
  tick();
}
"""


def time_to_drawn(context: Any, url: str) -> tuple[float, float | None]:
    """A new page (a new Streamlit session): seconds from navigation to the Overview drawn,
    and to the end of its first script run (None if not seen)."""
    page = context.new_page()
    try:
        page.add_init_script("(" + SCRIPT_END_JS + ")()")
        began = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.wait_for_function(OVERVIEW_DRAWN_JS, timeout=DRAW_TIMEOUT_MS, polling=25)
        seconds = time.perf_counter() - began
        if page.locator('[data-testid="stException"]').count():
            raise RuntimeError("the Overview shows an exception")
        script_end = page.evaluate("window.__benchScriptEnd")
        return seconds, (float(script_end) / 1000.0 if script_end is not None else None)
    finally:
        page.close()


def run(args: argparse.Namespace) -> BenchResult:
    from playwright.sync_api import sync_playwright

    latency_ms = latency_ms_of(args)
    repeat = 1 if args.smoke else args.repeat
    result = BenchResult("browser", settings={"latency_ms": latency_ms, "repeat": repeat,
                                              "chromium": CHROMIUM})
    with (tempfile.TemporaryDirectory(prefix="bench-browser-") as scratch,
          simulator(latency_ms) as server):
        app = StreamlitApp(server, Path(scratch))
        try:
            startup = app.wait_healthy()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                     args=CHROMIUM_ARGS, headless=True)
                try:
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})
                    server.reset_stats()
                    cold, cold_script = time_to_drawn(context, app.url)
                    cold_calls = server.stats().total
                    server.reset_stats()
                    warm_runs = [time_to_drawn(context, app.url) for _ in range(repeat)]
                    warm_stats = server.stats()
                    floor_runs = floor_draws(app, context, Path(scratch), repeat)
                    context.close()
                finally:
                    browser.close()
        finally:
            app.stop()
    warm = statistics.median(seconds for seconds, _ in warm_runs)
    floor = statistics.median(seconds for seconds, _ in floor_runs)
    warm_script = _median_or_none([end for _, end in warm_runs])
    result.facts.update({
        "cold_script_end_s": cold_script,
        "warm_script_end_s": warm_script,
        "cold_upstream_calls": cold_calls,
        "warm_upstream_calls": warm_stats.total,
        "warm_429s": warm_stats.rate_limited,
        "app_start_s": round(startup, 2),
    })
    result.add(Row(name="Overview drawn, cold (first visit after start)", value=cold, unit="s",
                   reference=warm, reference_name="warm",
                   note=(f"{cold_calls} upstream calls; script run ended at "
                         f"{_seconds(cold_script)}; app healthy {startup:.1f} s after start")))
    result.add(Row(name="Overview drawn, warm (new session, data cached)", value=warm,
                   unit="s", reference=floor, reference_name="floor page, same browser",
                   target=FLOOR_TARGET,
                   note=(f"{warm_stats.total} upstream calls; script run ended at "
                         f"{_seconds(warm_script)} (floor "
                         f"{_seconds(_median_or_none([end for _, end in floor_runs]))}); "
                         f"median of {repeat}")))
    return result


def floor_draws(app: StreamlitApp, context: Any, scratch: Path, repeat: int
                ) -> list[tuple[float, float | None]]:
    """The Overview's floor page drawn in the same browser: recorded from the warm app, served
    by bench/floor_app.py with the same config; one visit to build its data, then `repeat`."""
    from bench.server_load import FLOOR_SCRIPT, StreamlitServer, record_floor

    folder = scratch / "floor"
    folder.mkdir(exist_ok=True)
    # Its own thread: Playwright's sync API keeps an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as one:
        one.submit(record_floor, app.url.rstrip("/"), "overview", "/", folder).result()
    floor = StreamlitServer(FLOOR_SCRIPT, {"BENCH_FLOOR_DIR": str(folder)},
                            scratch / "floor.log")
    try:
        floor.start()
        url = floor.url + "/"
        time_to_drawn(context, url)
        return [time_to_drawn(context, url) for _ in range(repeat)]
    finally:
        floor.stop()


def _median_or_none(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


def parser() -> argparse.ArgumentParser:
    p = base_parser(__doc__.splitlines()[0] if __doc__ else "browser")
    p.add_argument("--repeat", type=int, default=3, help="warm visits (median)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return finish(run(args), args.json)


if __name__ == "__main__":
    sys.exit(main())
