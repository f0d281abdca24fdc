"""Schemathesis against ``python -m pinterest_sim`` with the vendored spec: every operation of
the ads-reporting scope, a few generated requests each (a smoke run; raise SMOKE_EXAMPLES for a
deeper one). For every answer: no 5xx, the body conforms to the spec's schema for its status,
and every 4xx carries Pinterest's error body ``{"code": int, "message": str}``.

Most requests name the demo account (generated account ids are unknown, so they would only
exercise the 404 path); the rest keep what schemathesis generated. Rate limits are off for the
server (``PINTEREST_SIM_RATE_LIMITS=enabled=0``): a 429 would hide what the request exercises.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from collections import Counter
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pinterest_sim import DEMO_ACCOUNT_ID
from tests.support import ROOT, SPEC_PATH, TOKEN

SMOKE_EXAMPLES = int(os.environ.get("SIM_SCHEMATHESIS_EXAMPLES", "3"))
# SIM_SCHEMATHESIS_NEGATIVE=1 adds requests that break the spec (a deeper run than the smoke).
NEGATIVE = os.environ.get("SIM_SCHEMATHESIS_NEGATIVE") == "1"

# The ads-reporting scope: (method, spec path) of every operation the simulator serves.
ACCOUNT = "/ad_accounts/{ad_account_id}"
SCOPE: frozenset[tuple[str, str]] = frozenset({
    ("GET", "/ad_accounts"), ("GET", ACCOUNT),
    ("GET", f"{ACCOUNT}/campaigns"), ("GET", f"{ACCOUNT}/ad_groups"), ("GET", f"{ACCOUNT}/ads"),
    ("GET", f"{ACCOUNT}/keywords"), ("GET", f"{ACCOUNT}/audiences"),
    ("GET", f"{ACCOUNT}/customer_lists"), ("GET", f"{ACCOUNT}/conversion_tags"),
    ("GET", f"{ACCOUNT}/analytics"), ("GET", f"{ACCOUNT}/campaigns/analytics"),
    ("GET", f"{ACCOUNT}/ad_groups/analytics"), ("GET", f"{ACCOUNT}/ads/analytics"),
    ("GET", f"{ACCOUNT}/targeting_analytics"), ("GET", f"{ACCOUNT}/campaigns/targeting_analytics"),
    ("GET", f"{ACCOUNT}/ad_groups/targeting_analytics"),
    ("GET", f"{ACCOUNT}/ads/targeting_analytics"),
    ("GET", f"{ACCOUNT}/audience_insights"), ("GET", f"{ACCOUNT}/insights/audiences"),
    ("POST", f"{ACCOUNT}/reports"), ("GET", f"{ACCOUNT}/reports"),
    ("POST", f"{ACCOUNT}/bulk/download"), ("GET", f"{ACCOUNT}/bulk/{{bulk_request_id}}"),
    ("GET", "/catalogs/product_groups"),
    ("GET", "/resources/delivery_metrics"), ("GET", "/resources/metrics_ready_state"),
    ("GET", "/resources/targeting/{targeting_type}"),
    ("POST", "/oauth/token"), ("GET", "/user_account"),
})

schema = schemathesis.openapi.from_path(str(SPEC_PATH)).include(
    lambda ctx: (ctx.operation.method.upper(), ctx.operation.path) in SCOPE)
if NEGATIVE:
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """``python -m pinterest_sim`` on a free loopback port, in a process of its own."""
    env = {**os.environ, "PINTEREST_SIM_RATE_LIMITS": "enabled=0", "PINTEREST_SIM_TOKEN": TOKEN}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pinterest_sim", "--host", "127.0.0.1", "--port", "0"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "listening on http://127.0.0.1:" in line, line
        yield line.rsplit(" ", 1)[-1].strip()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_scope_is_in_the_spec() -> None:
    operations = set()
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # (an Err raises: a broken spec)
        operations.add((operation.method.upper(), operation.path))
    assert operations == SCOPE


SEEN: Counter[str] = Counter()  # answers by status class, to show the run exercised both


def pinterest_error_body(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx answers with Pinterest's ``{code, message}`` body."""
    SEEN[f"{response.status_code // 100}xx"] += 1
    SEEN[f"{case.method} {case.operation.path}"] += 1
    if 400 <= response.status_code < 500:
        body = response.json()
        assert isinstance(body, dict), body
        assert isinstance(body.get("code"), int), body
        assert isinstance(body.get("message"), str) and body["message"], body
    return None


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, pinterest_error_body]


@schema.parametrize()
@hypothesis.settings(max_examples=SMOKE_EXAMPLES, deadline=None, derandomize=True, database=None,
                     suppress_health_check=list(hypothesis.HealthCheck),
                     phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate])
def test_operation(case: Any, base_url: str) -> None:
    # Mostly the demo account (a real one); a generated id now and then (the 404 path).
    if "ad_account_id" in (case.path_parameters or {}) and \
            zlib.crc32(repr(case.query).encode()) % 4:
        case.path_parameters["ad_account_id"] = DEMO_ACCOUNT_ID
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if case.operation.path == "/oauth/token":
        headers = {"Authorization": "Basic c2ltLWFwcDpzaW0tc2VjcmV0"}  # sim-app:sim-secret
    case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS, timeout=60)


def test_the_run_reached_every_operation_and_both_outcomes() -> None:
    """(After test_operation, same file.) Answers were checked for every operation, and both
    successes and refusals were among them."""
    assert SEEN["2xx"] and SEEN["4xx"], SEEN
    assert all(SEEN[f"{method} {path}"] for method, path in SCOPE), SEEN
