"""Response cache: TTL per entry, bounded by entries and bytes, single flight, stale-if-error.

- Fresh store: `cachetools.TLRUCache` (each entry expires at its own time; sizes are the
  answer's body length in bytes), plus an entry-count bound.
- Stale store: a second bounded `cachetools.LRUCache` keeping the last good value of every key
  (for `stale_keep_s`), served marked stale when a refresh fails with a transient error
  (5xx, 429 past the wait cap, timeout, connection error, unreadable answer). Auth and access
  errors are never answered from the stale store.
- Single flight: concurrent callers of the same key wait for the one upstream call in flight
  and share its outcome.
- Keys: `(identity, method, url, normalised params)` where identity is the sha256 of the token
  (see `_auth.Credentials.identity`): never the token itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import cachetools

from pinterest_client._errors import (
    InvalidResponseError,
    PinterestError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from pinterest_client.models import Fetched

T = TypeVar("T")
CacheKey = tuple[Hashable, ...]
STALE_ERRORS = (ServerError, RateLimitedError, TransportError, InvalidResponseError)


def normalise_params(params: Mapping[str, Any] | None) -> tuple[tuple[str, Any], ...]:
    """Parameters as a hashable, order-free tuple (lists sorted; None dropped)."""
    if not params:
        return ()
    out: list[tuple[str, Any]] = []
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, list | tuple | set | frozenset):
            out.append((key, tuple(sorted(str(v) for v in value))))
        else:
            out.append((key, str(value)))
    return tuple(sorted(out))


@dataclass(frozen=True)
class _Entry(Generic[T]):
    value: T
    fetched_at: float  # epoch seconds
    expires_at: float  # on the cache's timer
    size: int


@dataclass(frozen=True)
class CacheStats:
    hits: int
    misses: int
    stale_served: int
    joined_in_flight: int
    entries: int
    bytes: int
    stale_entries: int


class _Flight:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: Fetched[Any] | None = None
        self.error: BaseException | None = None


class ResponseCache:
    """Thread-safe; share one per process (the default) or give each client its own."""

    def __init__(
        self,
        *,
        max_entries: int = 4096,
        max_bytes: int = 64 * 1024 * 1024,
        stale_max_entries: int | None = None,
        stale_max_bytes: int | None = None,
        stale_keep_s: float = 24 * 3600.0,
        timer: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.enabled = max_entries > 0 and max_bytes > 0
        self.max_entries = max(1, max_entries)
        # The stale store has the same bounds as the fresh one unless told otherwise.
        stale_max_entries = max_entries if stale_max_entries is None else stale_max_entries
        stale_max_bytes = max_bytes if stale_max_bytes is None else stale_max_bytes
        self.stale_max_entries = max(1, stale_max_entries)
        self.stale_keep_s = stale_keep_s
        self._timer = timer
        self._wall = wall
        self._lock = threading.Lock()
        self._fresh: cachetools.TLRUCache[CacheKey, _Entry[Any]] = cachetools.TLRUCache(
            maxsize=max(1, max_bytes),
            ttu=lambda _key, entry, _now: entry.expires_at,
            timer=timer,
            getsizeof=lambda entry: max(1, entry.size),
        )
        self._stale: cachetools.LRUCache[CacheKey, _Entry[Any]] = cachetools.LRUCache(
            maxsize=max(1, stale_max_bytes), getsizeof=lambda entry: max(1, entry.size)
        )
        self._flights: dict[CacheKey, _Flight] = {}
        self._hits = 0
        self._misses = 0
        self._stale_served = 0
        self._joined = 0

    @classmethod
    def disabled(cls) -> ResponseCache:
        """A cache that stores nothing and shares nothing (every call goes upstream)."""
        return cls(max_entries=0)

    def __repr__(self) -> str:
        return f"ResponseCache(enabled={self.enabled}, entries={len(self._fresh)})"

    def get_or_fetch(
        self, key: CacheKey, ttl_s: float | Callable[[T], float],
        fetch: Callable[[], tuple[T, int]], *, join: CacheKey | None = None,
    ) -> Fetched[T]:
        """The cached value for `key`, else `fetch()` -> (value, size in bytes), once per key
        at a time (`ttl_s` may depend on the value). On a transient failure, the last good
        value marked stale (or the error). `join`: a flight of this caller's own (see
        `fetch_and_store`) to wait for instead, when one is under way."""
        if not self.enabled:
            value, _size = fetch()
            return Fetched(data=value, stale=False, fetched_at=self._wall())
        return self._single_flight(key, lambda: self._lead(key, ttl_s, fetch), held=key,
                                   join=join)

    def fetch_and_store(
        self, key: CacheKey, ttl_s: float | Callable[[T], float],
        fetch: Callable[[], tuple[T, int]], *, flight: CacheKey, stale_ok: bool = False,
        allowed_now: Callable[[], bool] | None = None,
    ) -> Fetched[T]:
        """`fetch()` now, whatever is held, and keep its result for `key` (fresh and stale):
        for a caller that may not be served what others fetched. No held copy is served;
        only callers with the same `flight` key (the same token asking the same thing) share
        one call in flight. A transient failure gets the stale copy only when `stale_ok`.
        `allowed_now()`, checked as the call would start, may still let the caller have the
        held copy (it was allowed meanwhile: a flight of its own just landed)."""
        if not self.enabled:
            value, _size = fetch()
            return Fetched(data=value, stale=False, fetched_at=self._wall())

        def lead() -> Fetched[T]:
            if stale_ok:
                return self._lead(key, ttl_s, fetch)
            value, size = fetch()
            return self._keep(key, ttl_s, value, size)

        return self._single_flight(flight, lead, held=key, held_if=allowed_now or (lambda: False),
                                   join=key)

    def _single_flight(self, flight_key: CacheKey, lead: Callable[[], Fetched[T]], *,
                       held: CacheKey | None = None,
                       held_if: Callable[[], bool] | None = None,
                       join: CacheKey | None = None) -> Fetched[T]:
        """`lead()` once for every caller asking under `flight_key` at the same time; the
        fresh copy of `held`, when given and there, instead (checked under the same lock, so
        a caller arriving just after a flight landed gets its result, not a second call), or
        the flight under way for `join`. `held_if()` (default yes) must allow both."""
        with self._lock:
            allowed = held_if is None or held_if()
            if held is not None and allowed:
                entry = self._fresh.get(held)
                if entry is not None:
                    self._hits += 1
                    return Fetched(data=entry.value, stale=False, fetched_at=entry.fetched_at)
            flight = self._flights.get(flight_key)
            if flight is None and join is not None and allowed:
                flight = self._flights.get(join)
            leader = flight is None
            if flight is None:
                flight = _Flight()
                self._flights[flight_key] = flight
                self._misses += 1
            else:
                self._joined += 1
        if not leader:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            assert flight.result is not None
            return flight.result
        try:
            result = lead()
            flight.result = result
            return result
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                self._flights.pop(flight_key, None)
            flight.done.set()

    def _keep(self, key: CacheKey, ttl_s: float | Callable[[T], float], value: T,
              size: int) -> Fetched[T]:
        fetched_at = self._wall()
        ttl = ttl_s(value) if callable(ttl_s) else ttl_s
        entry = _Entry(value=value, fetched_at=fetched_at, expires_at=self._timer() + ttl,
                       size=size)
        with self._lock:
            self._store(self._fresh, key, entry, self.max_entries)
            self._store(self._stale, key, entry, self.stale_max_entries)
        return Fetched(data=value, stale=False, fetched_at=fetched_at)

    def _lead(
        self, key: CacheKey, ttl_s: float | Callable[[T], float],
        fetch: Callable[[], tuple[T, int]],
    ) -> Fetched[T]:
        try:
            value, size = fetch()
        except STALE_ERRORS as exc:
            stale = self._stale_copy(key)
            if stale is None:
                raise
            with self._lock:
                self._stale_served += 1
            return Fetched(data=stale.value, stale=True, fetched_at=stale.fetched_at,
                           error=_as_pinterest_error(exc))
        return self._keep(key, ttl_s, value, size)

    def _stale_copy(self, key: CacheKey) -> _Entry[Any] | None:
        with self._lock:
            entry = self._stale.get(key)
        if entry is None or self._wall() - entry.fetched_at > self.stale_keep_s:
            return None
        return entry

    @staticmethod
    def _store(store: cachetools.Cache[CacheKey, _Entry[Any]], key: CacheKey,
               entry: _Entry[Any], max_entries: int) -> None:
        try:
            store[key] = entry
        except ValueError:  # larger than the whole byte budget: not cached
            store.pop(key, None)
            return
        while len(store) > max_entries:
            store.popitem()

    def peek(self, key: CacheKey) -> Fetched[Any] | None:
        """What `key` holds now, fresh or (kept) stale, without calling upstream or counting
        a hit; None when nothing is held."""
        if not self.enabled:
            return None
        with self._lock:
            entry = self._fresh.get(key)
        if entry is not None:
            return Fetched(data=entry.value, stale=False, fetched_at=entry.fetched_at)
        stale = self._stale_copy(key)
        if stale is None:
            return None
        return Fetched(data=stale.value, stale=True, fetched_at=stale.fetched_at)

    def clear(self) -> None:
        with self._lock:
            self._fresh.clear()
            self._stale.clear()

    def cached_keys(self) -> list[CacheKey]:
        """The keys held (fresh and stale), for inspection."""
        with self._lock:
            return list(dict.fromkeys([*self._fresh.keys(), *self._stale.keys()]))

    def stats(self) -> CacheStats:
        with self._lock:
            self._fresh.expire()
            return CacheStats(
                hits=self._hits,
                misses=self._misses,
                stale_served=self._stale_served,
                joined_in_flight=self._joined,
                entries=len(self._fresh),
                bytes=int(self._fresh.currsize),
                stale_entries=len(self._stale),
            )


def _as_pinterest_error(exc: BaseException) -> PinterestError:
    return exc if isinstance(exc, PinterestError) else PinterestError(str(exc))


_default: ResponseCache | None = None
_default_lock = threading.Lock()


def default_cache() -> ResponseCache:
    """The process-wide cache every client uses unless given its own."""
    global _default
    with _default_lock:
        if _default is None:
            _default = ResponseCache()
        return _default
