"""State shared between app processes through Redis (optional; see store.py).

Without a shared store every cache, single flight, rate-limit window and access proof lives in
the process, as before. With one, the parts in this package keep the same interfaces on top of
Redis and fall back to the in-process versions while the store is down.
"""

from pinterest_client.shared.store import (
    SharedStore as SharedStore,
)
from pinterest_client.shared.store import (
    SharedStoreDown as SharedStoreDown,
)
from pinterest_client.shared.store import (
    SharedStoreStatus as SharedStoreStatus,
)
