"""The machinery of the real-browser tests (fixtures live in conftest.py).

Processes: the simulator as a loopback HTTP server (`python -m pinterest_sim`) and `streamlit
run` on free loopback ports, each in its own process group so a stop ends all its children.
Pages: `AppPage` wraps a Playwright page with the waits and checks every Streamlit test needs
(settled, charts drawn, no exception element) and numbered full-page screenshots under
`artifacts/e2e/<test>/` (git-ignored). Ground truth: `sim_spend_micro` sums the simulator's own
ad-level rows, independently of the dashboard.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Locator, Page

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEMO_SEED = 7  # the seed of the demo data and of `python -m pinterest_sim` by default
SIM_TOKEN = "demo-token"  # the simulator's default token (SimConfig.token)
APP_START_TIMEOUT_S = 90.0
SIM_START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
SETTLE_TIMEOUT_MS = 60_000
QUIET_MS = 600  # the app must stay idle this long to count as settled
MAX_SHOT_HEIGHT = 12_000  # px; long tables beyond this are cut

# Apps currently running, so a failing test's report can show their logs.
RUNNING_APPS: list[RunningApp] = []

# Settled: a script run has finished, the websocket is connected, nothing is stale, no
# skeleton placeholder or running-man is on screen, and it has stayed so for QUIET_MS.
_SETTLED_JS = """
(quietMs) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const busy = !app
    || app.getAttribute('data-test-script-state') !== 'notRunning'
    || app.getAttribute('data-test-connection-state') !== 'CONNECTED'
    || document.querySelector('[data-testid="stAppSkeleton"], [data-testid="stSkeleton"]')
    || document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')
    || document.querySelector('[data-testid="stStatusWidgetRunningManIcon"]')
    || document.querySelector('[data-stale="true"]');
  const now = performance.now();
  if (busy) { window.__e2eQuietSince = null; return false; }
  if (window.__e2eQuietSince == null) { window.__e2eQuietSince = now; }
  return now - window.__e2eQuietSince >= quietMs;
}
"""

# The sidebar link with this visible label is the current page.
# The sidebar's page links as [label, is current page]; a link's text minus its icon (a
# material icon is drawn from a ligature, so its name is text too).
_NAV_LINKS_JS = """
() => Array.from(document.querySelectorAll('[data-testid="stSidebarNav"] a')).map((a) => {
  const copy = a.cloneNode(true);
  copy.querySelectorAll('[data-testid="stIconMaterial"], [data-testid="stIconEmoji"]')
    .forEach((icon) => icon.remove());
  return [copy.textContent.trim(), a.getAttribute('aria-current') === 'page'];
})
"""
_NAV_CURRENT_JS = f"""
(label) => ({_NAV_LINKS_JS})().some(([text, current]) => text === label && current)
"""

# Counts the app's script runs from now on (installs a MutationObserver once per page load).
_RUN_COUNTER_JS = """
() => {
  if (window.__e2eRuns === undefined) {
    window.__e2eRuns = 0;
    const app = document.querySelector('[data-testid="stApp"]');
    let last = app.getAttribute('data-test-script-state');
    new MutationObserver(() => {
      const now = app.getAttribute('data-test-script-state');
      if (now === 'running' && last !== 'running') { window.__e2eRuns += 1; }
      last = now;
    }).observe(app, { attributes: true, attributeFilter: ['data-test-script-state'] });
  }
  return window.__e2eRuns;
}
"""

# How tall the app's content is (its main area scrolls, the document does not); a collapsed
# sidebar (a phone's) does not count.
_CONTENT_HEIGHT_JS = """
() => {
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  const sidebarOpen = sidebar && sidebar.getAttribute('data-collapsed') !== 'true';
  return Math.max(...['[data-testid="stMain"]', '[data-testid="stMainBlockContainer"]',
    '[data-testid="stAppViewContainer"]', sidebarOpen ? '[data-testid="stSidebarContent"]' : null]
    .filter((s) => s).map((s) => document.querySelector(s)).filter((e) => e)
    .map((e) => e.scrollHeight), document.body.scrollHeight);
}
"""

# Every plotly chart on the page has drawn its SVG.
_CHARTS_DRAWN_JS = """
(minimum) => {
  const charts = Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'));
  if (charts.length < minimum) { return false; }
  return charts.every((c) => c.querySelector('.js-plotly-plot .main-svg') !== null);
}
"""


def free_port() -> int:
    """A loopback TCP port that is free right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, wait, then SIGKILL what is left."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT_S)


def _tail(path: Path, lines: int = 120) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _clean_env(overrides: Mapping[str, str | None]) -> dict[str, str]:
    """This process's environment without any Pinterest setting, then the overrides
    (None removes a variable). Without overrides the app runs on demo data."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINTEREST_")}
    env["PYTHONUNBUFFERED"] = "1"
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


# --------------------------------------------------------------------------- simulator


@dataclass
class SimServerProcess:
    """`python -m pinterest_sim` on a free loopback port, plus its test-control routes."""

    base_url: str  # ".../v5", what the app is pointed at
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def root_url(self) -> str:
        return self.base_url.rsplit("/v5", 1)[0]

    def _call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.root_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"} if data is not None else {},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def set_faults(self, **faults: Any) -> Any:
        """POST /_sim/faults, e.g. set_faults(error_rate=1.0) or set_faults(storm_429=True)."""
        return self._call("POST", "/_sim/faults", faults)

    def set_tokens(self, **flags: bool) -> Any:
        """POST /_sim/tokens: access_expired (the configured token), refresh_revoked."""
        return self._call("POST", "/_sim/tokens", flags)

    def set_account_deleted(self, account_id: str, deleted: bool) -> Any:
        """POST /_sim/accounts/{id}: the ad account answers 404 (and leaves lists) or not."""
        return self._call("POST", f"/_sim/accounts/{account_id}", {"deleted": deleted})

    def stats(self) -> Any:
        return self._call("GET", "/_sim/stats")

    def stop(self) -> None:
        _stop_process_group(self.process)


def start_sim_server(
    log_dir: Path, env: Mapping[str, str | None] | None = None
) -> SimServerProcess:
    log_path = Path(tempfile.mkstemp(prefix="sim-", suffix=".log", dir=log_dir)[1])
    process = subprocess.Popen(
        [sys.executable, "-m", "pinterest_sim", "--host", "127.0.0.1", "--port", "0"],
        cwd=REPO_ROOT,
        env=_clean_env(env or {}),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + SIM_START_TIMEOUT_S
    seen: list[str] = []
    url: str | None = None
    while time.monotonic() < deadline:
        raw = process.stdout.readline()
        if not raw:
            break  # the process ended before printing its address
        line = raw.decode(errors="replace").rstrip()
        seen.append(line)
        match = re.search(r"listening on (http://\S+/v5)", line)
        if match:
            url = match.group(1)
            break
    if url is None:
        _stop_process_group(process)
        raise RuntimeError("pinterest_sim did not report its address:\n" + "\n".join(seen))
    log_path.write_text("\n".join(seen) + "\n")
    _drain_to_file(process.stdout, log_path)
    return SimServerProcess(base_url=url, process=process, log_path=log_path)


def _drain_to_file(stream: IO[bytes], path: Path) -> None:
    """Keep reading a child's stdout into its log so the pipe never fills up and blocks it."""

    def pump() -> None:
        with path.open("ab") as sink:
            for chunk in iter(stream.readline, b""):
                sink.write(chunk)
                sink.flush()

    threading.Thread(target=pump, daemon=True, name=f"drain-{path.name}").start()


# --------------------------------------------------------------------------- streamlit


@dataclass
class RunningApp:
    """One `streamlit run` process."""

    url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    label: str
    _log_file: IO[bytes] | None = field(default=None, repr=False)

    def log_tail(self, lines: int = 120) -> str:
        return _tail(self.log_path, lines)

    def stop(self) -> None:
        try:
            _stop_process_group(self.process)
        finally:
            if self._log_file is not None:
                self._log_file.close()
            if self in RUNNING_APPS:
                RUNNING_APPS.remove(self)


def _health_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "_stcore/health", timeout=2) as response:
            return bool(response.status == 200 and response.read().strip() == b"ok")
    except (urllib.error.URLError, OSError):
        return False


def start_streamlit(
    log_dir: Path,
    env: Mapping[str, str | None] | None = None,
    *,
    script: Path | None = None,
    label: str = "app",
    port: int | None = None,
) -> RunningApp:
    """Start `streamlit run` headless on a loopback port (default: a free one) and wait for its
    health check. A test that must know the address first (team mode's public URL) picks the
    port with `free_port()`."""
    script = script or REPO_ROOT / "app.py"
    port = port or free_port()
    log_path = Path(tempfile.mkstemp(prefix=f"streamlit-{label}-", suffix=".log", dir=log_dir)[1])
    log_file = log_path.open("wb")
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        cwd=script.parent,
        env=_clean_env(env or {}),
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    app = RunningApp(
        url=f"http://127.0.0.1:{port}/",
        port=port,
        process=process,
        log_path=log_path,
        label=label,
        _log_file=log_file,
    )
    RUNNING_APPS.append(app)
    deadline = time.monotonic() + APP_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if _health_ok(app.url):
            return app
        time.sleep(0.25)
    app.stop()
    raise RuntimeError(
        f"streamlit ({label}) did not become healthy (exit code {process.poll()}):\n"
        + app.log_tail()
    )


class AppLauncher:
    """Starts Streamlit apps on demand and stops every one of them in `close()`."""

    def __init__(self, log_dir: Path) -> None:
        self._log_dir = log_dir
        self._apps: list[RunningApp] = []

    def __call__(
        self,
        env: Mapping[str, str | None] | None = None,
        *,
        script: Path | None = None,
        label: str = "app",
        port: int | None = None,
    ) -> RunningApp:
        app = start_streamlit(self._log_dir, env, script=script, label=label, port=port)
        self._apps.append(app)
        return app

    def close(self) -> None:
        for app in reversed(self._apps):
            app.stop()
        self._apps.clear()


def server_mode_env(sim: SimServerProcess) -> dict[str, str | None]:
    """The app pointed at the loopback simulator, as a deployment points at Pinterest."""
    return {"PINTEREST_ACCESS_TOKEN": SIM_TOKEN, "PINTEREST_API_BASE_URL": sim.base_url}


# --------------------------------------------------------------------------- browser pages


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-").lower() or "page"


class AppPage:
    """A Playwright page plus the waits and checks every Streamlit e2e test needs."""

    def __init__(self, raw: Page, shots_dir: Path) -> None:
        self.raw = raw
        self.shots_dir = shots_dir
        self._shots = 0

    # navigation -----------------------------------------------------------------------
    def goto(self, url: str) -> None:
        self.raw.goto(url, wait_until="domcontentloaded")
        self.wait_settled()

    def nav_links(self) -> list[str]:
        """Visible labels of the page links in the sidebar navigation."""
        self.raw.locator('[data-testid="stSidebarNav"] a').first.wait_for()
        links: list[tuple[str, bool]] = self.raw.evaluate(_NAV_LINKS_JS)
        return [text for text, _current in links if text]

    def open_page(self, label: str) -> None:
        """Click a sidebar navigation link by its visible label and wait for the page."""
        labels = self.nav_links()
        assert label in labels, f"no page {label!r} in the sidebar navigation: {labels}"
        self.raw.locator('[data-testid="stSidebarNav"] a').nth(labels.index(label)).click()
        # Streamlit marks the current page's link with aria-current="page".
        self.raw.wait_for_function(
            _NAV_CURRENT_JS, arg=label, timeout=SETTLE_TIMEOUT_MS, polling=100
        )
        self.wait_settled()

    # waits ------------------------------------------------------------------------------
    def wait_settled(self, timeout_ms: int = SETTLE_TIMEOUT_MS) -> None:
        """Until the script run has finished and the page has stayed idle for a moment."""
        self.raw.wait_for_function(_SETTLED_JS, arg=QUIET_MS, timeout=timeout_ms, polling=100)

    def count_script_runs(self) -> int:
        """Script runs started since this was first called on the page (full runs and
        fragment reruns alike: each flips the app's script state to "running")."""
        count: int = self.raw.evaluate(_RUN_COUNTER_JS)
        return count

    def wait_for_script_runs(self, at_least: int, timeout_ms: int = SETTLE_TIMEOUT_MS) -> None:
        """Until `at_least` runs have started (see count_script_runs) and the page settled."""
        self.raw.wait_for_function(
            "(n) => (window.__e2eRuns || 0) >= n", arg=at_least, timeout=timeout_ms, polling=200
        )
        self.wait_settled()

    def wait_charts(self, minimum: int = 1, timeout_ms: int = SETTLE_TIMEOUT_MS) -> int:
        """Until at least `minimum` plotly charts exist and every one has drawn its SVG."""
        self.raw.wait_for_function(_CHARTS_DRAWN_JS, arg=minimum, timeout=timeout_ms, polling=100)
        return self.raw.locator('[data-testid="stPlotlyChart"]').count()

    # checks -----------------------------------------------------------------------------
    def exception_texts(self) -> list[str]:
        return self.raw.locator('[data-testid="stException"]').all_inner_texts()

    def assert_no_exception(self) -> None:
        texts = self.exception_texts()
        assert not texts, "the app shows an exception:\n" + "\n---\n".join(texts)

    def metric_value(self, label: str | re.Pattern[str]) -> str:
        """The displayed value of the st.metric whose label matches."""
        pattern = label if isinstance(label, re.Pattern) else re.compile(re.escape(label))
        metric = self.raw.locator('[data-testid="stMetric"]').filter(
            has=self.raw.locator('[data-testid="stMetricLabel"]', has_text=pattern)
        )
        return metric.first.locator('[data-testid="stMetricValue"]').inner_text().strip()

    def selectbox(self, label: str) -> Locator:
        """The sidebar selectbox labelled `label` (an ARIA combobox; its value is the choice)."""
        return self.raw.locator('[data-testid="stSidebar"]').get_by_role(
            "combobox", name=label, exact=True
        )

    def selected(self, label: str) -> str:
        """The option a sidebar selectbox shows as chosen."""
        return self.selectbox(label).input_value().strip()

    def choose(self, label: str, option: str | re.Pattern[str]) -> None:
        """Pick `option` in the sidebar selectbox `label`, then wait for the rerun."""
        box = self.raw.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
            has=self.raw.get_by_role("combobox", name=label, exact=True)
        )
        box.get_by_role("button", name="Open").click()
        options = self.raw.get_by_role("option", name=option)
        if isinstance(option, str):
            options = self.raw.get_by_role("option", name=option, exact=True)
        options.first.click()
        self.wait_settled()

    def tile(self, label: str) -> str:
        """The text of the KPI tile (st.metric) labelled exactly `label`."""
        return self.metric_value(re.compile(rf"^\s*{re.escape(label)}\s*$"))

    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlparse(self.raw.url).query)

    # evidence ---------------------------------------------------------------------------
    def snap(self, name: str) -> Path:
        """A full-page screenshot, numbered in the order taken."""
        self._shots += 1
        self.shots_dir.mkdir(parents=True, exist_ok=True)
        path = self.shots_dir / f"{self._shots:02d}-{slug(name)}.png"
        # Streamlit scrolls inside its main container, not the document, so a "full page"
        # screenshot needs a viewport as tall as that content; restored afterwards.
        viewport = self.raw.viewport_size or {"width": 1440, "height": 1000}
        height = int(self.raw.evaluate(_CONTENT_HEIGHT_JS))
        tall = min(max(height, viewport["height"]), MAX_SHOT_HEIGHT)
        if tall > viewport["height"]:
            self.raw.set_viewport_size({"width": viewport["width"], "height": tall})
            self.raw.wait_for_timeout(300)  # let the layout follow the new size
        try:
            self.raw.screenshot(path=str(path), full_page=True)
        finally:
            if tall > viewport["height"]:
                self.raw.set_viewport_size(viewport)
        return path

    def check_page(self, name: str, *, charts: int = 0) -> Path:
        """Settled, no exception element, `charts` or more plotly charts drawn; screenshot."""
        self.wait_settled()
        if charts:
            self.wait_charts(charts)
        shot = self.snap(name)
        self.assert_no_exception()
        return shot


def wait_until(
    predicate: Callable[[], bool], timeout_s: float, interval_s: float = 0.25, what: str = ""
) -> None:
    """Poll `predicate` until it holds (used for server-side conditions, not for timing)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval_s)
    raise AssertionError(f"timed out waiting for {what or predicate!r}")


# --------------------------------------------------------------------------- numbers


@dataclass(frozen=True)
class ShownAmount:
    """A number as a tile shows it ('$16.9K', '€842.10', '¥2.4M') and its rounding."""

    value: Decimal
    half_step: Decimal  # half of the last shown digit: the most rounding can have moved it

    def matches(self, exact: Decimal) -> bool:
        return abs(self.value - exact) <= self.half_step


_SUFFIX_SCALE = {"": 1, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000, "T": 10**12}
_AMOUNT = re.compile(
    r"^(?P<sign>-)?[^\d-]*?(?P<number>\d[\d,]*(?:\.(?P<decimals>\d+))?)(?P<suffix>[KMBT]?)$"
)


def parse_shown_amount(text: str) -> ShownAmount:
    match = _AMOUNT.match(text.strip())
    if match is None:
        raise AssertionError(f"not a displayed amount: {text!r}")
    scale = Decimal(_SUFFIX_SCALE[match["suffix"]])
    number = Decimal(match["number"].replace(",", "")) * scale
    decimals = len(match["decimals"] or "")
    half_step = Decimal(5).scaleb(-decimals - 1) * scale
    return ShownAmount(-number if match["sign"] else number, half_step)


@functools.cache
def ground_truth_simulator(seed: int = DEMO_SEED) -> Any:
    """A simulator of our own with the app's seed: the numbers the app must show."""
    from pinterest_sim import SimConfig, Simulator

    return Simulator(SimConfig(seed=seed))


def sim_spend_micro(account_id: str, start: date, end: date, *, seed: int = DEMO_SEED) -> int:
    """The simulator's own spend for these days: the sum over its ad-level rows."""
    sim = ground_truth_simulator(seed)
    rows = sim.engine.rows(account_id, "AD", None, start, end, "DAY", ["SPEND_IN_MICRO_DOLLAR"])
    return sum(int(row.get("SPEND_IN_MICRO_DOLLAR", 0)) for row in rows)


def micro_to_units(micro: int) -> Decimal:
    return Decimal(micro) / Decimal(1_000_000)


# The y values of every plotly trace with this name, as the browser holds them.
_TRACE_VALUES_JS = """
(name) => Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap((gd) =>
  (gd._fullData || gd.data || []).filter((t) => t.name === name)
    .map((t) => Array.from(t.y || [], Number)))
"""


def trace_values(page: Page, name: str) -> list[list[float]]:
    """The y values of each drawn plotly trace called `name` (e.g. the 'Spend' bars)."""
    values: list[list[float]] = page.evaluate(_TRACE_VALUES_JS, name)
    return values


# --------------------------------------------------------------------------- expectations


def utc_today() -> date:
    return datetime.now(UTC).date()


def last_n_days(n: int) -> tuple[date, date]:
    """The n closed days ending yesterday (UTC), computed here, not by the dashboard."""
    yesterday = utc_today() - timedelta(days=1)
    return yesterday - timedelta(days=n - 1), yesterday


def range_caption(start: date, end: date) -> re.Pattern[str]:
    """The page header's range, e.g. '22 Nov – 28 Nov 2026' (day and month of both ends)."""
    return re.compile(rf"{start.day} {start:%b}\b.*{end.day} {end:%b} {end.year}", re.DOTALL)


def assert_spend_matches_simulator(page: AppPage, account_id: str, start: date, end: date) -> None:
    """The Spend tile (within its rounding) and the Spend bars (to the cent) against the
    simulator's own ad-level rows for the same closed days."""
    exact = micro_to_units(sim_spend_micro(account_id, start, end))
    shown_text = page.tile("Spend")
    shown = parse_shown_amount(shown_text)
    assert shown.matches(exact), f"Spend tile {shown_text!r}, simulator total {exact}"
    bars = trace_values(page.raw, "Spend")
    assert len(bars) == 1, f"expected one Spend trace, found {len(bars)}"
    assert abs(sum(bars[0]) - float(exact)) < 0.01 * max(1, len(bars[0])), (
        f"Spend bars sum to {sum(bars[0])}, simulator total {exact}"
    )
