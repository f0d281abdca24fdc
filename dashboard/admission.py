"""Fair turns for a crowd: a few page runs at a time, the others wait in arrival order.

Streamlit runs every session's script in a thread of one process; the threads share one
interpreter lock round-robin, so fifty sessions arriving together all progress together and
all finish at the very end (the first to arrive waits as long as the fiftieth), and the
event-loop thread that sends every message queues behind them (a blank page until then).
`RunSlots` admits `slots` runs at once; the others wait their turn, first come first served
(waiters are woken in the order they began to wait), without holding the lock, so the
running ones and the event loop go at full speed; no run waits more than MAX_WAIT_S. The app
draws the page links, the page's title and a spinner before waiting (ui/admission.py).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

RUN_SLOTS: Final = 3  # runs at once: one computing, others waiting on the network meanwhile
# The longest a run waits for its turn. A turn is normally tens of milliseconds, but a page
# may wait on the network with its slot (a long range's report jobs: up to two minutes); past
# this a run goes on without a slot, as it would with no limit.
MAX_WAIT_S: Final = 5.0


class RunSlots:
    """A first-come-first-served limit on concurrent runs, with counts."""

    def __init__(self, slots: int = RUN_SLOTS) -> None:
        if slots < 1:
            raise ValueError("at least one slot")
        self.slots = slots
        self._lock = threading.Lock()
        self._running = 0
        self._queue: deque[threading.Event] = deque()
        self.admitted = 0
        self.waited = 0  # runs that had to wait for a slot
        self.timed_out = 0  # runs that went on without one (waited too long)

    def try_enter(self) -> bool:
        """Take a slot now if one is free and nobody waits before us."""
        with self._lock:
            if self._running < self.slots and not self._queue:
                self._running += 1
                self.admitted += 1
                return True
            return False

    def enter(self, timeout_s: float | None = None) -> bool:
        """Take a slot, waiting in line if none is free; False (and no slot: do not leave())
        when `timeout_s` passed first."""
        with self._lock:
            if self._running < self.slots and not self._queue:
                self._running += 1
                self.admitted += 1
                return True
            turn = threading.Event()
            self._queue.append(turn)
            self.waited += 1
        if turn.wait(timeout_s):
            return True  # leave() handed us its slot (_running already counts us)
        with self._lock:
            if turn.is_set():  # handed over just now
                return True
            self._queue.remove(turn)
            self.timed_out += 1
            return False

    def leave(self) -> None:
        with self._lock:
            if self._queue:
                self.admitted += 1
                self._queue.popleft().set()  # the slot passes to the next in line
            else:
                self._running -= 1

    @property
    def running(self) -> int:
        return self._running

    @property
    def waiting(self) -> int:
        return len(self._queue)

    @contextmanager
    def turn(self) -> Iterator[None]:
        self.enter()
        try:
            yield
        finally:
            self.leave()


PAGE_RUNS: Final = RunSlots()
