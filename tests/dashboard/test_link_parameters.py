"""Hostile links (issue 13 item 1): every link parameter parses with ASCII-only rules, never
raises, falls back to its default, and shows the bad value in its message only as inert text.

"Inert" is judged by tests/markdown_support.py, a model of Streamlit's Markdown written apart
from the escaper.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.filters import QUERY_KEYS, Filters, from_query, to_query
from tests.markdown_support import live_markdown, visible_text

TODAY = date(2026, 11, 29)
DEFAULT = Filters.default(TODAY)
ASCII_SPACE = " \t\n\r\x0b\x0c"

# Each single-valued link parameter and the Filters field it sets ("start"/"end" go with
# preset=custom and are tested as a pair below).
FIELD_OF = {
    "account": "account_id",
    "preset": "preset",
    "compare": "compare",
    "granularity": "granularity",
    "click": "click_window_days",
    "engagement": "engagement_window_days",
    "view": "view_window_days",
    "conversion_time": "conversion_report_time",
    "refresh": "refresh",
}

NAMED_ATTACKS = [
    "²",  # a digit to str.isdigit(), not to int()
    "١٤",  # Arabic-Indic 14
    "３０",  # full-width 30
    "7\u200b",
    "1" * 5_000,  # int() refuses more than 4,300 digits
    "0" * 10_000,
    "-1",
    "+7",
    "0x1e",
    "1e1",
    "tıme_of_ad_actıon",  # dotless i: upper() gives TIME_OF_AD_ACTION
    "TIME_OF_CONVERſION",  # long s: upper() gives S
    "ｔｏｄａｙ",
    "today\u3000",  # an ideographic space, stripped by str.strip()
    "\u202etoday",
    "\x00",
    "\r\n",
    "[Sign in again](https://evil.example/x)",
    "![pixel](https://evil.example/p.png)",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "https://evil.example",
    "www.evil.example",
    "help@evil.example",
    ":red[alarm] :smile: $x$",
    "`code` **b** &amp;",
    "# heading",
    "1. item",
]

hostile_text = st.one_of(
    st.sampled_from(NAMED_ATTACKS),
    st.text(max_size=60),
    st.text(st.characters(categories=["Nd", "No", "Zs", "Cc", "Cf"]), min_size=1, max_size=30),
    st.builds(lambda piece, times: piece * times, st.text(min_size=1, max_size=4),
              st.integers(2_000, 10_000)),
)
# Streamlit hands over one string per key; other callers may pass every repeated value.
hostile_value = st.one_of(hostile_text, st.lists(hostile_text, max_size=3))


def _last(value: str | list[str]) -> str | None:
    if isinstance(value, str):
        return value
    return value[-1] if value else None


def _assert_inert(messages: list[str]) -> None:
    for message in messages:
        assert live_markdown(message) == [], message
        assert len(message) < 400


def _assert_valid(filters: Filters) -> None:
    """Every field holds a value the app can use: the link it makes reads back unchanged."""
    assert from_query(to_query(filters), TODAY) == (filters, [])


def test_every_link_parameter_is_covered_here() -> None:
    assert set(QUERY_KEYS) == set(FIELD_OF) | {"start", "end"}


@pytest.mark.parametrize(
    ("key", "value"),
    [("click", "²"), ("engagement", "³"), ("view", "9" * 5_000), ("view", "1" * 4_301)],
)
def test_known_crashes_fall_back_to_the_default(key: str, value: str) -> None:
    filters, messages = from_query({key: value}, TODAY)
    assert filters == DEFAULT
    assert len(messages) == 1 and "window" in messages[0]
    _assert_inert(messages)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("account", "١٢٣٤٥"),
        ("account", "５４９７５５８８５１７５"),
        ("conversion_time", "tıme_of_conversıon"),
        ("conversion_time", "TIME_OF_CONVERſION"),
        ("granularity", "ｄａｙ"),
        ("preset", "today\u3000"),
        ("compare", "\u0660"),
        ("click", "\u0667"),
    ],
)
def test_non_ascii_lookalikes_are_refused(key: str, value: str) -> None:
    filters, messages = from_query({key: value}, TODAY)
    assert filters == DEFAULT
    assert len(messages) == 1


def test_a_markdown_link_in_a_value_is_shown_as_text() -> None:
    _, messages = from_query({"preset": "[Sign in again](https://evil.example/x)"}, TODAY)
    assert len(messages) == 1
    _assert_inert(messages)
    assert "[Sign in again](https://evil.example/x)" in visible_text(messages[0])


@pytest.mark.parametrize("key", sorted(FIELD_OF))
@settings(max_examples=150, deadline=None)
@given(value=hostile_value)
def test_any_value_of_one_parameter(key: str, value: str | list[str]) -> None:
    filters, messages = from_query({key: value}, TODAY)
    field = FIELD_OF[key]
    # Nothing but this parameter's field (and a preset's dates) may move, only to a usable value.
    if key == "preset":
        assert filters == DEFAULT.with_preset(filters.preset, TODAY)
    else:
        assert filters == replace(DEFAULT, **{field: getattr(filters, field)})
    _assert_valid(filters)
    _assert_inert(messages)
    raw = _last(value)
    stripped = (raw or "").strip(ASCII_SPACE)
    if getattr(filters, field) != getattr(DEFAULT, field):
        assert stripped.isascii() and not messages  # only a valid ASCII value is taken
    elif not stripped.isascii():
        assert len(messages) == 1
    if messages and stripped.isprintable() and 0 < len(stripped) <= 30:
        assert stripped in visible_text(messages[0])  # the reader sees what the link said


@settings(max_examples=150, deadline=None)
@given(start=hostile_value, end=hostile_value)
def test_any_custom_range(start: str | list[str], end: str | list[str]) -> None:
    filters, messages = from_query({"preset": "custom", "start": start, "end": end}, TODAY)
    _assert_valid(filters)
    _assert_inert(messages)
    if filters.preset == "custom":
        assert not messages
        assert (_last(start) or "").strip(ASCII_SPACE).isascii()
        assert (_last(end) or "").strip(ASCII_SPACE).isascii()
    else:
        assert (filters.start, filters.end) == (DEFAULT.start, DEFAULT.end)
        assert len(messages) == 1


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries({key: hostile_value for key in QUERY_KEYS}))
def test_all_parameters_together(params: dict[str, str | list[str]]) -> None:
    filters, messages = from_query(params, TODAY)
    _assert_valid(filters)
    _assert_inert(messages)
    assert len(messages) <= len(QUERY_KEYS)
