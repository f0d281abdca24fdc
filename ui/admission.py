"""The run's turn under a crowd (dashboard/admission.py): the whole run when it comes soon;
else the page links, the page's title and a spinner while the session waits."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from dashboard.admission import FIRST_SIGHT_S, MAX_WAIT_S, PAGE_RUNS, RunSlots, Ticket

WAIT_MESSAGE = "Many people are opening the dashboard right now; your page is next…"


class PageTurn:
    """A run's place in line; `when_drawn` is called once the page links are drawn."""

    def __init__(self, ticket: Ticket, began: float) -> None:
        self._ticket = ticket
        self._began = began

    def when_drawn(self, title: str) -> None:
        """Return when the turn has come. If it has not yet, the page's title and a spinner
        show until it does (MAX_WAIT_S in all at most, then on without a turn), then are
        cleared for the page, which draws its own title."""
        if self._ticket.held:
            return
        waiting = st.empty()
        with waiting.container():
            st.title(title)
            with st.spinner(WAIT_MESSAGE):
                left = max(0.0, MAX_WAIT_S - (time.monotonic() - self._began))
                if not self._ticket.wait(left):
                    self._ticket.cancel()
        waiting.empty()


@contextmanager
def page_turn(slots: RunSlots = PAGE_RUNS) -> Iterator[PageTurn]:
    """The run in line for its turn from its first line. A turn that comes within
    FIRST_SIGHT_S covers the whole run (nothing drawn while waiting: a crowd's first arrivals
    finish first, not held back by everyone else's sidebar); past it the run draws its sidebar
    and page links and calls `when_drawn`. The turn is given back however the run ends (a
    rerun or a stop raises out of any Streamlit call)."""
    began = time.monotonic()
    ticket = slots.line_up()
    try:
        ticket.wait(FIRST_SIGHT_S)
        yield PageTurn(ticket, began)
    finally:
        if ticket.held or ticket.cancel():  # cancel: still in line (a stop before its turn)
            slots.leave()
