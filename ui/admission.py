"""The page's turn under a crowd (dashboard/admission.py): the title and a spinner first."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from dashboard.admission import MAX_WAIT_S, PAGE_RUNS, RunSlots

WAIT_MESSAGE = "Many people are opening the dashboard right now; your page is next…"


@contextmanager
def page_turn(title: str, slots: RunSlots = PAGE_RUNS) -> Iterator[None]:
    """Run the page body when its turn comes: alone, at once; in a crowd, the page's title and
    a spinner are drawn while it waits (the sidebar is drawn already), then cleared for the
    page, which draws its own title. The slot is given back however the run ends (a rerun or
    a stop raises out of any Streamlit call)."""
    entered = slots.try_enter()
    try:
        if not entered:
            waiting = st.empty()
            with waiting.container():
                st.title(title)
                with st.spinner(WAIT_MESSAGE):
                    entered = slots.enter(MAX_WAIT_S)  # past it, on without a slot
            waiting.empty()
        yield
    finally:
        if entered:
            slots.leave()
