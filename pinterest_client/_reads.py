"""Which cached answers a block of code read, so that work derived from them can be reused
while they stay the same.

`PinterestClient.recording_reads()` collects, for the calling context (and the client's own
worker threads it starts), every answer the client served through its cache: the entry's
key, when it was fetched, whether it was a stale copy, and the account scope whose proof let
this token read it. `PinterestClient.reads_unchanged(log)` says whether reading the same keys
now would give the very same answers, under the same rules (fresh, same fetch, the token's
access still proven), without calling upstream. A log with anything else in it (a failed
call, a stale copy) is never reusable: the next read must go upstream as it would have.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from pinterest_client._access import AccountScope


@dataclass(frozen=True)
class CachedRead:
    key: tuple[Hashable, ...]
    fetched_at: float
    scope: AccountScope | None  # the account data kind whose proof served it, if any


@dataclass
class ReadLog:
    """What one block of code read through the client's cache (thread-safe appends)."""

    owner: str  # the token's identity hash the reads were made under
    reads: list[CachedRead] = field(default_factory=list)
    reusable: bool = True  # False once anything was not a fresh cached answer
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, read: CachedRead) -> None:
        with self._lock:
            self.reads.append(read)

    def spoil(self) -> None:
        with self._lock:
            self.reusable = False


_CURRENT: contextvars.ContextVar[ReadLog | None] = contextvars.ContextVar(
    "pinterest_client_read_log", default=None)


@contextmanager
def recording(owner: str) -> Iterator[ReadLog]:
    log = ReadLog(owner=owner)
    token = _CURRENT.set(log)
    try:
        yield log
    finally:
        _CURRENT.reset(token)


def current() -> ReadLog | None:
    return _CURRENT.get()
