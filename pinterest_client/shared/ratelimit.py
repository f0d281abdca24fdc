"""One rate budget for several app processes: the limiter's windows in Redis.

`SharedRateLimiter` has the interface of the in-process `RateLimiter` (`acquire`, `release`,
`block`, `blocked_for`, `tokens_left`, `waits`, `waited_s`, `limits`), so `HttpSession` uses it
unchanged, and the same semantics: a request takes a slot in every bucket it counts against
(overall per second, and its category per minute) when it is sent, holds it while in flight, and
gives it back `window` seconds after its answer. Every process on the same token identity checks
and takes slots in the same Redis sorted sets, in one Lua script per step, so N processes
together never exceed Pinterest's per-minute and per-second limits.

Redis layout (keys under the store's namespace, hash-tagged by identity so a cluster keeps them on
one node): per bucket a sorted set of slots *in flight* (score: when the slot expires if its
holder never answers: send + window + `in_flight_ttl_s`, so a slot of a process that died goes
away on its own) and one of slots *done* (score: answer + window). A hash per category holds a
429 cooldown (`until`, the local block, and `announced`, Pinterest's reset). All times come from
Redis `TIME` inside the scripts: the processes share one clock, whatever their own clocks say.

Why not the `limits` library (read: limits 3.13, `storage/redis.py` and its
`acquire_moving_window.lua`)? Its moving window stamps a request once, at acquire time, with
the *client's* `time.time()` and has no release: a slow request answered (and counted by
Pinterest) late would fall out of our window too early; the clocks of several hosts would
disagree; and it checks each limit in its own call, so a slot taken in the per-second window is
not given back when the category window is full. The in-flight semantics above need their own
script; it stays small (one sorted-set pair per bucket).

Faults: every Redis call goes through `SharedStore.attempt`; when the store is down, slow or
answers garbage the limiter uses an in-process ledger with a conservative share (each limit
divided by `store.processes`, at least 1). The ledger records every slot this process took, in
Redis too, and the other processes' slots as the store last counted them (until they age out),
so the share counts this process's own recent use and what it knew of the others'. When the
store answers again, or has lost our keys (the identity's epoch key changed: a restart without
persistence), the process first writes its ledger back (its slots of the current windows and its
cooldowns, extending only) and for one window also keeps to its local share, since the slots
other processes took while cut off reach Redis only when they are back. A slot taken in Redis
is released in Redis; if that fails it expires there (in-flight TTL) and is written back as done
at the next sync. Redis errors never reach callers. What remains: a process cut off from the
store for longer than the others (a partition of its own) is invisible to them, up to its
share per window; a 429 that still results blocks the category as usual.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from pinterest_client._errors import RateLimitedError
from pinterest_client._ratelimit import Limiter, RateLimits, shared_limiter
from pinterest_client.shared.store import SharedStore, SharedStoreDown

if TYPE_CHECKING:
    import redis

Clock = Callable[[], float]
Sleep = Callable[[float], None]

OVERALL: Final = "per_second"
_HEX64: Final = re.compile(r"[0-9a-f]{64}")
POLL_S: Final = 0.05  # wait when every slot is held by a request still in flight
DEFAULT_IN_FLIGHT_TTL_S: Final = 120.0  # > the client's 30 s timeout: a live request keeps it
EPOCH_TTL_MS: Final = 86_400_000  # an identity's epoch key outlives any window by far

_EXTEND = """
local function extend(key, ms)
  ms = math.ceil(ms)
  if ms < 1 then ms = 1 end
  local cur = redis.call('PTTL', key)
  if cur < ms then redis.call('PEXPIRE', key, ms) end
end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
"""

# KEYS: block hash, epoch, then (in flight, done) per bucket.
# ARGV: member, in-flight ttl s, poll s, known epoch, epoch ttl ms, then (limit, window s) per
# bucket. Answers {'sync'} (the store lost or never had our state), {'blocked', s, announced s},
# {'wait', s, used...} or {'ok', used...} (slots used per bucket, ours included).
ACQUIRE_LUA: Final = _EXTEND + """
local e = redis.call('GET', KEYS[2])
if (not e) or e ~= ARGV[4] then return {'sync'} end
redis.call('PEXPIRE', KEYS[2], ARGV[5])
local b = redis.call('HMGET', KEYS[1], 'until', 'announced')
if b[1] then
  local blocked = tonumber(b[1]) - now
  if blocked > 0 then
    return {'blocked', tostring(blocked), tostring(tonumber(b[2] or b[1]) - now)}
  end
end
local ttl = tonumber(ARGV[2])
local n = (#KEYS - 2) / 2
local wait = 0
local used = {}
for i = 0, n - 1 do
  local fk, dk = KEYS[3 + 2 * i], KEYS[4 + 2 * i]
  local limit = tonumber(ARGV[6 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', fk, '-inf', now)
  redis.call('ZREMRANGEBYSCORE', dk, '-inf', now)
  used[i + 1] = redis.call('ZCARD', fk) + redis.call('ZCARD', dk)
  if used[i + 1] >= limit then
    local w = tonumber(ARGV[3])
    local nth = used[i + 1] - limit
    local item = redis.call('ZRANGE', dk, nth, nth, 'WITHSCORES')
    if item[2] then w = math.max(tonumber(item[2]) - now, 0.001) end
    if w > wait then wait = w end
  end
end
local out = {}
if wait > 0 then
  out = {'wait', tostring(wait)}
else
  out = {'ok'}
  for i = 0, n - 1 do
    local fk, window = KEYS[3 + 2 * i], tonumber(ARGV[7 + 2 * i])
    redis.call('ZADD', fk, now + window + ttl, ARGV[1])
    extend(fk, (window + ttl) * 1000)
    used[i + 1] = used[i + 1] + 1
  end
end
for i = 1, n do table.insert(out, tostring(used[i])) end
return out
"""

# KEYS: epoch, then (in flight, done) per bucket. ARGV: member, known epoch, windows.
RELEASE_LUA: Final = _EXTEND + """
local e = redis.call('GET', KEYS[1])
if (not e) or e ~= ARGV[2] then return 'sync' end
local n = (#KEYS - 1) / 2
for i = 0, n - 1 do
  local fk, dk = KEYS[2 + 2 * i], KEYS[3 + 2 * i]
  local window = tonumber(ARGV[3 + i])
  redis.call('ZREM', fk, ARGV[1])
  redis.call('ZADD', dk, now + window, ARGV[1])
  extend(dk, window * 1000)
end
return 'ok'
"""

# KEYS: epoch, then (in flight, done) per bucket. ARGV: a new epoch (used when there is none),
# epoch ttl ms, JSON list per bucket of {"f": [[member, s left], ...], "d": [[member, s left]]}.
# Answers the epoch in force.
SYNC_LUA: Final = _EXTEND + """
redis.call('SET', KEYS[1], ARGV[1], 'NX')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local data = cjson.decode(ARGV[3])
for i, b in ipairs(data) do
  local fk, dk = KEYS[2 * i], KEYS[2 * i + 1]
  for _, e in ipairs(b['f']) do
    if not redis.call('ZSCORE', dk, e[1]) then
      redis.call('ZADD', fk, 'NX', now + e[2], e[1])
      extend(fk, e[2] * 1000)
    end
  end
  for _, e in ipairs(b['d']) do
    redis.call('ZREM', fk, e[1])
    redis.call('ZADD', dk, now + e[2], e[1])
    extend(dk, e[2] * 1000)
  end
end
return redis.call('GET', KEYS[1])
"""

# KEYS: block hash. ARGV: seconds, announced seconds, mode ('set' or 'extend': keep a later one).
BLOCK_LUA: Final = _EXTEND + """
local u = now + tonumber(ARGV[1])
local a = now + math.max(tonumber(ARGV[1]), tonumber(ARGV[2]))
if ARGV[3] == 'extend' then
  local b = redis.call('HMGET', KEYS[1], 'until', 'announced')
  if b[1] and tonumber(b[1]) > u then u = tonumber(b[1]) end
  if b[2] and tonumber(b[2]) > a then a = tonumber(b[2]) end
end
redis.call('HSET', KEYS[1], 'until', tostring(u), 'announced', tostring(a))
redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((a - now) * 1000)))
return 'ok'
"""

# KEYS: (in flight, done) per bucket, then one block hash per category asked about.
# ARGV: number of buckets. Returns the slots used per bucket, then seconds blocked per category.
STATUS_LUA: Final = _EXTEND + """
local n = tonumber(ARGV[1])
local out = {}
for i = 0, n - 1 do
  local fk, dk = KEYS[1 + 2 * i], KEYS[2 + 2 * i]
  local used = redis.call('ZCOUNT', fk, '(' .. now, '+inf')
             + redis.call('ZCOUNT', dk, '(' .. now, '+inf')
  table.insert(out, tostring(used))
end
for i = 2 * n + 1, #KEYS do
  local u = redis.call('HGET', KEYS[i], 'until')
  local left = 0
  if u then left = math.max(0, tonumber(u) - now) end
  table.insert(out, tostring(left))
end
return out
"""


class _Ledger:
    """This process's own slots of one bucket (in flight by send time, done by expiry: answer
    + window, oldest first), and the other processes' slots as last seen in the store. It is
    the fallback's window: own + others' (until they age out) within this process's share."""

    def __init__(self, name: str, limit: int, window: float) -> None:
        self.name = name
        self.limit = limit
        self.window = window
        self.flight: dict[str, float] = {}
        self.done: OrderedDict[str, float] = OrderedDict()
        self.others = 0  # the other processes' slots at the last answer of the store
        self.others_until = 0.0  # when those have surely aged out

    def expire(self, now: float) -> None:
        while self.done:
            member, until = next(iter(self.done.items()))
            if until > now:
                break
            del self.done[member]
        if self.others_until <= now:
            self.others = 0

    def own(self, now: float) -> int:
        self.expire(now)
        return len(self.flight) + len(self.done)

    def saw(self, used: int, now: float) -> None:
        """The store counted `used` slots in this bucket (ours included)."""
        self.others = max(0, used - self.own(now))
        self.others_until = now + self.window

    def wait_needed(self, now: float, limit: int) -> float:
        """Seconds until own + others' slots drop below `limit` (a short poll when only
        requests still in flight would free one)."""
        own = self.own(now)
        if own + self.others < limit:
            return 0.0
        events = sorted([(t, "own") for t in self.done.values()]
                        + ([(self.others_until, "others")] if self.others else []))
        others = self.others
        for when, kind in events:
            if kind == "own":
                own -= 1
            else:
                others = 0
            if own + others < limit:
                return max(when - now, 0.001)
        return POLL_S

    def take(self, member: str, now: float) -> None:
        self.flight[member] = now

    def cancel(self, member: str) -> None:
        self.flight.pop(member, None)

    def release(self, member: str, now: float) -> None:
        self.flight.pop(member, None)
        self.done[member] = now + self.window
        self.done.move_to_end(member)

    def left(self, now: float, limit: int) -> int:
        return max(0, limit - self.own(now) - self.others)

    def snapshot(self, now: float, in_flight_ttl_s: float) -> dict[str, list[list[Any]]]:
        """Our slots still counting, as seconds left (what SYNC_LUA writes back)."""
        self.expire(now)
        flight: list[list[Any]] = []
        for member, sent in self.flight.items():
            left = round(sent + self.window + in_flight_ttl_s - now, 4)
            if left > 0:
                flight.append([member, left])
        done: list[list[Any]] = [[m, round(until - now, 4)] for m, until in self.done.items()]
        return {"f": flight, "d": done}


class SharedRateLimiter:
    """The rate budget of one token identity in a shared store, with an in-process fallback.
    Thread-safe; same interface as `RateLimiter`."""

    def __init__(
        self,
        store: SharedStore,
        identity: str,
        limits: RateLimits | None = None,
        *,
        in_flight_ttl_s: float = DEFAULT_IN_FLIGHT_TTL_S,
        clock: Clock = time.monotonic,
        wall: Clock = time.time,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.limits = limits or RateLimits()
        self.store = store
        self.in_flight_ttl_s = in_flight_ttl_s
        self._clock = clock
        self._wall = wall
        self._sleep = sleep
        self._lock = threading.Lock()
        slack = self.limits.slack_s
        self._ledgers: dict[str, _Ledger] = {
            OVERALL: _Ledger(OVERALL, self.limits.per_second, 1.0 + slack)}
        for name, limit in self.limits.per_minute.items():
            self._ledgers[name] = _Ledger(name, limit, 60.0 + slack)
        self._max_window = max(b.window for b in self._ledgers.values())
        self._share = max(1, store.processes)
        self._process = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self._counter = 0
        # Slots this process holds, per category: (member, taken in Redis), oldest first.
        self._held: dict[str, deque[tuple[str, bool]]] = {}
        # Cooldowns known here (set here or seen in Redis): category -> (until, announced).
        self._blocks: dict[str, tuple[float, float]] = {}
        self._dirty = True  # our ledger must be written to Redis before the next shared slot
        self._was_down = False  # the store failed since the last sync
        self._epoch: bytes | None = None  # the store's epoch of our last sync
        self._grace_until = 0.0  # until then, shared slots also need room in our local share
        # The identity is a sha256 hex already (Credentials.identity); anything else is hashed,
        # so no secret and no brace reaches a key.
        if not _HEX64.fullmatch(identity):
            identity = hashlib.sha256(identity.encode("utf-8")).hexdigest()
        self._tag = "{" + identity + "}"
        redis_client = store.redis
        self._acquire_lua = redis_client.register_script(ACQUIRE_LUA)
        self._release_lua = redis_client.register_script(RELEASE_LUA)
        self._sync_lua = redis_client.register_script(SYNC_LUA)
        self._block_lua = redis_client.register_script(BLOCK_LUA)
        self._status_lua = redis_client.register_script(STATUS_LUA)
        self.waits = 0
        self.waited_s = 0.0
        self.shared_slots = 0  # slots taken in Redis
        self.local_slots = 0  # slots taken from the local share while the store was down

    def __repr__(self) -> str:
        return f"SharedRateLimiter(store={self.store!r})"

    # -- the interface of RateLimiter ---------------------------------------------------------

    def acquire(self, category: str, max_wait_s: float) -> None:
        """Take one slot for `category`, sleeping for it; raise `RateLimitedError` if it would
        take longer than `max_wait_s`. Every successful `acquire` is followed by `release`."""
        counted = False
        while True:
            wait, announced, blocked = self._try_acquire(category)
            if wait <= 0:
                return
            if wait > max_wait_s:
                raise self._too_long(category, max(wait, announced) if blocked else wait)
            if not counted:
                self.waits += 1
                counted = True
            self.waited_s += wait
            self._sleep(wait)

    def release(self, category: str) -> None:
        """The request that took a slot of `category` got its answer (or failed)."""
        buckets = self._buckets(category)
        with self._lock:
            held = self._held.get(category)
            if not held:
                return
            member, in_redis = held.popleft()
            now = self._clock()
            for ledger in buckets:
                ledger.release(member, now)
            epoch = self._epoch
        if not in_redis or epoch is None:
            return  # taken locally: the next sync writes it to Redis as done
        try:
            reply = self.store.attempt(lambda r: self._release_lua(
                keys=[self._epoch_key(), *self._bucket_keys(buckets)],
                args=[member, epoch, *(b.window for b in buckets)], client=r))
        except SharedStoreDown:
            self._went_down()  # it expires in Redis; the sync writes it back as done
            return
        if reply != b"ok":  # the store lost our keys (a restart): write the ledger back
            self._dirty = True
            self._sync()

    def block(self, category: str, seconds: float, *, announced_s: float | None = None
              ) -> None:
        """A 429 with a reset: no process sends a request in `category` for `seconds`;
        refused callers are told `announced_s` when Pinterest's reset is further out."""
        seconds = max(0.0, seconds)
        announced = max(seconds, announced_s or 0.0)
        with self._lock:
            now = self._clock()
            self._blocks[category] = (now + seconds, now + announced)
        try:
            self.store.attempt(functools.partial(
                self._write_block, category, seconds, announced, "set"))
        except SharedStoreDown:
            self._went_down()  # written back (extending only) at the next sync

    def blocked_for(self, category: str) -> float:
        shared = self._status([category])
        if shared is not None:
            return shared[1].get(category, 0.0)
        with self._lock:
            return self._local_blocked(category, self._clock())[0]

    def tokens_left(self) -> dict[str, int]:
        """Slots free right now per category, plus `per_second` (the shared budget, or this
        process's share of it while the store is down)."""
        categories = [c for c in self._ledgers if c != OVERALL]
        shared = self._status(categories)
        with self._lock:
            now = self._clock()
            if shared is not None:
                used, blocked = shared
                left = {name: max(0, self._ledgers[name].limit - used[name])
                        for name in self._ledgers}
                blocked_now = [c for c, s in blocked.items() if s > 0]
            else:
                left = {name: ledger.left(now, self._share_of(ledger))
                        for name, ledger in self._ledgers.items()}
                blocked_now = [c for c in categories if self._local_blocked(c, now)[0] > 0]
            for name in blocked_now:
                left[name] = 0
            per_second = left.pop(OVERALL)
            left["per_second"] = per_second
            return left

    @property
    def shared(self) -> bool:
        """True while the budget is kept in the store (False: this process's local share)."""
        return self.store.available and not self._dirty

    # -- Redis, and the fallback ----------------------------------------------------------------

    def _try_acquire(self, category: str) -> tuple[float, float, bool]:
        """(0, 0, False) when a slot was taken; else (seconds to wait, announced reset, whether
        the wait is a cooldown)."""
        buckets = self._buckets(category)
        for _ in range(2):
            if self._dirty and not self._sync():
                break
            with self._lock:
                now = self._clock()
                self._counter += 1
                member = f"{self._process}-{self._counter}"
                if now < self._grace_until:
                    # Back after a fault: others' slots of the fault may not be in Redis yet,
                    # so for one window our own local share applies as well.
                    wait = max(b.wait_needed(now, self._share_of(b)) for b in buckets)
                    if wait > 0:
                        return wait, 0.0, False
                for ledger in buckets:
                    ledger.take(member, now)  # held at once (cancelled if refused)
                epoch = self._epoch
            keys = [self._block_key(category), self._epoch_key(), *self._bucket_keys(buckets)]
            args = [member, self.in_flight_ttl_s, POLL_S, epoch or b"", EPOCH_TTL_MS,
                    *(x for b in buckets for x in (b.limit, b.window))]
            try:
                reply = self.store.attempt(functools.partial(self._run_acquire, keys, args))
            except SharedStoreDown:
                with self._lock:
                    for ledger in buckets:
                        ledger.cancel(member)
                self._went_down()
                break
            status, wait, announced, used = reply
            with self._lock:
                now = self._clock()
                if status != "ok":
                    for ledger in buckets:
                        ledger.cancel(member)
                for ledger, count in zip(buckets, used, strict=False):
                    ledger.saw(count, now)
                if status == "sync":
                    self._dirty = True
                    continue
                if status == "blocked":
                    self._blocks[category] = (now + wait, now + announced)
                    return wait, announced, True
                if status == "wait":
                    return wait, 0.0, False
                self._held.setdefault(category, deque()).append((member, True))
                self.shared_slots += 1
                return 0.0, 0.0, False
        return self._try_local(category)

    def _try_local(self, category: str) -> tuple[float, float, bool]:
        """The fallback: this process's share of each limit, counting its own recent slots and
        the others' as last seen in the store."""
        with self._lock:
            now = self._clock()
            blocked, announced = self._local_blocked(category, now)
            if blocked > 0:
                return blocked, announced, True
            buckets = self._buckets(category)
            wait = max(b.wait_needed(now, self._share_of(b)) for b in buckets)
            if wait > 0:
                return wait, 0.0, False
            self._counter += 1
            member = f"{self._process}-{self._counter}"
            for ledger in buckets:
                ledger.take(member, now)
            self._held.setdefault(category, deque()).append((member, False))
            self.local_slots += 1
            self._dirty = True
            return 0.0, 0.0, False

    def _went_down(self) -> None:
        self._dirty = True
        self._was_down = True

    def _sync(self) -> bool:
        """Write this process's slots and cooldowns of the current windows to Redis (at the
        start, after the store was down or lost our keys); False when it is still unusable."""
        with self._lock:
            self._dirty = False
            now = self._clock()
            buckets = list(self._ledgers.values())
            payload = json.dumps([b.snapshot(now, self.in_flight_ttl_s) for b in buckets])
            blocks = {c: (u - now, a - now) for c, (u, a) in self._blocks.items() if a > now}
        try:
            for category, (until_s, announced_s) in blocks.items():
                self.store.attempt(functools.partial(
                    self._write_block, category, max(0.0, until_s), announced_s, "extend"))
            epoch = self.store.attempt(lambda r: _read_epoch(self._sync_lua(
                keys=[self._epoch_key(), *self._bucket_keys(buckets)],
                args=[uuid.uuid4().hex, EPOCH_TTL_MS, payload], client=r)))
        except SharedStoreDown:
            self._went_down()
            return False
        with self._lock:
            lost = self._epoch is not None and epoch != self._epoch
            if lost or self._was_down:
                self._grace_until = self._clock() + self._max_window
            self._epoch = epoch
            self._was_down = False
        return True

    def _status(self, categories: list[str]
                ) -> tuple[dict[str, int], dict[str, float]] | None:
        """Slots used per bucket and seconds blocked per category, from Redis (None: down)."""
        if self._dirty and not self._sync():
            return None
        buckets = list(self._ledgers.values())

        def op(r: redis.Redis) -> tuple[dict[str, int], dict[str, float]]:
            reply = self._status_lua(
                keys=[*self._bucket_keys(buckets), *(self._block_key(c) for c in categories)],
                args=[len(buckets)], client=r)
            if not isinstance(reply, list) or len(reply) != len(buckets) + len(categories):
                raise ValueError("unexpected status answer")
            used = {b.name: int(float(x)) for b, x in zip(buckets, reply, strict=False)}
            blocked = {c: float(x) for c, x in zip(categories, reply[len(buckets):],
                                                  strict=True)}
            return used, blocked

        try:
            return self.store.attempt(op)
        except SharedStoreDown:
            self._went_down()
            return None

    def _run_acquire(self, keys: list[str], args: list[Any], r: redis.Redis
                     ) -> tuple[str, float, float, list[int]]:
        return _read_acquire(self._acquire_lua(keys=keys, args=args, client=r), len(keys) // 2 - 1)

    def _write_block(self, category: str, seconds: float, announced_s: float, mode: str,
                     r: redis.Redis) -> None:
        self._block_lua(keys=[self._block_key(category)], args=[seconds, announced_s, mode],
                        client=r)

    # -- helpers --------------------------------------------------------------------------------

    def _buckets(self, category: str) -> list[_Ledger]:
        bucket = self._ledgers.get(category) if category != OVERALL else None
        return [self._ledgers[OVERALL]] + ([bucket] if bucket is not None else [])

    def _share_of(self, ledger: _Ledger) -> int:
        return max(1, ledger.limit // self._share)

    def _local_blocked(self, category: str, now: float) -> tuple[float, float]:
        until, announced = self._blocks.get(category, (0.0, 0.0))
        return max(0.0, until - now), max(0.0, announced - now)

    def _bucket_keys(self, buckets: list[_Ledger]) -> list[str]:
        keys: list[str] = []
        for b in buckets:
            kind = "s" if b.name == OVERALL else "m:" + b.name
            keys += [self.store.key("rl", self._tag, kind, "flight"),
                     self.store.key("rl", self._tag, kind, "done")]
        return keys

    def _block_key(self, category: str) -> str:
        return self.store.key("rl", self._tag, "block", category)

    def _epoch_key(self) -> str:
        return self.store.key("rl", self._tag, "epoch")

    def _too_long(self, category: str, wait: float) -> RateLimitedError:
        return RateLimitedError(
            429,
            8,
            f"Rate limit for {category} is used up for another {wait:.0f} s, longer than the "
            "allowed wait.",
            reset_at=self._wall() + wait,
            retry_after=wait,
        )


def _read_epoch(reply: object) -> bytes:
    if not isinstance(reply, bytes) or not 0 < len(reply) <= 64:
        raise ValueError("unexpected rate-limit epoch")
    return reply


def _read_acquire(reply: object, buckets: int) -> tuple[str, float, float, list[int]]:
    """ACQUIRE_LUA's answer, checked (anything else is an unreadable store: ValueError):
    status, seconds to wait, announced seconds, slots used per bucket."""
    if not isinstance(reply, list) or not reply or not isinstance(reply[0], bytes):
        raise ValueError("unexpected rate-limit answer")
    status = reply[0].decode("ascii", "replace")
    numbers = [float(x) for x in reply[1:]]
    if any(not math.isfinite(x) or x < 0 for x in numbers):
        raise ValueError("unexpected rate-limit answer")
    if status == "sync" and not numbers:
        return status, 0.0, 0.0, []
    if status == "ok" and len(numbers) == buckets:
        return status, 0.0, 0.0, [int(x) for x in numbers]
    if status == "wait" and len(numbers) == buckets + 1 and numbers[0] > 0:
        return status, numbers[0], 0.0, [int(x) for x in numbers[1:]]
    if status == "blocked" and len(numbers) == 2 and numbers[0] > 0:
        return status, numbers[0], max(numbers), []
    raise ValueError("unexpected rate-limit answer")


# Bounded like the in-process registry: the least recently asked-for limiter goes first.
MAX_SHARED_LIMITERS: Final = 256
_registry: OrderedDict[tuple[object, ...], SharedRateLimiter] = OrderedDict()
_registry_lock = threading.Lock()


def shared_rate_limiter(store: SharedStore, identity: str, limits: RateLimits | None = None
                        ) -> SharedRateLimiter:
    """The process-wide shared limiter for this store, token identity and limits."""
    limits = limits or RateLimits()
    key = (id(store), identity, *limits.key())
    with _registry_lock:
        limiter = _registry.get(key)
        if limiter is None or limiter.store is not store:
            limiter = SharedRateLimiter(store, identity, limits)
            _registry[key] = limiter
            while len(_registry) > MAX_SHARED_LIMITERS:
                _registry.popitem(last=False)
        else:
            _registry.move_to_end(key)
        return limiter


def limiter_for(store: SharedStore | None, identity: str, limits: RateLimits | None = None
                ) -> Limiter:
    """The limiter a client on this token should use: shared through `store` when there is
    one, else the in-process one (`PinterestClient(limiter_factory=partial(limiter_for, store))`).
    """
    if store is None:
        return shared_limiter(identity, limits)
    return shared_rate_limiter(store, identity, limits)
