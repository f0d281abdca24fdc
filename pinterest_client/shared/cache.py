"""The response cache shared by every app process through Redis (a drop-in `ResponseCache`).

What is shared: the fresh answers (`PX` = their TTL), the stale-if-error copies (kept
`stale_keep_s`) and the single flight. Keys are the in-process cache's keys, hashed:
``{namespace}:cache:f:{sha}`` (fresh), ``:s:{sha}`` (stale), ``:l:{sha}`` (the flight's lock)
and ``:l:{sha}:o:{holder}`` (how that holder's flight ended), where sha is the sha256 of the
key tuple (the tuple holds no secret: token identities are already hashes). Values are JSON in
a versioned envelope (`codec.py`), never pickle; one that does not decode is a miss (deleted
and counted). A value larger than `max_value_bytes` once encoded is kept in process only.

Size bound: Redis enforces it. The operator runs it with ``maxmemory`` and
``maxmemory-policy volatile-lru`` (see deploy/): every entry here has a TTL, so least recently
used entries go first, stale copies (rarely read) before fresh ones, and keys kept without a
TTL (the dashboard's sign-ins) are never evicted.

Single flight across processes: threads of one process join one in-process flight (as in
`ResponseCache`); its leader then takes the Redis lock of the key (``SET NX PX``, renewed while
the call runs, released only by its holder with a compare-and-delete script), so one process
calls upstream while the others poll until the value lands. A leader that fails leaves a short
outcome under its own lock token: its waiters raise the same kind of error (or serve the stale
copy) instead of all calling upstream at once. A lock whose holder died expires (`lock_ttl_s`)
and a waiter takes over. `fetch_and_store` keeps its meaning: the lock is the caller's own
flight key (its token identity), and no held copy is served unless `allowed_now()`.

Faults: any `SharedStoreDown` (absent, killed, slow, garbage) sends the call to the in-process
cache this class also is: every value that passes through is kept there too (fresh and
stale), so answers and stale-if-error keep working while Redis is down. Nothing from Redis
reaches a caller as an exception. When the store is back (after `retry_s`), it is used again.

A fresh copy held in process is served first (a near cache within its TTL): only a miss asks
Redis. `clear()` empties our namespace in Redis and this process's copies; other processes'
near copies end with their TTL.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeVar

from pinterest_client._cache import (
    STALE_ERRORS,
    CacheKey,
    CacheStats,
    ResponseCache,
    _as_pinterest_error,
    _Entry,
)
from pinterest_client.models import Fetched
from pinterest_client.shared import codec
from pinterest_client.shared.store import SharedStore, SharedStoreDown

if TYPE_CHECKING:
    import redis

T = TypeVar("T")

DEFAULT_MAX_VALUE_BYTES: Final = 8 * 1024 * 1024
DEFAULT_LOCAL_MAX_BYTES: Final = 32 * 1024 * 1024
DEFAULT_LOCK_TTL_S: Final = 10.0
DEFAULT_OUTCOME_KEEP_S: Final = 10.0
DEFAULT_MAX_WAIT_S: Final = 90.0
POLL_FIRST_S: Final = 0.005
POLL_MAX_S: Final = 0.05

# Replies of the poll script.
_WAIT, _HELD, _FAILED, _LEAD, _LANDED = 0, 1, 2, 3, 4

# KEYS: value, lock, outcome of the flight watched; ARGV: our token, lock ms, may read value.
# A key of the wrong type (junk under our name) is deleted and counts as absent, as is a lock
# without expiry (no holder of ours sets one).
_POLL: Final = """
local function get(key)
  local v = redis.pcall('GET', key)
  if type(v) == 'table' and v.err then redis.call('UNLINK', key); return false end
  return v
end
if ARGV[3] == '1' then
  local v = get(KEYS[1])
  if v then return {1, v} end
end
local o = get(KEYS[3])
if o then
  if o == 'ok' then
    local v = get(KEYS[1])
    if v then return {4, v} end
  else
    return {2, o}
  end
end
local holder = get(KEYS[2])
if holder and redis.call('PTTL', KEYS[2]) < 0 then
  redis.call('UNLINK', KEYS[2]); holder = false
end
if holder then return {0, holder} end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return {3, ARGV[1]}
"""

# KEYS: lock, outcome; ARGV: token, outcome, outcome ms. Only the holder ends its flight.
_FINISH: Final = """
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS: fresh, stale, lock, outcome; ARGV: value, fresh ms, stale ms, token, outcome ms.
_STORE: Final = """
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
redis.call('SET', KEYS[4], 'ok', 'PX', ARGV[5])
if redis.call('GET', KEYS[3]) == ARGV[4] then return redis.call('DEL', KEYS[3]) end
return 0
"""

# KEYS: lock; ARGV: token, ms. The holder keeps its lock alive while its call runs.
_RENEW: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


@dataclass(frozen=True)
class SharedCacheStats(CacheStats):
    """`CacheStats` (hits, misses, ... counted in this process; entries and bytes are this
    process's copies) plus what the shared store did."""

    shared: bool = True  # False while the store is down (answers come from the process)
    fallbacks: int = 0  # calls answered in process because the store was down
    undecodable: int = 0  # values under our keys that did not decode (deleted, missed)
    too_large: int = 0  # values above max_value_bytes, kept in process only
    lock_takeovers: int = 0  # flights taken over after a holder's lock expired


def key_digest(key: CacheKey) -> str:
    """The short, stable name of a key tuple in the shared store (same in every process)."""
    text = json.dumps(key, separators=(",", ":"), default=repr, ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


class SharedResponseCache(ResponseCache):
    """`ResponseCache` whose entries and flights are shared through `store`. Thread-safe."""

    def __init__(
        self,
        store: SharedStore,
        *,
        max_value_bytes: int = DEFAULT_MAX_VALUE_BYTES,
        local_max_entries: int = 4096,
        local_max_bytes: int = DEFAULT_LOCAL_MAX_BYTES,
        stale_keep_s: float = 24 * 3600.0,
        lock_ttl_s: float = DEFAULT_LOCK_TTL_S,
        outcome_keep_s: float = DEFAULT_OUTCOME_KEEP_S,
        max_wait_s: float = DEFAULT_MAX_WAIT_S,
        timer: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(max_entries=local_max_entries, max_bytes=local_max_bytes,
                         stale_keep_s=stale_keep_s, timer=timer, wall=wall)
        self.store = store
        self.max_value_bytes = max_value_bytes
        self.lock_ttl_s = lock_ttl_s
        self.outcome_keep_s = outcome_keep_s
        self.max_wait_s = max_wait_s
        self._sleep = sleep
        self._fallbacks = 0
        self._undecodable = 0
        self._too_large = 0
        self._takeovers = 0
        self._held_locks: dict[str, str] = {}
        self._held_lock = threading.Lock()
        self._renewer: threading.Thread | None = None
        self._poll = store.redis.register_script(_POLL)
        self._finish = store.redis.register_script(_FINISH)
        self._store_script = store.redis.register_script(_STORE)
        self._renew = store.redis.register_script(_RENEW)

    def __repr__(self) -> str:
        return f"SharedResponseCache(store={self.store!r}, enabled={self.enabled})"

    # -- the public interface of ResponseCache ----------------------------------------------

    def get_or_fetch(
        self, key: CacheKey, ttl_s: float | Callable[[T], float],
        fetch: Callable[[], tuple[T, int]], *, join: CacheKey | None = None,
    ) -> Fetched[T]:
        if not self.enabled:
            return super().get_or_fetch(key, ttl_s, fetch, join=join)
        if not self.store.available:
            self._count_fallback()
            return super().get_or_fetch(key, ttl_s, fetch, join=join)
        return self._single_flight(
            key, lambda: self._coordinate(key, key, ttl_s, fetch, may_read=lambda: True,
                                          stale_ok=True),
            held=key, join=join)

    def fetch_and_store(
        self, key: CacheKey, ttl_s: float | Callable[[T], float],
        fetch: Callable[[], tuple[T, int]], *, flight: CacheKey, stale_ok: bool = False,
        allowed_now: Callable[[], bool] | None = None,
    ) -> Fetched[T]:
        if not self.enabled or not self.store.available:
            if self.enabled:
                self._count_fallback()
            return super().fetch_and_store(key, ttl_s, fetch, flight=flight, stale_ok=stale_ok,
                                           allowed_now=allowed_now)
        allowed = allowed_now or (lambda: False)
        return self._single_flight(
            flight, lambda: self._coordinate(key, flight, ttl_s, fetch, may_read=allowed,
                                             stale_ok=stale_ok),
            held=key, held_if=allowed, join=key)

    def peek(self, key: CacheKey) -> Fetched[Any] | None:
        if not self.enabled:
            return None
        local = super().peek(key)
        if local is not None and not local.stale:
            return local
        digest = key_digest(key)
        try:
            fresh, stale = self.store.attempt(
                lambda r: r.mget([self._key("f", digest), self._key("s", digest)]))
        except SharedStoreDown:
            return local
        for blob, name, is_stale in ((fresh, "f", False), (stale, "s", True)):
            envelope = self._read(blob, self._key(name, digest))
            if envelope is None:
                continue
            if is_stale and self._wall() - envelope.fetched_at > self.stale_keep_s:
                continue
            return Fetched(data=envelope.value, stale=is_stale, fetched_at=envelope.fetched_at)
        return local

    def clear(self) -> None:
        """Empty our namespace in the store (when it is up) and this process's copies."""
        super().clear()
        pattern = self._key("*")

        def unlink_all(r: redis.Redis) -> None:
            batch: list[bytes] = []
            for name in r.scan_iter(match=pattern, count=500):
                batch.append(name)
                if len(batch) >= 500:
                    r.unlink(*batch)
                    batch.clear()
            if batch:
                r.unlink(*batch)

        with contextlib.suppress(SharedStoreDown):
            self.store.attempt(unlink_all)

    def cached_keys(self) -> list[CacheKey]:
        """The keys this process holds copies of (the store keeps only their hashes)."""
        return super().cached_keys()

    def stats(self) -> SharedCacheStats:
        base = super().stats()
        with self._lock:
            return SharedCacheStats(
                hits=base.hits, misses=base.misses, stale_served=base.stale_served,
                joined_in_flight=base.joined_in_flight, entries=base.entries, bytes=base.bytes,
                stale_entries=base.stale_entries, shared=self.store.status().shared,
                fallbacks=self._fallbacks, undecodable=self._undecodable,
                too_large=self._too_large, lock_takeovers=self._takeovers)

    # -- across processes --------------------------------------------------------------------

    def _key(self, *parts: str) -> str:
        return self.store.key("cache", *parts)

    def _coordinate(self, key: CacheKey, flight: CacheKey, ttl_s: float | Callable[[T], float],
                    fetch: Callable[[], tuple[T, int]], *, may_read: Callable[[], bool],
                    stale_ok: bool) -> Fetched[T]:
        """Run by the in-process leader: the value in the store (if `may_read()`), else one
        upstream call per `flight` among all processes, the others waiting for its outcome."""
        digest = key_digest(key)
        fresh_key = self._key("f", digest)
        lock_key = self._key("l", key_digest(flight))
        token = uuid.uuid4().hex
        lock_ms = str(max(1, int(self.lock_ttl_s * 1000)))
        watched = ""  # the holder whose flight this caller waits for
        deadline = self._timer() + self.max_wait_s
        delay = POLL_FIRST_S
        while True:
            if self._timer() >= deadline:  # a holder that keeps renewing but never ends
                return self._lead_shared(key, digest, lock_key, token, ttl_s, fetch,
                                         stale_ok=stale_ok)
            outcome_key = f"{lock_key}:o:{watched or '-'}"
            args = [token, lock_ms, "1" if may_read() else "0"]
            try:
                status, payload = self.store.attempt(
                    lambda r, a=args, k=outcome_key: _poll_reply(self._poll(  # type: ignore[misc]
                        keys=[fresh_key, lock_key, k], args=a, client=r)))
            except SharedStoreDown:
                return self._in_process(key, ttl_s, fetch, may_read=may_read, stale_ok=stale_ok)
            if status in (_HELD, _LANDED):
                envelope = self._read(payload, fresh_key)
                if envelope is not None:
                    self._keep_copy(key, envelope)
                    self._recount(joined=bool(watched))
                    return Fetched(data=envelope.value, stale=False,
                                   fetched_at=envelope.fetched_at)
                continue  # deleted: the next poll leads
            if status == _FAILED:
                error = codec.decode_error(payload)
                if error is None:  # not for us to share (401/403, ...): ask ourselves
                    watched = ""
                    continue
                self._recount(joined=True)
                if stale_ok and isinstance(error, STALE_ERRORS):
                    stale = self._stale_entry(key, digest)
                    if stale is not None:
                        return self._serve_stale(stale, error)
                raise error
            if status == _LEAD:
                if watched:
                    with self._lock:
                        self._takeovers += 1
                return self._lead_shared(key, digest, lock_key, token, ttl_s, fetch,
                                         stale_ok=stale_ok)
            # _WAIT: someone else's flight is under way
            watched = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
            self._sleep(delay)
            delay = min(delay * 2, POLL_MAX_S)

    def _lead_shared(self, key: CacheKey, digest: str, lock_key: str, token: str,
                     ttl_s: float | Callable[[T], float], fetch: Callable[[], tuple[T, int]],
                     *, stale_ok: bool) -> Fetched[T]:
        """The one upstream call of this flight; its outcome is published for the waiters."""
        outcome_key = f"{lock_key}:o:{token}"
        self._hold(lock_key, token)
        try:
            try:
                value, size = fetch()
            except BaseException as exc:
                self._publish_failure(lock_key, outcome_key, token, exc)
                stale = self._stale_entry(key, digest) if stale_ok and isinstance(
                    exc, STALE_ERRORS) else None
                if stale is None:
                    raise
                return self._serve_stale(stale, exc)
            ttl = ttl_s(value) if callable(ttl_s) else ttl_s
            fetched = self._keep(key, ttl, value, size)
            self._publish(digest, lock_key, outcome_key, token,
                          codec.Envelope(value=value, fetched_at=fetched.fetched_at, size=size,
                                         ttl_s=ttl))
            return fetched
        finally:
            self._release(lock_key)

    def _publish(self, digest: str, lock_key: str, outcome_key: str, token: str,
                 envelope: codec.Envelope) -> None:
        blob = codec.encode(envelope)
        if blob is not None and len(blob) > self.max_value_bytes:
            with self._lock:
                self._too_large += 1
            blob = None
        fresh_ms = int(envelope.ttl_s * 1000)
        if blob is None or fresh_ms <= 0:  # nothing to share: end the flight, waiters ask
            self._end_flight(lock_key, outcome_key, token, b"none")
            return
        stale_ms = max(fresh_ms, int(self.stale_keep_s * 1000))
        outcome_ms = int(self.outcome_keep_s * 1000)
        # If the store fails now, the value is kept in process and the lock expires by itself.
        with contextlib.suppress(SharedStoreDown):
            self.store.attempt(lambda r: self._store_script(
                keys=[self._key("f", digest), self._key("s", digest), lock_key, outcome_key],
                args=[blob, fresh_ms, stale_ms, token, outcome_ms], client=r))

    def _publish_failure(self, lock_key: str, outcome_key: str, token: str,
                         exc: BaseException) -> None:
        self._end_flight(lock_key, outcome_key, token, codec.encode_error(exc) or b"none")

    def _end_flight(self, lock_key: str, outcome_key: str, token: str, outcome: bytes) -> None:
        outcome_ms = int(self.outcome_keep_s * 1000)
        with contextlib.suppress(SharedStoreDown):
            self.store.attempt(lambda r: self._finish(
                keys=[lock_key, outcome_key], args=[token, outcome, outcome_ms], client=r))

    def _stale_entry(self, key: CacheKey, digest: str) -> codec.Envelope | None:
        """The last good copy within `stale_keep_s`: the store's, else this process's."""
        stale_key = self._key("s", digest)
        try:
            envelope = self._read(self.store.attempt(lambda r: r.get(stale_key)), stale_key)
        except SharedStoreDown:
            envelope = None
        if envelope is None or self._wall() - envelope.fetched_at > self.stale_keep_s:
            local = self._stale_copy(key)
            if local is None:
                return None
            return codec.Envelope(value=local.value, fetched_at=local.fetched_at,
                                  size=local.size, ttl_s=0.0)
        return envelope

    def _serve_stale(self, stale: codec.Envelope, exc: BaseException) -> Fetched[Any]:
        with self._lock:
            self._stale_served += 1
        return Fetched(data=stale.value, stale=True, fetched_at=stale.fetched_at,
                       error=_as_pinterest_error(exc))

    def _read(self, blob: object, name: str) -> codec.Envelope | None:
        """A stored value decoded; None (and the key deleted, counted) when it is junk."""
        if blob is None:
            return None
        try:
            return codec.decode(blob)
        except codec.Undecodable:
            with self._lock:
                self._undecodable += 1
            with contextlib.suppress(SharedStoreDown):
                self.store.attempt(lambda r: r.unlink(name))
            return None

    def _keep_copy(self, key: CacheKey, envelope: codec.Envelope) -> None:
        """This process's copy of a value read from the store (for the near cache and for
        stale-if-error while the store is down), fresh for what is left of its TTL."""
        left = envelope.fetched_at + envelope.ttl_s - self._wall()
        entry = _Entry(value=envelope.value, fetched_at=envelope.fetched_at,
                       expires_at=self._timer() + max(0.0, left), size=envelope.size)
        with self._lock:
            if left > 0:
                self._store(self._fresh, key, entry, self.max_entries)
            self._store(self._stale, key, entry, self.stale_max_entries)

    def _in_process(self, key: CacheKey, ttl_s: float | Callable[[T], float],
                    fetch: Callable[[], tuple[T, int]], *, may_read: Callable[[], bool],
                    stale_ok: bool) -> Fetched[T]:
        """The store failed before this leader called upstream: do it as `ResponseCache`."""
        self._count_fallback()
        if may_read():
            with self._lock:
                entry = self._fresh.get(key)
            if entry is not None:
                self._recount(joined=False)
                return Fetched(data=entry.value, stale=False, fetched_at=entry.fetched_at)
        if stale_ok:
            return self._lead(key, ttl_s, fetch)
        value, size = fetch()
        return self._keep(key, ttl_s, value, size)

    def _recount(self, *, joined: bool) -> None:
        """The in-process leader counted a miss; the store answered it (a hit, or another
        process's flight it joined)."""
        with self._lock:
            self._misses -= 1
            if joined:
                self._joined += 1
            else:
                self._hits += 1

    def _count_fallback(self) -> None:
        with self._lock:
            self._fallbacks += 1

    # -- the lock's lifetime -----------------------------------------------------------------

    def _hold(self, lock_key: str, token: str) -> None:
        with self._held_lock:
            self._held_locks[lock_key] = token
            if self._renewer is None:
                self._renewer = threading.Thread(target=self._renew_held, daemon=True,
                                                 name="shared-cache-locks")
                self._renewer.start()

    def _release(self, lock_key: str) -> None:
        with self._held_lock:
            self._held_locks.pop(lock_key, None)

    def _renew_held(self) -> None:
        """Keep the locks of calls still running alive (a holder that died stops renewing)."""
        lock_ms = max(1, int(self.lock_ttl_s * 1000))
        while True:
            time.sleep(self.lock_ttl_s / 3)
            with self._held_lock:
                held = dict(self._held_locks)
                if not held:
                    self._renewer = None
                    return
            for lock_key, token in held.items():
                with contextlib.suppress(SharedStoreDown):
                    self.store.attempt(lambda r, k=lock_key, t=token: self._renew(  # type: ignore[misc]
                        keys=[k], args=[t, lock_ms], client=r))


def _poll_reply(reply: object) -> tuple[int, object]:
    """The poll script's answer as (status, payload); junk raises (the store is unwell)."""
    if not isinstance(reply, list) or not reply or not isinstance(reply[0], int):
        raise ValueError("unreadable answer")
    status = reply[0]
    payload = reply[1] if len(reply) > 1 else None
    if status not in (_WAIT, _HELD, _FAILED, _LEAD, _LANDED):
        raise ValueError("unreadable answer")
    return status, payload
