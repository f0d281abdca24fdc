"""Cold page data: everything the Overview needs, and the large account's Campaigns page, from
an empty cache, against the latency floor (the slowest single call of the page, sent alone).

    python -m bench.cold_page_data [--latency-ms 150] [--repeat 3] [--smoke]

Targets: Overview within 1.5x of its floor; Campaigns (620 campaigns, 90 days) within 3x.
Each page is timed as opened from a link (its calls beside the account list, as app.py
does), with the account list already known (as when coming from another page), and the
Overview also as a first visit with no account in the URL (the list must come first).
The simulator is warmed first (its generated days cached) so both the page and the floor see
the same server; each timed run uses a new client with an empty cache.
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
    RecordingTransport,
    Row,
    SimServerProcess,
    base_parser,
    finish,
    fresh_client,
    latency_floor,
    latency_ms_of,
    simulator,
    timed,
    today_utc,
)
from bench.pages import (
    CAMPAIGNS_DAYS,
    SMOKE_CAMPAIGNS_DAYS,
    account_list,
    campaigns_calls,
    campaigns_page,
    overview_calls,
    overview_first_visit,
    overview_page,
)
from pinterest_client import PinterestClient

PageFn = Callable[[PinterestClient, date], Any]


def measure_cold(server: SimServerProcess, page: PageFn, today: date, repeat: int, *,
                 known_accounts: bool = False) -> dict[str, Any]:
    """Median cold time over `repeat` runs (each with a new empty cache), the calls one cold
    run makes (as the simulator counted them), and the page's latency floor.

    `known_accounts`: the account list is fetched (untimed, uncounted) before the page, as
    when the user comes from another page of the app.
    """
    warm_up = fresh_client(server)
    account_list(warm_up)
    page(warm_up, today)  # warm the simulator, not the client
    seconds: list[float] = []
    calls: list[int] = []
    analytics: list[int] = []
    rate_limited = 0
    urls: list[str] = []
    for _ in range(max(1, repeat)):
        transport = RecordingTransport()
        client = fresh_client(server, transport=transport)
        if known_accounts:
            account_list(client)
            transport.urls.clear()
        server.reset_stats()
        _, elapsed = timed(functools.partial(page, client, today))
        stats = server.stats()
        seconds.append(elapsed)
        calls.append(stats.total)
        analytics.append(stats.analytics_calls)
        rate_limited += stats.rate_limited
        urls = transport.urls
        client.close()
    floor, slowest_path = latency_floor(urls, repeat=max(1, repeat))
    return {
        "seconds": statistics.median(seconds),
        "calls": calls[-1],
        "calls_all_runs_equal": len(set(calls)) == 1,
        "analytics_calls": analytics[-1],
        "distinct_urls": len(set(urls)),
        "rate_limited": rate_limited,
        "floor": floor,
        "slowest_path": slowest_path,
    }


def run(args: argparse.Namespace) -> BenchResult:
    latency_ms = latency_ms_of(args)
    days = SMOKE_CAMPAIGNS_DAYS if args.smoke else CAMPAIGNS_DAYS
    repeat = 1 if args.smoke else args.repeat
    today = today_utc()
    result = BenchResult("cold_page_data", settings={
        "latency_ms": latency_ms, "repeat": repeat, "campaigns_days": days,
    })
    with simulator(latency_ms) as server:
        pages: list[tuple[str, str, PageFn, float | None, bool]] = [
            ("overview", "Overview from a link (demo account, last 7 days vs 7 before; "
             "the token's account list cached, as after an earlier visit)",
             overview_page, 1.5, True),
            ("campaigns", f"Campaigns from a link (large account, {days} days, DAY; account "
             "list cached)", lambda c, t: campaigns_page(c, t, days), 3.0, True),
            ("overview_unlisted", "Overview from a link, the token's account list not read yet "
             "(the list confirms the account first)", overview_page, None, False),
            ("overview_own", "Overview, its own calls (account list known)", overview_calls,
             1.5, True),
            ("campaigns_own", "Campaigns, its own calls (account list known)",
             lambda c, t: campaigns_calls(c, t, days), 3.0, True),
            ("overview_first", "Overview, first visit (no account in the URL: list first)",
             overview_first_visit, None, False),
        ]
        for key, name, page, target, known in pages:
            m = measure_cold(server, page, today, repeat, known_accounts=known)
            result.facts[f"{key}_calls"] = m["calls"]
            result.facts[f"{key}_analytics_calls"] = m["analytics_calls"]
            result.facts[f"{key}_distinct_urls"] = m["distinct_urls"]
            result.facts[f"{key}_calls_stable"] = m["calls_all_runs_equal"]
            result.facts[f"{key}_429s"] = m["rate_limited"]
            result.add(Row(
                name=name, value=m["seconds"], unit="s", reference=m["floor"],
                reference_name="floor", target=target,
                note=f"{m['calls']} calls; slowest alone: {m['slowest_path']}",
            ))
    return result


def parser() -> argparse.ArgumentParser:
    p = base_parser(__doc__.splitlines()[0] if __doc__ else "cold page data")
    p.add_argument("--repeat", type=int, default=3, help="cold runs per page (median)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return finish(run(args), args.json)


if __name__ == "__main__":
    sys.exit(main())
