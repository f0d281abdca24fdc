"""Access proofs shared by every app process through Redis (a drop-in `AccessProofs`).

A proof says Pinterest let a token read an ad account's data of one kind (see
`pinterest_client/_access.py`, the sharing rule). Shared, a token proven in one process may
read the shared answers in every process, and a refusal seen by one process forgets the proof
for all. One key per proof, ``{namespace}:proof:{sha}`` where sha hashes (token identity,
account, kind) (the identity is already a hash of the token), holding the epoch time of
Pinterest's yes in milliseconds and expiring after `stale_s` (the longest a proof counts).

Time is epoch wall time (`wall`, time.time) in every process, so ages agree across processes
on NTP-synced machines. While the store is down, the in-process proofs this class also is
answer (every proof is written there too); when it is back, the store answers again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from pinterest_client._access import (
    DEFAULT_PROOF_TTL_S,
    DEFAULT_STALE_S,
    MAX_PROOFS,
    AccessProofs,
    AccountScope,
)
from pinterest_client.shared.store import SharedStore, SharedStoreDown

if TYPE_CHECKING:
    import redis


class SharedAccessProofs(AccessProofs):
    """(token identity, account, kind) -> when Pinterest last said yes, in the shared store."""

    def __init__(self, store: SharedStore, ttl_s: float = DEFAULT_PROOF_TTL_S,
                 stale_s: float = DEFAULT_STALE_S, max_items: int = MAX_PROOFS,
                 timer: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        super().__init__(ttl_s=ttl_s, stale_s=stale_s, max_items=max_items, timer=timer)
        self.store = store
        self._wall = wall
        self._fallbacks = 0
        self._count_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SharedAccessProofs(store={self.store!r})"

    def _name(self, identity: str, scope: AccountScope) -> str:
        text = json.dumps([identity, *scope], separators=(",", ":"))
        return self.store.key("proof", hashlib.sha256(text.encode("utf-8")).hexdigest()[:40])

    def record(self, identity: str, scope: AccountScope) -> None:
        super().record(identity, scope)
        name = self._name(identity, scope)
        at_ms = int(self._wall() * 1000)
        keep_ms = max(1, int(max(self.ttl_s, self.stale_s) * 1000))
        try:
            self.store.attempt(lambda r: r.set(name, str(at_ms), px=keep_ms))
        except SharedStoreDown:
            self._count_fallback()

    def forget(self, identity: str, scope: AccountScope) -> None:
        super().forget(identity, scope)
        name = self._name(identity, scope)
        try:
            self.store.attempt(lambda r: r.unlink(name))
        except SharedStoreDown:
            self._count_fallback()

    def proven(self, identity: str, scope: AccountScope, *, within_s: float | None = None
               ) -> bool:
        horizon = self.ttl_s if within_s is None else within_s
        name = self._name(identity, scope)
        try:
            raw = self.store.attempt(lambda r: r.get(name))
        except SharedStoreDown:
            self._count_fallback()
            return super().proven(identity, scope, within_s=within_s)
        at_ms = _millis(raw)
        if at_ms is None:
            if raw is not None:  # junk under our key: no proof (asked again), and gone
                with contextlib.suppress(SharedStoreDown):
                    self.store.attempt(lambda r: r.unlink(name))
            return False
        return self._wall() - at_ms / 1000 <= horizon

    def clear(self) -> None:
        """Forget every proof: in the store (when it is up) and in this process."""
        super().clear()
        pattern = self.store.key("proof", "*")

        def unlink_all(r: redis.Redis) -> None:
            names = list(r.scan_iter(match=pattern, count=500))
            for start in range(0, len(names), 500):
                r.unlink(*names[start:start + 500])

        try:
            self.store.attempt(unlink_all)
        except SharedStoreDown:
            self._count_fallback()

    @property
    def fallbacks(self) -> int:
        """Answers given by this process's proofs because the store was down."""
        with self._count_lock:
            return self._fallbacks

    def _count_fallback(self) -> None:
        with self._count_lock:
            self._fallbacks += 1


def _millis(raw: object) -> int | None:
    if not isinstance(raw, bytes) or not raw.isdigit() or len(raw) > 16:
        return None
    return int(raw)
