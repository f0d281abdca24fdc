"""``aggregate_report_rows=true`` on campaigns and ad_groups analytics: one row per time bucket
over the requested entities, equal to sums computed here from the same call without it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from pinterest_sim import DEMO_ACCOUNT_ID, SIM_BASE_URL, Simulator
from tests.support import AUTH, FROZEN_NOW

TODAY = FROZEN_NOW.date()
ACCOUNT = f"/ad_accounts/{DEMO_ACCOUNT_ID}"
ADDITIVE = ["SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION", "CLICKTHROUGH_1", "TOTAL_CONVERSIONS"]
COLUMNS = [*ADDITIVE, "CTR", "CPC_IN_MICRO_DOLLAR", "AD_ACCOUNT_ID", "CAMPAIGN_NAME"]


@pytest.fixture
def api(sim: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=SIM_BASE_URL, transport=sim.transport(), headers=AUTH) as c:
        yield c


def _get(api: httpx.Client, kind: str, ids: list[str], granularity: str,
         aggregate: str | None) -> list[dict[str, Any]]:
    params = {"start_date": (TODAY - timedelta(days=9)).isoformat(),
              "end_date": TODAY.isoformat(), "columns": ",".join(COLUMNS),
              "granularity": granularity, f"{kind[:-1]}_ids": ",".join(ids)}
    if aggregate is not None:
        params["aggregate_report_rows"] = aggregate
    response = api.get(f"{ACCOUNT}/{kind}/analytics", params=params)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


@pytest.mark.parametrize(("kind", "granularity"), [("campaigns", "DAY"),
                                                   ("ad_groups", "TOTAL")])
def test_aggregated_rows_are_the_sums_of_the_entity_rows(api: httpx.Client, sim: Simulator,
                                                         kind: str, granularity: str) -> None:
    entities = (sim.world.campaigns(DEMO_ACCOUNT_ID) if kind == "campaigns"
                else sim.world.ad_groups(DEMO_ACCOUNT_ID))
    ids = [e.id for e in entities if e.status == "ACTIVE"][:4]
    id_col = "CAMPAIGN_ID" if kind == "campaigns" else "AD_GROUP_ID"
    per_entity = _get(api, kind, ids, granularity, None)
    assert _get(api, kind, ids, granularity, "false") == per_entity
    assert len({r[id_col] for r in per_entity}) >= 2, "several entities delivered"
    sums: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in per_entity:
        for c in ADDITIVE:
            sums[r.get("DATE")][c] += r.get(c, 0)
    aggregated = _get(api, kind, ids, granularity, "true")
    assert len(aggregated) == len(sums)
    for row in aggregated:
        assert id_col not in row and "CAMPAIGN_NAME" not in row  # differs between entities
        assert row["AD_ACCOUNT_ID"] == DEMO_ACCOUNT_ID  # the same for all of them
        expected = sums[row.get("DATE")]
        assert {c: row.get(c, 0) for c in ADDITIVE} == dict(expected)
        assert row["CTR"] == pytest.approx(expected["CLICKTHROUGH_1"] / expected["PAID_IMPRESSION"])
        assert row["CPC_IN_MICRO_DOLLAR"] == pytest.approx(
            expected["SPEND_IN_MICRO_DOLLAR"] / expected["CLICKTHROUGH_1"])


def test_aggregate_flag_is_a_boolean(api: httpx.Client, sim: Simulator) -> None:
    campaign = sim.world.campaigns(DEMO_ACCOUNT_ID)[0].id
    response = api.get(f"{ACCOUNT}/campaigns/analytics", params={
        "start_date": TODAY.isoformat(), "end_date": TODAY.isoformat(),
        "columns": "SPEND_IN_DOLLAR", "granularity": "DAY", "campaign_ids": campaign,
        "aggregate_report_rows": "sometimes"})
    assert response.status_code == 400
    assert "'aggregate_report_rows'" in response.json()["message"]
