"""A page's data, started while the sidebar is still listing the ad accounts.

app.py needs the account list to draw the sidebar, and a page needs its account before its
own calls: done in turn, opening a page costs two round trips in a row. When the account is
already known (from the link, or the previous run), the page's loader starts in the
background at once, and the page takes that result if it asks for exactly the same thing.

A prefetch is taken at most once (an auto-refresh rerun must load anew), and a prefetch that
has not started yet (all workers busy) is cancelled and run by the page itself, so waiting
for a prefetch is never slower than loading.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Final, TypeVar

T = TypeVar("T")

# Shared by every session of the process: a prefetch is one page load, mostly waiting on
# the network, and the page runs it itself when none of these is free.
_POOL: Final = ThreadPoolExecutor(max_workers=8, thread_name_prefix="dashboard-prefetch")


class Prefetch:
    """One loader call running in the background, for the page that asks for it."""

    def __init__(self, loader: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self._key = (loader, args)
        self._lock = threading.Lock()
        self._future: Future[Any] | None = _POOL.submit(loader, *args)

    def load(self, loader: Callable[..., T], *args: Any) -> T:
        """`loader(*args)`: the background result when it is this very call (once), else a
        call made now. The loader's exception is raised here, as a direct call would."""
        with self._lock:
            future, self._future = self._future, None
        if future is None:
            return loader(*args)
        if self._key != (loader, args):
            future.cancel()  # not needed: if it has not started, it never will
            return loader(*args)
        if future.cancel():  # still queued: run it here rather than wait behind others
            return loader(*args)
        result: T = future.result()
        return result


def start(loader: Callable[..., Any], *args: Any) -> Prefetch:
    return Prefetch(loader, args)


def load(prefetch: Prefetch | None, loader: Callable[..., T], *args: Any) -> T:
    """`loader(*args)`, through `prefetch` when there is one."""
    if prefetch is None:
        return loader(*args)
    return prefetch.load(loader, *args)
