"""The sidebar filters shared by every page, drawn from dashboard.filters' table of fields.

`init_filter_state` seeds the widgets from the link once per session (keeping the link's
messages for the page to show); `sidebar_filters` draws them and answers the chosen Filters.
The account picker is drawn by app.py: its options come from Pinterest. `quick_range_picker`
is the date range's second face on narrow screens, where the sidebar hides behind its menu:
it sets the sidebar's own preset, so the Filters and the link follow from the sidebar alone.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Final

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard.filters import (
    ACCOUNT,
    DATES_WIDGET_KEY,
    FIELDS,
    MAX_DAYS_BACK,
    PRESET,
    FilterField,
    Filters,
    Preset,
    check_range,
    from_query,
    utc_today,
    widget_state,
)

URL_MESSAGES_KEY: Final = "url_messages"
FILTERS_READY_KEY: Final = "filters_ready"
ADVANCED_LABEL: Final = "Advanced (attribution)"
QUICK_RANGE_KEY: Final = "quick_preset"  # the narrow-screen picker's own widget state
QUICK_RANGE_POPOVER_KEY: Final = "quick_range_open"
QUICK_RANGE_LABEL: Final = "Pick a date range (UTC)"
# A custom range needs two dates: the sidebar's date picker keeps that job.
QUICK_PRESETS: Final[tuple[Preset, ...]] = tuple(p for p in PRESET.choices if p != "custom")


def init_filter_state(today: date) -> None:
    """On a session's first run, seed the sidebar widgets from the URL (validated); the link's
    messages wait under URL_MESSAGES_KEY."""
    if st.session_state.get(FILTERS_READY_KEY):
        return
    filters, messages = from_query(st.query_params.to_dict(), today)
    st.session_state[URL_MESSAGES_KEY] = messages
    for key, value in widget_state(filters).items():
        st.session_state[key] = value
    st.session_state[FILTERS_READY_KEY] = True


def sidebar_filters(today: date, account_id: str | None) -> Filters:
    """Draw every filter of the table that has a widget; the Filters they show."""
    sidebar = st.sidebar
    values: dict[str, Any] = {ACCOUNT.attribute: account_id}
    advanced: DeltaGenerator | None = None
    for field in FIELDS:
        if field.widget is None:
            continue
        container = sidebar
        if field.advanced:
            advanced = advanced or sidebar.expander(ADVANCED_LABEL)
            container = advanced
        values[field.attribute] = _draw(container, field)
        if field is PRESET:
            values["start"], values["end"] = _dates(sidebar, values[PRESET.attribute], today)
    return Filters(**values)


def _draw(container: DeltaGenerator, field: FilterField[Any]) -> Any:
    if field.widget == "toggle":
        return container.toggle(field.label, key=field.widget_key)
    labels = field.choice_labels
    options: dict[str, Any] = {
        "format_func": labels.__getitem__ if labels is not None else str,
        "key": field.widget_key,
    }
    if field.widget == "radio":
        return container.radio(field.label, field.choices, **options)
    on_change = _on_preset_change if field is PRESET else None
    return container.selectbox(
        field.label, field.choices, help=field.help, on_change=on_change, **options
    )


def _dates(sidebar: DeltaGenerator, preset: Preset, today: date) -> tuple[date, date]:
    """The range the date picker shows: the preset's, or the user's custom pick (checked)."""
    if preset != "custom":
        base = Filters.default(today).with_preset(preset, today)
        st.session_state[DATES_WIDGET_KEY] = (base.start, base.end)
    picked = sidebar.date_input(
        "Dates (UTC)",
        min_value=today - timedelta(days=MAX_DAYS_BACK),
        max_value=today,
        key=DATES_WIDGET_KEY,
        on_change=_on_dates_change,
        format="YYYY-MM-DD",
    )
    if preset != "custom":
        return base.start, base.end
    if isinstance(picked, tuple) and len(picked) == 2:
        start, end = picked
    else:  # the user has picked the first day only so far
        first = picked[0] if isinstance(picked, tuple) and picked else today
        start = end = first if isinstance(first, date) else today
    problem = check_range(start, end, today)
    if problem:
        sidebar.warning(problem)
        base = Filters.default(today)
        return base.start, base.end
    return start, end


def _on_preset_change() -> None:
    """Picking a preset shows its dates in the date picker."""
    preset = st.session_state.get(PRESET.widget_key)
    if preset and preset != "custom":
        base = Filters.default(utc_today()).with_preset(preset, utc_today())
        st.session_state[DATES_WIDGET_KEY] = (base.start, base.end)


def quick_range_picker(label: str) -> None:
    """A button showing the range in force (`label`); one tap opens the presets, a second
    picks one and closes it. The choice is written to the sidebar's preset widget state, so
    the sidebar draws it, its dates follow (as when picked there) and so do the link and
    every page."""
    preset = st.session_state.get(PRESET.widget_key)
    # Mirrors the sidebar's preset (set before the widget is drawn in this run).
    st.session_state[QUICK_RANGE_KEY] = preset if preset in QUICK_PRESETS else None
    labels = PRESET.choice_labels or {}
    with st.popover(
        label, icon=":material/date_range:", key=QUICK_RANGE_POPOVER_KEY, on_change="rerun"
    ):
        st.pills(
            QUICK_RANGE_LABEL,
            QUICK_PRESETS,
            format_func=lambda choice: labels.get(choice, str(choice)),
            key=QUICK_RANGE_KEY,
            on_change=_on_quick_range,
        )
        st.caption("Custom dates: in the menu at the top left.")


def _on_quick_range() -> None:
    picked = st.session_state.get(QUICK_RANGE_KEY)
    if picked in QUICK_PRESETS:  # None: the chosen pill was tapped again; nothing changes
        st.session_state[PRESET.widget_key] = picked
        _on_preset_change()
    st.session_state[QUICK_RANGE_POPOVER_KEY] = False


def _on_dates_change() -> None:
    st.session_state[PRESET.widget_key] = "custom"
