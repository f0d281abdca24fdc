"""A page's data built once per data version and handed to every session that asks for it.

A warm page view re-ran its loader on every run: it read the same cached answers and built
the same frames (8 to 15 % of the server's CPU per view), and the render cache then hashed
those new frames again to find the figures it had already built. Fifty people on the same
account, range and filters need it once.

`load(loader, client, *args)` runs the loader while the client records the cached answers
it reads (`PinterestClient.recording_reads`), keeps the result under (loader, the token's
identity, the other arguments: account, filters, today...), and gives it again only while
`client.reads_unchanged(log)` holds: every answer still fresh in the client's cache from the
same fetch, the token's access to each account still proven. So a result lives exactly as
long as the data under it (a today's range: 25 s; a closed one: its answers' TTL), costs no
call, and is never shown to another token. Results the loader built from anything else are
not kept: a failed call or a stale copy (the next run must try upstream again), ranges served
by async reports (their store is not the client's cache). The frames kept are sealed
(dashboard/render_cache.py): they are shared read-only, and their keys are computed once.

Clock-dependent parts (a pacing's elapsed share of today, today's same-hours comparison)
are as old as the answers under them, at most the 25 s of today's TTL.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, TypeVar, cast

from dashboard.filters import Filters, sync_reachable
from dashboard.render_cache import frames_in, seal, size_of
from pinterest_client import PinterestClient, ReadLog

T = TypeVar("T")
MAX_ENTRIES: Final = 256  # a few pages x accounts x ranges x people at once
MAX_BYTES: Final = 128 * 1024 * 1024  # and never more than this of frames (pandas' count)


@dataclass(frozen=True)
class _Kept:
    result: Any
    log: ReadLog
    size: int  # bytes of its frames


@dataclass
class MemoStats:
    hits: int = 0
    misses: int = 0
    not_kept: int = 0  # built but not reusable (a failed call, a stale copy)


class LoaderMemo:
    """Bounded (entries and bytes of frames, least recently used out), thread-safe: the
    last result of each (loader, token, request)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._bytes = 0
        self._entries: OrderedDict[Hashable, _Kept] = OrderedDict()
        self._lock = threading.Lock()
        self.stats = MemoStats()

    def load(self, loader: Callable[..., T], client: PinterestClient, *args: Any) -> T:
        """`loader(client, *args)`, or the result kept for the same call while the answers
        under it are unchanged. The arguments must be hashable (a list: pass a tuple)."""
        key = self._key(loader, client, args)
        if key is None:
            return loader(client, *args)
        kept = self._valid(key, client)
        if kept is not None:
            with self._lock:
                self.stats.hits += 1
                if key in self._entries:
                    self._entries.move_to_end(key)
            return cast(T, kept.result)
        with client.recording_reads() as log:
            result = loader(client, *args)
        size = sum(size_of(frame) for frame in frames_in(result)) if log.reusable else 0
        if log.reusable:
            seal(result)
        with self._lock:
            self.stats.misses += 1
            self._drop(key)
            if not log.reusable or size > self.max_bytes:
                self.stats.not_kept += 1
                return result
            self._entries[key] = _Kept(result, log, size)
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))
        return result

    def _drop(self, key: Hashable) -> None:
        kept = self._entries.pop(key, None)
        if kept is not None:
            self._bytes -= kept.size

    def ready(self, loader: Any, client: PinterestClient, *args: Any) -> bool:
        """Whether `load` would give a kept result now (no loader run, no call)."""
        key = self._key(loader, client, args)
        return key is not None and self._valid(key, client) is not None

    @staticmethod
    def _key(loader: Any, client: PinterestClient, args: tuple[Any, ...]) -> Hashable | None:
        """The call's key, or None when it is not to be kept: a range served by async
        reports (their store is not the client's cache), or an unhashable argument."""
        filters = next((a for a in args if isinstance(a, Filters)), None)
        today = next((a for a in args if type(a) is date), None)
        if filters is not None and (today is None or not sync_reachable(filters.start, today)):
            return None
        key = (loader.__module__, loader.__qualname__, client.base_url, client.identity, args)
        try:
            hash(key)
        except TypeError:
            return None
        return key

    def _valid(self, key: Hashable, client: PinterestClient) -> _Kept | None:
        with self._lock:
            kept = self._entries.get(key)
        if kept is None:
            return None
        if not client.reads_unchanged(kept.log):
            with self._lock:  # outdated: its memory goes now, not when pushed out
                if self._entries.get(key) is kept:
                    self._drop(key)
            return None
        return kept

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self.stats = MemoStats()

    @property
    def bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)


LOADER_MEMO: Final = LoaderMemo()
