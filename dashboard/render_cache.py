"""Render work shared by every session: a figure, a display table or a CSV built once per
content, whoever asks.

Fifty people looking at the same account, range and filters get identical figures and
tables; building them (Plotly validation, pandas formatting) was most of a warm page view's
CPU, repeated for every session and every auto-refresh. `@shared` memoizes a pure function of
frames and plain values on the *content* of its arguments: a digest of each frame's values,
index, columns and dtypes (numeric columns' memory, Arrow columns' buffers, other columns'
`pandas.util.hash_pandas_object`), so the result is shared exactly
as long as the data under it is the same: new data (a refresh, another account, other
filters) gives other frames, hence a new key and a new build, with the same freshness as the
data. Arguments that cannot be keyed (an unhashable cell, an unknown type) are built
directly, never guessed.

Results are shared objects: callers treat them as read-only. Frames are handed out as
shallow copies (pandas copy-on-write keeps the shared one intact if a caller changes its
copy); figures and bytes as they are (st.plotly_chart only reads a figure).

Sealed frames skip the digest. A frame that is shared read-only by construction (a loader's
result reused by dashboard/loader_memo.py, a frame this cache hands out) is `seal`ed: its
key is remembered for as long as the object lives, so the next session's lookup costs a
dictionary read instead of hashing every column again (8 to 15 % of a warm view's CPU). A
sealed frame must not be changed in place; `VERIFY_SEALED` (on in the tests) recomputes the
digest of every sealed frame at each lookup and raises `SealBroken` if it moved.

The cache is bounded (512 entries and 64 MiB: bytes and frames by their size, a figure by
the size of the frames it was built from; least recently used out) and process-wide, guarded
by a lock;
two sessions missing the same key at once may both build it (the result is the same).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import Any, Final, ParamSpec, TypeVar, cast

import numpy as np
import pandas as pd

P = ParamSpec("P")
R = TypeVar("R")

MAX_ENTRIES: Final = 512  # figures of a few pages for a few dozen distinct views
MAX_BYTES: Final = 64 * 1024 * 1024  # and never more than this, by the estimate below
MIN_ENTRY_BYTES: Final = 1024


class _Unkeyable(Exception):
    """An argument whose content cannot be keyed: build directly."""


def _column_bytes(values: Any) -> list[bytes]:
    """The raw bytes that determine a column's (or index's) content: numeric arrays as they
    lie in memory, Arrow-backed ones (pandas' strings) by their Arrow buffers, anything else
    by pandas' own per-value hashes. Equal bytes mean equal values; unequal bytes at worst
    cost a rebuild, never a wrong result."""
    if isinstance(values, pd.RangeIndex):
        return [repr((values.start, values.stop, values.step)).encode()]
    array = values.array if hasattr(values, "array") else values
    if isinstance(array, np.ndarray) and array.dtype.kind in "biufcmM":
        return [np.ascontiguousarray(array).tobytes()]
    arrow = getattr(array, "__arrow_array__", None)
    if arrow is not None and type(array).__name__.startswith("Arrow"):
        parts: list[bytes] = []
        for chunk in arrow().chunks:
            parts.append(repr((chunk.offset, len(chunk), str(chunk.type))).encode())
            parts.extend(b"" if buffer is None else bytes(buffer) for buffer in chunk.buffers())
        return parts
    try:
        hashes = pd.util.hash_pandas_object(pd.Series(values, copy=False), index=False)
    except TypeError as exc:  # unhashable cells (lists, dicts)
        raise _Unkeyable from exc
    return [np.asarray(hashes, dtype=np.uint64).tobytes()]


def _frame_digest(value: pd.DataFrame | pd.Series) -> str:
    digest = hashlib.blake2b(digest_size=16)
    columns = value.items() if isinstance(value, pd.DataFrame) else [(value.name, value)]
    for name, column in columns:
        digest.update(repr((str(name), str(column.dtype), len(column))).encode())
        for part in _column_bytes(column):
            digest.update(len(part).to_bytes(8, "little"))
            digest.update(part)
    digest.update(repr((str(value.index.dtype), value.index.name)).encode())
    for part in _column_bytes(value.index):
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.hexdigest()


class SealBroken(AssertionError):
    """A sealed (shared, read-only) frame was changed in place."""


VERIFY_SEALED = False  # the tests turn it on: check every sealed frame at each lookup
_SEAL_DEPTH: Final = 3  # a loader's result: a dataclass of frames, maybe in a mapping


@dataclasses.dataclass
class _Seal:
    ref: weakref.ref[Any]
    digest: str | None  # the frame's key (None: its content digest, computed when first asked)
    content: str | None  # VERIFY_SEALED only: the content digest when it was sealed


_SEALED: dict[int, _Seal] = {}
_SEALED_LOCK: Final = threading.Lock()


def frames_in(value: Any, _depth: int = 0) -> Iterator[pd.DataFrame | pd.Series]:
    """Every frame in `value`: itself, or those in a dataclass, mapping, list or tuple (a
    loader's result), a few levels down."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        yield value
        return
    if _depth >= _SEAL_DEPTH:
        return
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        parts: Any = [getattr(value, f.name) for f in dataclasses.fields(value)]
    elif isinstance(value, Mapping):
        parts = list(value.values())
    elif isinstance(value, (list, tuple)):
        parts = value
    else:
        return
    for part in parts:
        yield from frames_in(part, _depth + 1)


def seal(value: Any, digest: str | None = None) -> None:
    """Remember the key of every frame in `value` (frames_in) for as long as it lives:
    `digest` when the caller knows it (one frame), else the content digest, computed at the
    first lookup. The frames must never change."""
    for frame in frames_in(value):
        number = id(frame)

        def forget(_: weakref.ref[Any], number: int = number) -> None:
            with _SEALED_LOCK:
                held = _SEALED.get(number)
                if held is not None and held.ref() is None:
                    del _SEALED[number]

        content = _frame_digest(frame) if VERIFY_SEALED else None
        with _SEALED_LOCK:
            _SEALED[number] = _Seal(weakref.ref(frame, forget), digest, content)


def _sealed_digest(value: pd.DataFrame | pd.Series) -> str | None:
    """The remembered key of a sealed frame, else None."""
    with _SEALED_LOCK:
        held = _SEALED.get(id(value))
    if held is None or held.ref() is not value:
        return None
    if held.content is not None and _frame_digest(value) != held.content:
        raise SealBroken("a shared, read-only frame was changed in place")
    if held.digest is None:
        held.digest = _frame_digest(value)
    return held.digest


def content_key(value: Any) -> Hashable:
    """A hashable key equal for equal content (frames by their values, index, columns and
    dtypes; containers by their items). Raises _Unkeyable for anything else."""
    if value is None or isinstance(value, (str, bytes, bool, int, float)):
        return (type(value).__name__, value)
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return (type(value).__name__, _sealed_digest(value) or _frame_digest(value))
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, tuple(content_key(v) for v in value))
    if isinstance(value, Mapping):
        return ("mapping", tuple((content_key(k), content_key(v)) for k, v in value.items()))
    if isinstance(value, (frozenset, set)):
        return ("set", frozenset(content_key(v) for v in value))
    if hasattr(value, "isoformat") and isinstance(value, Hashable):  # date, datetime, time
        return (type(value).__name__, value)
    raise _Unkeyable


def size_of(value: Any, fallback: int = MIN_ENTRY_BYTES) -> int:
    """Bytes a result holds: exact for bytes and text, pandas' count for frames, `fallback`
    (the caller's estimate: its input frames' size) for anything else."""
    if isinstance(value, (bytes, bytearray, str)):
        return max(MIN_ENTRY_BYTES, len(value))
    if isinstance(value, pd.DataFrame):
        return max(MIN_ENTRY_BYTES, int(value.memory_usage(index=True).sum()))
    if isinstance(value, pd.Series):
        return max(MIN_ENTRY_BYTES, int(value.memory_usage(index=True)))
    return max(MIN_ENTRY_BYTES, fallback)


class RenderCache:
    """A bounded (entries and bytes), thread-safe, least-recently-used map of built results,
    with counts."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_build(self, key: Hashable, build: Callable[[], R],
                     estimate: Callable[[], int] = lambda: MIN_ENTRY_BYTES) -> R:
        """The result stored under `key`, else `build()` stored; `estimate()` (asked on a miss
        only) is its size when size_of cannot tell (a figure: its input frames' size)."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                result: R = self._entries[key][0]
                return result
            self.misses += 1
        built = build()  # outside the lock: other sessions' hits need not wait
        size = size_of(built, estimate())
        if size > self.max_bytes:
            return built  # too big to keep
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= previous[1]
            self._entries[key] = (built, size)
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped
        return built

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self.hits = self.misses = 0


RENDER_CACHE: Final = RenderCache()


def _handed_out(result: R, key: Hashable) -> R:
    """A frame as a shallow copy (copy-on-write: the shared one stays intact), sealed with a
    digest of the key it was built from (a pure function's inputs determine its output)."""
    if not isinstance(result, (pd.DataFrame, pd.Series)):
        return result
    copy = cast(R, result.copy(deep=False))
    digest = "derived:" + hashlib.blake2b(repr(key).encode(), digest_size=16).hexdigest()
    seal(copy, digest)
    return copy


def shared(fn: Callable[P, R]) -> Callable[P, R]:
    """Memoize a pure function of frames and plain values in RENDER_CACHE (see above)."""
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            key = (name, content_key(args), content_key(dict(sorted(kwargs.items()))))
        except _Unkeyable:
            return fn(*args, **kwargs)
        def inputs() -> int:
            return sum(size_of(v, 0) for v in (*args, *kwargs.values())
                       if isinstance(v, (pd.DataFrame, pd.Series)))

        return _handed_out(RENDER_CACHE.get_or_build(key, lambda: fn(*args, **kwargs),
                                                     estimate=inputs), key)

    return wrapper
