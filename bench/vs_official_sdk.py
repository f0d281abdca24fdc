"""Against the official client: the large account's campaign data (every campaign, 90 days of
daily rows) fetched by this project's client and by Pinterest's own Python SDK
(pinterest-api-sdk 0.2.7) used the way its documentation shows: one campaign per call,
sequentially, no cache. Both talk to the same loopback simulator.

    python -m bench.vs_official_sdk [--latency-ms 150] [--smoke]

Targets on the large account: at least 10x fewer calls and 5x less time than the SDK.
The SDK lives in its own virtual environment (it pins six==1.16.0 and urllib3 1.26); it is
created on first use with `python -m venv --system-site-packages` and `pip install -r
bench/requirements.txt` (BENCH_SDK_VENV, default /tmp/bench-sdk-venv).

The simulator runs with its rate limits off here: the SDK's ~620 analytics calls in a row
would otherwise be refused after the 300th in a minute (Pinterest's ads_analytics limit), which
the table notes as the minutes of waiting the SDK would need against the real API.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import subprocess
import sys
import tempfile
from datetime import date, timedelta
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
    fresh_client,
    latency_ms_of,
    simulator,
    timed,
    today_utc,
)
from dashboard.kpis import BASE_COLUMNS, SPEND
from dashboard.loaders import ALL_STATUSES
from pinterest_client import PinterestClient
from pinterest_sim import DEMO_ACCOUNT_ID, LARGE_ACCOUNT_ID

DEFAULT_VENV: Final = Path("/tmp/bench-sdk-venv")
WORKER: Final = REPO_ROOT / "bench" / "sdk_worker.py"
ADS_ANALYTICS_PER_MINUTE: Final = 300  # Pinterest's published ads_analytics limit
RATE_LIMITS_OFF: Final = "enabled=0"


def sdk_python() -> Path:
    """The SDK environment's python, creating the environment on first use (a few seconds:
    the main environment's packages are seen through --system-site-packages)."""
    venv = Path(os.environ.get("BENCH_SDK_VENV", str(DEFAULT_VENV)))
    python = venv / "bin" / "python"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(str(venv) + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one creator at a time
        ready = venv / ".bench-ready"
        if not ready.exists():
            subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                           check=True)
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r",
                            str(REPO_ROOT / "bench" / "requirements.txt")],
                           check=True, cwd=REPO_ROOT, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            ready.write_text("pinterest-api-sdk installed\n")
    return python


def run_sdk(server: SimServerProcess, account: str, start: date, end: date) -> dict[str, Any]:
    """The SDK worker in its own environment; its JSON answer."""
    env = dict(os.environ)
    env.update({
        "PINTEREST_API_URI": server.base_url,
        "PINTEREST_ACCESS_TOKEN": TOKEN,
    })
    for name in ("PINTEREST_REFRESH_ACCESS_TOKEN", "PINTEREST_JSON_ENV_VARIABLES"):
        env.pop(name, None)
    # The SDK looks for a config.json under the parent of its working directory at import:
    # give it an empty one to search.
    with tempfile.TemporaryDirectory(prefix="bench-sdk-") as scratch:
        cwd = Path(scratch) / "run"
        cwd.mkdir()
        answer = subprocess.run(
            [str(sdk_python()), str(WORKER), "--account", account,
             "--start", start.isoformat(), "--end", end.isoformat(),
             "--columns", ",".join(BASE_COLUMNS), "--granularity", "DAY",
             "--statuses", ",".join(ALL_STATUSES)],
            cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=3600,
        )
    if answer.returncode != 0:
        raise RuntimeError(f"the SDK worker failed:\n{answer.stderr[-4000:]}")
    data: dict[str, Any] = json.loads(answer.stdout.strip().splitlines()[-1])
    return data


def ours(client: PinterestClient, account: str, start: date, end: date) -> dict[str, Any]:
    """This project's client: the campaign list, then every campaign's daily rows at once
    (250 ids per call, batches in parallel)."""
    campaigns = client.list_campaigns(account, entity_statuses=list(ALL_STATUSES)).data
    rows = client.analytics(
        account, "CAMPAIGN", start_date=start, end_date=end, columns=list(BASE_COLUMNS),
        granularity="DAY", entity_ids=[c.id for c in campaigns],
    ).data
    return {
        "campaigns": len(campaigns),
        "rows": len(rows),
        "spend": sum(float(r.get(SPEND, 0) or 0) for r in rows),
    }


def run(args: argparse.Namespace) -> BenchResult:
    latency_ms = latency_ms_of(args)
    account = DEMO_ACCOUNT_ID if args.smoke else LARGE_ACCOUNT_ID
    days = 7 if args.smoke else 90
    end = today_utc() - timedelta(days=1)
    start = end - timedelta(days=days - 1)
    result = BenchResult("vs_official_sdk", settings={
        "latency_ms": latency_ms, "account": account, "days": days, "granularity": "DAY",
        "sdk": "pinterest-api-sdk 0.2.7",
    })
    with simulator(latency_ms, rate_limits=RATE_LIMITS_OFF) as server:
        ours(fresh_client(server), account, start, end)  # warm the simulator's days
        server.reset_stats()
        client = fresh_client(server)
        mine, my_seconds = timed(lambda: ours(client, account, start, end))
        my_stats = server.stats()
        client.close()

        server.reset_stats()
        sdk = run_sdk(server, account, start, end)
        sdk_stats = server.stats()

    # Calls beyond the first minute's 300 wait for later minutes.
    sdk_minutes = (sdk_stats.analytics_calls - 1) // ADS_ANALYTICS_PER_MINUTE
    result.facts.update({
        "campaigns": mine["campaigns"],
        "our_calls": my_stats.total,
        "our_analytics_calls": my_stats.analytics_calls,
        "sdk_calls": sdk_stats.total,
        "sdk_analytics_calls": sdk_stats.analytics_calls,
        "sdk_campaigns": sdk["campaigns"],
        "rows_ours": mine["rows"],
        "rows_sdk": sdk["rows"],
        "spend_ours": mine["spend"],
        "spend_sdk": sdk["spend"],
        "same_data": mine["rows"] == sdk["rows"] and mine["spend"] == sdk["spend"],
        "our_429s": my_stats.rate_limited,
        "sdk_429s": sdk_stats.rate_limited,
    })
    name = f"{mine['campaigns']} campaigns, {days} days, DAY"
    result.add(Row(
        name=f"calls: SDK / ours ({name})", value=sdk_stats.total, unit="calls",
        reference=my_stats.total, reference_name="ours", target=10.0, lower_is_better=False,
        note=(f"ours {my_stats.total} calls" + (
            f"; at {ADS_ANALYTICS_PER_MINUTE}/min the SDK's {sdk_stats.analytics_calls} "
            f"analytics calls need over {sdk_minutes} min" if sdk_minutes >= 1 else "")),
    ))
    result.add(Row(
        name=f"time: SDK / ours ({name})", value=float(sdk["seconds"]), unit="s",
        reference=my_seconds, reference_name="ours", target=5.0, lower_is_better=False,
        note=f"{mine['rows']:,} rows each; same rows and spend: {result.facts['same_data']}",
    ))
    return result


def main(argv: list[str] | None = None) -> int:
    args = base_parser(__doc__.splitlines()[0] if __doc__ else "vs SDK").parse_args(argv)
    return finish(run(args), args.json)


if __name__ == "__main__":
    sys.exit(main())
