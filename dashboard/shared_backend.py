"""The process's link to the shared store (Redis) when PINTEREST_DASHBOARD_REDIS_URL is set.

One `SharedBackend` per process and settings (`shared_backend(settings)`, cached like the
connection): every PinterestClient the app builds (personal, team: one per person, demo) gets
its parts (`client_kwargs()`), team mode's token store lives in it (dashboard/shared_tokens.py),
report jobs in flight are found through it (dashboard/shared_reports.py), and API status shows
its state in one line (`status_text()`). Without the setting, or with a URL that cannot be a
Redis address, `store` is None and everything stays in the process as before. The URL's
password is never kept outside the redis connection, nor shown. Streamlit-free.
"""

from __future__ import annotations

import logging
import threading
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import redis

from dashboard.settings import Settings
from dashboard.shared_reports import InFlightReports
from dashboard.token_store import TokenStore
from pinterest_client.shared import (
    SharedAccessProofs,
    SharedResponseCache,
    SharedState,
    SharedStore,
    SharedStoreDown,
)

log = logging.getLogger("dashboard.shared_backend")


@dataclass(frozen=True)
class SharedBackend:
    """The shared store of this process (None: not configured or unusable) and what uses it."""

    store: SharedStore | None = field(default=None, repr=False)
    processes: int = 1
    problem: str | None = None  # a configured store that cannot be used, in words
    # What check() last learnt from the store (its eviction policy).
    _asked: dict[str, str | None] = field(default_factory=dict, repr=False, compare=False)
    state: SharedState | Any = field(default=None, repr=False)  # the client's shared parts
    report_jobs: InFlightReports | None = field(default=None, repr=False)

    @property
    def configured(self) -> bool:
        return self.store is not None

    def client_kwargs(self, *, report_jobs: bool = True) -> dict[str, Any]:
        """What every PinterestClient of this process is built with (nothing without a store):
        the shared response cache, access proofs and rate limiter, and report jobs in flight
        (not in demo mode: each process's simulator knows only its own jobs)."""
        kwargs: dict[str, Any] = {}
        if report_jobs and self.report_jobs is not None:
            kwargs["report_jobs"] = self.report_jobs
        if self.state is not None:
            # (tests may hand a state with only some parts: a process's own cache, say)
            for name, kwarg in (("cache", "cache"), ("proofs", "access_proofs")):
                part = getattr(self.state, name, None)
                if part is not None:
                    kwargs[kwarg] = part
            limiter = getattr(self.state, "limiter", None)  # SharedState.limiter(identity)
            if callable(limiter):
                kwargs["limiter_factory"] = limiter
        return kwargs

    def check(self) -> None:
        """Ask the store once (PING) so a status shown now is not one from minutes ago, and
        how it evicts keys when full."""
        if self.store is not None:
            with suppress(SharedStoreDown):  # down: the store now says why
                self.store.attempt(lambda r: r.ping())
                self._asked["eviction_policy"] = _eviction_policy(self.store)

    def status_text(self) -> str:
        """One line for API status: shared where, or in process and why; never a password."""
        n = self.processes
        budget = f"{n} app process{'es' if n != 1 else ''} configured"
        if self.store is None:
            if self.problem:
                return f"Shared store: not used ({self.problem}) · {budget}"
            return ("Shared store: none (PINTEREST_DASHBOARD_REDIS_URL is not set): this process "
                    f"keeps its own cache, rate budget and sign-ins · {budget}")
        status = self.store.status()
        if status.shared:
            warning = ""
            policy = self._asked.get("eviction_policy")
            if policy is not None and policy.startswith("allkeys"):
                # Sign-ins and token pairs are the only keys kept without a TTL.
                warning = (f" · Redis evicts any key when full (maxmemory-policy {policy}): "
                           "sign-ins may be lost; set volatile-lru (deploy/README.md)")
            return f"Shared store: shared at {status.where} · {budget}{warning}"
        share = f"1/{n} of Pinterest's rate budget" if n > 1 else "Pinterest's rate budget"
        detail = (status.detail or "unavailable").removesuffix("; in-process fallback")
        return (f"Shared store: in-process fallback: {status.where} is {detail}; this process "
                f"uses its own cache, its own sign-in file and {share} until it is back · "
                f"{budget}")


def _eviction_policy(store: SharedStore) -> str | None:
    """Redis's maxmemory-policy, or None when it will not say (CONFIG is often disabled on
    managed Redis; that is no fault of the store)."""
    try:
        answer = store.redis.config_get("maxmemory-policy")
    except redis.RedisError:
        return None
    value = answer.get("maxmemory-policy") if isinstance(answer, dict) else None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else None


_lock = threading.Lock()
_backends: dict[tuple[str | None, int, str | None], SharedBackend] = {}


def shared_backend(settings: Settings) -> SharedBackend:
    """This process's backend for these settings (one connection pool per process)."""
    key = (settings.redis_url, settings.processes, settings.shared_store_problem)
    with _lock:
        backend = _backends.get(key)
        if backend is None:
            backend = _backends[key] = connect_backend(settings)
        return backend


def token_store_for(settings: Settings, backend: SharedBackend) -> TokenStore:
    """Team mode's token store: in Redis (sealed, written through to the SQLite file) when a
    shared store is configured, else the SQLite file alone."""
    assert settings.team is not None
    team = settings.team
    if backend.store is None:
        return TokenStore(team.token_store_path, team.secret_key)
    from dashboard.shared_tokens import SharedTokenStore

    return SharedTokenStore(team.token_store_path, team.secret_key, backend.store)


def connect_backend(settings: Settings) -> SharedBackend:
    """A new backend (tests build several, as several processes would)."""
    if not settings.redis_url:
        if settings.shared_store_problem:
            log.warning("%s", settings.shared_store_problem)  # names the setting, not the URL
        return SharedBackend(processes=settings.processes, problem=settings.shared_store_problem)
    try:
        store = SharedStore(settings.redis_url, processes=settings.processes)
    except ValueError:
        # Settings checked the URL; redis-py refusing it still must not take the app down.
        return SharedBackend(processes=settings.processes,
                             problem="PINTEREST_DASHBOARD_REDIS_URL is not a Redis address "
                                     "redis-py accepts")
    log.info("shared store configured at %s for %d app process(es)", store.where,
             settings.processes)
    return SharedBackend(store=store, processes=settings.processes,
                         state=client_state(store), report_jobs=InFlightReports(store))


def client_state(store: SharedStore) -> SharedState:
    """The client's shared parts (response cache, access proofs) over `store`; a store that is
    down now is no error (the parts answer in process until it is back, and say so once)."""
    with suppress(SharedStoreDown):
        store.attempt(lambda r: r.ping())
    return SharedState(store=store, cache=SharedResponseCache(store),
                       proofs=SharedAccessProofs(store))

