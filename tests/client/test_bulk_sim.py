"""Bulk download against the simulator: request, poll, download, parse; failures and resumes."""

from __future__ import annotations

import pytest

from pinterest_client import ForbiddenError, NotFoundError, ValidationError
from pinterest_client.bulk import BulkError, BulkRequest, CampaignFilter, parse_bulk
from pinterest_sim import DEMO_ACCOUNT_ID
from tests.client.support import BulkEnv as Env


def active_ids(env: Env) -> dict[str, set[str]]:
    world = env.sim.world
    return {
        "CAMPAIGN": {c.id for c in world.campaigns(DEMO_ACCOUNT_ID) if c.status == "ACTIVE"},
        "AD_GROUP": {g.id for g in world.ad_groups(DEMO_ACCOUNT_ID) if g.status == "ACTIVE"},
        "AD": {a.id for a in world.ads(DEMO_ACCOUNT_ID) if a.status == "ACTIVE"},
    }


@pytest.mark.parametrize("output_format", ["JSON", "CSV"])
def test_bulk_download_has_every_active_entity_per_type(env: Env, output_format: str) -> None:
    result = env.bulk.run(BulkRequest(DEMO_ACCOUNT_ID, output_format=output_format))
    expected = active_ids(env)
    assert set(result.rows) == {"CAMPAIGN", "AD_GROUP", "AD"}
    for entity_type, ids in expected.items():
        assert ids, f"the demo account has active {entity_type}"
        assert {str(r["id"]) for r in result.rows[entity_type]} == ids
    assert result.counts == {t: len(ids) for t, ids in expected.items()}
    assert env.sleeps == [1.0, 2.0, 4.0, 8.0]  # 12 s of work: polls at 0, 1, 3, 7 and 15 s
    assert result.raw and result.filename.endswith(output_format.lower())
    # The raw file parses to the same rows (what the page offers for download).
    assert parse_bulk(result.raw, result.request) == result.rows


def test_campaign_filter_and_entity_types(env: Env) -> None:
    world = env.sim.world
    objective = next(c.objective_type for c in world.campaigns(DEMO_ACCOUNT_ID)
                     if c.status == "ACTIVE")
    request = BulkRequest(DEMO_ACCOUNT_ID, entity_types=("CAMPAIGN",),
                          campaign_filter=CampaignFilter(objective_type=(objective,)))
    rows = env.bulk.run(request).rows
    assert set(rows) == {"CAMPAIGN"}
    assert {r["id"] for r in rows["CAMPAIGN"]} == {
        c.id for c in world.campaigns(DEMO_ACCOUNT_ID)
        if c.status == "ACTIVE" and c.objective_type == objective
    }


def test_failed_bulk_request_raises(env: Env) -> None:
    env.sim.fail_next_bulk()
    with pytest.raises(BulkError) as caught:
        env.bulk.run(BulkRequest(DEMO_ACCOUNT_ID))
    assert caught.value.status == "FAILED" and "FAILED" in str(caught.value)


def test_slow_request_is_left_then_resumed_by_id(env: Env) -> None:
    job = env.bulk.create(BulkRequest(DEMO_ACCOUNT_ID, entity_types=("AD",)))
    with pytest.raises(BulkError) as caught:
        env.bulk.fetch(job, timeout_s=5)
    assert caught.value.status == "RUNNING" and "later" in str(caught.value)
    env.clock.advance(30)
    result = env.bulk.resume(job.request, job.request_id)
    assert {r["id"] for r in result.rows["AD"]} == active_ids(env)["AD"]
    assert len(env.sim.backend.bulk._jobs) == 1  # resumed, not requested again


def test_expired_link_is_refused_then_renewed(env: Env) -> None:
    job = env.bulk.create(BulkRequest(DEMO_ACCOUNT_ID))
    status = env.bulk.wait(job)
    env.clock.advance(301)
    with pytest.raises(ForbiddenError):
        env.bulk.download(status, job.request)
    result = env.bulk.fetch(job)
    assert result.counts["CAMPAIGN"] == len(active_ids(env)["CAMPAIGN"])


def test_unknown_request_id_and_invalid_requests(env: Env) -> None:
    with pytest.raises(NotFoundError):
        env.bulk.get(DEMO_ACCOUNT_ID, "999")
    before = env.sim.stats.total
    for bad in (BulkRequest(DEMO_ACCOUNT_ID, entity_types=()),
                BulkRequest(DEMO_ACCOUNT_ID, entity_types=("PIN",)),
                BulkRequest(DEMO_ACCOUNT_ID, output_format="XML"),
                BulkRequest(DEMO_ACCOUNT_ID, entity_ids=("x1",)),
                BulkRequest(DEMO_ACCOUNT_ID, campaign_filter=CampaignFilter(
                    campaign_status=("LIVE",)))):
        with pytest.raises(ValidationError):
            env.bulk.create(bad)
    assert env.sim.stats.total == before


def test_cut_off_files_are_not_returned() -> None:
    request = BulkRequest(DEMO_ACCOUNT_ID, output_format="CSV")
    with pytest.raises(ValueError):
        parse_bulk(b"entity_type,id,name\nCAMPAIGN,1,A\nCAMPAIGN,2", request)
    with pytest.raises(ValueError):
        parse_bulk(b'{"campaigns": [{"id": "1"}', BulkRequest(DEMO_ACCOUNT_ID))
