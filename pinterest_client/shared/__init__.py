"""State shared between app processes through Redis (optional; see store.py).

Without a shared store every cache, single flight, rate-limit window and access proof lives in
the process, as before. With one, the parts in this package keep the same interfaces on top of
Redis and fall back to the in-process versions while the store is down::

    state = connect("redis://host:6379/0", processes=3)
    client = PinterestClient(token, cache=state.cache, access_proofs=state.proofs)
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from pinterest_client.shared.cache import SharedCacheStats as SharedCacheStats
from pinterest_client.shared.cache import SharedResponseCache as SharedResponseCache
from pinterest_client.shared.proofs import SharedAccessProofs as SharedAccessProofs
from pinterest_client.shared.store import (
    DEFAULT_CALL_BUDGET_S,
    DEFAULT_RETRY_S,
    NAMESPACE,
)
from pinterest_client.shared.store import (
    SharedStore as SharedStore,
)
from pinterest_client.shared.store import (
    SharedStoreDown as SharedStoreDown,
)
from pinterest_client.shared.store import (
    SharedStoreStatus as SharedStoreStatus,
)


@dataclass
class SharedState:
    """Everything one process shares with the others through one store (add parts as fields
    with defaults)."""

    store: SharedStore
    cache: SharedResponseCache
    proofs: SharedAccessProofs

    def status(self) -> SharedStoreStatus:
        return self.store.status()

    def close(self) -> None:
        self.store.close()


def connect(url: str, *, processes: int = 1, call_budget_s: float = DEFAULT_CALL_BUDGET_S,
            retry_s: float = DEFAULT_RETRY_S, namespace: str = NAMESPACE,
            max_value_bytes: int | None = None) -> SharedState:
    """The shared parts on the store at `url` (ValueError for a URL that is not Redis's).
    A store that is down now is no error: the parts answer in process until it is back."""
    store = SharedStore(url, processes=processes, call_budget_s=call_budget_s,
                        retry_s=retry_s, namespace=namespace)
    cache = (SharedResponseCache(store) if max_value_bytes is None
             else SharedResponseCache(store, max_value_bytes=max_value_bytes))
    with contextlib.suppress(SharedStoreDown):  # says once in the log when it is down
        store.attempt(lambda r: r.ping())
    return SharedState(store=store, cache=cache, proofs=SharedAccessProofs(store))


__all__ = [
    "SharedAccessProofs",
    "SharedCacheStats",
    "SharedResponseCache",
    "SharedState",
    "SharedStore",
    "SharedStoreDown",
    "SharedStoreStatus",
    "connect",
]
