"""Shared fixtures: a simulator on a frozen clock, its loopback server, and the OpenAPI contract.

``sim``            Simulator(seed 7) on a FrozenClock at ``FROZEN_NOW`` (move it with
                   ``sim.clock.advance(s)``); ``live_sim`` is the same on the wall clock.
``sim_server``     ``sim`` served on a free loopback port (stopped afterwards).
``openapi_spec``   spec/openapi.json as a dict (session-wide).
``validate_response(method, template, status, body)``: validates a decoded body against the
                   spec's schema for that operation and status (``default`` when the status is
                   not declared), with ``$ref`` resolved and OpenAPI ``nullable`` made JSON Schema.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pinterest_sim import FrozenClock, SimConfig, SimServer, Simulator, SystemClock, World

ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = ROOT / "spec" / "openapi.json"

# 05:23:20 UTC: a trial-tier day window then has 67,000 s left, the figure Pinterest was seen
# to send in X-RateLimit-Reset.
FROZEN_NOW = datetime(2026, 11, 20, 5, 23, 20, tzinfo=UTC)
TOKEN = "demo-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="session")
def openapi_spec() -> dict[str, Any]:
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


@pytest.fixture(scope="session")
def validate_response(openapi_spec: dict[str, Any]) -> Callable[[str, str, int, Any], None]:
    components = openapi_to_jsonschema(openapi_spec["components"])

    def validate(method: str, template: str, status: int, body: Any) -> None:
        operation = openapi_spec["paths"][template][method.lower()]
        responses = operation["responses"]
        declared = responses.get(str(status)) or responses["default"]
        schema = declared["content"]["application/json"]["schema"]
        root = {"components": components, **openapi_to_jsonschema(schema)}
        jsonschema.Draft202012Validator(root).validate(body)

    return validate


@functools.cache
def shared_world(seed: int) -> World:
    # Worlds are immutable: one per seed serves every test (building one takes ~0.5 s).
    return World(seed)


def make_sim(clock: Any = None, **config: Any) -> Simulator:
    sim_config = SimConfig(**config)
    return Simulator(sim_config, clock=clock or FrozenClock(FROZEN_NOW),
                     world=shared_world(sim_config.seed))


@pytest.fixture
def sim() -> Simulator:
    return make_sim()


@pytest.fixture
def live_sim() -> Simulator:
    return make_sim(SystemClock())


@pytest.fixture
def sim_server(sim: Simulator) -> Iterator[SimServer]:
    server = sim.serve("127.0.0.1", 0)
    try:
        yield server
    finally:
        server.stop()
