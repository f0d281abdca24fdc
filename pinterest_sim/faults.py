"""Faults on demand: latency, 5xx, 429 storms, hangs, malformed JSON, truncated bodies.

``Faults`` is mutable at run time (tests flip a storm on and off) and parsed from
``PINTEREST_SIM_FAULTS="latency=0.15,error_rate=0.1,storm_429=1,hang=30,..."``. Fractions are
drawn from a seeded RNG so a test run is reproducible; 1.0 means every request, 0.0 never.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field, fields
from typing import Any

# A hang is longer than any sane client timeout but never blocks a test run for ever.
MAX_HANG_S = 120.0


@dataclass
class Faults:
    latency: float = 0.0  # seconds added to every /v5 answer
    error_rate: float = 0.0  # fraction of /v5 requests answered with a 5xx
    error_status: int = 503  # 503 (code 4197) or 500 (code 12)
    storm_429: bool = False  # every /v5 request answers 429 code 8
    storm_reset_s: int = 1  # X-RateLimit-Reset sent during a storm
    hang: float = 0.0  # seconds a /v5 request hangs before answering (0 = off)
    hang_rate: float = 1.0  # fraction of requests that hang when hang > 0
    malformed_rate: float = 0.0  # fraction of 200 answers whose JSON is invalid
    truncated_rate: float = 0.0  # fraction of 200 answers cut mid-body
    report_failure_rate: float = 0.0  # fraction of async reports that end FAILED
    bulk_failure_rate: float = 0.0  # fraction of bulk downloads that end FAILED
    seed: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._rng.seed(self.seed)

    def draw(self, rate: float) -> bool:
        """True with probability ``rate``; 0 and 1 never touch the RNG (fully deterministic)."""
        if rate <= 0.0:
            return False
        if rate >= 1.0:
            return True
        with self._lock:
            return self._rng.random() < rate

    def hang_seconds(self) -> float:
        if self.hang <= 0 or not self.draw(self.hang_rate):
            return 0.0
        return min(self.hang, MAX_HANG_S)

    def update(self, values: dict[str, Any]) -> None:
        """Set fields from a mapping (body of ``POST /_sim/faults``); unknown names are errors."""
        known = {f.name: f for f in fields(self) if not f.name.startswith("_")}
        for name, raw in values.items():
            if name not in known:
                raise ValueError(f"unknown fault {name!r}; known: {', '.join(sorted(known))}")
            setattr(self, name, _coerce(name, known[name].type, raw))
        if "seed" in values:
            with self._lock:
                self._rng.seed(self.seed)

    def clear(self) -> None:
        self.update({f.name: f.default for f in fields(self) if not f.name.startswith("_")})

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}

    @classmethod
    def parse(cls, text: str | None) -> Faults:
        """Parse ``"latency=0.15,error_rate=0.1,storm_429=1"`` (empty or None: no faults)."""
        faults = cls()
        faults.update(parse_pairs(text))
        return faults


def parse_pairs(text: str | None) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"expected name=value, got {part!r}")
        pairs[name.strip()] = value.strip()
    return pairs


def _coerce(name: str, annotation: Any, raw: Any) -> Any:
    kind = str(annotation)
    try:
        if kind == "bool":
            if isinstance(raw, str):
                return raw.strip().lower() in {"1", "true", "yes", "on"}
            return bool(raw)
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"fault {name!r}: {raw!r} is not a {kind}") from exc
    return raw
