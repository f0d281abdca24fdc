"""Audiences, customer lists and conversion tags: paged, ordered, consistent with the
AUDIENCE_INCLUDE breakdowns and with each other, and only for people who may read the account."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from pinterest_sim import DEMO_ACCOUNT_ID, FORBIDDEN_ACCOUNT_ID, SIM_BASE_URL, Simulator
from tests.support import AUTH, FROZEN_NOW, make_sim

A = f"/ad_accounts/{DEMO_ACCOUNT_ID}"


@pytest.fixture
def api(sim: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=SIM_BASE_URL, transport=sim.transport(), headers=AUTH) as c:
        yield c


def _get(api: httpx.Client, path: str, **params: Any) -> dict[str, Any]:
    response = api.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _all_pages(api: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = _get(api, path, **params)
    while True:
        items += page["items"]
        if page["bookmark"] is None:
            return items
        page = _get(api, path, **params, bookmark=page["bookmark"])


def test_audiences_are_the_ones_targeting_reports(api: httpx.Client) -> None:
    audiences = _all_pages(api, f"{A}/audiences", page_size=1)
    today = FROZEN_NOW.date()
    breakdown = _get(api, f"{A}/targeting_analytics", targeting_types="AUDIENCE_INCLUDE",
                     start_date=(today - timedelta(days=30)).isoformat(),
                     end_date=today.isoformat(), columns="TOTAL_IMPRESSION",
                     granularity="TOTAL")["data"]
    reported = {row["targeting_value"] for row in breakdown}
    assert reported and reported == {a["id"] for a in audiences}
    assert {a["audience_type"] for a in audiences} == {"VISITOR", "CUSTOMER_LIST", "ENGAGEMENT",
                                                       "ACTALIKE"}
    assert all(a["ad_account_id"] == DEMO_ACCOUNT_ID for a in audiences)


def test_audience_rules_point_at_the_accounts_lists_and_tags(api: httpx.Client) -> None:
    audiences = {a["audience_type"]: a for a in _get(api, f"{A}/audiences")["items"]}
    (customer_list,) = _get(api, f"{A}/customer_lists")["items"]
    (tag,) = _get(api, f"{A}/conversion_tags")["items"]
    assert audiences["CUSTOMER_LIST"]["rule"]["customer_list_id"] == customer_list["id"]
    assert audiences["VISITOR"]["rule"]["visitor_source_id"] == tag["id"]
    assert audiences["ACTALIKE"]["rule"]["seed_id"] == [audiences["CUSTOMER_LIST"]["id"]]
    assert tag["ad_account_id"] == customer_list["ad_account_id"] == DEMO_ACCOUNT_ID


def test_order_and_ownership(api: httpx.Client) -> None:
    down = [a["id"] for a in _get(api, f"{A}/audiences", order="DESCENDING")["items"]]
    assert down == sorted(down, key=int, reverse=True) and len(down) == 4
    up = [a["id"] for a in _get(api, f"{A}/audiences", order="ASCENDING")["items"]]
    assert up == down[::-1]
    assert _get(api, f"{A}/audiences", ownership_type="RECEIVED") == {"items": [],
                                                                      "bookmark": None}


@pytest.mark.parametrize("kind", ["audiences", "customer_lists", "conversion_tags"])
def test_no_access_no_assets(api: httpx.Client, kind: str) -> None:
    response = api.get(f"/ad_accounts/{FORBIDDEN_ACCOUNT_ID}/{kind}")
    assert response.status_code == 403 and response.json()["code"] == 29


def test_assets_are_deterministic_from_the_seed(api: httpx.Client) -> None:
    other = make_sim()
    with httpx.Client(base_url=SIM_BASE_URL, transport=other.transport(), headers=AUTH) as c:
        for kind in ("audiences", "customer_lists", "conversion_tags"):
            assert _get(api, f"{A}/{kind}") == _get(c, f"{A}/{kind}")
