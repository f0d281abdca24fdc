"""Pinterest's rules as the simulator enforces them: date windows, id lists, enums, required
parameters, pagination, and sync rows equal to the engine's own (in-process transport)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from pinterest_sim import (
    DEMO_ACCOUNT_ID,
    EMPTY_ACCOUNT_ID,
    LARGE_ACCOUNT_ID,
    SIM_BASE_URL,
    Simulator,
)
from tests.support import AUTH, FROZEN_NOW

TODAY = FROZEN_NOW.date()
ACCOUNT = f"/ad_accounts/{DEMO_ACCOUNT_ID}"


@pytest.fixture
def api(sim: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=SIM_BASE_URL, transport=sim.transport(), headers=AUTH) as c:
        yield c


def _analytics(api: httpx.Client, start_back: int, end_back: int, granularity: str = "DAY",
               suffix: str = "analytics", **extra: Any) -> httpx.Response:
    params = {"start_date": (TODAY - timedelta(days=start_back)).isoformat(),
              "end_date": (TODAY - timedelta(days=end_back)).isoformat(),
              "columns": "SPEND_IN_MICRO_DOLLAR,PAID_IMPRESSION", "granularity": granularity,
              **extra}
    return api.get(f"{ACCOUNT}/{suffix}", params=params)


def _error(response: httpx.Response, status: int = 400) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message"}
    message: str = body["message"]
    return message


def test_sync_window_90_days_back_and_90_day_range(api: httpx.Client) -> None:
    assert _analytics(api, 90, 1).status_code == 200
    assert "'start_date'" in _error(_analytics(api, 91, 80))
    assert "'end_date'" in _error(_analytics(api, 90, -1))  # 91 days past start
    assert "'end_date'" in _error(_analytics(api, 3, 5))  # end before start


def test_hour_window_8_days_back_and_3_day_range(api: httpx.Client) -> None:
    ok = _analytics(api, 8, 5, "HOUR")
    assert ok.status_code == 200
    assert ok.json() and all(len(r["DATE"]) == 19 for r in ok.json())
    assert "8 days" in _error(_analytics(api, 9, 8, "HOUR"))
    assert "3 days" in _error(_analytics(api, 6, 2, "HOUR"))


def test_required_parameters_are_named(api: httpx.Client) -> None:
    base = {"start_date": TODAY.isoformat(), "end_date": TODAY.isoformat(),
            "columns": "SPEND_IN_DOLLAR", "granularity": "DAY"}
    for name in base:
        params = {k: v for k, v in base.items() if k != name}
        assert f"'{name}'" in _error(api.get(f"{ACCOUNT}/analytics", params=params))
    assert "'campaign_ids'" in _error(api.get(f"{ACCOUNT}/campaigns/analytics", params=base))
    assert "'ad_group_ids'" in _error(api.get(f"{ACCOUNT}/ad_groups/analytics", params=base))
    assert "'ad_ids'" in _error(api.get(f"{ACCOUNT}/ads/analytics", params=base))
    assert "'targeting_types'" in _error(api.get(f"{ACCOUNT}/targeting_analytics", params=base))
    assert "'audience_insight_type'" in _error(api.get(f"{ACCOUNT}/audience_insights"))
    assert "'date'" in _error(api.get("/resources/metrics_ready_state"))
    assert "'token'" in _error(api.get(f"{ACCOUNT}/reports"))


def test_enums(api: httpx.Client) -> None:
    assert "'granularity'" in _error(_analytics(api, 3, 1, "YEARLY"))
    assert "'click_window_days'" in _error(_analytics(api, 3, 1, click_window_days=3))
    assert "'view_window_days'" in _error(_analytics(api, 3, 1, view_window_days="x"))
    assert "'conversion_report_time'" in _error(
        _analytics(api, 3, 1, conversion_report_time="LATER"))
    assert "'columns'" in _error(_analytics(api, 3, 1, columns="SPEND,CTR"))
    assert "'targeting_types'" in _error(
        _analytics(api, 3, 1, suffix="targeting_analytics", targeting_types="SHOE_SIZE"))
    # CREATIVE_TYPE exists for campaigns, not at account level.
    assert "'targeting_types'" in _error(
        _analytics(api, 3, 1, suffix="targeting_analytics", targeting_types="CREATIVE_TYPE"))
    for window in (0, 1, 7, 14, 30, 60):
        assert _analytics(api, 3, 1, click_window_days=window).status_code == 200


def test_id_list_sizes_and_formats(api: httpx.Client, sim: Simulator) -> None:
    campaigns = [c.id for c in sim.world.campaigns(LARGE_ACCOUNT_ID)]
    large = f"/ad_accounts/{LARGE_ACCOUNT_ID}/campaigns/analytics"
    base = {"start_date": (TODAY - timedelta(days=2)).isoformat(), "end_date": TODAY.isoformat(),
            "columns": "SPEND_IN_MICRO_DOLLAR", "granularity": "TOTAL"}
    ok = api.get(large, params={**base, "campaign_ids": ",".join(campaigns[:250])})
    assert ok.status_code == 200
    assert {r["CAMPAIGN_ID"] for r in ok.json()} <= set(campaigns[:250])
    too_many = api.get(large, params={**base, "campaign_ids": ",".join(campaigns[:251])})
    assert "at most 250" in _error(too_many)
    assert "'campaign_ids'" in _error(api.get(large, params={**base, "campaign_ids": "12x"}))
    assert "18 digits" in _error(api.get(large, params={**base, "campaign_ids": "1" * 19}))
    pins = [str(10**12 + i) for i in range(101)]
    ads = api.get(f"{ACCOUNT}/ads/analytics",
                  params={**base, "campaign_ids": campaigns[0], "pin_ids": ",".join(pins)})
    assert "at most 100" in _error(ads)
    assert "'ad_account_id'" in _error(api.get("/ad_accounts/12ab/campaigns"))


def test_repeated_keys_and_comma_lists_are_the_same(api: httpx.Client, sim: Simulator) -> None:
    ids = [c.id for c in sim.world.campaigns(DEMO_ACCOUNT_ID)][:3]
    base = {"start_date": (TODAY - timedelta(days=5)).isoformat(), "end_date": TODAY.isoformat(),
            "columns": "SPEND_IN_MICRO_DOLLAR,TOTAL_CLICKTHROUGH", "granularity": "DAY"}
    commas = api.get(f"{ACCOUNT}/campaigns/analytics",
                     params={**base, "campaign_ids": ",".join(ids)})
    repeated = api.get(f"{ACCOUNT}/campaigns/analytics",
                       params=[*base.items(), *(("campaign_ids", i) for i in ids)])
    assert commas.status_code == repeated.status_code == 200
    assert commas.json() == repeated.json() and commas.json()
    pairs: list[tuple[str, str | int | float | bool | None]] = [("campaign_ids", i) for i in ids]
    pairs += [("entity_statuses", "ACTIVE"), ("entity_statuses", "PAUSED,ARCHIVED")]
    listed = api.get(f"{ACCOUNT}/campaigns", params=pairs)
    assert sorted(c["id"] for c in listed.json()["items"]) == sorted(ids)


def test_sync_rows_are_the_engines(api: httpx.Client, sim: Simulator) -> None:
    ids = [g.id for g in sim.world.ad_groups(DEMO_ACCOUNT_ID)][:4]
    start, end = TODAY - timedelta(days=30), TODAY
    columns = ["SPEND_IN_MICRO_DOLLAR", "TOTAL_CONVERSIONS", "CTR", "AD_GROUP_NAME"]
    response = api.get(f"{ACCOUNT}/ad_groups/analytics", params={
        "start_date": start.isoformat(), "end_date": end.isoformat(), "columns": ",".join(columns),
        "granularity": "WEEK", "ad_group_ids": ",".join(ids), "click_window_days": 7,
        "conversion_report_time": "TIME_OF_CONVERSION"})
    assert response.status_code == 200
    from pinterest_sim.metrics import Attribution

    expected = sim.engine.rows(DEMO_ACCOUNT_ID, "AD_GROUP", ids, start, end, "WEEK", columns,
                               Attribution(click_window_days=7,
                                           conversion_report_time="TIME_OF_CONVERSION"))
    assert response.json() == expected and expected
    # The account total equals the sum over the simulator's own campaign rows.
    account = _analytics(api, 20, 0, "TOTAL").json()
    campaign_rows = sim.engine.rows(DEMO_ACCOUNT_ID, "CAMPAIGN", None, TODAY - timedelta(days=20),
                                    TODAY, "TOTAL", ["SPEND_IN_MICRO_DOLLAR"])
    assert account[0]["SPEND_IN_MICRO_DOLLAR"] == sum(r["SPEND_IN_MICRO_DOLLAR"]
                                                      for r in campaign_rows)


def test_ads_analytics_needs_ad_ids_or_campaigns_and_pins(api: httpx.Client,
                                                          sim: Simulator) -> None:
    ad = next(a for a in sim.world.ads(DEMO_ACCOUNT_ID) if a.status == "ACTIVE")
    only_campaign = _analytics(api, 5, 0, suffix="ads/analytics", campaign_ids=ad.campaign_id)
    assert "pin_ids" in _error(only_campaign)
    by_pin = _analytics(api, 5, 0, "TOTAL", suffix="ads/analytics", campaign_ids=ad.campaign_id,
                        pin_ids=ad.pin_id)
    assert by_pin.status_code == 200
    assert [r["AD_ID"] for r in by_pin.json()] == [ad.id]


def test_list_defaults_filters_and_pagination(api: httpx.Client, sim: Simulator) -> None:
    path = f"/ad_accounts/{LARGE_ACCOUNT_ID}/campaigns"
    seen: list[str] = []
    bookmark: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"page_size": 250}
        if bookmark:
            params["bookmark"] = bookmark
        page = api.get(path, params=params).json()
        seen += [c["id"] for c in page["items"]]
        pages += 1
        bookmark = page["bookmark"]
        if not bookmark:
            break
    expected = [c.id for c in sim.world.campaigns(LARGE_ACCOUNT_ID)
                if c.status in ("ACTIVE", "PAUSED")]
    assert seen == expected and len(set(seen)) == len(seen)
    assert pages == -(-len(expected) // 250)
    assert len(api.get(path).json()["items"]) == 25  # default page_size
    archived = api.get(path, params={"entity_statuses": "ARCHIVED", "page_size": 250}).json()
    assert archived["items"] and all(c["status"] == "ARCHIVED" for c in archived["items"])
    descending = api.get(path, params={"order": "DESCENDING", "page_size": 5}).json()["items"]
    assert [c["id"] for c in descending] == sorted(expected, key=int, reverse=True)[:5]
    assert "'bookmark'" in _error(api.get(path, params={"bookmark": "garbage"}))
    assert "'page_size'" in _error(api.get(path, params={"page_size": 251}))
    assert "'page_size'" in _error(api.get(path, params={"page_size": "3e"}))
    both = api.get(f"/ad_accounts/{LARGE_ACCOUNT_ID}/ad_groups",
                   params={"campaign_ids": expected[0], "ad_group_ids": "1"})
    assert "not both" in _error(both)
    empty = api.get(f"/ad_accounts/{EMPTY_ACCOUNT_ID}/campaigns").json()
    assert empty == {"items": [], "bookmark": None}


def test_ads_list_filters_by_ad_group(api: httpx.Client, sim: Simulator) -> None:
    group = sim.world.ad_groups(DEMO_ACCOUNT_ID)[0]
    items = api.get(f"{ACCOUNT}/ads", params={"ad_group_ids": group.id,
                                              "entity_statuses": "ACTIVE,PAUSED,ARCHIVED"})
    expected = [a.id for a in sim.world.ads(DEMO_ACCOUNT_ID) if a.ad_group_id == group.id]
    assert [a["id"] for a in items.json()["items"]] == expected


def test_metrics_ready_state_and_targeting_options(api: httpx.Client) -> None:
    old = api.get("/resources/metrics_ready_state",
                  params={"date": (TODAY - timedelta(days=5)).isoformat()}).json()
    assert old == {"conversion_metrics_ready": True, "non_conversion_metrics_ready": True}
    today = api.get("/resources/metrics_ready_state", params={"date": TODAY.isoformat()}).json()
    assert today == {"conversion_metrics_ready": False, "non_conversion_metrics_ready": False}
    location = api.get("/resources/targeting/LOCATION").json()
    assert isinstance(location, list) and any(
        v.startswith("U.S.: New York") for v in location[0].values())


def test_delivery_metrics_by_report_type(api: httpx.Client) -> None:
    from pinterest_sim.catalog import SERVED_ASYNC_COLUMNS, SERVED_SYNC_COLUMNS

    def names(**params: str) -> set[str]:
        return {m["name"] for m in api.get("/resources/delivery_metrics",
                                           params=params).json()["items"]}

    assert names(report_type="SYNC") == set(SERVED_SYNC_COLUMNS)
    assert names(report_type="ASYNC") == set(SERVED_ASYNC_COLUMNS)
    assert names() == set(SERVED_SYNC_COLUMNS) | set(SERVED_ASYNC_COLUMNS)
