"""The dashboard pointed at the simulator as a separate loopback HTTP server, the way a
deployment points it at Pinterest (PINTEREST_ACCESS_TOKEN + PINTEREST_API_BASE_URL).

One simulator and one app serve this module. The smoke test runs first; the fault tests flip
storms on through the simulator's control route and always turn them off again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from e2e_harness import (
    AppLauncher,
    AppPage,
    RunningApp,
    SimServerProcess,
    assert_spend_matches_simulator,
    last_n_days,
    server_mode_env,
)

from pinterest_sim.world import DEMO_ACCOUNT_ID

pytestmark = pytest.mark.e2e

# What the user must see instead of a traceback when Pinterest fails: the last good numbers
# marked stale, or a plain explanation.
STALE_OR_ERROR = re.compile(
    r"stale|last good data|server error|rate limit|did not answer|could not|try again",
    re.IGNORECASE,
)
# Pinterest has been seen to answer 429 with X-RateLimit-Reset ~67,000 s (a daily window).
TRIAL_RESET_S = 67_000
FAULT_SETTLE_MS = 150_000  # retries with capped backoff may run before the page gives up


@pytest.fixture(scope="module")
def server_app(sim_server: SimServerProcess, module_streamlit_app: AppLauncher) -> RunningApp:
    return module_streamlit_app(server_mode_env(sim_server), label="server")


@pytest.fixture
def faults_off_afterwards(sim_server: SimServerProcess) -> Iterator[SimServerProcess]:
    try:
        yield sim_server
    finally:
        sim_server.set_faults(error_rate=0.0, storm_429=False, storm_reset_s=1)


def _requests(sim: SimServerProcess) -> int:
    return int(sim.stats()["total"])


def test_server_mode_smoke(
    server_app: RunningApp, sim_server: SimServerProcess, page: AppPage
) -> None:
    before = _requests(sim_server)
    start, end = last_n_days(7)
    page.goto(server_app.url + "?preset=last_7_days")
    page.check_page("server-overview", charts=1)
    sidebar = page.raw.locator('[data-testid="stSidebar"]')
    assert sim_server.base_url in sidebar.inner_text(), "sidebar does not name the API address"
    assert page.raw.get_by_text("Demo data").count() == 0
    assert page.query().get("account") == [DEMO_ACCOUNT_ID]
    assert_spend_matches_simulator(page, DEMO_ACCOUNT_ID, start, end)
    assert _requests(sim_server) > before, "the app did not call the loopback simulator"
    for label in page.nav_links():
        page.open_page(label)
        page.check_page(f"server-{label}")
        drawn = page.raw.locator('[data-testid="stPlotlyChart"]').count()
        if drawn:
            page.wait_charts(drawn)


def _assert_explained(page: AppPage, shot: str) -> str:
    """No exception element, and an alert that says stale / what went wrong."""
    page.wait_settled(FAULT_SETTLE_MS)
    page.snap(shot)
    page.assert_no_exception()
    alerts = " ".join(page.raw.locator('[data-testid="stAlert"]').all_inner_texts())
    assert STALE_OR_ERROR.search(alerts), f"no stale/error message; alerts: {alerts!r}"
    assert "Traceback" not in page.raw.locator('[data-testid="stMain"]').inner_text()
    return alerts


def test_5xx_storm_shows_a_message_not_a_traceback(
    server_app: RunningApp, faults_off_afterwards: SimServerProcess, page: AppPage
) -> None:
    sim = faults_off_afterwards
    page.goto(server_app.url + "?preset=last_7_days")
    page.check_page("before-5xx", charts=1)
    sim.set_faults(error_rate=1.0, error_status=503)
    # A range not fetched yet: no cached copy to fall back on, so the page must explain.
    page.choose("Date range", "Last 90 days")
    alerts = _assert_explained(page, "during-5xx-storm")
    assert re.search(r"server error|try again|stale", alerts, re.IGNORECASE), alerts
    # Other pages in the storm behave the same.
    page.open_page("Campaigns")
    _assert_explained(page, "during-5xx-storm-campaigns")


def test_429_storm_with_a_daily_reset_shows_a_message_not_a_traceback(
    server_app: RunningApp, faults_off_afterwards: SimServerProcess, page: AppPage
) -> None:
    sim = faults_off_afterwards
    page.goto(server_app.url + "?preset=last_7_days")
    page.check_page("before-429", charts=1)
    sim.set_faults(storm_429=True, storm_reset_s=TRIAL_RESET_S)
    page.choose("Date range", "Last 30 days")
    alerts = _assert_explained(page, "during-429-storm")
    assert re.search(r"rate limit|stale", alerts, re.IGNORECASE), alerts

    # The storm passes: the page recovers on the next run.
    sim.set_faults(storm_429=False, storm_reset_s=1)
    page.choose("Date range", "Last 14 days")
    page.check_page("after-429-storm", charts=1)
    start, end = last_n_days(14)
    assert_spend_matches_simulator(page, DEMO_ACCOUNT_ID, start, end)
