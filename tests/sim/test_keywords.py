"""Keywords: the list endpoint (default filter, parents, match types, bookmarks), the async
KEYWORD level (rows that sum to their ad group's) and *_TARGETING reports without
``targeting_types``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from pinterest_sim import DEMO_ACCOUNT_ID, SIM_BASE_URL, Simulator
from pinterest_sim.targeting_catalog import KEYWORDS
from pinterest_sim.world import EUR_ACCOUNT_ID
from tests.sim.report_support import ADDITIVE, finished_reports
from tests.support import AUTH, FROZEN_NOW, make_sim

TODAY = FROZEN_NOW.date()
KEYWORDS_PATH = f"/ad_accounts/{DEMO_ACCOUNT_ID}/keywords"


@pytest.fixture
def api(sim: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=SIM_BASE_URL, transport=sim.transport(), headers=AUTH) as c:
        yield c


def _list(api: httpx.Client, path: str = KEYWORDS_PATH, **params: Any) -> list[dict[str, Any]]:
    """Every page of the list, following bookmarks."""
    items: list[dict[str, Any]] = []
    bookmark = None
    while True:
        query = {**params, **({"bookmark": bookmark} if bookmark else {})}
        response = api.get(path, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= int(params.get("page_size", 25))
        items += body["items"]
        bookmark = body["bookmark"]
        if bookmark is None:
            return items


def _reports(api: httpx.Client, sim: Simulator, *bodies: dict[str, Any]) -> list[Any]:
    base = {"start_date": (TODAY - timedelta(days=6)).isoformat(),
            "end_date": TODAY.isoformat(), "granularity": "DAY", "columns": ADDITIVE}
    return finished_reports(api, sim, [{**base, **body} for body in bodies])


def test_default_list_is_the_accounts_own_negative_keywords(api: httpx.Client) -> None:
    items = _list(api)
    assert items
    for k in items:
        assert (k["parent_id"], k["parent_type"]) == (DEMO_ACCOUNT_ID, "advertiser")
        assert k["match_type"].endswith("_NEGATIVE")  # the spec: accounts only exclude


def test_ad_group_keywords_exist_with_match_types(api: httpx.Client, sim: Simulator) -> None:
    groups = sim.world.ad_groups(DEMO_ACCOUNT_ID)
    listed = _list(api, ad_group_id=groups[0].id)
    assert sorted(k["value"] for k in listed) == sorted(KEYWORDS)
    assert {k["parent_id"] for k in listed} == {groups[0].id}
    assert {k["match_type"] for k in listed} <= {"BROAD", "PHRASE", "EXACT"}
    wanted = [g.id for g in groups[:3]]
    several = _list(api, ad_group_ids=wanted, page_size=7)
    assert len(several) == 3 * len(KEYWORDS) and len({k["id"] for k in several}) == len(several)
    exact = _list(api, ad_group_ids=wanted, match_types="EXACT")
    assert exact == [k for k in several if k["match_type"] == "EXACT"] and exact


def test_filters_never_reach_another_account(api: httpx.Client, sim: Simulator) -> None:
    other_group = sim.world.ad_groups(EUR_ACCOUNT_ID)[0].id
    assert _list(api, ad_group_id=other_group) == []
    campaign = sim.world.campaigns(DEMO_ACCOUNT_ID)[0].id
    assert _list(api, campaign_id=campaign) == []  # no campaign-level keywords in this world


@pytest.mark.parametrize("params", [{"match_types": "WIDE"}, {"ad_group_id": "12x"},
                                    {"page_size": "0"}, {"bookmark": "nope"}])
def test_bad_list_parameters_are_400(api: httpx.Client, params: dict[str, str]) -> None:
    response = api.get(KEYWORDS_PATH, params=params)
    assert response.status_code == 400 and response.json()["message"]


def test_keywords_are_deterministic_from_the_seed(sim: Simulator) -> None:
    group = sim.world.ad_groups(DEMO_ACCOUNT_ID)[1].id
    lists = []
    for s in (sim, make_sim()):
        with httpx.Client(base_url=SIM_BASE_URL, transport=s.transport(), headers=AUTH) as c:
            lists.append(_list(c, ad_group_id=group))
    assert lists[0] == lists[1]


def test_keyword_rows_sum_to_their_ad_groups(api: httpx.Client, sim: Simulator) -> None:
    by_keyword, by_group = _reports(api, sim, {"level": "KEYWORD"}, {"level": "AD_GROUP"})
    parent = {k["id"]: k["parent_id"] for g in sim.world.ad_groups(DEMO_ACCOUNT_ID)
              for k in _list(api, ad_group_id=g.id, page_size=250)}
    sums: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for keyword_id, rows in by_keyword.items():
        for row in rows:
            assert row["KEYWORD_ID"] == keyword_id
            assert parent[keyword_id] == str(row["AD_GROUP_ID"])  # the keyword's ad group
            for c in ADDITIVE:
                sums[(parent[keyword_id], row["DATE"])][c] += row.get(c, 0)
    group_rows = [row for rows in by_group.values() for row in rows]
    assert group_rows and len(sums) == len(group_rows)
    for row in group_rows:
        got = sums[(str(row["AD_GROUP_ID"]), row["DATE"])]
        assert {c: got[c] for c in ADDITIVE} == {c: row.get(c, 0) for c in ADDITIVE}


def test_keyword_report_honours_the_ad_group_filter(api: httpx.Client, sim: Simulator) -> None:
    group = next(g for g in sim.world.ad_groups(DEMO_ACCOUNT_ID) if g.status == "ACTIVE")
    (data,) = _reports(api, sim, {"level": "KEYWORD", "ad_group_ids": [group.id]})
    rows = [row for rows in data.values() for row in rows]
    assert rows and {str(r["AD_GROUP_ID"]) for r in rows} == {group.id}


def test_targeting_report_without_types_breaks_down_by_default(api: httpx.Client,
                                                               sim: Simulator) -> None:
    default, explicit, groups = _reports(
        api, sim, {"level": "AD_GROUP_TARGETING", "granularity": "TOTAL"},
        {"level": "AD_GROUP_TARGETING", "granularity": "TOTAL", "targeting_types": ["GENDER"]},
        {"level": "AD_GROUP", "granularity": "TOTAL"})
    rows = [row for rows in default.values() for row in rows]
    types = {r["TARGETING_TYPE"] for r in rows}
    assert {"GENDER", "AGE_BUCKET", "KEYWORD", "LOCATION", "APPTYPE"} <= types
    gender = [r for r in rows if r["TARGETING_TYPE"] == "GENDER"]
    assert gender == [row for rows in explicit.values() for row in rows]
    totals = {str(r["AD_GROUP_ID"]): r["TOTAL_IMPRESSION"] for rs in groups.values() for r in rs}
    for ttype in types:
        per_group: dict[str, int] = defaultdict(int)
        for r in rows:
            if r["TARGETING_TYPE"] == ttype:
                per_group[str(r["AD_GROUP_ID"])] += r.get("TOTAL_IMPRESSION", 0)
        assert per_group == {g: n for g, n in totals.items() if n}, ttype
