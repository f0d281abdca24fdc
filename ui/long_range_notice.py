"""The page side of the long-range fallback: progress while async reports run, then a note.

Wrap a page's load in `long_range_progress(ctx)`. When the range starts beyond live analytics
(90 days), an st.status shows "Report jobs done: n of m" while dashboard.long_range fetches the
older days, and ends saying where the data came from. Otherwise it does nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from dashboard.long_range import listening, needs_reports
from ui.common import PageContext

STATUS_LABEL = "Older days come from Pinterest async reports"


@contextmanager
def long_range_progress(ctx: PageContext) -> Iterator[None]:
    if ctx.account is None or not needs_reports(ctx.filters.start, ctx.today):
        yield
        return
    script_ctx = get_script_run_ctx()
    status = st.status(STATUS_LABEL + "…", expanded=True)
    bar = status.progress(0.0, text="Looking in the local report store")
    lock = threading.Lock()

    def on_progress(done: int, total: int, text: str) -> None:
        # Called from the loaders' worker threads: attach them to this page's run first.
        if script_ctx is not None:
            add_script_run_ctx(threading.current_thread(), script_ctx)
        with lock:
            bar.progress(min(1.0, done / max(total, 1)),
                         text=f"Report jobs done: {done} of {total}")

    try:
        with listening(on_progress) as log:
            yield
    except Exception:
        status.update(label=STATUS_LABEL + ": they did not finish", state="error")
        raise
    status.update(label=log.describe(), state="complete", expanded=False)
