"""Every endpoint, over the real loopback server: success and error answers validate against the
schemas of the official OpenAPI description (spec/openapi.json) with jsonschema."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import jsonschema
import pytest

from pinterest_sim import DEMO_ACCOUNT_ID, FORBIDDEN_ACCOUNT_ID, SimServer, Simulator
from pinterest_sim.urls import V5_ROUTES
from tests.support import AUTH, FROZEN_NOW

Validate = Callable[[str, str, int, Any], None]
TODAY = FROZEN_NOW.date()
A = "/ad_accounts/{ad_account_id}"
UNKNOWN_ACCOUNT_ID = "999999999999"


@pytest.fixture
def client(sim_server: SimServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim_server.base_url, headers=AUTH, timeout=10) as c:
        yield c


def _window(days: int = 7) -> dict[str, str]:
    return {"start_date": (TODAY - timedelta(days=days)).isoformat(),
            "end_date": TODAY.isoformat()}


def _ids(sim: Simulator) -> dict[str, str]:
    campaign = next(c for c in sim.world.campaigns(DEMO_ACCOUNT_ID) if c.status == "ACTIVE")
    group = next(g for g in sim.world.ad_groups(DEMO_ACCOUNT_ID) if g.campaign_id == campaign.id)
    ad = next(a for a in sim.world.ads(DEMO_ACCOUNT_ID) if a.ad_group_id == group.id)
    return {"campaign": campaign.id, "ad_group": group.id, "ad": ad.id, "pin": ad.pin_id}


def _check(client: httpx.Client, validate: Validate, method: str, template: str,
           status: int, path: str | None = None, **kwargs: Any) -> Any:
    path = path or template.replace("{ad_account_id}", DEMO_ACCOUNT_ID)
    response = client.request(method, path, **kwargs)
    assert response.status_code == status, (path, response.text)
    body = response.json()
    validate(method, template, status, body)
    if status >= 400:
        assert set(body) == {"code", "message"}
        assert isinstance(body["code"], int) and body["message"]
    return body


def test_route_table_matches_the_spec(openapi_spec: dict[str, Any]) -> None:
    for route in V5_ROUTES:
        operation = openapi_spec["paths"][route.template][route.method.lower()]
        assert operation["x-ratelimit-category"] == route.category, route.template


def test_accounts_and_lists(client: httpx.Client, sim: Simulator, validate: Validate) -> None:
    page = _check(client, validate, "GET", "/ad_accounts", 200, params={"page_size": 2})
    assert len(page["items"]) == 2 and page["bookmark"]
    _check(client, validate, "GET", A, 200)
    ids = _ids(sim)
    for kind, extra in (("campaigns", {"campaign_ids": ids["campaign"]}),
                        ("ad_groups", {"campaign_ids": ids["campaign"]}),
                        ("ads", {"ad_group_ids": ids["ad_group"]})):
        listed = _check(client, validate, "GET", f"{A}/{kind}", 200, params=extra)
        assert listed["items"], kind
    for extra in ({}, {"ad_group_id": ids["ad_group"], "page_size": 5},
                  {"ad_group_ids": ids["ad_group"], "match_types": ["BROAD", "EXACT"]}):
        listed = _check(client, validate, "GET", f"{A}/keywords", 200, params=extra)
        assert listed["items"], extra
    for kind, extra in (("audiences", {"page_size": 2, "order": "DESCENDING"}),
                        ("customer_lists", {}), ("conversion_tags", {"filter_deleted": "true"})):
        listed = _check(client, validate, "GET", f"{A}/{kind}", 200, params=extra)
        assert listed["items"], kind
    groups = _check(client, validate, "GET", "/catalogs/product_groups", 200,
                    params={"ad_account_id": DEMO_ACCOUNT_ID, "page_size": 3})
    assert groups["items"] and groups["bookmark"]


def test_sync_analytics_all_levels(client: httpx.Client, sim: Simulator,
                                   validate: Validate) -> None:
    ids = _ids(sim)
    common = {**_window(), "columns": "SPEND_IN_DOLLAR,TOTAL_CLICKTHROUGH,CTR",
              "granularity": "DAY"}
    cases = [("analytics", {}), ("campaigns/analytics", {"campaign_ids": ids["campaign"]}),
             ("ad_groups/analytics", {"ad_group_ids": ids["ad_group"]}),
             ("ads/analytics", {"ad_ids": ids["ad"]})]
    for suffix, extra in cases:
        rows = _check(client, validate, "GET", f"{A}/{suffix}", 200, params={**common, **extra})
        assert isinstance(rows, list) and rows, suffix
        assert all("DATE" in r for r in rows)
    for suffix, extra in cases[1:3]:  # rows summed over the requested ids, no id column
        rows = _check(client, validate, "GET", f"{A}/{suffix}", 200,
                      params={**common, **extra, "aggregate_report_rows": "true"})
        assert rows and not {"CAMPAIGN_ID", "AD_GROUP_ID"} & set(rows[0]), suffix


def test_targeting_analytics_all_levels(client: httpx.Client, sim: Simulator,
                                        validate: Validate) -> None:
    ids = _ids(sim)
    common = {**_window(), "columns": "SPEND_IN_DOLLAR,TOTAL_IMPRESSION", "granularity": "DAY",
              "targeting_types": "AGE_BUCKET,GENDER"}
    cases = [("targeting_analytics", {}, "AD_ACCOUNT_ID"),
             ("campaigns/targeting_analytics", {"campaign_ids": ids["campaign"]}, "CAMPAIGN_ID"),
             ("ad_groups/targeting_analytics", {"ad_group_ids": ids["ad_group"]}, "AD_GROUP_ID"),
             ("ads/targeting_analytics", {"ad_ids": ids["ad"]}, "AD_ID")]
    for suffix, extra, id_col in cases:
        body = _check(client, validate, "GET", f"{A}/{suffix}", 200, params={**common, **extra})
        assert {item["targeting_type"] for item in body["data"]} == {"AGE_BUCKET", "GENDER"}
        # The spec types data items only as "object"; hold them to the shape of its example
        # (and the row schema of the level's sync analytics for the metrics).
        jsonschema.Draft202012Validator(
            _targeting_item_schema(id_col),
            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(body["data"])


def _targeting_item_schema(id_col: str) -> dict[str, Any]:
    return {
        "type": "array", "minItems": 1,
        "items": {
            "type": "object", "additionalProperties": False,
            "required": ["targeting_type", "targeting_value", "metrics"],
            "properties": {
                "targeting_type": {"type": "string"},
                "targeting_value": {"type": "string", "minLength": 1},
                "metrics": {
                    "type": "object", "required": [id_col, "DATE"],
                    "properties": {id_col: {"type": "string", "pattern": "^\\d+$"},
                                   "DATE": {"type": "string", "format": "date"},
                                   "SPEND_IN_DOLLAR": {"type": "number"},
                                   "TOTAL_IMPRESSION": {"type": "integer"}},
                    "additionalProperties": False,
                },
            },
        },
    }


def test_audience_and_resources(client: httpx.Client, validate: Validate) -> None:
    for kind in ("YOUR_TOTAL_AUDIENCE", "YOUR_ENGAGED_AUDIENCE", "PINTEREST_TOTAL_AUDIENCE"):
        body = _check(client, validate, "GET", f"{A}/audience_insights", 200,
                      params={"audience_insight_type": kind})
        assert body["type"] == kind
    _check(client, validate, "GET", f"{A}/insights/audiences", 200)
    metrics = _check(client, validate, "GET", "/resources/delivery_metrics", 200)
    assert {"SPEND_IN_MICRO_DOLLAR", "CTR"} <= {m["name"] for m in metrics["items"]}
    _check(client, validate, "GET", "/resources/metrics_ready_state", 200,
           params={"date": (TODAY - timedelta(days=3)).isoformat()})
    for kind in ("APPTYPE", "GENDER", "LOCALE", "AGE_BUCKET", "LOCATION", "GEO", "INTEREST",
                 "KEYWORD", "AUDIENCE_INCLUDE", "AUDIENCE_EXCLUDE"):
        _check(client, validate, "GET", "/resources/targeting/{targeting_type}", 200,
               path=f"/resources/targeting/{kind}")
    user = _check(client, validate, "GET", "/user_account", 200)
    assert user["id"] == sim_user_id(client)


def sim_user_id(client: httpx.Client) -> str:
    owner: str = client.get(f"/ad_accounts/{DEMO_ACCOUNT_ID}").json()["owner"]["id"]
    return owner


def test_reports_bulk_oauth(client: httpx.Client, sim: Simulator, validate: Validate,
                            openapi_spec: dict[str, Any]) -> None:
    body = {**_window(30), "granularity": "DAY", "level": "CAMPAIGN",
            "columns": ["CAMPAIGN_ID", "SPEND_IN_DOLLAR"]}
    created = _check(client, validate, "POST", f"{A}/reports", 200, json=body)
    polled = _check(client, validate, "GET", f"{A}/reports", 200,
                    params={"token": created["token"]})
    assert polled["report_status"] == "IN_PROGRESS"
    sim.clock.advance(sim.config.report_delay_s)  # type: ignore[attr-defined]
    finished = _check(client, validate, "GET", f"{A}/reports", 200,
                      params={"token": created["token"]})
    assert finished["report_status"] == "FINISHED" and finished["size"] > 0
    missing = _check(client, validate, "GET", f"{A}/reports", 200, params={"token": "nope"})
    assert missing["report_status"] == "DOES_NOT_EXIST"

    bulk = _check(client, validate, "POST", f"{A}/bulk/download", 200,
                  json={"entity_types": ["CAMPAIGN"]})
    _check(client, validate, "GET", f"{A}/bulk/{{bulk_request_id}}", 200,
           path=f"/ad_accounts/{DEMO_ACCOUNT_ID}/bulk/{bulk['request_id']}")

    token = client.post("/oauth/token", auth=("sim-app", "sim-secret"),
                        data={"grant_type": "refresh_token", "refresh_token": sim.refresh_token},
                        headers={"Authorization": ""})
    assert token.status_code == 200, token.text
    validate("POST", "/oauth/token", 200, token.json())
    refresh_schema = {"components": openapi_spec["components"],
                      "$ref": "#/components/schemas/OauthAccessTokenResponseRefresh"}
    jsonschema.Draft202012Validator(refresh_schema).validate(token.json())


def test_error_answers_validate(client: httpx.Client, sim: Simulator,
                                validate: Validate) -> None:
    analytics = {**_window(), "columns": "SPEND_IN_DOLLAR", "granularity": "DAY"}
    errors_seen: set[tuple[str, str]] = set()

    def check(method: str, template: str, status: int, **kwargs: Any) -> Any:
        errors_seen.add((method, template))
        return _check(client, validate, method, template, status, **kwargs)

    # 400 on every endpoint family (a bad parameter each).
    bad: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/ad_accounts", {"params": {"page_size": 0}}),
        ("GET", f"{A}/campaigns", {"params": {"entity_statuses": "RUNNING"}}),
        ("GET", f"{A}/ad_groups", {"params": {"page_size": 251}}),
        ("GET", f"{A}/ads", {"params": {"ad_ids": "12a"}}),
        ("GET", f"{A}/keywords", {"params": {"match_types": "WIDE"}}),
        ("GET", f"{A}/audiences", {"params": {"ownership_type": "SHARED"}}),
        ("GET", f"{A}/customer_lists", {"params": {"page_size": 251}}),
        ("GET", f"{A}/conversion_tags", {"params": {"filter_deleted": "maybe"}}),
        ("GET", "/catalogs/product_groups", {"params": {"feed_id": "f1"}}),
        ("GET", f"{A}/analytics", {"params": {**analytics, "granularity": "YEAR"}}),
        ("GET", f"{A}/campaigns/analytics", {"params": analytics}),
        ("GET", f"{A}/ad_groups/analytics", {"params": analytics}),
        ("GET", f"{A}/ads/analytics", {"params": analytics}),
        ("GET", f"{A}/targeting_analytics", {"params": analytics}),
        ("GET", f"{A}/campaigns/targeting_analytics", {"params": analytics}),
        ("GET", f"{A}/ad_groups/targeting_analytics", {"params": analytics}),
        ("GET", f"{A}/ads/targeting_analytics", {"params": analytics}),
        ("GET", f"{A}/audience_insights", {"params": {"audience_insight_type": "ALL"}}),
        ("GET", "/resources/delivery_metrics", {"params": {"report_type": "BOTH"}}),
        ("GET", "/resources/metrics_ready_state", {"params": {"date": "20-11-2026"}}),
        ("POST", f"{A}/reports", {"json": {"level": "CAMPAIGN"}}),
        ("GET", f"{A}/reports", {}),
        ("POST", f"{A}/bulk/download", {"json": {"output_format": "XML"}}),
    ]
    for method, template, kwargs in bad:
        body = check(method, template, 400, **kwargs)
        assert "'" in body["message"], body  # names the parameter or field
    check("GET", "/resources/targeting/{targeting_type}", 400,
           path="/resources/targeting/SHOE_SIZE")
    # 401, 403, 404 on account endpoints; 401 on a resource.
    check("GET", A, 401, headers={"Authorization": "Bearer wrong"})
    check("GET", "/resources/delivery_metrics", 401,
           headers={"Authorization": ""})
    check("GET", A, 403, path=f"/ad_accounts/{FORBIDDEN_ACCOUNT_ID}")
    check("GET", f"{A}/analytics", 403,
           path=f"/ad_accounts/{FORBIDDEN_ACCOUNT_ID}/analytics", params=analytics)
    check("GET", A, 404, path=f"/ad_accounts/{UNKNOWN_ACCOUNT_ID}")
    check("GET", f"{A}/campaigns", 404,
           path=f"/ad_accounts/{UNKNOWN_ACCOUNT_ID}/campaigns")
    check("GET", "/user_account", 403,
           params={"ad_account_id": FORBIDDEN_ACCOUNT_ID})
    check("GET", f"{A}/insights/audiences", 403,
          path=f"/ad_accounts/{FORBIDDEN_ACCOUNT_ID}/insights/audiences")
    check("GET", f"{A}/bulk/{{bulk_request_id}}", 404,
          path=f"/ad_accounts/{DEMO_ACCOUNT_ID}/bulk/123456")
    check("GET", "/ad_accounts", 401, headers={"Authorization": "Bearer wrong"})
    # OAuth with wrong app credentials, then with a grant it does not know.
    check("POST", "/oauth/token", 401, auth=("sim-app", "wrong"),
          data={"grant_type": "refresh_token", "refresh_token": "x"})
    check("POST", "/oauth/token", 400, auth=("sim-app", "sim-secret"),
          data={"grant_type": "password", "refresh_token": sim.refresh_token},
          headers={"Authorization": ""})
    # 429 (rate limit) and 5xx (fault) on an analytics endpoint.
    sim.faults.storm_429 = True
    storm = client.get(f"/ad_accounts/{DEMO_ACCOUNT_ID}/analytics", params=analytics)
    assert storm.status_code == 429 and storm.json()["code"] == 8
    assert int(storm.headers["X-RateLimit-Reset"]) >= 1
    validate("GET", f"{A}/analytics", 429, storm.json())
    sim.faults.storm_429 = False
    sim.faults.error_rate = 1.0
    for status in (503, 500):
        sim.faults.error_status = status
        failed = client.get(f"/ad_accounts/{DEMO_ACCOUNT_ID}/campaigns")
        assert failed.status_code == status
        validate("GET", f"{A}/campaigns", status, failed.json())
    sim.faults.error_rate = 0.0
    # Every endpoint's error answer was checked against the spec above.
    assert errors_seen == {(r.method, r.template) for r in V5_ROUTES}


def test_unknown_paths_and_methods(client: httpx.Client, openapi_spec: dict[str, Any]) -> None:
    error_schema = {"components": openapi_spec["components"],
                    "$ref": "#/components/schemas/Error"}
    missing = client.get("/ad_accounts/1/not_a_thing")
    assert missing.status_code == 404
    jsonschema.Draft202012Validator(error_schema).validate(missing.json())
    wrong = client.delete(f"/ad_accounts/{DEMO_ACCOUNT_ID}/analytics")
    assert wrong.status_code == 405 and wrong.json() == {"code": 5, "message": "Method not allowed"}
    jsonschema.Draft202012Validator(error_schema).validate(wrong.json())
    # The download path is POST only, even though GET .../bulk/{bulk_request_id} could match it.
    download = client.get(f"/ad_accounts/{DEMO_ACCOUNT_ID}/bulk/download")
    assert download.status_code == 405 and download.json()["code"] == 5
    unknown = client.get(f"/ad_accounts/{DEMO_ACCOUNT_ID}/bulk/123456")
    assert unknown.status_code == 404
    jsonschema.Draft202012Validator(error_schema).validate(unknown.json())


@pytest.fixture
def validate(validate_response: Validate) -> Validate:
    return validate_response


def test_report_file_is_served_without_auth(sim_server: SimServer, sim: Simulator) -> None:
    with httpx.Client(base_url=sim_server.base_url, headers=AUTH) as c:
        created = c.post(f"/ad_accounts/{DEMO_ACCOUNT_ID}/reports",
                         json={**_window(10), "granularity": "TOTAL", "level": "ADVERTISER",
                               "columns": ["SPEND_IN_MICRO_DOLLAR"]}).json()
        sim.clock.advance(sim.config.report_delay_s)  # type: ignore[attr-defined]
        url = c.get(f"/ad_accounts/{DEMO_ACCOUNT_ID}/reports",
                    params={"token": created["token"]}).json()["url"]
    assert url.startswith(f"http://127.0.0.1:{sim_server.port}/_sim/files/")
    downloaded = httpx.get(url)  # no Authorization header at all
    assert downloaded.status_code == 200
    data = json.loads(downloaded.content)
    assert list(data) == [DEMO_ACCOUNT_ID]
    expected = sim.engine.rows(DEMO_ACCOUNT_ID, "AD_ACCOUNT", None, TODAY - timedelta(days=10),
                               TODAY, "TOTAL", ["SPEND_IN_MICRO_DOLLAR"])
    assert data[DEMO_ACCOUNT_ID] == expected


def test_the_validator_rejects_wrong_shapes(client: httpx.Client, sim: Simulator,
                                            validate: Validate) -> None:
    """The contract checks above can fail: real answers, each broken in one way the spec
    forbids, are refused (a validator or schema that accepts anything would pass them)."""
    ids = _ids(sim)
    analytics = client.get(f"/ad_accounts/{DEMO_ACCOUNT_ID}/campaigns/analytics",
                           params={**_window(), "columns": "SPEND_IN_DOLLAR", "granularity": "DAY",
                                   "campaign_ids": ids["campaign"]}).json()
    campaigns = client.get(f"/ad_accounts/{DEMO_ACCOUNT_ID}/campaigns").json()
    account = client.get(f"/ad_accounts/{DEMO_ACCOUNT_ID}").json()
    metrics = client.get("/resources/delivery_metrics").json()
    report = client.get(f"/ad_accounts/{DEMO_ACCOUNT_ID}/reports", params={"token": "x"}).json()
    audience = client.get(f"/ad_accounts/{DEMO_ACCOUNT_ID}/audience_insights",
                          params={"audience_insight_type": "YOUR_TOTAL_AUDIENCE"}).json()
    error = client.get(f"/ad_accounts/{UNKNOWN_ACCOUNT_ID}").json()
    broken: list[tuple[str, str, int, Any]] = [
        (f"{A}/campaigns/analytics", "GET", 200,
         [{**analytics[0], "DATE": "20/11/2026"}]),
        (f"{A}/campaigns/analytics", "GET", 200,
         [{**analytics[0], "CAMPAIGN_ID": int(analytics[0]["CAMPAIGN_ID"])}]),
        (f"{A}/campaigns", "GET", 200,
         {**campaigns, "items": [{**campaigns["items"][0], "status": "RUNNING"}]}),
        (f"{A}/campaigns", "GET", 200, {**campaigns, "items": {"0": campaigns["items"][0]}}),
        (A, "GET", 200, {**account, "currency": "DOLLARS"}),
        ("/resources/delivery_metrics", "GET", 200,
         {"items": [{**metrics["items"][0], "name": 7}]}),
        (f"{A}/reports", "GET", 200, {**report, "report_status": "DONE"}),
        (f"{A}/audience_insights", "GET", 200, {**audience, "size": "many"}),
        (A, "GET", 404, {"code": error["code"]}),
        (f"{A}/campaigns", "GET", 400, {"code": "400", "message": "bad"}),
    ]
    for template, method, status, body in broken:
        with pytest.raises(jsonschema.ValidationError):
            validate(method, template, status, body)
