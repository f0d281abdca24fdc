"""How cached answers and flight outcomes are written to the shared store: JSON, never pickle.

A cached value is decoded JSON (what `request_json_sized` returns, or a list of such items),
so it is stored as JSON inside a small versioned envelope::

    b"\\x01J" + json({"at": fetched_at, "n": size, "ttl": ttl_s, "d": value})   (small)
    b"\\x01Z" + zlib(json(...))                                                (above 1 KB)

`at` is the epoch time of the upstream answer, `n` the answer's size in bytes (the in-process
cache's unit) and `ttl` its freshness in seconds. Anything else under one of our keys (another
version, junk, a zip bomb, a wrong shape) is `Undecodable`: the caller treats it as a miss.

A failed flight leaves an outcome for the processes waiting on it: the kind of PinterestError
and its public fields (status, code, message: never a secret, see `_errors.py`), rebuilt as the
same class on the other side. Errors that depend on who asked (401, 403) and anything that is
not a PinterestError are not shared: a waiter then asks itself.
"""

from __future__ import annotations

import json
import math
import zlib
from dataclasses import dataclass
from typing import Any, Final

from pinterest_client._errors import (
    APITimeoutError,
    BadRequestError,
    InvalidResponseError,
    NotFoundError,
    PinterestError,
    RateLimitedError,
    ServerError,
    TransportError,
)

VERSION: Final = b"\x01"
PLAIN: Final = b"J"
ZIPPED: Final = b"Z"
COMPRESS_ABOVE: Final = 1024
MAX_DECODED_BYTES: Final = 256 * 1024 * 1024  # a zip bomb under our key stops here

_ERROR_PREFIX: Final = VERSION + b"E"


class Undecodable(ValueError):
    """A stored value we cannot read (treated as a miss and deleted)."""


@dataclass(frozen=True)
class Envelope:
    value: Any
    fetched_at: float  # epoch seconds
    size: int  # bytes of the upstream answer
    ttl_s: float


def encode(envelope: Envelope) -> bytes | None:
    """The stored form, or None when the value is not plain JSON (kept in process only)."""
    try:
        text = json.dumps({"at": envelope.fetched_at, "n": envelope.size, "ttl": envelope.ttl_s,
                           "d": envelope.value}, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False, check_circular=True)
    except (TypeError, ValueError, RecursionError):
        return None
    raw = text.encode("utf-8")
    if len(raw) > COMPRESS_ABOVE:
        return VERSION + ZIPPED + zlib.compress(raw, 6)
    return VERSION + PLAIN + raw


def decode(blob: object) -> Envelope:
    """The envelope stored as `blob`; Undecodable for anything else."""
    if not isinstance(blob, bytes) or len(blob) < 2 or blob[:1] != VERSION:
        raise Undecodable("not a cache entry of this version")
    kind, body = blob[1:2], blob[2:]
    if kind == ZIPPED:
        inflater = zlib.decompressobj()
        try:
            body = inflater.decompress(body, MAX_DECODED_BYTES)
        except zlib.error:
            raise Undecodable("broken compression") from None
        if inflater.unconsumed_tail or not inflater.eof:
            raise Undecodable("compressed entry too large or truncated")
    elif kind != PLAIN:
        raise Undecodable("unknown entry format")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Undecodable("not JSON") from None
    if not isinstance(data, dict) or "d" not in data:
        raise Undecodable("not an envelope")
    at, size, ttl = data.get("at"), data.get("n"), data.get("ttl")
    if not _number(at) or not isinstance(size, int) or isinstance(size, bool) or size < 0 \
            or not _number(ttl):
        raise Undecodable("envelope fields of the wrong type")
    assert isinstance(at, int | float) and isinstance(ttl, int | float)
    return Envelope(value=data["d"], fetched_at=float(at), size=size, ttl_s=float(ttl))


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# ----- outcomes of failed flights ------------------------------------------------------------

_SHAREABLE: Final[dict[str, type[PinterestError]]] = {
    cls.__name__: cls
    for cls in (BadRequestError, NotFoundError, RateLimitedError, ServerError, TransportError,
                APITimeoutError, InvalidResponseError)
}


def encode_error(exc: BaseException) -> bytes | None:
    """A failed flight's error for its waiters, or None when they must ask themselves."""
    if type(exc).__name__ not in _SHAREABLE or type(exc) is not _SHAREABLE[type(exc).__name__]:
        return None
    assert isinstance(exc, PinterestError)
    fields: dict[str, Any] = {"kind": type(exc).__name__, "message": exc.message}
    for name in ("status", "code", "reset_at", "retry_after"):
        value = getattr(exc, name, None)
        if value is None or _number(value):
            fields[name] = value
    return _ERROR_PREFIX + json.dumps(fields, separators=(",", ":")).encode("utf-8")


def decode_error(blob: object) -> PinterestError | None:
    """The error a failed flight left, rebuilt; None when there is none we can read."""
    if not isinstance(blob, bytes) or not blob.startswith(_ERROR_PREFIX):
        return None
    try:
        fields = json.loads(blob[len(_ERROR_PREFIX):].decode("utf-8"))
        cls = _SHAREABLE[str(fields["kind"])]
        message = str(fields["message"])
        status, code = fields.get("status"), fields.get("code")
        if issubclass(cls, RateLimitedError):
            return cls(int(status), _int_or_none(code), message,
                       reset_at=_float_or_none(fields.get("reset_at")),
                       retry_after=_float_or_none(fields.get("retry_after")))
        if issubclass(cls, BadRequestError | NotFoundError | ServerError):
            return cls(int(status), _int_or_none(code), message)
        if issubclass(cls, InvalidResponseError):
            return cls(message, status=_int_or_none(status))
        return cls(message)
    except (KeyError, TypeError, ValueError, UnicodeDecodeError, AttributeError):
        return None


def _int_or_none(value: object) -> int | None:
    return int(value) if _number(value) else None  # type: ignore[call-overload]


def _float_or_none(value: object) -> float | None:
    return float(value) if _number(value) else None  # type: ignore[arg-type]
