"""dashboard.admission.RunSlots: a few runs at once, the rest in arrival order."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from dashboard.admission import RunSlots

WAIT_S = 10.0


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)
    assert condition(), what


def test_free_slots_are_taken_at_once_then_the_rest_wait() -> None:
    slots = RunSlots(2)
    assert slots.try_enter() and slots.try_enter()
    assert not slots.try_enter()
    assert (slots.running, slots.waiting, slots.admitted) == (2, 0, 2)
    slots.leave()
    assert slots.try_enter()
    slots.leave()
    slots.leave()
    assert slots.running == 0


def test_waiters_get_their_turn_in_arrival_order() -> None:
    slots = RunSlots(1)
    slots.enter()
    order: list[int] = []
    lock = threading.Lock()

    def visitor(number: int) -> None:
        with slots.turn(), lock:
            order.append(number)

    threads = []
    for number in range(8):
        thread = threading.Thread(target=visitor, args=(number,))
        thread.start()
        threads.append(thread)
        queued = number + 1
        wait_until(lambda: slots.waiting == queued, "the visitor queued")  # noqa: B023
    assert not slots.try_enter()  # a free slot would not jump the queue either
    slots.leave()
    for thread in threads:
        thread.join(WAIT_S)
    assert order == list(range(8))
    assert (slots.running, slots.waiting, slots.waited, slots.admitted) == (0, 0, 8, 9)


def test_never_more_than_the_slots_at_once() -> None:
    slots = RunSlots(3)
    lock = threading.Lock()
    running = peak = 0

    def visitor() -> None:
        nonlocal running, peak
        with slots.turn():
            with lock:
                running += 1
                peak = max(peak, running)
            time.sleep(0.002)
            with lock:
                running -= 1

    threads = [threading.Thread(target=visitor) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S)
    assert peak <= 3
    assert slots.admitted == 30 and slots.running == 0


def test_a_slot_comes_back_when_the_run_raises() -> None:
    slots = RunSlots(1)
    with pytest.raises(RuntimeError), slots.turn():
        raise RuntimeError("the run was stopped")
    assert slots.running == 0 and slots.try_enter()


def test_at_least_one_slot() -> None:
    with pytest.raises(ValueError):
        RunSlots(0)


def test_a_run_that_waited_too_long_goes_on_without_a_slot() -> None:
    slots = RunSlots(1)
    slots.enter()
    assert slots.enter(timeout_s=0.01) is False
    assert (slots.running, slots.waiting, slots.timed_out) == (1, 0, 1)
    slots.leave()  # the holder's slot is free again, nobody queued
    assert slots.running == 0
    assert slots.enter(timeout_s=0.01) is True
    slots.leave()


def test_a_run_waiting_on_the_network_lends_its_slot_and_comes_back_first() -> None:
    slots = RunSlots(1)
    slots.enter()
    order: list[str] = []
    second_in = threading.Event()
    let_second_finish = threading.Event()

    def second() -> None:
        with slots.turn():
            order.append("second in")
            second_in.set()
            let_second_finish.wait(WAIT_S)
            order.append("second out")

    def third() -> None:
        with slots.turn():
            order.append("third")

    other = threading.Thread(target=second)
    other.start()
    wait_until(lambda: slots.waiting == 1, "second queued")
    with slots.released():  # the first run waits on the network
        assert second_in.wait(WAIT_S)  # meanwhile the second computes
        late = threading.Thread(target=third)
        late.start()
        wait_until(lambda: slots.waiting == 1, "third queued")
        let_second_finish.set()
    # Back in: ahead of the third, which arrived later.
    assert slots.holds() and order == ["second in", "second out"]
    assert slots.lent == 1
    slots.leave()
    late.join(WAIT_S)
    other.join(WAIT_S)
    assert order == ["second in", "second out", "third"]
    assert slots.running == 0


def test_gather_lends_the_slot_while_its_calls_wait() -> None:
    from dashboard.admission import PAGE_RUNS
    from dashboard.loaders import gather

    reply = threading.Event()
    other_ran = threading.Event()
    assert PAGE_RUNS.try_enter()
    try:
        def other_run() -> None:
            with PAGE_RUNS.turn():
                other_ran.set()
                reply.set()  # the first run's call answers once the other has run

        other = threading.Thread(target=other_run)
        other.start()
        wait_until(lambda: PAGE_RUNS.waiting == 1, "the other run queued")
        results = gather({"call": lambda: reply.wait(WAIT_S)})
        assert results == {"call": True}
        assert other_ran.is_set()
        other.join(WAIT_S)
        assert PAGE_RUNS.holds()
    finally:
        PAGE_RUNS.leave()
    assert PAGE_RUNS.running == 0


def test_a_place_in_line_is_kept_across_waits_and_given_up_once() -> None:
    slots = RunSlots(1)
    slots.enter()  # another run's turn
    first = slots.line_up()
    assert not first.wait(0.01) and not first.held
    second = slots.line_up()  # arrives later
    assert not first.wait(0.01)  # still waiting, still first in line
    slots.leave()
    assert first.wait(0) and first.held and not second.wait(0.01)
    assert second.cancel() is False  # gives up its place...
    assert second.cancel() is False and slots.waiting == 0  # ...once
    slots.leave()  # first's turn ends: nobody left in line
    assert slots.running == 0 and slots.try_enter()
    slots.leave()


def test_a_turn_that_came_just_before_giving_up_is_taken() -> None:
    slots = RunSlots(1)
    slots.enter()
    ticket = slots.line_up()
    slots.leave()  # the slot passes to the ticket before it looks again
    assert ticket.cancel() is True and ticket.held
    slots.leave()
    assert slots.running == 0
