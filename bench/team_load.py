"""A team at once: 50 viewers (threads of one process sharing one client, like the Streamlit
server's one client per process), each with its own filters drawn from a small set, each
reloading its page's data every 10 s for 2 minutes.

    python -m bench.team_load [--viewers 50] [--refresh-s 10] [--duration 120] [--smoke]

Targets: upstream calls <= distinct queries x cache periods spanned (the shortest TTL,
the app's LIVE_CONFIG.ttl_recent_s, is the period), and no query fetched twice within one period;
zero 429s; p50 / p95 page-data time.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Final

import httpx

from bench.common import (
    BenchResult,
    Row,
    SimServerProcess,
    base_parser,
    finish,
    fresh_client,
    latency_ms_of,
    percentile,
    simulator,
    today_utc,
)
from dashboard.filters import Filters, Preset
from dashboard.loaders import load_accounts, load_campaigns, load_overview
from pinterest_client import PinterestClient
from pinterest_sim import DEMO_ACCOUNT_ID
from pinterest_sim.world import EUR_ACCOUNT_ID


@dataclass(frozen=True)
class View:
    """One viewer's page and filters."""

    page: str  # "overview" or "campaigns"
    account_id: str
    preset: Preset

    def filters(self, today: date) -> Filters:
        base = Filters.default(today).with_preset(self.preset, today)
        return replace(base, account_id=self.account_id)

    def load(self, client: PinterestClient, today: date) -> Any:
        load_accounts(client)  # the sidebar, every run
        if self.page == "overview":
            return load_overview(client, self.account_id, self.filters(today), today)
        return load_campaigns(client, self.account_id, self.filters(today), today)


# The small set viewers draw from: 2 pages x 2 accounts x 2 ranges.
VIEWS: Final[tuple[View, ...]] = tuple(
    View(page, account, preset)
    for page in ("overview", "campaigns")
    for account in (DEMO_ACCOUNT_ID, EUR_ACCOUNT_ID)
    for preset in ("last_7_days", "last_30_days")
)


class TimedRecorder(httpx.BaseTransport):
    """An HTTP transport that remembers when each URL was sent."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport(limits=httpx.Limits(max_connections=200))
        self._lock = threading.Lock()
        self.sent: dict[str, list[float]] = defaultdict(list)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.sent[str(request.url)].append(time.monotonic())
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def viewer(view: View, client: PinterestClient, today: date, *, start_at: float, stop_at: float,
           refresh_s: float, times: list[float], errors: list[str], lock: threading.Lock
           ) -> None:
    """Load, then reload every `refresh_s` (on the viewer's own ticks) until `stop_at`."""
    tick = start_at
    while tick < stop_at:
        delay = tick - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        began = time.perf_counter()
        try:
            view.load(client, today)
        except Exception as exc:  # reported, the viewer keeps refreshing
            with lock:
                errors.append(type(exc).__name__ + ": " + str(exc)[:200])
        else:
            with lock:
                times.append(time.perf_counter() - began)
        tick += refresh_s


def run_team(server: SimServerProcess, *, viewers: int, refresh_s: float, duration_s: float,
             seed: int = 7) -> dict[str, Any]:
    today = today_utc()
    transport = TimedRecorder()
    client = fresh_client(server, transport=transport)
    rng = random.Random(seed)
    views = [rng.choice(VIEWS) for _ in range(viewers)]
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    server.reset_stats()
    began = time.monotonic()
    stop_at = began + duration_s
    threads = [
        threading.Thread(
            target=viewer, args=(view, client, today),
            kwargs={"start_at": began + rng.uniform(0, refresh_s), "stop_at": stop_at,
                    "refresh_s": refresh_s, "times": times, "errors": errors, "lock": lock},
            name=f"viewer-{i}", daemon=True,
        )
        for i, view in enumerate(views)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    stats = server.stats()
    client_stats = client.stats()
    # The same page loads alone (cache warm, nothing else running): the contention reference.
    solo = []
    for view in sorted(set(views), key=repr):
        t0 = time.perf_counter()
        view.load(client, today)
        solo.append(time.perf_counter() - t0)
    client.close()
    period = client.config.ttl_recent_s
    distinct = len(transport.sent)
    periods = int(elapsed // period) + 1
    gaps = [b - a for sends in transport.sent.values() for a, b in itertools.pairwise(sends)]
    return {
        "viewers": viewers,
        "distinct_views": len(set(views)),
        "loads": len(times),
        "errors": errors,
        "upstream_calls": stats.total,
        "recorded_calls": sum(len(s) for s in transport.sent.values()),
        "distinct_queries": distinct,
        "cache_period_s": period,
        "periods": periods,
        "bound": distinct * periods,
        "min_repeat_gap_s": min(gaps) if gaps else None,
        "sim_429s": stats.rate_limited,
        "client_429s": client_stats.rate_limited_429s,
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "solo_p50": percentile(solo, 50),
        "elapsed": elapsed,
    }


def run(args: argparse.Namespace) -> BenchResult:
    latency_ms = latency_ms_of(args)
    if args.smoke:
        viewers, refresh_s, duration_s = 12, 0.5, 2.0
    else:
        viewers, refresh_s, duration_s = args.viewers, args.refresh_s, args.duration
    result = BenchResult("team_load", settings={
        "latency_ms": latency_ms, "viewers": viewers, "refresh_s": refresh_s,
        "duration_s": duration_s, "views": len(VIEWS),
    })
    with simulator(latency_ms) as server:
        m = run_team(server, viewers=viewers, refresh_s=refresh_s, duration_s=duration_s)
    result.facts.update({k: v for k, v in m.items() if k not in ("p50", "p95", "solo_p50")})
    no_repeat = m["min_repeat_gap_s"] is None or m["min_repeat_gap_s"] >= m["cache_period_s"]
    result.facts["no_query_twice_per_period"] = no_repeat
    result.add(Row(
        name="upstream calls / (distinct queries x cache periods)",
        value=m["upstream_calls"], unit="calls", reference=m["bound"],
        reference_name=f"{m['distinct_queries']} x {m['periods']}", target=1.0,
        note=(f"{m['loads']} page loads by {viewers} viewers; {m['sim_429s']} 429s; "
              f"repeats of one query >= {m['cache_period_s']:g} s apart: {no_repeat}"),
    ))
    for q in ("p50", "p95"):
        result.add(Row(
            name=f"page-data time {q}", value=m[q], unit="s", reference=m["solo_p50"],
            reference_name="one viewer alone, warm",
            note="includes the cold first loads" if q == "p95" else "",
        ))
    return result


def parser() -> argparse.ArgumentParser:
    p = base_parser(__doc__.splitlines()[0] if __doc__ else "team load")
    p.add_argument("--viewers", type=int, default=50)
    p.add_argument("--refresh-s", type=float, default=10.0)
    p.add_argument("--duration", type=float, default=120.0, help="seconds")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return finish(run(args), args.json)

if __name__ == "__main__":
    sys.exit(main())
