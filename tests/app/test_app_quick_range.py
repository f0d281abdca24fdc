"""The narrow-screen range picker is the sidebar's date range, not a second filter: a preset
picked there is the sidebar's preset, its dates, the link's and the page's; a range picked in
the sidebar shows in it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dashboard.formatting import format_money
from pinterest_sim.world import DEMO_ACCOUNT_ID
from tests.app.support import SPEND, fresh_app, rerun, texts, tile, today, truth


def test_a_quick_pick_is_the_sidebars_range_and_the_links(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = rerun(fresh_app(monkeypatch))
    quick = at.button_group(key="quick_preset")
    assert quick.value == "last_7_days"

    quick.set_value("last_30_days")
    rerun(at)
    end = today(at) - timedelta(days=1)
    start = end - timedelta(days=29)
    assert at.sidebar.selectbox(key="f_preset").value == "last_30_days"
    assert at.sidebar.date_input(key="f_dates").value == (start, end)
    assert at.query_params["preset"] == "last_30_days"
    assert at.session_state["quick_range_open"] is False  # the picker closes on a pick
    caption = f"{start.day} {start:%b} – {end.day} {end:%b} {end.year}"
    assert any(caption in text for text in texts(at.caption)), texts(at.caption)
    expected = truth(DEMO_ACCOUNT_ID, start, end)[SPEND]
    assert tile(at, "Spend") == format_money(expected, "USD", abbreviate=True)

    # Tapping the chosen preset again leaves the range as it is.
    at.button_group(key="quick_preset").set_value(None)
    rerun(at)
    assert at.sidebar.selectbox(key="f_preset").value == "last_30_days"
    assert at.button_group(key="quick_preset").value == "last_30_days"


def test_the_picker_shows_the_sidebars_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    at = rerun(fresh_app(monkeypatch))
    at.sidebar.selectbox(key="f_preset").set_value("yesterday")
    rerun(at)
    assert at.button_group(key="quick_preset").value == "yesterday"
    yesterday = today(at) - timedelta(days=1)
    first = yesterday - timedelta(days=2)
    at.sidebar.date_input(key="f_dates").set_value((first, yesterday))
    rerun(at)
    assert at.session_state["f_preset"] == "custom"
    assert at.button_group(key="quick_preset").value is None  # custom dates: no preset lit
