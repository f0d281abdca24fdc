"""Report builder (async reports) and bulk export, submitted in a real browser on demo data.

Each result is checked against the simulator's own state: the report's rows and spend against
its metrics engine, the bulk file's entity counts against its world.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from e2e_harness import (
    DEMO_SEED,
    AppPage,
    RunningApp,
    ground_truth_simulator,
    micro_to_units,
    sim_spend_micro,
    trace_values,
)

from pinterest_sim.world import DEMO_ACCOUNT_ID

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

JOB_TIMEOUT_MS = 180_000  # async jobs take a few simulated seconds each, plus polling backoff
REPORT_READY = re.compile(
    r"Report ready: (?P<rows>[\d,]+) rows · (?P<start>\d{4}-\d{2}-\d{2}) to "
    r"(?P<end>\d{4}-\d{2}-\d{2})"
)
BULK_READY = re.compile(r"Bulk download \S+ ready: (?P<counts>[^.]+)\.")


def _alert_texts(page: AppPage) -> str:
    return "\n".join(page.raw.locator('[data-testid="stAlert"]').all_inner_texts())


def test_report_builder_runs_a_report_and_shows_its_table_and_chart(
    demo_app: RunningApp, page: AppPage
) -> None:
    page.goto(demo_app.url)
    page.open_page("Report builder")
    page.check_page("report-builder-form")
    page.raw.get_by_role("button", name=re.compile(r"Run report")).click()
    page.raw.get_by_text(re.compile(r"Report ready: \d")).first.wait_for(timeout=JOB_TIMEOUT_MS)
    page.check_page("report-builder-result", charts=1)

    match = REPORT_READY.search(_alert_texts(page))
    assert match, _alert_texts(page)
    start, end = date.fromisoformat(match["start"]), date.fromisoformat(match["end"])
    engine = ground_truth_simulator(DEMO_SEED).engine
    daily = engine.rows(
        DEMO_ACCOUNT_ID, "AD_ACCOUNT", None, start, end, "DAY", ["SPEND_IN_MICRO_DOLLAR"]
    )
    assert int(match["rows"].replace(",", "")) == len(daily)
    assert page.raw.locator('[data-testid="stDataFrame"]').first.is_visible()

    spend = trace_values(page.raw, "Spend")
    assert len(spend) == 1 and len(spend[0]) == len(daily)
    exact = float(micro_to_units(sim_spend_micro(DEMO_ACCOUNT_ID, start, end)))
    assert abs(sum(spend[0]) - exact) < 0.01 * len(daily), (sum(spend[0]), exact)
    for label in ("Download CSV", "Download XLSX"):
        assert page.raw.get_by_role("button", name=re.compile(label)).first.is_visible()


def test_bulk_export_downloads_the_accounts_active_entities(
    demo_app: RunningApp, page: AppPage
) -> None:
    page.goto(demo_app.url)
    page.open_page("Bulk export")
    page.check_page("bulk-export-form")
    page.raw.get_by_role("button", name=re.compile(r"Request bulk download")).click()
    page.raw.get_by_text(re.compile(r"Bulk download \S+ ready")).first.wait_for(
        timeout=JOB_TIMEOUT_MS
    )
    page.check_page("bulk-export-result")

    world = ground_truth_simulator(DEMO_SEED).world
    expected = {
        "campaigns": sum(c.status == "ACTIVE" for c in world.campaigns(DEMO_ACCOUNT_ID)),
        "ad groups": sum(g.status == "ACTIVE" for g in world.ad_groups(DEMO_ACCOUNT_ID)),
        "ads": sum(a.status == "ACTIVE" for a in world.ads(DEMO_ACCOUNT_ID)),
    }
    match = BULK_READY.search(_alert_texts(page))
    assert match, _alert_texts(page)
    shown = {
        name.strip(): int(count.replace(",", ""))
        for count, name in re.findall(r"([\d,]+) ([a-z ]+)", match["counts"])
    }
    assert shown == expected
    tabs = page.raw.get_by_role("tab").all_inner_texts()
    for label, count in (
        ("Campaigns", expected["campaigns"]),
        ("Ad groups", expected["ad groups"]),
        ("Ads", expected["ads"]),
    ):
        assert f"{label} ({count:,})" in tabs, tabs
    assert page.raw.locator('[data-testid="stDataFrame"]').first.is_visible()
    assert page.raw.get_by_role("button", name=re.compile("Download the file")).is_visible()
