"""Smoke runs of every benchmark (tiny sizes, ~2 ms latency) so they do not rot.

Each benchmark runs as its own process, as a developer runs it (`python -m bench.NAME
--smoke`), and the deterministic parts of its result are checked: call counts against the
simulator's own world, zero 429s, a warm cache making no upstream call. Times are never
asserted.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pinterest_sim import DEMO_ACCOUNT_ID, LARGE_ACCOUNT_ID, World

REPO_ROOT = Path(__file__).resolve().parents[2]
IDS_PER_CALL = 250  # Pinterest's entity ids per sync analytics call
PAGE_SIZE = 250  # Pinterest's largest list page
LISTED_STATUSES = ("ACTIVE", "PAUSED", "ARCHIVED")  # what the Campaigns page lists
SDK_PAGE_SIZE = 100  # the largest page the SDK documents for Campaign.get_all

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7)


def campaign_count(world: World, account_id: str) -> int:
    """Campaigns of every status (the Campaigns page lists active, paused and archived)."""
    return len(world.campaigns(account_id))


def listing_calls(world: World, account_id: str) -> int:
    """Calls to list the account's campaigns of the listed statuses on a cold client: each
    status from both ends, two calls a round, two pages of 250 a round (the readers must
    overlap by one item to know they met)."""
    per_status = [sum(1 for c in world.campaigns(account_id) if c.status == status)
                  for status in LISTED_STATUSES]
    assert sum(per_status) == campaign_count(world, account_id)
    return sum(2 * max(1, math.ceil((k + 1) / (2 * PAGE_SIZE))) for k in per_status)


def run_smoke(name: str, tmp_path: Path, *extra: str) -> dict[str, Any]:
    out = tmp_path / f"{name}.json"
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", "--smoke", "--json", str(out), *extra],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "| benchmark |" in done.stdout  # the table was printed
    result: dict[str, Any] = json.loads(out.read_text())
    assert result["name"] == name
    assert result["rows"], "a benchmark with no figure"
    return result


def test_cold_page_data(tmp_path: Path, world: World) -> None:
    facts = run_smoke("cold_page_data", tmp_path)["facts"]
    # Overview from a link whose account the token has listed before (the cached list costs
    # no call): totals and series for the period and the one before, the ready state (an
    # analytics-category call) and the metric definitions.
    assert facts["overview_analytics_calls"] == 5
    assert facts["overview_calls"] == 6
    # Campaigns of the large account: each status listed from both ends (two calls a round,
    # two pages of 250 a round; the readers must overlap to know they met); then one
    # analytics call per 250 campaigns.
    n = campaign_count(world, LARGE_ACCOUNT_ID)
    assert n > 600
    assert facts["campaigns_analytics_calls"] == math.ceil(n / IDS_PER_CALL)
    assert facts["campaigns_calls"] == (listing_calls(world, LARGE_ACCOUNT_ID)
                                        + math.ceil(n / IDS_PER_CALL))
    # The page's own calls are the same calls; a link to an account the token has not
    # listed yet adds the account list, read first; so does a first visit.
    assert facts["overview_own_calls"] == facts["overview_calls"]
    assert facts["campaigns_own_calls"] == facts["campaigns_calls"]
    assert facts["campaigns_own_analytics_calls"] == facts["campaigns_analytics_calls"]
    assert facts["overview_unlisted_calls"] == facts["overview_calls"] + 1
    assert facts["overview_first_calls"] == facts["overview_calls"] + 1
    for key in ("overview", "campaigns", "overview_own", "campaigns_own", "overview_first",
                "overview_unlisted"):
        assert facts[f"{key}_429s"] == 0
        assert facts[f"{key}_calls_stable"] is True
    # Each call sent once: nothing fetched twice within one cold load.
    assert facts["overview_distinct_urls"] == facts["overview_calls"]
    assert facts["campaigns_distinct_urls"] == facts["campaigns_calls"]
    assert facts["overview_unlisted_distinct_urls"] == facts["overview_unlisted_calls"]


def test_vs_official_sdk(tmp_path: Path, world: World) -> None:
    facts = run_smoke("vs_official_sdk", tmp_path)["facts"]
    n = campaign_count(world, DEMO_ACCOUNT_ID)
    assert facts["campaigns"] == facts["sdk_campaigns"] == n
    # Ours: the campaign list, then one analytics call per 250 campaigns.
    assert facts["our_calls"] == (listing_calls(world, DEMO_ACCOUNT_ID)
                                  + math.ceil(n / IDS_PER_CALL))
    # The SDK: its list pages, then one analytics call per campaign.
    assert facts["sdk_analytics_calls"] == n
    assert facts["sdk_calls"] == math.ceil(n / SDK_PAGE_SIZE) + n
    # Both fetched the same data.
    assert facts["same_data"] is True
    assert facts["rows_ours"] == facts["rows_sdk"] > 0
    assert facts["our_429s"] == facts["sdk_429s"] == 0


def test_warm_page_data(tmp_path: Path) -> None:
    facts = run_smoke("warm_page_data", tmp_path)["facts"]
    assert facts["overview_warm_calls"] == 0
    assert facts["campaigns_warm_calls"] == 0
    assert facts["overview_warm_429s"] == facts["campaigns_warm_429s"] == 0


def test_team_load(tmp_path: Path) -> None:
    facts = run_smoke("team_load", tmp_path)["facts"]
    assert facts["errors"] == []
    assert facts["loads"] >= facts["viewers"]  # every viewer loaded at least once
    # Shorter than one cache period: each distinct query went upstream exactly once, however
    # many viewers asked for it.
    assert facts["periods"] == 1
    assert facts["upstream_calls"] == facts["distinct_queries"] == facts["recorded_calls"]
    assert facts["upstream_calls"] <= facts["bound"]
    assert facts["no_query_twice_per_period"] is True
    assert facts["sim_429s"] == facts["client_429s"] == 0


def test_render_cost(tmp_path: Path) -> None:
    facts = run_smoke("render_cost", tmp_path)["facts"]
    assert {"overview", "campaigns", "audience", "targeting"} <= set(facts["pages"])
    assert all(count == 0 for count in facts["warm_upstream_calls"].values()), facts
    assert all(count == 0 for count in facts["exceptions"].values()), facts
    assert 0 < facts["cache_bytes"] <= facts["cache_max_bytes"]
    assert 0 < facts["cache_entries"] <= facts["cache_max_entries"]


def test_server_load(tmp_path: Path) -> None:
    """Sessions over Streamlit's own websocket protocol (bench/st_client.py) against the app
    and its floor pages: every view finished with no exception, warm views and the crowd made
    no upstream call, and the floor drew the app's page again (it replays its elements; a
    widget drawn through its own call may add one)."""
    result = run_smoke("server_load", tmp_path)
    facts = result["facts"]
    assert facts["pages"] == ["overview", "campaigns"]
    assert facts["failures"] == {"overview": [], "campaigns": []}
    assert facts["exceptions"] == {"overview": 0, "campaigns": 0}
    assert facts["warm_upstream_calls"] == {"overview": 0, "campaigns": 0}
    for page in facts["pages"]:
        assert facts["elements"][page] > 10  # title, sidebar, tiles, charts, table
        assert abs(facts["floor_elements"][page] - facts["elements"][page]) <= 2
    assert facts["crowd_finished"] == facts["crowd_sessions"] == 3
    assert facts["crowd_failures"] == []
    assert facts["crowd_upstream_calls"] == 0
    names = [row["name"] for row in result["rows"]]
    assert "overview: server CPU per view, warm" in names
    assert all(row["reference"] for row in result["rows"])  # each figure beside its reference


@pytest.mark.e2e
def test_browser(tmp_path: Path) -> None:
    facts = run_smoke("browser", tmp_path)["facts"]
    assert facts["cold_upstream_calls"] == 7  # the Overview's cold page data (see above)
    assert facts["warm_upstream_calls"] == 0
    assert facts["warm_429s"] == 0


def test_replicas(tmp_path: Path) -> None:
    """Real app processes (`streamlit run app.py`) driven through Streamlit's websocket
    protocol: two processes sharing one Redis pay for each distinct query once, as one process
    does; two without it pay twice; no 429 either way."""
    facts = run_smoke("replicas", tmp_path)["facts"]
    reference = facts["reference_calls"]  # one session alone on one process, each view once
    assert reference > 0
    assert facts["alone_failures"] == []
    assert facts["calls_1_redis"] == reference
    assert facts["calls_2_redis"] == reference
    assert facts["calls_2_local"] == 2 * reference
    for tag in ("1_redis", "2_redis", "2_local"):
        assert facts[f"429s_{tag}"] == 0
        assert facts[f"failures_{tag}"] == 0, facts[f"failure_samples_{tag}"]
        assert facts[f"runs_{tag}"] == 6  # 2 views x 3 sessions, one round
    for days in (90, 1):
        assert facts[f"hit_in_process_s_{days}d"] > 0
        assert facts[f"hit_through_redis_s_{days}d"] > 0


def test_run_all_smoke_leaves_the_readme_alone(tmp_path: Path) -> None:
    readme = REPO_ROOT / "bench" / "README.md"
    before = readme.read_text()
    done = subprocess.run(
        [sys.executable, "-m", "bench.run_all", "--smoke", "--only", "warm_page_data"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| warm_page_data |" in done.stdout
    assert "CPUs" in done.stdout  # the machine line
    assert readme.read_text() == before
