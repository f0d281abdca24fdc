"""GET /catalogs/product_groups: the account's catalog groups, the same ids the PRODUCT_GROUP
report keys its rows by; Business Access through ad_account_id; filters and bookmarks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from pinterest_sim import DEMO_ACCOUNT_ID, FORBIDDEN_ACCOUNT_ID, SIM_BASE_URL, Simulator
from tests.sim.report_support import finished_reports
from tests.support import AUTH, FROZEN_NOW

PATH = "/catalogs/product_groups"


@pytest.fixture
def api(sim: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=SIM_BASE_URL, transport=sim.transport(), headers=AUTH) as c:
        yield c


def _pages(api: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    bookmark = None
    while True:
        response = api.get(PATH, params={**params, **({"bookmark": bookmark} if bookmark else {})})
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        bookmark = response.json()["bookmark"]
        if bookmark is None:
            return items


def test_groups_are_the_ones_the_product_group_report_keys(api: httpx.Client,
                                                         sim: Simulator) -> None:
    groups = _pages(api, ad_account_id=DEMO_ACCOUNT_ID, page_size=3)
    today = FROZEN_NOW.date()
    (report,) = finished_reports(api, sim, [{
        "level": "PRODUCT_GROUP", "granularity": "TOTAL", "columns": ["TOTAL_IMPRESSION"],
        "start_date": (today - timedelta(days=30)).isoformat(), "end_date": today.isoformat()}])
    assert set(report) == {g["id"] for g in groups} and len(groups) == 4
    assert len({g["catalog_id"] for g in groups}) == 1


def test_without_an_account_the_token_users_own_catalogs(api: httpx.Client,
                                                         sim: Simulator) -> None:
    mine = _pages(api, page_size=250)
    owned = [a for a in sim.world.accounts if a.owner_id == sim.world.demo_user.id]
    assert len({g["catalog_id"] for g in mine}) == len(owned) > 0
    demo = _pages(api, ad_account_id=DEMO_ACCOUNT_ID)
    one = _pages(api, catalog_id=demo[0]["catalog_id"], id=[demo[1]["id"]])
    assert one == [demo[1]]


@pytest.mark.parametrize(("params", "status"), [
    ({"ad_account_id": FORBIDDEN_ACCOUNT_ID}, 403), ({"ad_account_id": "12ab"}, 400),
    ({"catalog_id": "x"}, 400), ({"page_size": 251}, 400), ({"bookmark": "nope"}, 400)])
def test_bad_requests(api: httpx.Client, params: dict[str, Any], status: int) -> None:
    response = api.get(PATH, params=params)
    assert response.status_code == status and response.json()["message"]
