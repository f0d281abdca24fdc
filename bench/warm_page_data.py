"""Warm page data: the Overview and the large Campaigns page again, with the cache warm.

    python -m bench.warm_page_data [--latency-ms 150] [--repeat 5] [--smoke]

Target: 0 upstream calls. The time is the page data's own work (cache look-ups, frames),
reported beside one call's added latency (what a single upstream call would cost at least).
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

from bench.common import (
    BenchResult,
    Row,
    base_parser,
    finish,
    fresh_client,
    latency_ms_of,
    simulator,
    timed,
    today_utc,
)
from bench.pages import CAMPAIGNS_DAYS, SMOKE_CAMPAIGNS_DAYS, campaigns_page, overview_page
from pinterest_client import PinterestClient

PageFn = Callable[[PinterestClient, date], Any]


def run(args: argparse.Namespace) -> BenchResult:
    latency_ms = latency_ms_of(args)
    days = SMOKE_CAMPAIGNS_DAYS if args.smoke else CAMPAIGNS_DAYS
    repeat = 2 if args.smoke else args.repeat
    today = today_utc()
    result = BenchResult("warm_page_data", settings={
        "latency_ms": latency_ms, "repeat": repeat, "campaigns_days": days,
    })
    pages: list[tuple[str, str, PageFn]] = [
        ("overview", "Overview (demo account, last 7 days vs 7 before)", overview_page),
        ("campaigns", f"Campaigns (large account, {days} days, DAY)",
         lambda c, t: campaigns_page(c, t, days)),
    ]
    with simulator(latency_ms) as server:
        for key, name, page in pages:
            client = fresh_client(server)
            page(client, today)  # cold: fills this client's cache
            server.reset_stats()
            seconds = [timed(functools.partial(page, client, today))[1] for _ in range(repeat)]
            stats = server.stats()
            client.close()
            result.facts[f"{key}_warm_calls"] = stats.total
            result.facts[f"{key}_warm_429s"] = stats.rate_limited
            result.add(Row(
                name=name, value=statistics.median(seconds), unit="s",
                reference=latency_ms / 1000.0 if latency_ms > 0 else None,
                reference_name="one call's added latency",
                note=f"{stats.total} upstream calls in {repeat} warm loads",
            ))
    return result


def parser() -> argparse.ArgumentParser:
    p = base_parser(__doc__.splitlines()[0] if __doc__ else "warm page data")
    p.add_argument("--repeat", type=int, default=5, help="warm loads per page (median)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return finish(run(args), args.json)


if __name__ == "__main__":
    sys.exit(main())
