"""Filters: presets, granularity, previous period and the URL round trip (incl. tampered links)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from dashboard.filters import (
    FIELDS,
    PRESETS,
    QUERY_KEYS,
    Filters,
    check_range,
    from_query,
    preset_range,
    sync_reachable,
    to_query,
    widget_state,
)

TODAY = date(2026, 11, 29)  # a Sunday


@pytest.mark.parametrize(
    ("preset", "start", "end"),
    [
        ("today", date(2026, 11, 29), date(2026, 11, 29)),
        ("yesterday", date(2026, 11, 28), date(2026, 11, 28)),
        ("last_7_days", date(2026, 11, 22), date(2026, 11, 28)),
        ("last_14_days", date(2026, 11, 15), date(2026, 11, 28)),
        ("last_30_days", date(2026, 10, 30), date(2026, 11, 28)),
        ("last_90_days", date(2026, 8, 31), date(2026, 11, 28)),
        ("this_month", date(2026, 11, 1), date(2026, 11, 29)),
        ("last_month", date(2026, 10, 1), date(2026, 10, 31)),
    ],
)
def test_preset_ranges(preset: str, start: date, end: date) -> None:
    assert preset_range(preset, TODAY) == (start, end)  # type: ignore[arg-type]


def test_last_n_days_have_n_closed_days() -> None:
    for preset, n in [("last_7_days", 7), ("last_30_days", 30), ("last_90_days", 90)]:
        start, end = preset_range(preset, TODAY)  # type: ignore[arg-type]
        assert (end - start).days + 1 == n
        assert end < TODAY  # closed days only


def test_last_90_days_is_within_sync_reach() -> None:
    start, _ = preset_range("last_90_days", TODAY)
    assert sync_reachable(start, TODAY)
    assert not sync_reachable(start - timedelta(days=1), TODAY)


def test_month_presets_on_first_of_month_and_january() -> None:
    assert preset_range("this_month", date(2026, 3, 1)) == (date(2026, 3, 1), date(2026, 3, 1))
    assert preset_range("last_month", date(2026, 1, 15)) == (date(2025, 12, 1), date(2025, 12, 31))
    assert preset_range("last_month", date(2024, 3, 31)) == (date(2024, 2, 1), date(2024, 2, 29))


def test_previous_period_same_length_just_before() -> None:
    f = Filters.default(TODAY).with_preset("last_7_days", TODAY)
    assert f.previous_period() == (date(2026, 11, 15), date(2026, 11, 21))
    today = Filters.default(TODAY).with_preset("today", TODAY)
    assert today.previous_period() == (date(2026, 11, 28), date(2026, 11, 28))


def test_previous_period_of_last_month_is_the_month_before() -> None:
    f = Filters.default(TODAY).with_preset("last_month", TODAY)
    assert f.previous_period() == (date(2026, 9, 1), date(2026, 9, 30))


def test_auto_granularity_hour_for_short_recent_ranges() -> None:
    base = Filters.default(TODAY)
    assert base.with_preset("today", TODAY).effective_granularity(TODAY) == "HOUR"
    assert base.with_preset("yesterday", TODAY).effective_granularity(TODAY) == "HOUR"
    three = base.with_dates(TODAY - timedelta(days=3), TODAY - timedelta(days=1))
    assert three.effective_granularity(TODAY) == "HOUR"
    four = base.with_dates(TODAY - timedelta(days=4), TODAY - timedelta(days=1))
    assert four.effective_granularity(TODAY) == "DAY"
    assert base.with_preset("last_7_days", TODAY).effective_granularity(TODAY) == "DAY"


def test_hour_granularity_only_eight_days_back() -> None:
    base = Filters.default(TODAY)
    old_short = base.with_dates(TODAY - timedelta(days=9), TODAY - timedelta(days=9))
    assert old_short.effective_granularity(TODAY) == "DAY"
    edge = base.with_dates(TODAY - timedelta(days=8), TODAY - timedelta(days=8))
    assert edge.effective_granularity(TODAY) == "HOUR"
    # An explicit HOUR Pinterest cannot serve degrades to DAY; explicit WEEK is kept.
    explicit = Filters(start=TODAY - timedelta(days=20), end=TODAY, granularity="HOUR")
    assert explicit.effective_granularity(TODAY) == "DAY"
    week = Filters(start=TODAY - timedelta(days=20), end=TODAY, granularity="WEEK")
    assert week.effective_granularity(TODAY) == "WEEK"


def test_refresh_seconds() -> None:
    base = Filters.default(TODAY)
    assert base.refresh_seconds is None
    assert Filters(start=TODAY, end=TODAY, refresh="30s").refresh_seconds == 30
    assert Filters(start=TODAY, end=TODAY, refresh="5m").refresh_seconds == 300


def test_round_trip_every_preset() -> None:
    for preset in PRESETS:
        if preset == "custom":
            continue
        f = Filters.default(TODAY).with_preset(preset, TODAY)
        back, messages = from_query(to_query(f), TODAY)
        assert messages == []
        assert back == f


def test_round_trip_all_fields() -> None:
    f = Filters(
        start=date(2026, 10, 3),
        end=date(2026, 10, 20),
        preset="custom",
        account_id="549755885175",
        compare=False,
        granularity="WEEK",
        click_window_days=7,
        engagement_window_days=1,
        view_window_days=0,
        conversion_report_time="TIME_OF_CONVERSION",
        refresh="1m",
    )
    query = to_query(f)
    assert query["start"] == "2026-10-03" and query["end"] == "2026-10-20"
    back, messages = from_query(query, TODAY)
    assert messages == []
    assert back == f


def test_defaults_are_left_out_of_links() -> None:
    assert to_query(Filters.default(TODAY)) == {"preset": "last_7_days"}


def test_empty_query_gives_defaults_without_messages() -> None:
    f, messages = from_query({}, TODAY)
    assert f == Filters.default(TODAY)
    assert messages == []


def test_streamlit_style_list_values_take_the_last() -> None:
    f, messages = from_query({"preset": ["today", "yesterday"]}, TODAY)
    assert f.preset == "yesterday" and messages == []


@pytest.mark.parametrize(
    ("query", "field", "expected", "needle"),
    [
        ({"preset": "last_1000_days"}, "preset", "last_7_days", "preset"),
        ({"preset": "<script>"}, "preset", "last_7_days", "preset"),
        ({"account": "12ab34"}, "account_id", None, "ad account"),
        ({"account": "1" * 19}, "account_id", None, "ad account"),
        ({"account": "' OR 1=1 --"}, "account_id", None, "ad account"),
        ({"click": "3"}, "click_window_days", 30, "click"),
        ({"view": "-1"}, "view_window_days", 1, "view"),
        ({"engagement": "abc"}, "engagement_window_days", 30, "engagement"),
        ({"granularity": "SECOND"}, "granularity", "AUTO", "granularity"),
        ({"refresh": "1s"}, "refresh", "off", "auto-refresh"),
        ({"compare": "yes"}, "compare", True, "compare"),
        ({"conversion_time": "NOW"}, "conversion_report_time", "TIME_OF_AD_ACTION", "conversion"),
    ],
)
def test_tampered_values_fall_back_with_a_message(
    query: dict[str, str], field: str, expected: object, needle: str
) -> None:
    f, messages = from_query(query, TODAY)
    assert getattr(f, field) == expected
    assert len(messages) == 1
    assert needle in messages[0]


@pytest.mark.parametrize(
    "query",
    [
        {"preset": "custom", "start": "2026-02-30", "end": "2026-11-01"},
        {"preset": "custom", "start": "yesterday", "end": "2026-11-01"},
        {"preset": "custom", "start": "2026-11-01"},
        {"preset": "custom", "start": "2026-11-10", "end": "2026-11-01"},
        {"preset": "custom", "start": "2026-11-10", "end": "2026-12-25"},
        {"preset": "custom", "start": "2020-01-01", "end": "2020-01-31"},
    ],
)
def test_tampered_custom_ranges_fall_back_to_default(query: dict[str, str]) -> None:
    f, messages = from_query(query, TODAY)
    assert (f.start, f.end, f.preset) == (date(2026, 11, 22), date(2026, 11, 28), "last_7_days")
    assert len(messages) == 1


def test_messages_echo_tampered_values_short_and_printable() -> None:
    _, messages = from_query({"preset": "x" * 500 + "\x00\n"}, TODAY)
    assert len(messages) == 1
    assert "\x00" not in messages[0] and "\n" not in messages[0]
    assert len(messages[0]) < 200


def test_several_tampered_values_give_several_messages() -> None:
    f, messages = from_query({"account": "abc", "click": "99", "refresh": "x"}, TODAY)
    assert len(messages) == 3
    assert f.account_id is None and f.click_window_days == 30 and f.refresh == "off"


def test_check_range_limits() -> None:
    assert check_range(date(2026, 11, 1), date(2026, 11, 2), TODAY) is None
    assert check_range(TODAY - timedelta(days=914), TODAY, TODAY) is None
    assert check_range(TODAY - timedelta(days=915), TODAY, TODAY) is not None
    assert check_range(TODAY, TODAY + timedelta(days=1), TODAY) is not None


def test_a_custom_range_names_every_bad_or_missing_date() -> None:
    _, messages = from_query({"preset": "custom", "start": "2026-02-30", "end": "soon"}, TODAY)
    assert len(messages) == 1
    assert "“2026-02-30” is not a valid start date" in messages[0]
    assert "“soon” is not a valid end date" in messages[0]
    _, messages = from_query({"preset": "custom"}, TODAY)
    assert "no start date and no end date" in messages[0]
    assert "“”" not in messages[0]


def test_dates_without_the_custom_preset_are_pointed_out() -> None:
    f, messages = from_query({"start": "2026-11-01", "end": "2026-11-05"}, TODAY)
    assert f.preset == "last_7_days" and f.start == date(2026, 11, 22)
    assert len(messages) == 1 and "preset=custom" in messages[0]


def test_a_one_day_default_window_reads_in_the_singular() -> None:
    _, messages = from_query({"view": "5"}, TODAY)
    assert messages[0].endswith("using 1 day.")


# ---------------------------------------------------------------------------------------------
# The filter table
# ---------------------------------------------------------------------------------------------


def test_the_table_has_a_row_for_every_filter_but_the_dates() -> None:
    attributes = [field.attribute for field in FIELDS]
    assert len(set(attributes)) == len(attributes)
    assert set(attributes) | {"start", "end"} == {f.name for f in dataclasses.fields(Filters)}


def test_each_row_defaults_to_what_filters_default_to() -> None:
    for field in FIELDS:
        assert field.default == getattr(Filters.default(TODAY), field.attribute), field.query_key


def test_links_and_widgets_keep_their_names() -> None:
    """Shared links and the app tests (and any bookmark) depend on these exact names."""
    assert QUERY_KEYS == (
        "account", "preset", "start", "end", "compare", "granularity", "click", "engagement",
        "view", "conversion_time", "refresh",
    )
    assert [field.widget_key for field in FIELDS] == [
        "f_account", "f_preset", "f_compare", "f_granularity", "f_click", "f_engagement",
        "f_view", "f_conversion_time", "f_refresh",
    ]


def test_every_choice_a_widget_offers_reads_back_from_a_link() -> None:
    for field in FIELDS:
        for choice in field.choices:
            assert field.parse(field.to_text(choice)) == choice, (field.query_key, choice)
        if field.choice_labels is not None:
            assert set(field.choice_labels) == set(field.choices)


def test_widget_state_shows_the_filters() -> None:
    f, _ = from_query(
        {"account": "549755885175", "preset": "custom", "start": "2026-10-03",
         "end": "2026-10-20", "compare": "0", "granularity": "WEEK", "click": "7",
         "engagement": "1", "view": "0", "conversion_time": "TIME_OF_CONVERSION",
         "refresh": "1m"},
        TODAY,
    )
    assert widget_state(f) == {
        "f_account": "549755885175",
        "f_preset": "custom",
        "f_dates": (date(2026, 10, 3), date(2026, 10, 20)),
        "f_compare": False,
        "f_granularity": "WEEK",
        "f_click": 7,
        "f_engagement": 1,
        "f_view": 0,
        "f_conversion_time": "TIME_OF_CONVERSION",
        "f_refresh": "1m",
    }


def test_messages_follow_the_order_of_the_link() -> None:
    _, messages = from_query(
        {"refresh": "x", "preset": "custom", "start": "soon", "account": "x", "click": "2"}, TODAY
    )
    starts = ["The link's ad account id", "The link's custom range", "The link's click",
              "The link's auto-refresh"]
    assert len(messages) == len(starts)
    assert all(m.startswith(start) for m, start in zip(messages, starts, strict=True)), messages


def test_an_empty_account_is_no_account_but_other_empty_values_are_pointed_out() -> None:
    f, messages = from_query({"account": "", "preset": ""}, TODAY)
    assert f == Filters.default(TODAY)
    assert len(messages) == 1 and "date preset “”" in messages[0]


def test_values_may_carry_ascii_spaces_and_any_case_where_pinterest_is_case_blind() -> None:
    f, messages = from_query({"granularity": " week\t", "conversion_time": "time_of_conversion",
                              "click": "07"}, TODAY)
    assert messages == []
    assert (f.granularity, f.conversion_report_time, f.click_window_days) == (
        "WEEK", "TIME_OF_CONVERSION", 7)
