"""The answers of the sign-in flow and of every person, over the loopback server, validate
against spec/openapi.json (as tests/sim/test_contract.py does for the demo token)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest

from pinterest_sim import (
    AGENCY_TOKEN,
    ANALYST_TOKEN,
    ANALYST_USER_ID,
    DEMO_ACCOUNT_ID,
    FINANCE_TOKEN,
    PINNER_TOKEN,
    SimServer,
)
from tests.sim.oauth_support import REDIRECT_URI, exchange, redirect_query, refresh, sign_in
from tests.support import TOKEN, Validate

A = "/ad_accounts/{ad_account_id}"
TOKENS = [TOKEN, AGENCY_TOKEN, ANALYST_TOKEN, FINANCE_TOKEN, PINNER_TOKEN]


@pytest.fixture
def api(sim_server: SimServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim_server.base_url, timeout=10) as c:
        yield c


def _get(api: httpx.Client, token: str, path: str, **params: str) -> httpx.Response:
    return api.get(path, params=params, headers={"Authorization": f"Bearer {token}"})


def _schema(spec: dict[str, Any], name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        {"components": spec["components"], "$ref": f"#/components/schemas/{name}"})


@pytest.mark.parametrize("token", TOKENS)
def test_each_persons_accounts_and_profile(api: httpx.Client, token: str,
                                           validate_response: Validate) -> None:
    me = _get(api, token, "/user_account")
    assert me.status_code == 200
    validate_response("GET", "/user_account", 200, me.json())
    listed = _get(api, token, "/ad_accounts")
    assert listed.status_code == 200
    validate_response("GET", "/ad_accounts", 200, listed.json())
    for account in listed.json()["items"]:
        one = _get(api, token, f"/ad_accounts/{account['id']}")
        validate_response("GET", A, 200, one.json())


def test_refusals_of_a_non_reporting_role(api: httpx.Client,
                                          validate_response: Validate) -> None:
    analytics = {"start_date": "2026-11-13", "end_date": "2026-11-20",
                 "columns": "SPEND_IN_DOLLAR", "granularity": "DAY"}
    for template, params in ((f"{A}/analytics", analytics), (f"{A}/campaigns", {})):
        refused = _get(api, FINANCE_TOKEN, template.replace("{ad_account_id}", DEMO_ACCOUNT_ID),
                       **params)
        assert refused.status_code == 403
        validate_response("GET", template, 403, refused.json())
    nobody = _get(api, PINNER_TOKEN, "/user_account", ad_account_id=DEMO_ACCOUNT_ID)
    assert nobody.status_code == 403
    validate_response("GET", "/user_account", 403, nobody.json())


def test_token_answers_of_the_code_flow(api: httpx.Client, sim_server: SimServer,
                                        validate_response: Validate,
                                        openapi_spec: dict[str, Any]) -> None:
    with httpx.Client(base_url=sim_server.origin) as page:
        code = redirect_query(sign_in(page, user_id=ANALYST_USER_ID))["code"]
    issued = exchange(api, code)
    assert issued.status_code == 200
    validate_response("POST", "/oauth/token", 200, issued.json())
    _schema(openapi_spec, "OauthAccessTokenResponseCode").validate(issued.json())
    # Continuous refresh: the code answer carries the refresh fields the refresh answer requires.
    _schema(openapi_spec, "OauthAccessTokenResponseRefresh").validate(
        {**issued.json(), "response_type": "refresh_token"})
    rotated = refresh(api, issued.json()["refresh_token"])
    assert rotated.status_code == 200
    validate_response("POST", "/oauth/token", 200, rotated.json())
    _schema(openapi_spec, "OauthAccessTokenResponseRefresh").validate(rotated.json())
    for bad in (exchange(api, code), exchange(api, "nope", REDIRECT_URI),
                exchange(api, "nope", app=("sim-app", "wrong"))):
        assert bad.status_code in (400, 401)
        validate_response("POST", "/oauth/token", bad.status_code, bad.json())


def test_the_validator_rejects_wrong_people_shapes(api: httpx.Client,
                                                   validate_response: Validate) -> None:
    """The checks above can fail: a real answer broken in one way the spec forbids is refused."""
    me = _get(api, ANALYST_TOKEN, "/user_account").json()
    listed = _get(api, ANALYST_TOKEN, "/ad_accounts").json()
    item = listed["items"][0]
    broken: list[tuple[str, Any]] = [
        ("/user_account", {**me, "account_type": "ROBOT"}),
        ("/user_account", {**me, "id": "u-1"}),
        ("/ad_accounts", {**listed, "items": [{**item, "permissions": ["VIEWER"]}]}),
        ("/ad_accounts", {**listed, "items": [{**item, "permissions": "ANALYST"}]}),
    ]
    for template, body in broken:
        with pytest.raises(jsonschema.ValidationError):
            validate_response("GET", template, 200, body)
