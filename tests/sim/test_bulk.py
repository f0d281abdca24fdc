"""Bulk downloads: lifecycle, injected failures, filters, JSON and CSV files from the world."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pinterest_sim import DEMO_ACCOUNT_ID, SIM_BASE_URL, Simulator
from tests.support import AUTH

BULK = f"/ad_accounts/{DEMO_ACCOUNT_ID}/bulk"


@pytest.fixture
def api(sim: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=SIM_BASE_URL, transport=sim.transport(), headers=AUTH) as c:
        yield c


def _request(api: httpx.Client, body: dict[str, Any]) -> str:
    response = api.post(f"{BULK}/download", json=body)
    assert response.status_code == 200, response.text
    request_id: str = response.json()["request_id"]
    assert request_id.isdigit()
    return request_id


def _result(api: httpx.Client, sim: Simulator, body: dict[str, Any]) -> bytes:
    request_id = _request(api, body)
    sim.clock.advance(sim.config.bulk_delay_s)  # type: ignore[attr-defined]
    status = api.get(f"{BULK}/{request_id}").json()
    assert status["status"] == "SUCCEEDED", status
    with httpx.Client(transport=sim.transport()) as files:  # no auth, like S3
        downloaded = files.get(status["result_url"])
    assert downloaded.status_code == 200
    return downloaded.content


def test_lifecycle_and_json_file(api: httpx.Client, sim: Simulator) -> None:
    request_id = _request(api, {})
    assert api.get(f"{BULK}/{request_id}").json() == {"status": "RUNNING"}
    sim.clock.advance(sim.config.bulk_delay_s)  # type: ignore[attr-defined]
    done = api.get(f"{BULK}/{request_id}", params={"include_details": "true"}).json()
    assert done["status"] == "SUCCEEDED"
    assert done["result_url"].startswith("http://pinterest-sim.local/_sim/files/")
    data = json.loads(_result(api, sim, {"output_format": "JSON"}))
    world = sim.world
    # "Only active entities will return data" (spec).
    assert [c["id"] for c in data["campaigns"]] == [
        c.id for c in world.campaigns(DEMO_ACCOUNT_ID) if c.status == "ACTIVE"]
    active_campaigns = {c["id"] for c in data["campaigns"]}
    assert [g["id"] for g in data["ad_groups"]] == [
        g.id for g in world.ad_groups(DEMO_ACCOUNT_ID) if g.status == "ACTIVE"]
    assert [a["id"] for a in data["ads"]] == [
        a.id for a in world.ads(DEMO_ACCOUNT_ID) if a.status == "ACTIVE"]
    assert data["campaigns"][0] == next(
        c.as_api_dict() for c in world.campaigns(DEMO_ACCOUNT_ID) if c.id in active_campaigns)


def test_csv_file_and_filters(api: httpx.Client, sim: Simulator) -> None:
    campaign = next(c for c in sim.world.campaigns(DEMO_ACCOUNT_ID) if c.status == "ACTIVE")
    content = _result(api, sim, {"output_format": "CSV", "entity_ids": [campaign.id],
                                 "entity_types": ["CAMPAIGN", "AD_GROUP", "AD"]})
    table = list(csv.DictReader(io.StringIO(content.decode())))
    groups = [g.id for g in sim.world.ad_groups(DEMO_ACCOUNT_ID)
              if g.campaign_id == campaign.id and g.status == "ACTIVE"]
    ads = [a.id for a in sim.world.ads(DEMO_ACCOUNT_ID)
           if a.campaign_id == campaign.id and a.status == "ACTIVE"]
    assert [(r["entity_type"], r["id"]) for r in table] == (
        [("CAMPAIGN", campaign.id)] + [("AD_GROUP", g) for g in groups]
        + [("AD", a) for a in ads])
    objective = campaign.objective_type
    only = json.loads(_result(api, sim, {"entity_types": ["CAMPAIGN"],
                                         "campaign_filter": {"objective_type": [objective]}}))
    assert set(only) == {"campaigns"}
    assert only["campaigns"] and all(c["objective_type"] == objective for c in only["campaigns"])


def test_failures_unknown_ids_and_bad_bodies(api: httpx.Client, sim: Simulator) -> None:
    sim.fail_next_bulk(1)
    failing = _request(api, {})
    sim.clock.advance(sim.config.bulk_delay_s)  # type: ignore[attr-defined]
    assert api.get(f"{BULK}/{failing}").json() == {"status": "FAILED"}
    sim.faults.bulk_failure_rate = 1.0
    flagged = _request(api, {})
    sim.clock.advance(sim.config.bulk_delay_s)  # type: ignore[attr-defined]
    assert api.get(f"{BULK}/{flagged}").json()["status"] == "FAILED"
    missing = api.get(f"{BULK}/1234567890123")
    assert missing.status_code == 404 and set(missing.json()) == {"code", "message"}
    for body, named in (({"entity_types": ["SHOES"]}, "'entity_types'"),
                        ({"entity_types": []}, "'entity_types'"),
                        ({"output_format": "XML"}, "'output_format'"),
                        ({"updated_since": "yesterday"}, "'updated_since'"),
                        ({"campaign_filter": {"colour": "red"}}, "colour")):
        bad = api.post(f"{BULK}/download", json=body)
        assert bad.status_code == 400 and named in bad.json()["message"], body
