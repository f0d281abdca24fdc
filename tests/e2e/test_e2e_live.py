"""Auto-refresh: with "Today" and "Every 30 s", today's numbers move without a page reload.

The simulator grows today's values with the clock (the full-day value times the share of the day
elapsed), so a refresh 30 s later must show more spend. A marker set on `window` must survive:
a reload or a navigation would wipe it.
"""

from __future__ import annotations

import pytest
from e2e_harness import (
    AppPage,
    RunningApp,
    micro_to_units,
    parse_shown_amount,
    sim_spend_micro,
    trace_values,
    utc_today,
)

from pinterest_sim.world import DEMO_ACCOUNT_ID, EUR_ACCOUNT_ID, GBP_ACCOUNT_ID

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REFRESH_S = 30
# Two refresh periods and some slack: one refresh may be served from a cache filled just before.
MOVE_TIMEOUT_MS = (2 * REFRESH_S + 20) * 1000

_SPEND_TOTAL_JS = """
() => Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap((gd) =>
  (gd._fullData || gd.data || []).filter((t) => t.name === 'Spend'))
  .reduce((sum, t) => sum + Array.from(t.y || [], Number).reduce((a, b) => a + b, 0), 0)
"""


def quietest_account() -> str:
    """The account with the least spend so far today (by the simulator's own rows), so its
    Spend tile is most likely shown to the cent rather than abbreviated ('$1.2K')."""
    today = utc_today()
    candidates = (DEMO_ACCOUNT_ID, EUR_ACCOUNT_ID, GBP_ACCOUNT_ID)
    return min(candidates, key=lambda account: sim_spend_micro(account, today, today))


def test_auto_refresh_moves_today_without_reload(demo_app: RunningApp, page: AppPage) -> None:
    account = quietest_account()
    page.goto(f"{demo_app.url}?account={account}&preset=today&refresh=30s")
    page.check_page("today-live-first", charts=1)
    assert page.selected("Date range") == "Today"
    assert page.selected("Auto-refresh") == "Every 30 s"
    assert page.query().get("refresh") == ["30s"]

    page.raw.evaluate("window.__e2eNoReload = 'still-here'")
    url_before = page.raw.url
    tile_before = page.tile("Spend")
    total_before = float(page.raw.evaluate(_SPEND_TOTAL_JS))
    assert total_before > 0, "today's spend bars are empty"

    page.raw.wait_for_function(
        f"() => ({_SPEND_TOTAL_JS})() > {total_before!r}", timeout=MOVE_TIMEOUT_MS, polling=500
    )
    page.wait_settled()
    page.snap("today-live-moved")
    page.assert_no_exception()

    assert page.raw.evaluate("window.__e2eNoReload") == "still-here", "the page was reloaded"
    assert page.raw.url == url_before
    total_after = sum(trace_values(page.raw, "Spend")[0])
    assert total_after > total_before
    tile_after = page.tile("Spend")
    shown_after = parse_shown_amount(tile_after)
    if shown_after.half_step < 0.01:  # shown to the cent: 30 s of delivery must show
        assert tile_after != tile_before, f"Spend tile stayed {tile_before!r}"
    # Today keeps growing: the tile can only be at or below the simulator's total from now.
    now_total = micro_to_units(sim_spend_micro(account, utc_today(), utc_today()))
    assert shown_after.value <= now_total + shown_after.half_step
    assert shown_after.value >= parse_shown_amount(tile_before).value
