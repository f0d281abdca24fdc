"""Async report jobs in flight, shared by the app processes through Redis (issue 14).

A second process asked for the same report (same ad account, same request body) joins the job
the first one created instead of starting its own: `InFlightReports` is the client's
`ReportJobs` (pinterest_client.reports.api) over the shared store.
- the key is `<ns>:reports:job:<sha256(account id + request body)>`, the value the job's token,
  kept JOB_TTL_S (less than the hour Pinterest keeps a finished report);
- the first asker claims the key (SET NX, CLAIM_TTL_S, so a creator that died frees it), creates
  the job and writes its token; others asking meanwhile wait for that token (at most
  CLAIM_WAIT_S, then create their own);
- a token found is handed over only after the asking client polled it once with its own token
  (`usable`): Pinterest refuses a token that may not read the account, so nobody gets a job of
  an account they cannot see, and a job that failed or expired is replaced, not reused;
- Redis down or slow: the job is created in the process, as without the store.
Streamlit-free.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Final

from pinterest_client.reports import ReportRequest
from pinterest_client.shared import SharedStore, SharedStoreDown

if TYPE_CHECKING:
    import redis

log = logging.getLogger("dashboard.shared_reports")

JOB_TTL_S: Final = 30 * 60
CLAIM_TTL_S: Final = 60
CLAIM_WAIT_S: Final = 30.0
POLL_S: Final = 0.2
_CLAIM: Final = b"claim:"


class InFlightReports:
    """Report job tokens in flight, by request, in the shared store. Thread-safe."""

    def __init__(self, store: SharedStore, *, job_ttl_s: int = JOB_TTL_S,
                 claim_wait_s: float = CLAIM_WAIT_S,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self._job_ttl_s = job_ttl_s
        self._claim_wait_s = claim_wait_s
        self._sleep = sleep
        self._clock = clock

    def __repr__(self) -> str:
        return f"InFlightReports(where={self.store.where!r})"

    def key(self, request: ReportRequest) -> str:
        body = json.dumps(request.body(), sort_keys=True, default=str)
        digest = hashlib.sha256(f"{request.ad_account_id}\n{body}".encode()).hexdigest()
        return self.store.key("reports", "job", digest)

    def token_for(self, request: ReportRequest, create: Callable[[], str],
                  usable: Callable[[str], bool]) -> str:
        key = self.key(request)
        deadline = self._clock() + self._claim_wait_s
        claim = _CLAIM + secrets.token_hex(8).encode()
        try:
            while True:
                found = self.store.attempt(lambda r: r.get(key))
                if isinstance(found, bytes) and found and not found.startswith(_CLAIM):
                    token = found.decode("utf-8", "replace")
                    if usable(token):  # this client's own poll: access and state checked
                        log.info("report job joined: another process created it")
                        return token
                    # failed or expired: ours replaces it (for everyone)
                    self.store.attempt(lambda r: r.set(key, claim, ex=CLAIM_TTL_S))
                    return self._create_and_keep(key, claim, create)
                if found is None and self.store.attempt(
                        lambda r: r.set(key, claim, nx=True, ex=CLAIM_TTL_S)):
                    return self._create_and_keep(key, claim, create)
                if self._clock() >= deadline:  # the creator takes too long: our own job
                    return create()
                self._sleep(POLL_S)  # another process is creating it: wait for its token
        except SharedStoreDown:
            return create()

    def _create_and_keep(self, key: str, claim: bytes, create: Callable[[], str]) -> str:
        try:
            token = create()
        except BaseException:
            with suppress(SharedStoreDown):  # let the next asker create it
                self.store.attempt(lambda r: _delete_if(r, key, claim))
            raise
        with suppress(SharedStoreDown):
            self.store.attempt(lambda r: r.set(key, token.encode("utf-8"), ex=self._job_ttl_s))
        return token


def _delete_if(r: redis.Redis, key: str, value: bytes) -> None:
    """Delete `key` when it still holds `value` (our claim), atomically."""
    script = ("if redis.call('GET', KEYS[1]) == ARGV[1] then "
              "return redis.call('DEL', KEYS[1]) else return 0 end")
    r.eval(script, 1, key, value)
