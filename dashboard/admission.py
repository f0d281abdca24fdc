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

# One run computes at a time: with more, their threads and the event loop's hand the
# interpreter lock round and round (each message the loop sends costs it a turn behind every
# runnable thread), and a crowd collapsed back to everyone finishing at the end. A run waiting
# on the network lends its slot meanwhile (`released`, around the loaders' waits).
RUN_SLOTS: Final = 1
# A wait shorter than this keeps the slot (a warm page's "calls" are cache hits: handing the
# slot over and back would only reorder the line).
LEND_AFTER_S: Final = 0.02
# The longest a run waits for its turn. A turn is normally tens of milliseconds; past this
# (a stuck run holding its slot) a run goes on without a slot, as it would with no limit.
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
        self._holder = threading.local()  # .holds: how many slots this thread has
        self.admitted = 0
        self.waited = 0  # runs that had to wait for a slot
        self.timed_out = 0  # runs that went on without one (waited too long)
        self.lent = 0  # slots lent while their run waited on the network

    def holds(self) -> bool:
        """Whether the calling thread has a slot."""
        return int(getattr(self._holder, "holds", 0)) > 0

    def try_enter(self) -> bool:
        """Take a slot now if one is free and nobody waits before us."""
        with self._lock:
            if self._running < self.slots and not self._queue:
                self._running += 1
                self.admitted += 1
                self._take()
                return True
            return False

    def enter(self, timeout_s: float | None = None, *, first: bool = False) -> bool:
        """Take a slot, waiting in line if none is free (at the head of the line if `first`);
        False (and no slot) when `timeout_s` passed first."""
        with self._lock:
            if self._running < self.slots and not self._queue:
                self._running += 1
                self.admitted += 1
                self._take()
                return True
            turn = threading.Event()
            if first:
                self._queue.appendleft(turn)
            else:
                self._queue.append(turn)
            self.waited += 1
        if not turn.wait(timeout_s):
            with self._lock:
                if not turn.is_set():
                    self._queue.remove(turn)
                    self.timed_out += 1
                    return False
        self._take()  # leave() handed us its slot (_running already counts us)
        return True

    def _take(self) -> None:
        self._holder.holds = int(getattr(self._holder, "holds", 0)) + 1

    def leave(self) -> None:
        """Give the calling thread's slot to the next in line (nothing if it has none)."""
        if not self.holds():
            return
        self._holder.holds -= 1
        with self._lock:
            if self._queue:
                self.admitted += 1
                self._queue.popleft().set()  # the slot passes to the next in line
            else:
                self._running -= 1

    @contextmanager
    def released(self) -> Iterator[None]:
        """While the calling thread waits on the network: its slot (if any) goes to the next
        in line, and it comes back at the head of the line."""
        if not self.holds():
            yield
            return
        with self._lock:
            self.lent += 1
        self.leave()
        try:
            yield
        finally:
            self.enter(MAX_WAIT_S, first=True)

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
