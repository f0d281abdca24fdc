"""Who has shown, with their own token, that Pinterest lets them read an ad account's data.

Answers about one ad account (`/ad_accounts/{id}/...`) are the same whoever asks, so the
response cache shares them between people: ten analysts on one account cost the calls of one.
But Pinterest decides who may read what (owner, admin, analyst, campaign manager may read
reporting; finance or audience roles may not: 403 code 29), so a shared answer is served to a
token only after that token got a 2xx from Pinterest for the same account and the same kind
of request (the path with ids masked) within the last `ttl_s`. Until then its request goes
upstream with its own token, uncached and with no stale copy, and only a success records it.

A revoked role keeps reading shared answers for at most `ttl_s` (10 minutes by default). When
Pinterest fails (5xx, timeout), a token proven within `stale_s` (a day, as long as the cache
keeps stale copies) may still get the last good copy marked stale, as before.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

_ACCOUNT_PATH: Final = re.compile(r"^/ad_accounts/(?P<account>[0-9]+)(?P<rest>/[^?]*)?$")
_ID_SEGMENT: Final = re.compile(r"/[0-9]+(?=/|$)")

DEFAULT_PROOF_TTL_S: Final = 600.0
DEFAULT_STALE_S: Final = 24 * 3600.0
MAX_PROOFS: Final = 100_000

AccountScope = tuple[str, str]  # (ad account id, kind of request: the path with ids masked)


def account_scope(path: str) -> AccountScope | None:
    """The ad account a path reads and the kind of request, or None when it is not about one
    ad account (the token's own account list, the user, resources)."""
    match = _ACCOUNT_PATH.match(path)
    if match is None:
        return None
    rest = _ID_SEGMENT.sub("/{id}", match["rest"] or "")
    return match["account"], rest


class AccessProofs:
    """(token identity, account, kind) -> when Pinterest last said yes; bounded (least recently
    proven dropped first)."""

    def __init__(self, ttl_s: float = DEFAULT_PROOF_TTL_S, stale_s: float = DEFAULT_STALE_S,
                 max_items: int = MAX_PROOFS, timer: Callable[[], float] = time.monotonic
                 ) -> None:
        self.ttl_s = ttl_s
        self.stale_s = stale_s
        self._max = max_items
        self._timer = timer
        self._lock = threading.Lock()
        self._proofs: OrderedDict[tuple[str, str, str], float] = OrderedDict()

    def record(self, identity: str, scope: AccountScope) -> None:
        key = (identity, *scope)
        with self._lock:
            self._proofs[key] = self._timer()
            self._proofs.move_to_end(key)
            while len(self._proofs) > self._max:
                self._proofs.popitem(last=False)

    def forget(self, identity: str, scope: AccountScope) -> None:
        with self._lock:
            self._proofs.pop((identity, *scope), None)

    def proven(self, identity: str, scope: AccountScope, *, within_s: float | None = None
               ) -> bool:
        """Pinterest said yes to this token for this account and kind within `within_s`
        (default `ttl_s`)."""
        horizon = self.ttl_s if within_s is None else within_s
        with self._lock:
            at = self._proofs.get((identity, *scope))
        return at is not None and self._timer() - at <= horizon

    def may_see_stale(self, identity: str, scope: AccountScope) -> bool:
        return self.proven(identity, scope, within_s=self.stale_s)

    def __len__(self) -> int:
        with self._lock:
            return len(self._proofs)

    def clear(self) -> None:
        with self._lock:
            self._proofs.clear()


_default = AccessProofs()


def default_proofs() -> AccessProofs:
    """The process-wide proofs, shared like the default response cache."""
    return _default
