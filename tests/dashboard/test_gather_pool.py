"""dashboard.loaders.gather: one thread pool for the process, shared by every run."""

from __future__ import annotations

import contextvars
import threading
import time

from dashboard.loaders import MAX_PARALLEL_CALLS, gather
from dashboard.loaders.fetch import GATHER_THREAD_PREFIX, GATHER_WORKERS

WAIT_S = 10.0


def test_every_gather_runs_on_the_one_pool() -> None:
    names: set[str] = set()
    lock = threading.Lock()

    def task() -> int:
        with lock:
            names.add(threading.current_thread().name)
        return 1

    for _ in range(20):
        assert gather({f"t{i}": task for i in range(4)}) == {f"t{i}": 1 for i in range(4)}
    # A pool per run named its threads ThreadPoolExecutor-N_k, N growing with every run.
    assert names
    assert all(name.startswith(GATHER_THREAD_PREFIX) for name in names), names
    assert len(names) <= GATHER_WORKERS


def test_results_in_order_with_exceptions_returned() -> None:
    def boom() -> int:
        raise ValueError("no")

    results = gather({"b": lambda: 2, "a": boom, "c": lambda: 3})
    assert list(results) == ["b", "a", "c"]
    assert results["b"] == 2 and results["c"] == 3
    assert isinstance(results["a"], ValueError)


def test_a_page_has_at_most_its_cap_in_flight() -> None:
    release = threading.Event()
    lock = threading.Lock()
    started = 0
    peak = 0
    running = 0

    def task() -> None:
        nonlocal started, peak, running
        with lock:
            started += 1
            running += 1
            peak = max(peak, running)
        release.wait(WAIT_S)
        with lock:
            running -= 1

    total = MAX_PARALLEL_CALLS + 4
    outer = threading.Thread(target=gather, args=({f"t{i}": task for i in range(total)},))
    outer.start()
    deadline = time.monotonic() + WAIT_S
    while started < MAX_PARALLEL_CALLS and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)  # had a seventh been let through, it would have started by now
    with lock:
        assert started == MAX_PARALLEL_CALLS
    release.set()
    outer.join(WAIT_S)
    assert not outer.is_alive()
    assert started == total and peak == MAX_PARALLEL_CALLS


def test_a_gather_inside_a_task_never_waits_on_the_full_pool() -> None:
    """More outer gathers than workers, each task gathering again: the nested calls run in
    the task's own thread, so nothing waits for a worker that waits too."""
    barrier = threading.Barrier(GATHER_WORKERS, timeout=WAIT_S)

    def inner() -> str:
        return "inner"

    def task() -> dict[str, object]:
        barrier.wait()  # every worker busy at once
        return gather({"x": inner, "y": inner})

    outers = GATHER_WORKERS // 2
    results: list[dict[str, object]] = []
    lock = threading.Lock()

    def outer() -> None:
        got = gather({"a": task, "b": task})
        with lock:
            results.extend(got.values())

    threads = [threading.Thread(target=outer) for _ in range(outers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S * 2)
    assert not any(thread.is_alive() for thread in threads)
    assert results == [{"x": "inner", "y": "inner"}] * (2 * outers)


def test_tasks_see_the_callers_context() -> None:
    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")
    var.set("page")
    assert gather({"a": var.get, "b": var.get}) == {"a": "page", "b": "page"}
