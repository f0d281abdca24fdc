"""dashboard.prefetch: a page takes the background result of exactly its own call, once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from dashboard import prefetch


class CountingLoader:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.threads: list[str] = []
        self.lock = threading.Lock()
        self.called = threading.Event()

    def __call__(self, *args: Any) -> tuple[Any, ...]:
        with self.lock:
            self.calls.append(args)
            self.threads.append(threading.current_thread().name)
        self.called.set()
        return ("result", *args)


def test_the_same_call_is_served_by_the_background_run() -> None:
    loader = CountingLoader()
    started = prefetch.start(loader, "acct", 7)
    assert loader.called.wait(10)  # running (a prefetch not started yet runs in the page)
    assert started.load(loader, "acct", 7) == ("result", "acct", 7)
    assert loader.calls == [("acct", 7)]
    assert loader.threads[0].startswith("dashboard-prefetch")


def test_another_call_runs_anew_in_the_pages_thread() -> None:
    loader = CountingLoader()
    started = prefetch.start(loader, "acct", 7)
    assert started.load(loader, "other", 7) == ("result", "other", 7)
    with loader.lock:
        mine = [t for args, t in zip(loader.calls, loader.threads, strict=True)
                if args == ("other", 7)]
    assert mine == [threading.current_thread().name]
    assert prefetch.load(None, loader, "x") == ("result", "x")


def test_a_prefetch_is_taken_once_so_a_rerun_loads_anew() -> None:
    loader = CountingLoader()
    started = prefetch.start(loader, "acct")
    started.load(loader, "acct")
    started.load(loader, "acct")
    assert loader.calls == [("acct",), ("acct",)]
    assert loader.threads[1] == threading.current_thread().name


def test_the_loaders_error_is_raised_where_the_page_asks() -> None:
    def failing(account: str) -> None:
        raise ValueError(f"no such account {account}")

    started = prefetch.start(failing, "123")
    with pytest.raises(ValueError, match="no such account 123"):
        started.load(failing, "123")


@contextmanager
def all_workers_busy() -> Iterator[None]:
    """Every prefetch worker blocked, so a new prefetch stays queued until the block ends."""
    release = threading.Event()
    busy = [prefetch._POOL.submit(release.wait, 10) for _ in range(prefetch._POOL._max_workers)]
    try:
        yield
    finally:
        release.set()
        for future in busy:
            future.result()
    prefetch._POOL.submit(lambda: None).result()  # the queue has drained


def test_a_prefetch_still_queued_is_run_by_the_page_itself() -> None:
    loader = CountingLoader()
    with all_workers_busy():
        queued = prefetch.start(loader, "acct")
        assert queued.load(loader, "acct") == ("result", "acct")
        assert loader.threads == [threading.current_thread().name]
    assert loader.calls == [("acct",)]  # the cancelled background run never ran


def test_a_prefetch_for_another_call_is_cancelled_when_still_queued() -> None:
    loader = CountingLoader()
    with all_workers_busy():
        queued = prefetch.start(loader, "an account the user cannot see")
        assert queued.load(loader, "the first account") == ("result", "the first account")
    assert loader.calls == [("the first account",)]  # the unneeded prefetch never ran
