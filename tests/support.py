"""Helpers shared by the simulator tests, importable as ``tests.support`` under both
``pytest`` and ``python -m pytest`` (pyproject puts the repository root on ``sys.path``).
Fixtures stay in ``tests/conftest.py``; test modules import constants and helpers from here,
never from a conftest (a conftest imported by name is loaded twice under plain ``pytest``).

``make_validator(spec)(method, template, status, body)`` validates a decoded body against the
spec's schema for that operation and status (``default`` when the status is not declared), with
``$ref`` resolved, OpenAPI ``nullable`` made JSON Schema and string ``format``s (date, ...)
checked.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema

from pinterest_sim import FrozenClock, SimConfig, Simulator, World

ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = ROOT / "spec" / "openapi.json"

# 05:23:20 UTC: a trial-tier day window then has 67,000 s left, the figure Pinterest was seen
# to send in X-RateLimit-Reset.
FROZEN_NOW = datetime(2026, 11, 20, 5, 23, 20, tzinfo=UTC)
TOKEN = "demo-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

Validate = Callable[[str, str, int, Any], None]


@functools.cache
def load_spec() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    return spec


def openapi_to_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0 ``nullable: true`` becomes a ``null`` alternative (recursively)."""
    if isinstance(node, list):
        return [openapi_to_jsonschema(n) for n in node]
    if not isinstance(node, dict):
        return node
    converted = {k: openapi_to_jsonschema(val) for k, val in node.items() if k != "nullable"}
    if node.get("nullable") is True:
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def make_validator(spec: dict[str, Any]) -> Validate:
    components = openapi_to_jsonschema(spec["components"])

    def validate(method: str, template: str, status: int, body: Any) -> None:
        operation = spec["paths"][template][method.lower()]
        responses = operation["responses"]
        declared = responses.get(str(status)) or responses["default"]
        schema = declared["content"]["application/json"]["schema"]
        root = {"components": components, **openapi_to_jsonschema(schema)}
        jsonschema.Draft202012Validator(
            root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(body)

    return validate


@functools.cache
def shared_world(seed: int) -> World:
    # Worlds are immutable: one per seed serves every test (building one takes ~0.5 s).
    return World(seed)


def make_sim(clock: Any = None, **config: Any) -> Simulator:
    sim_config = SimConfig(**config)
    return Simulator(sim_config, clock=clock or FrozenClock(FROZEN_NOW),
                     world=shared_world(sim_config.seed))
