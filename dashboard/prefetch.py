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
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Generic, TypeAlias, TypeVar, cast

from dashboard.admission import LEND_AFTER_S, PAGE_RUNS
from dashboard.filters import Filters
from dashboard.loader_memo import LOADER_MEMO
from pinterest_client import PinterestClient

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

# A page's loader: everything its data depends on is in these four arguments.
PageLoader: TypeAlias = Callable[[PinterestClient, str, Filters, date], T]


@dataclass(frozen=True)
class PageRequest:
    """What a page asks for: its loader is called as `loader(client, account_id, filters,
    today)`. Equal requests are the same call (Filters and date compare by value)."""

    client: PinterestClient
    account_id: str
    filters: Filters
    today: date

    def args(self) -> tuple[PinterestClient, str, Filters, date]:
        return (self.client, self.account_id, self.filters, self.today)

# Shared by every session of the process: a prefetch is one page load, mostly waiting on
# the network, and the page runs it itself when none of these is free.
_POOL: Final = ThreadPoolExecutor(max_workers=8, thread_name_prefix="dashboard-prefetch")


class Prefetch(Generic[T_co]):
    """One loader call running in the background, for the page that asks for it."""

    def __init__(self, loader: Callable[..., T_co], args: tuple[Any, ...]) -> None:
        self._key: tuple[object, tuple[Any, ...]] = (loader, args)
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
        try:
            result: T = future.result(timeout=LEND_AFTER_S)
        except TimeoutError:
            with PAGE_RUNS.released():  # waiting on the network: another run computes
                result = future.result()
        return result


def start(loader: Callable[..., T], *args: Any) -> Prefetch[T]:
    """`loader(*args)` started in the background (pages use the typed `start_page`)."""
    return Prefetch(loader, args)


def start_page(loader: PageLoader[T], request: PageRequest) -> Prefetch[T] | None:
    """The page's data started in the background (through the loader memo), or None when
    the memo already holds it (nothing to wait for)."""
    if LOADER_MEMO.ready(loader, *request.args()):
        return None
    return cast(Prefetch[T], start(LOADER_MEMO.load, loader, *request.args()))


def load(prefetch: Prefetch[object] | None, loader: Callable[..., T], *args: Any) -> T:
    """`loader(*args)`, through `prefetch` when there is one."""
    if prefetch is None:
        return loader(*args)
    return prefetch.load(loader, *args)


def load_page(prefetch: Prefetch[object] | None, loader: PageLoader[T], request: PageRequest) -> T:
    """A page's data, through `prefetch` when it started this very request, and through the
    loader memo (dashboard/loader_memo.py: built once per data version for every session)."""
    return cast(T, load(prefetch, LOADER_MEMO.load, loader, *request.args()))
