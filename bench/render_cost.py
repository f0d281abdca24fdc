"""Render cost: the time of one Streamlit script run of each page with its data in cache
(streamlit.testing AppTest, the app in demo mode), and the process's peak memory with the
response cache filled to its configured bound.

    python -m bench.render_cost [--smoke] [--fill-mib N]

Pages come from app_shell.py's st.Page list. Each page is run once cold (its data fetched into the
app's one client), then timed on a second run, which must make 0 upstream calls. Then the
app client's cache (the process-wide `default_cache()`) is filled with distinct analytics
answers of the large account (fetched from a loopback simulator process, so the simulator's
own memory is not counted) until its byte or entry bound stops it growing, every page is
run again, and the peak RSS (ru_maxrss) is read.
"""

from __future__ import annotations

import argparse
import gc
import inspect
import os
import re
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

from bench.common import (
    REPO_ROOT,
    TOKEN,
    BenchResult,
    Row,
    base_parser,
    finish,
    simulator,
    today_utc,
)
from dashboard.kpis import BASE_COLUMNS
from pinterest_client import PinterestClient, ResponseCache, default_cache
from pinterest_sim import DEMO_ACCOUNT_ID, LARGE_ACCOUNT_ID

APP: Final = REPO_ROOT / "app.py"
SHELL: Final = REPO_ROOT / "app_shell.py"  # where the page list is
MIB: Final = 1024 * 1024


def page_scripts() -> list[str]:
    """The app's pages, in sidebar order (app_shell.py's st.Page list), as
    AppTest.switch_page paths."""
    names = re.findall(r'_page\(\s*"([^"]+\.py)"', SHELL.read_text())
    if not names:
        raise RuntimeError(f"no _page(...) list found in {SHELL}")
    return [f"pages/{name}" for name in names]


def peak_rss_mib() -> float:
    """The process's peak resident set size so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def current_rss_mib() -> float | None:
    """The resident set size now (Linux /proc), after a garbage collection."""
    gc.collect()
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def configured_bound() -> tuple[int, int]:
    """(max_bytes, max_entries) of the cache the app uses (ResponseCache's defaults)."""
    params = inspect.signature(ResponseCache.__init__).parameters
    return int(params["max_bytes"].default), int(params["max_entries"].default)


def fill_cache(client: PinterestClient, account: str, target_bytes: int, max_entries: int
               ) -> dict[str, Any]:
    """Distinct analytics answers (each end date gives new keys) until the cache holds
    `target_bytes`, reaches its entry bound, or stops growing (evicting at its bound)."""
    end = today_utc() - timedelta(days=3)
    calls = 0
    last = -1
    while True:
        stats = client.cache.stats()
        if stats.bytes >= target_bytes or stats.entries >= max_entries:
            break
        if calls >= 3 and stats.bytes <= last:
            break  # evicting: the bound holds
        last = stats.bytes
        day = end - timedelta(days=calls)
        client.analytics(account, "CAMPAIGN", start_date=day - timedelta(days=60),
                         end_date=day, columns=list(BASE_COLUMNS), granularity="DAY")
        calls += 1
    stats = client.cache.stats()
    return {"fill_calls": calls, "cache_bytes": stats.bytes, "cache_entries": stats.entries}


def run(args: argparse.Namespace) -> BenchResult:
    from streamlit.testing.v1 import AppTest, app_test

    from web.pages_mode import ServedPagesManager

    # pages/ beside app.py: AppTest gets the served app's pages mode (web/pages_mode.py).
    setattr(app_test, "PagesManager", ServedPagesManager)  # noqa: B010 (not exported)

    max_bytes, max_entries = configured_bound()
    target = int(args.fill_mib * MIB) if args.fill_mib is not None else max_bytes
    if args.smoke and args.fill_mib is None:
        target = 2 * MIB
    result = BenchResult("render_cost", settings={
        "fill_target_mib": round(target / MIB, 1), "cache_max_mib": max_bytes / MIB,
        "cache_max_entries": max_entries,
    })
    with tempfile.TemporaryDirectory(prefix="bench-render-") as scratch:
        os.environ.pop("PINTEREST_ACCESS_TOKEN", None)  # demo mode: the in-process simulator
        os.environ["PINTEREST_SIM_REPORT_DELAY"] = "0"
        os.environ["PINTEREST_DASHBOARD_STORE"] = str(Path(scratch) / "reports.sqlite3")
        at = AppTest.from_file(str(APP), default_timeout=300)
        at.run()
        context = at.session_state["page_context"]
        sim = context.connection.simulator
        client: PinterestClient = context.connection.client
        pages = page_scripts()
        warm_calls: dict[str, int] = {}
        exceptions: dict[str, int] = {}
        for script in pages:
            at.switch_page(script)
            at.run()  # cold: the page's data into the client's cache
            before = sim.stats.total
            began = time.perf_counter()
            at.run()
            seconds = time.perf_counter() - began
            name = Path(script).stem
            warm_calls[name] = sim.stats.total - before
            exceptions[name] = len(at.exception)
            result.add(Row(name=f"script run: {name}", value=seconds, unit="s",
                           note=f"{warm_calls[name]} upstream calls"))
        rss_before = peak_rss_mib()
        held_before = current_rss_mib()
        # Filled through a loopback simulator in its own process, into the same process-wide
        # cache the app's client uses: the simulator's own memory stays out of the figure.
        if client.cache is not default_cache():
            raise RuntimeError("the app's client does not use the process-wide cache")
        with simulator(0) as server:
            filler = PinterestClient(TOKEN, base_url=server.base_url)
            account = DEMO_ACCOUNT_ID if args.smoke else LARGE_ACCOUNT_ID
            filled = fill_cache(filler, account, target, max_entries)
            filler.close()
        for script in pages:
            at.switch_page(script)
            at.run()
            exceptions[Path(script).stem] += len(at.exception)
        rss_full = peak_rss_mib()
        held_full = current_rss_mib()
    result.facts.update({
        "pages": [Path(p).stem for p in pages],
        "warm_upstream_calls": warm_calls,
        "exceptions": exceptions,
        "cache_max_bytes": max_bytes,
        "cache_max_entries": max_entries,
        "rss_now_before_fill_mib": held_before,
        "rss_now_filled_mib": held_full,
        **filled,
    })
    result.add(Row(
        name="peak RSS, cache filled", value=rss_full, unit="MiB",
        reference=rss_before, reference_name="peak before filling",
        note=(f"cache {filled['cache_bytes'] / MIB:,.1f} MiB of answers in "
              f"{filled['cache_entries']} entries (bound {max_bytes / MIB:g} MiB / "
              f"{max_entries} entries)"),
    ))
    if held_before is not None and held_full is not None:
        result.add(Row(
            name="RSS held after filling (after gc)", value=held_full, unit="MiB",
            reference=held_before, reference_name="before filling",
            note=f"+{held_full - held_before:,.0f} MiB for "
                 f"{filled['cache_bytes'] / MIB:,.1f} MiB of cached answers",
        ))
    return result


def parser() -> argparse.ArgumentParser:
    p = base_parser(__doc__.splitlines()[0] if __doc__ else "render cost")
    p.add_argument("--fill-mib", type=float, default=None,
                   help="fill the cache to this many MiB (default: its configured bound)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return finish(run(args), args.json)


if __name__ == "__main__":
    sys.exit(main())
