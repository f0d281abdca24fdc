"""The dashboard on a phone: Playwright's touch viewport in Chromium, 390 x 844 CSS pixels.

Every page fits the width (the document never scrolls sideways, nothing is cut off, chart
labels stay readable) and shows the account and the range in force within its first screen;
the Overview's twelve tiles (ten KPIs, reach and frequency) take at most two screens and its
chart starts within the second; the range changes with two taps, and the change is the
sidebar's own (caption, URL, numbers). At desktop widths the phone-only parts stay hidden and
the tiles keep their two rows of five, reach and frequency a third.
Screenshots: artifacts/e2e/test_e2e_phone__<test>/.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from e2e_harness import (
    AppPage,
    RunningApp,
    assert_spend_matches_simulator,
    last_n_days,
    range_caption,
)

from pinterest_sim.world import ACCOUNT_SPECS, DEMO_ACCOUNT_ID

pytestmark = pytest.mark.e2e

SCREEN_HEIGHT = 844  # the phone's viewport (conftest.PHONE_CONTEXT)
SCREEN_WIDTH = 390
DEMO_ACCOUNT_NAME = next(spec for spec in ACCOUNT_SPECS if spec.id == DEMO_ACCOUNT_ID).name
MIN_CHART_FONT_PX = 10.0  # smaller chart text is not readable on a phone

# url path -> (page title, plotly charts it draws at least)
PAGES: dict[str, tuple[str, int]] = {
    "": ("Overview", 1),
    "campaigns": ("Campaigns", 1),
    "audience": ("Audience", 1),
    "targeting": ("Targeting", 1),
    "report_builder": ("Report builder", 0),
    "bulk_export": ("Bulk export", 0),
    "glossary": ("Metrics glossary", 0),
    "api_status": ("API status", 0),
}

# The narrow-screen range picker's button (ui/common.page_header, ui/narrow.NARROW_ONLY_KEY).
RANGE_BUTTON = '.st-key-narrow_only [data-testid="stPopover"] button'

# Where things are, in CSS pixels from the top of the content (the main area scrolls, so a
# box's top plus the scroll offsets), and how wide the page and its parts are.
_LAYOUT_JS = """
() => {
  const scrolled = window.scrollY
    + ['[data-testid="stMain"]', '[data-testid="stAppViewContainer"]']
      .map((s) => document.querySelector(s)).filter((e) => e)
      .reduce((sum, e) => sum + e.scrollTop, 0);
  const box = (e) => { const b = e.getBoundingClientRect();
    return {left: b.left, right: b.right, top: b.top + scrolled, bottom: b.bottom + scrolled}; };
  const main = document.querySelector('[data-testid="stMain"]');
  const cut = Array.from(main.querySelectorAll('[data-testid="stElementContainer"]'))
    .filter((e) => e.offsetParent !== null)
    .map((e) => [e.firstElementChild && e.firstElementChild.getAttribute('data-testid'), box(e)])
    .filter(([, b]) => b.left < -0.5 || b.right > window.innerWidth + 0.5)
    .map(([name, b]) => `${name} ${Math.round(b.left)}..${Math.round(b.right)}`);
  const fonts = Array.from(document.querySelectorAll('.js-plotly-plot text'))
    .filter((t) => t.textContent.trim())
    .map((t) => parseFloat(getComputedStyle(t).fontSize));
  const tables = Array.from(main.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller'))
    .filter((e) => e.offsetParent !== null)
    .map((e) => ({inner: e.scrollWidth, shown: e.clientWidth}));
  const chart = document.querySelector('[data-testid="stPlotlyChart"]');
  return {
    viewportWidth: window.innerWidth,
    documentWidth: document.documentElement.scrollWidth,
    mainWidth: main.scrollWidth,
    tiles: Array.from(main.querySelectorAll('[data-testid="stMetric"]')).map(box),
    chartTop: chart ? box(chart).top : null,
    cutOff: cut,
    smallestChartFont: fonts.length ? Math.min(...fonts) : null,
    tables: tables,
  };
}
"""


def _layout(page: AppPage) -> dict[str, Any]:
    layout: dict[str, Any] = page.raw.evaluate(_LAYOUT_JS)
    return layout


def _assert_fits_width(layout: dict[str, Any], where: str) -> None:
    assert layout["viewportWidth"] == SCREEN_WIDTH
    assert layout["documentWidth"] <= layout["viewportWidth"], (
        f"{where}: the page scrolls sideways ({layout['documentWidth']} px wide)"
    )
    assert layout["mainWidth"] <= layout["viewportWidth"], (
        f"{where}: the main area is {layout['mainWidth']} px wide"
    )
    assert not layout["cutOff"], f"{where}: elements cut off at the edges: {layout['cutOff']}"
    smallest = layout["smallestChartFont"]
    assert smallest is None or smallest >= MIN_CHART_FONT_PX, (
        f"{where}: chart text of {smallest} px"
    )


def _screens(bottom: float) -> int:
    """How many phone screens it takes to scroll down to `bottom`."""
    return math.ceil(bottom / SCREEN_HEIGHT)


@pytest.mark.parametrize("path", list(PAGES), ids=[title for title, _ in PAGES.values()])
def test_every_page_fits_a_phone(demo_app: RunningApp, phone_page: AppPage, path: str) -> None:
    title, charts = PAGES[path]
    start, end = last_n_days(7)
    phone_page.goto(f"{demo_app.url}{path}?preset=last_7_days")
    phone_page.check_page(f"{title}-phone", charts=charts)
    assert phone_page.raw.locator("h1").first.inner_text().strip().startswith(title)
    layout = _layout(phone_page)
    _assert_fits_width(layout, title)

    # The account and the range in force are on the first screen, with the range's button.
    first_screen = [
        phone_page.raw.get_by_text(DEMO_ACCOUNT_NAME).first,
        phone_page.raw.get_by_text(range_caption(start, end)).first,
        phone_page.raw.locator(RANGE_BUTTON),
    ]
    for locator in first_screen:
        assert locator.is_visible()
        box = locator.bounding_box()
        assert box is not None and box["y"] + box["height"] <= SCREEN_HEIGHT, (
            f"{title}: {locator} is below the first screen"
        )
    assert "Last 7 days" in phone_page.raw.locator(RANGE_BUTTON).inner_text()
    if path == "glossary":  # its four columns are wider than a phone: the table scrolls
        assert any(table["inner"] > table["shown"] for table in layout["tables"]), layout


def test_overview_tiles_take_two_screens_and_the_chart_starts_in_the_second(
    demo_app: RunningApp, phone_page: AppPage
) -> None:
    phone_page.goto(f"{demo_app.url}?preset=last_7_days")
    phone_page.check_page("overview-phone", charts=1)
    layout = _layout(phone_page)
    tiles = layout["tiles"]
    assert len(tiles) == 12
    rows = sorted({round(tile["top"]) for tile in tiles})
    assert len(rows) == 6, f"twelve tiles, two a row, should make six rows: tops {rows}"
    for tile in tiles:
        assert tile["left"] >= 0 and tile["right"] <= SCREEN_WIDTH, tile
    last_bottom = max(tile["bottom"] for tile in tiles)
    assert _screens(last_bottom) <= 2, f"the tiles end at {last_bottom:.0f} px"
    chart_top = layout["chartTop"]
    assert chart_top is not None and _screens(chart_top) <= 2, (
        f"the chart starts at {chart_top} px"
    )
    print(  # the measurements, for the report (pytest -s)
        f"tiles {tiles[0]['top']:.0f}..{last_bottom:.0f} px "
        f"({last_bottom / SCREEN_HEIGHT:.2f} screens), chart from {chart_top:.0f} px "
        f"({chart_top / SCREEN_HEIGHT:.2f} screens)"
    )


def test_two_taps_change_the_range_everywhere(demo_app: RunningApp, phone_page: AppPage) -> None:
    phone_page.goto(f"{demo_app.url}?preset=last_7_days")
    phone_page.check_page("last-7-days", charts=1)
    week_spend = phone_page.tile("Spend")
    button = phone_page.raw.locator(RANGE_BUTTON)

    button.tap()  # tap 1: the presets open
    last_30 = phone_page.raw.get_by_role("radio", name="Last 30 days", exact=True)
    last_30.wait_for()
    phone_page.wait_settled()
    phone_page.snap("presets-open")
    last_30.tap()  # tap 2: the range is picked and the presets close
    start, end = last_n_days(30)
    phone_page.raw.get_by_text(range_caption(start, end)).first.wait_for()
    phone_page.check_page("last-30-days", charts=1)

    assert last_30.is_hidden()
    assert re.search(r"Last 30 days", button.inner_text())
    query = phone_page.query()
    assert query.get("preset") == ["last_30_days"]
    assert query.get("account") == [DEMO_ACCOUNT_ID]
    assert phone_page.selected("Date range") == "Last 30 days"  # the sidebar's own widget
    assert phone_page.tile("Spend") != week_spend
    assert_spend_matches_simulator(phone_page, DEMO_ACCOUNT_ID, start, end)
    _assert_fits_width(_layout(phone_page), "Overview, last 30 days")


def test_a_page_without_the_range_in_its_caption_shows_it_on_the_button(
    demo_app: RunningApp, phone_page: AppPage
) -> None:
    phone_page.goto(f"{demo_app.url}glossary?preset=last_14_days")
    phone_page.check_page("glossary-last-14-days")
    button = phone_page.raw.locator(RANGE_BUTTON)
    assert range_caption(*last_n_days(14)).search(button.inner_text())
    button.tap()
    phone_page.raw.get_by_role("radio", name="Yesterday", exact=True).tap()
    yesterday, _ = last_n_days(1)  # one day reads "2 Dec 2026"
    phone_page.raw.locator(
        RANGE_BUTTON, has_text=f"Yesterday · {yesterday.day} {yesterday:%b} {yesterday.year}"
    ).wait_for()
    phone_page.check_page("glossary-yesterday")
    assert phone_page.query().get("preset") == ["yesterday"]
    assert phone_page.selected("Date range") == "Yesterday"


@pytest.mark.parametrize("width", [1280, 1440])
def test_desktop_keeps_its_layout(demo_app: RunningApp, page: AppPage, width: int) -> None:
    page.raw.set_viewport_size({"width": width, "height": 1000})
    page.goto(f"{demo_app.url}?preset=last_7_days")
    page.check_page(f"overview-{width}", charts=1)
    assert page.raw.locator(RANGE_BUTTON).is_hidden()
    tiles = _layout(page)["tiles"]
    rows = sorted({round(tile["top"]) for tile in tiles})
    assert len(tiles) == 12 and len(rows) == 3, f"two rows of five, then two: tops {rows}"
    assert {round(tile["bottom"] - tile["top"]) for tile in tiles} == {190}
    page.goto(f"{demo_app.url}campaigns?preset=last_7_days")
    page.check_page(f"campaigns-{width}", charts=1)
    assert page.raw.locator(RANGE_BUTTON).is_hidden()
