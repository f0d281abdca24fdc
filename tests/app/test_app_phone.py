"""On a phone. The narrow-screen range picker is the sidebar's date range, not a second
filter: a preset picked there is the sidebar's preset, its dates, the link's and the page's;
a range picked in the sidebar shows in it. Tables too wide for a phone pin their name column."""

from __future__ import annotations

import json
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


def test_wide_tables_pin_their_name_column_and_narrow_ones_do_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = fresh_app(monkeypatch)
    at.switch_page("pages/glossary.py")
    rerun(at)
    config = json.loads(at.dataframe[0].proto.columns)
    assert config["Metric"].get("pinned") is True  # four columns: wider than a phone
    assert not any(column.get("pinned") for name, column in config.items() if name != "Metric")

    at.switch_page("pages/audience.py")
    rerun(at)
    for table in at.dataframe:  # three columns or fewer fit a phone: nothing pinned
        shown = [c for c in json.loads(table.proto.columns).values() if not c.get("hidden")]
        assert len(shown) <= 3 and not any(column.get("pinned") for column in shown)
