"""Team mode's token store shared by several app processes through Redis (issue 14).

`SharedTokenStore` is a `TokenStore` whose records live in the shared store, so a sign-in,
sign-out or token rotation done by one process is seen by all:
- values are sealed with the same Fernet key as the SQLite file (derived from
  PINTEREST_DASHBOARD_SECRET_KEY); keys carry only SHA-256 hashes (of the user id, of the
  session id), so Redis alone gives nobody a token, a session or even who signed in;
- a person is `<ns>:tokens:person:<sha256(user id)>`; a session is
  `<ns>:tokens:session:<sha256(session id)>` with Redis' own expiry; signing out leaves an
  "ended" marker there until the session would have expired, so no process's local copy can
  bring it back;
- a rotation (`save_rotated`) and a refused refresh (`sign_out_person`) are WATCH/MULTI
  transactions: a newer sign-in (another grant) is never overwritten by an older client;
- `refresh_lock(user_id)` is a redis-py `Lock` (expires if its holder dies) held around one
  person's token refresh by every process; inside it the client re-reads `current_tokens` and
  takes a pair another process already rotated instead of spending its own, rotated-away,
  refresh token (pinterest_client._auth).

Every change is also written to the process's SQLite file, which is what the store falls back to
while Redis is down (SharedStore.attempt raises SharedStoreDown): sign-ins go on working in that
process, and API status says the state is not shared. What changed here meanwhile (a rotation, a
sign-in, a sign-out) is written to Redis before its next read once it is back, so a pair rotated
alone is not replaced by the older one Redis still holds. When Redis has no copy of a person at all
(it was emptied, or the store was just switched on) the local copy is used and put back.
Streamlit-free; no value or key ever holds a secret in clear.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Final

from dashboard.team_settings import MAX_SESSION_HOURS
from dashboard.token_store import PersonRecord, TokenStore, session_hash
from pinterest_client.shared import SharedStore, SharedStoreDown

if TYPE_CHECKING:
    import redis

log = logging.getLogger("dashboard.shared_tokens")

# A refresh (one POST, its retries) must end well within the lock's life; a holder that died
# frees it after LOCK_TIMEOUT_S. A waiter gives up after LOCK_WAIT_S and refreshes on its own.
LOCK_TIMEOUT_S: Final = 60.0
LOCK_WAIT_S: Final = 45.0
_ENDED: Final = "ended"
_MAX_SESSION_S: Final = int(MAX_SESSION_HOURS * 3600)


class SharedTokenStore(TokenStore):
    """Records in Redis (sealed), written through to the local SQLite file. Thread-safe."""

    def __init__(self, path: str | Path, secret_key: str, shared: SharedStore, *,
                 clock: Callable[[], float] = time.time,
                 lock_timeout_s: float = LOCK_TIMEOUT_S,
                 lock_wait_s: float = LOCK_WAIT_S) -> None:
        super().__init__(path, secret_key, clock=clock)
        self.shared = shared
        self._lock_timeout_s = lock_timeout_s
        self._lock_wait_s = lock_wait_s
        # Changes made while Redis was down (user ids; hashes of ended sessions): written to
        # Redis before its next read, so a rotation made alone is not lost when it is back.
        self._unshared_people: set[str] = set()
        self._unshared_ends: set[str] = set()
        self._flush_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SharedTokenStore(path={str(self.path)!r}, shared={self.shared.where!r})"

    # -- keys (hashes only) -----------------------------------------------------------------

    def _person_key(self, user_id: str) -> str:
        digest = hashlib.sha256(f"person:{user_id}".encode()).hexdigest()
        return self.shared.key("tokens", "person", digest)

    def _session_key(self, sid: str) -> str:
        return self._session_key_of(session_hash(sid))

    def _session_key_of(self, sid_hash: str) -> str:
        return self.shared.key("tokens", "session", sid_hash)

    def _lock_key(self, user_id: str) -> str:
        digest = hashlib.sha256(f"person:{user_id}".encode()).hexdigest()
        return self.shared.key("tokens", "refresh-lock", digest)

    # -- people -----------------------------------------------------------------------------

    def save(self, record: PersonRecord) -> None:
        super().save(record)  # the local copy first: the fallback while Redis is down
        sealed = self.seal(record.__dict__)
        try:
            self.shared.attempt(lambda r: r.set(self._person_key(record.user_id), sealed))
        except SharedStoreDown:  # kept locally; written to Redis when it is back
            with self._flush_lock:
                self._unshared_people.add(record.user_id)

    def _flush(self) -> None:
        """Write what changed here while Redis was down (raises SharedStoreDown if still)."""
        with self._flush_lock:
            people, ends = set(self._unshared_people), set(self._unshared_ends)
        if not people and not ends:
            return
        ended = self.seal({"user_id": _ENDED, "expires_at": 0})
        writes: dict[str, tuple[bytes, int | None]] = {}
        for user_id in people:
            local = TokenStore.load(self, user_id)
            if local is not None:
                writes[self._person_key(user_id)] = (self.seal(local.__dict__), None)
        for sid_hash in ends:
            writes[self._session_key_of(sid_hash)] = (ended, _MAX_SESSION_S)

        def write(r: redis.Redis) -> None:
            with r.pipeline(transaction=False) as pipe:
                for key, (value, ttl) in writes.items():
                    pipe.set(key, value, ex=ttl)
                pipe.execute()

        self.shared.attempt(write)
        with self._flush_lock:
            self._unshared_people -= people
            self._unshared_ends -= ends
        log.warning("shared store back: %d sign-in change(s) made here meanwhile written to it",
                    len(people) + len(ends))

    def load(self, user_id: str) -> PersonRecord | None:
        try:
            self._flush()
            sealed = self.shared.attempt(lambda r: r.get(self._person_key(user_id)))
        except SharedStoreDown:
            return super().load(user_id)
        if sealed is None:
            return self._seed(user_id)
        return self.open_record(_as_bytes(sealed))

    def _seed(self, user_id: str) -> PersonRecord | None:
        """Redis has no copy: the local one (if any) is used and put back for the others."""
        local = super().load(user_id)
        if local is not None:
            sealed = self.seal(local.__dict__)
            with suppress(SharedStoreDown):
                self.shared.attempt(lambda r: r.set(self._person_key(user_id), sealed, nx=True))
        return local

    def save_rotated(self, user_id: str, grant: str, access_token: str,
                     refresh_token: str | None) -> bool:
        def rotate(record: PersonRecord) -> PersonRecord | None:
            if record.grant != grant or not record.signed_in:
                return None
            return replace(record, access_token=access_token,
                           refresh_token=refresh_token or record.refresh_token)

        return self._change(user_id, rotate,
                            lambda: super(SharedTokenStore, self).save_rotated(
                                user_id, grant, access_token, refresh_token))

    def sign_out_person(self, user_id: str, grant: str, reason: str) -> None:
        def drop(record: PersonRecord) -> PersonRecord | None:
            if record.grant != grant:
                return None
            return replace(record, access_token=None, refresh_token=None,
                           signed_out_reason=reason)

        def fallback() -> bool:
            TokenStore.sign_out_person(self, user_id, grant, reason)
            return True

        self._change(user_id, drop, fallback)

    def _change(self, user_id: str, change: Callable[[PersonRecord], PersonRecord | None],
                fallback: Callable[[], bool]) -> bool:
        """Apply `change` to the person's record atomically across processes (WATCH/MULTI);
        False when it declined. Redis down: the local store's own version of the change."""
        key = self._person_key(user_id)
        local = TokenStore.load(self, user_id)  # used when Redis has no copy (read outside it)

        def transaction(r: redis.Redis) -> PersonRecord | None:
            from redis.exceptions import WatchError

            with r.pipeline() as pipe:
                while True:
                    try:
                        pipe.watch(key)  # type: ignore[no-untyped-call]
                        sealed = pipe.get(key)
                        current = (self.open_record(_as_bytes(sealed)) if sealed is not None
                                   else local)
                        changed = change(current) if current is not None else None
                        if changed is None:
                            pipe.unwatch()
                            return None
                        pipe.multi()
                        pipe.set(key, self.seal(changed.__dict__))
                        pipe.execute()
                        return changed
                    except WatchError:  # another process changed it meanwhile: read again
                        continue

        try:
            self._flush()
            changed = self.shared.attempt(transaction)
        except SharedStoreDown:
            return fallback()
        if changed is None:
            return False
        TokenStore.save(self, changed)  # the local copy
        return True

    # -- the refresh lock -------------------------------------------------------------------

    def refresh_lock(self, user_id: str) -> AbstractContextManager[object]:
        return self._refresh_lock(user_id)

    @contextmanager
    def _refresh_lock(self, user_id: str) -> Iterator[None]:
        from redis.exceptions import LockError

        name = self._lock_key(user_id)
        lock = self.shared.redis.lock(name, timeout=self._lock_timeout_s,
                                      blocking_timeout=self._lock_wait_s, thread_local=False)
        try:
            held = bool(self.shared.attempt(lambda r: lock.acquire()))
        except SharedStoreDown:
            held = False  # the client's own lock still keeps this process to one refresh
        if not held and self.shared.available:
            log.warning("token refresh lock not obtained within %.0f s; refreshing anyway",
                        self._lock_wait_s)
        try:
            yield None
        finally:
            if held:
                def release(r: redis.Redis) -> None:
                    with suppress(LockError):  # expired meanwhile (a very slow refresh)
                        lock.release()

                with suppress(SharedStoreDown):  # down: the lock expires on its own
                    self.shared.attempt(release)

    # -- sessions ---------------------------------------------------------------------------

    def create_session(self, user_id: str, lifetime_s: float) -> str:
        sid = super().create_session(user_id, lifetime_s)
        expires_at = self._clock() + lifetime_s
        sealed = self.seal({"user_id": user_id, "expires_at": expires_at})
        seconds = max(1, int(lifetime_s + 0.999))
        with suppress(SharedStoreDown):
            self.shared.attempt(lambda r: r.set(self._session_key(sid), sealed, ex=seconds))
        return sid

    def session_user(self, sid: str) -> str | None:
        try:
            self._flush()
            sealed = self.shared.attempt(lambda r: r.get(self._session_key(sid)))
        except SharedStoreDown:
            return super().session_user(sid)
        if sealed is None:  # never shared (made before the store, or Redis was emptied)
            return super().session_user(sid)
        data = self.unseal(_as_bytes(sealed))
        if data is None or data.get("user_id") == _ENDED:
            return None
        user_id, expires_at = data.get("user_id"), data.get("expires_at")
        if not isinstance(user_id, str) or not isinstance(expires_at, int | float) \
                or expires_at <= self._clock():
            return None
        return user_id

    def end_session(self, sid: str) -> None:
        super().end_session(sid)
        # An "ended" marker, not a deletion: a process's local copy must not revive it.
        sealed = self.seal({"user_id": _ENDED, "expires_at": 0})
        try:
            self.shared.attempt(lambda r: r.set(self._session_key(sid), sealed,
                                                ex=_MAX_SESSION_S))
        except SharedStoreDown:
            with self._flush_lock:
                self._unshared_ends.add(session_hash(sid))


def _as_bytes(value: object) -> bytes:
    """A Redis answer as bytes (garbage -> b"", which unseals to nothing)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return b""
