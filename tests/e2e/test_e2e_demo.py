"""The dashboard in a real browser on demo data (no token: the built-in simulator).

One app process (the session's `demo_app`) serves these tests; each test opens its own browser
context, so its session (sidebar state) starts from the URL like a new visitor's.
"""

from __future__ import annotations

import re

import pytest
from e2e_harness import (
    AppPage,
    RunningApp,
    assert_spend_matches_simulator,
    last_n_days,
    range_caption,
)

from pinterest_sim.world import DEMO_ACCOUNT_ID, EUR_ACCOUNT_ID

pytestmark = pytest.mark.e2e

# Pages every build has, and the plotly charts each must draw at least (the glossary is a
# table). Pages added later (report builder, bulk export) are visited too, with no minimum.
CORE_PAGES: dict[str, int] = {
    "Overview": 1,
    "Campaigns": 1,
    "Audience": 1,
    "Targeting": 1,
    "Metrics glossary": 0,
    "API status": 0,
}


def test_every_page_renders_with_its_charts(demo_app: RunningApp, page: AppPage) -> None:
    page.goto(demo_app.url)
    links = page.nav_links()
    missing = [name for name in CORE_PAGES if name not in links]
    assert not missing, f"sidebar navigation lacks {missing}; it has {links}"
    assert page.raw.get_by_text("Demo data").first.is_visible()
    for label in links:
        page.open_page(label)
        minimum = CORE_PAGES.get(label, 0)
        page.check_page(label, charts=minimum)
        drawn = page.raw.locator('[data-testid="stPlotlyChart"]').count()
        if drawn:
            page.wait_charts(drawn)  # also charts beyond the minimum must draw
        assert page.raw.locator("h1").first.inner_text().strip(), f"{label}: no title"


def test_spend_tile_equals_simulator_total(demo_app: RunningApp, page: AppPage) -> None:
    start, end = last_n_days(7)
    page.goto(demo_app.url + "?preset=last_7_days")
    page.check_page("overview-last-7-days", charts=1)
    assert page.raw.get_by_text(range_caption(start, end)).first.is_visible()
    assert_spend_matches_simulator(page, DEMO_ACCOUNT_ID, start, end)


def test_account_and_preset_change_numbers_and_url(demo_app: RunningApp, page: AppPage) -> None:
    page.goto(demo_app.url)
    page.check_page("default", charts=1)
    assert page.query().get("account") == [DEMO_ACCOUNT_ID]
    first_spend = page.tile("Spend")

    page.choose("Ad account", re.compile(EUR_ACCOUNT_ID))
    page.check_page("eur-account", charts=1)
    assert page.query().get("account") == [EUR_ACCOUNT_ID]
    eur_spend = page.tile("Spend")
    assert eur_spend.startswith("€"), eur_spend
    assert eur_spend != first_spend
    start, end = last_n_days(7)
    assert_spend_matches_simulator(page, EUR_ACCOUNT_ID, start, end)

    page.choose("Date range", "Last 30 days")
    page.check_page("eur-last-30-days", charts=1)
    assert page.query().get("preset") == ["last_30_days"]
    assert page.query().get("account") == [EUR_ACCOUNT_ID]
    assert page.tile("Spend") != eur_spend
    start, end = last_n_days(30)
    assert_spend_matches_simulator(page, EUR_ACCOUNT_ID, start, end)


def test_shared_url_restores_the_view(demo_app: RunningApp, page: AppPage) -> None:
    start, end = last_n_days(14)
    shared = f"{demo_app.url}?account={EUR_ACCOUNT_ID}&preset=last_14_days&compare=0"
    page.goto(shared)
    page.check_page("shared-link", charts=1)
    assert EUR_ACCOUNT_ID in page.selected("Ad account")
    assert page.selected("Date range") == "Last 14 days"
    query = page.query()
    assert query.get("account") == [EUR_ACCOUNT_ID]
    assert query.get("preset") == ["last_14_days"]
    assert query.get("compare") == ["0"]
    assert page.raw.get_by_text(range_caption(start, end)).first.is_visible()
    assert_spend_matches_simulator(page, EUR_ACCOUNT_ID, start, end)
    # The link survives moving to another page and back.
    page.open_page("Campaigns")
    page.check_page("shared-link-campaigns", charts=1)
    assert page.query().get("account") == [EUR_ACCOUNT_ID]
    assert page.query().get("preset") == ["last_14_days"]
