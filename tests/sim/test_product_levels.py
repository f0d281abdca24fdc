"""Async PRODUCT_GROUP and PRODUCT_ITEM reports: the catalog campaigns' numbers split across the
account's product groups and items (each level sums to those campaigns), PRODUCT_ITEM's own
window (92 days back, 31-day range) and the product id filters."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from pinterest_sim import DEMO_ACCOUNT_ID, SIM_BASE_URL, Simulator
from tests.sim.report_support import ADDITIVE, REPORTS, finished_reports
from tests.support import AUTH, FROZEN_NOW

TODAY = FROZEN_NOW.date()


@pytest.fixture
def api(sim: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=SIM_BASE_URL, transport=sim.transport(), headers=AUTH) as c:
        yield c


def _body(**overrides: Any) -> dict[str, Any]:
    return {"start_date": (TODAY - timedelta(days=6)).isoformat(), "end_date": TODAY.isoformat(),
            "granularity": "DAY", "columns": ADDITIVE, **overrides}


def _reports(api: httpx.Client, sim: Simulator, *bodies: dict[str, Any]) -> list[Any]:
    return finished_reports(api, sim, [_body(**body) for body in bodies])


def _per_day(data: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, int]]:
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for rows in data.values():
        for row in rows:
            for c in ADDITIVE:
                sums[row["DATE"]][c] += row.get(c, 0)
    return {day: dict(v) for day, v in sums.items()}


def test_product_levels_sum_to_the_catalog_campaigns(api: httpx.Client, sim: Simulator) -> None:
    catalog = [c.id for c in sim.world.campaigns(DEMO_ACCOUNT_ID)
               if c.objective_type == "CATALOG_SALES"]
    assert catalog
    groups, items, campaigns, everything = _reports(
        api, sim, {"level": "PRODUCT_GROUP"}, {"level": "PRODUCT_ITEM"},
        {"level": "CAMPAIGN", "campaign_ids": catalog}, {"level": "CAMPAIGN"})
    assert groups and items
    expected = _per_day(campaigns)
    assert _per_day(groups) == expected == _per_day(items)
    assert _per_day(everything) != expected  # only the catalog campaigns sell products
    assert len(groups) < len(items)  # items are finer than groups
    for pid, rows in items.items():
        assert all(r["PRODUCT_ITEM_ID"] == pid for r in rows)


def test_product_filters_and_item_attributes(api: httpx.Client, sim: Simulator) -> None:
    (all_items,) = _reports(api, sim, {"level": "PRODUCT_ITEM", "granularity": "TOTAL"})
    chosen = sorted(all_items)[:2]
    filtered, named = _reports(
        api, sim, {"level": "PRODUCT_ITEM", "granularity": "TOTAL", "product_item_ids": chosen},
        {"level": "PRODUCT_ITEM", "granularity": "TOTAL",
         "columns": ["SPEND_IN_MICRO_DOLLAR", "PRODUCT_ITEM_NAME", "PRODUCT_GROUP_ID"]})
    assert sorted(filtered) == chosen
    group_of = {pid: rows[0]["PRODUCT_GROUP_ID"] for pid, rows in named.items()}
    group = group_of[chosen[0]]
    (in_group,) = _reports(api, sim, {"level": "PRODUCT_ITEM", "granularity": "TOTAL",
                                      "product_group_ids": [group]})
    assert sorted(in_group) == sorted(p for p, g in group_of.items() if g == group)
    assert len(in_group) < len(all_items)
    (groups,) = _reports(api, sim, {"level": "PRODUCT_GROUP", "granularity": "TOTAL"})
    for rows in named.values():
        assert rows[0]["PRODUCT_ITEM_NAME"] and rows[0]["PRODUCT_GROUP_ID"] in groups


def test_product_item_window_is_its_own(api: httpx.Client) -> None:
    def answer(level: str, back: int, length: int) -> httpx.Response:
        start = TODAY - timedelta(days=back)
        return api.post(REPORTS, json=_body(level=level, start_date=start.isoformat(),
                                            end_date=(start + timedelta(days=length)).isoformat()))

    assert answer("PRODUCT_ITEM", 92, 31).status_code == 200
    assert "92 days" in answer("PRODUCT_ITEM", 93, 10).json()["message"]
    assert "31 days" in answer("PRODUCT_ITEM", 60, 32).json()["message"]
    assert answer("PRODUCT_GROUP", 300, 60).status_code == 200  # the usual async window


def test_product_levels_refuse_campaign_filters(api: httpx.Client) -> None:
    response = api.post(REPORTS, json=_body(level="PRODUCT_GROUP", campaign_ids=["1"]))
    assert response.status_code == 400 and "filters" in response.json()["message"]


def test_product_targeting_levels_split_the_same_total(api: httpx.Client,
                                                       sim: Simulator) -> None:
    catalog = [c.id for c in sim.world.campaigns(DEMO_ACCOUNT_ID)
               if c.objective_type == "CATALOG_SALES"]
    month = {"granularity": "TOTAL", "start_date": (TODAY - timedelta(days=30)).isoformat()}
    groups_by_gender, items_default, groups, campaigns, campaigns_month = _reports(
        api, sim, {"level": "PRODUCT_GROUP_TARGETING", "targeting_types": ["GENDER"]},
        {"level": "PRODUCT_ITEM_TARGETING", **month},
        {"level": "PRODUCT_GROUP"}, {"level": "CAMPAIGN", "campaign_ids": catalog},
        {"level": "CAMPAIGN", "campaign_ids": catalog, **month})
    assert set(groups_by_gender) == set(groups)
    rows = [r for rs in groups_by_gender.values() for r in rs]
    assert {r["TARGETING_TYPE"] for r in rows} == {"GENDER"}
    assert {r["TARGETING_VALUE"] for r in rows} <= {"female", "male", "unknown"}
    assert _per_day(groups_by_gender) == _per_day(campaigns)
    item_rows = [r for rs in items_default.values() for r in rs]
    types = {r["TARGETING_TYPE"] for r in item_rows}
    assert {"GENDER", "AGE_BUCKET", "COUNTRY"} <= types  # the default breakdowns
    total = sum(r["TOTAL_IMPRESSION"] for rs in campaigns_month.values() for r in rs)
    for ttype in types:
        assert sum(r.get("TOTAL_IMPRESSION", 0) for r in item_rows
                   if r["TARGETING_TYPE"] == ttype) == total, ttype
