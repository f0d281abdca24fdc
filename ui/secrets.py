"""The `[pinterest]` section of `.streamlit/secrets.toml`, read on every run without a crowd
queueing on it.

With no secrets file (settings from the environment, as in personal mode), Streamlit looks
for the files again on every access, under its secrets lock, and raises; fifty sessions
arriving at once queued there before anything was drawn. So "no secrets file" is remembered
for a few seconds (a file created meanwhile is read at most that late), for this secrets
store only (tests swap `st.secrets`). With a file, Streamlit's own fast path answers and
reloads it when it changes.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Mapping
from typing import Any, Final

import streamlit as st

NO_SECRETS_RECHECK_S: Final = 5.0
SECTION: Final = "pinterest"

_clock = time.monotonic
_lock = threading.Lock()
_absent: tuple[weakref.ref[Any], float] | None = None  # (the store, when it had no file)


def secrets_section() -> Mapping[str, object]:
    """The [pinterest] section, or {} when there is none (or no secrets file at all)."""
    global _absent
    store = st.secrets
    with _lock:
        absent = _absent
    if (absent is not None and absent[0]() is store
            and _clock() - absent[1] < NO_SECRETS_RECHECK_S):
        return {}
    try:
        section = store.get(SECTION, {})
    except Exception:  # no secrets file at all is normal (demo mode, env vars)
        with _lock:
            _absent = (weakref.ref(store), _clock())
        return {}
    return dict(section) if isinstance(section, Mapping) else {}
