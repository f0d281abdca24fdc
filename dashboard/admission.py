"""Fair turns for a crowd: a few page runs at a time, the others wait in arrival order.

Streamlit runs every session's script in a thread of one process; the threads share one
interpreter lock round-robin, so fifty sessions arriving together all progress together and
all finish at the very end (the first to arrive waits as long as the fiftieth), and the
event-loop thread that sends every message queues behind them (a blank page until then).
`RunSlots` admits `slots` runs at once; the others wait their turn, first come first served
(waiters are woken in the order they began to wait), without holding the lock, so the
running ones and the event loop go at full speed; no run waits more than MAX_WAIT_S. A run
lines up at its first line; if its turn has not come within FIRST_SIGHT_S, the app draws the
page links, the page's title and a spinner while it waits on (ui/admission.py).
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
# A run whose turn comes within this computes all of it in that turn, drawing nothing before;
# past it, the run draws its sidebar, page links, title and a spinner, then waits on. Drawing
# them costs every run a few milliseconds of the interpreter lock that the run in its turn
# needs: done by all fifty of a crowd at once, it held back the first arrivals until nearly
# everyone had their sidebar (half the crowd finished after 0.7 of the last one's time). The
# goal is a title within 2 s: the wait, then the sidebars of those still waiting.
FIRST_SIGHT_S: Final = 0.8
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
        ticket = self.line_up(first=first)
        return ticket.wait(timeout_s) or ticket.cancel()

    def line_up(self, *, first: bool = False) -> Ticket:
        """A place in line (the slot at once when one is free and nobody waits): wait on it
        in steps, drawing something between them, without losing the place."""
        with self._lock:
            if self._running < self.slots and not self._queue:
                self._running += 1
                self.admitted += 1
                return Ticket(self, None)
            turn = threading.Event()
            if first:
                self._queue.appendleft(turn)
            else:
                self._queue.append(turn)
            self.waited += 1
            return Ticket(self, turn)

    def _cancel(self, turn: threading.Event) -> bool:
        """Leave the line; True when the turn came meanwhile (then the slot is ours)."""
        with self._lock:
            if not turn.is_set():
                self._queue.remove(turn)
                self.timed_out += 1
                return False
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


class Ticket:
    """A place in a RunSlots line, held by one thread."""

    def __init__(self, slots: RunSlots, turn: threading.Event | None) -> None:
        self._slots = slots
        self._turn = turn  # None: the slot was free at once
        self._taken = False
        self._left = False  # gave up its place (cancel)

    @property
    def held(self) -> bool:
        return self._taken

    def wait(self, timeout_s: float | None = None) -> bool:
        """True once the slot is the calling thread's (at once if it already is); False when
        `timeout_s` passed first (the place in line is kept)."""
        if self._taken or self._left:
            return self._taken
        if self._turn is None or self._turn.wait(timeout_s):
            self._slots._take()  # leave() handed us its slot (_running already counts us)
            self._taken = True
        return self._taken

    def cancel(self) -> bool:
        """Give up the place in line (a wait too long: go on without a slot); True when the
        turn came meanwhile and the slot is taken after all."""
        if self._taken or self._left:
            return self._taken
        if self._turn is None or self._slots._cancel(self._turn):
            self._slots._take()
            self._taken = True
        self._left = not self._taken
        return self._taken


PAGE_RUNS: Final = RunSlots()
