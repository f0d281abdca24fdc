"""The living world: entities are edited over time (statuses, budgets, caps), accounts get new
ads, ``updated_time`` follows the edits, all fixed by the seed and the clock; the API shows the
world at the clock's now and delivery follows the state of each day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from pinterest_sim import SIM_BASE_URL, Simulator
from pinterest_sim.clock import FrozenClock
from pinterest_sim.metrics import MetricsEngine
from pinterest_sim.world import DEMO_ACCOUNT_ID, LARGE_ACCOUNT_ID, World
from tests.support import AUTH, FROZEN_NOW, make_sim, shared_world

CLOCKS = [datetime(2026, 7, 15, 9, tzinfo=UTC), FROZEN_NOW,
          datetime(2027, 6, 1, 18, tzinfo=UTC), datetime(2028, 10, 1, tzinfo=UTC)]


@pytest.fixture(scope="module")
def world() -> World:
    return shared_world(7)


def entities(world: World, account_id: str) -> list[Any]:
    return [*world.campaigns(account_id), *world.ad_groups(account_id), *world.ads(account_id)]


def state(world: World, account_id: str) -> dict[str, tuple[Any, ...]]:
    out: dict[str, tuple[Any, ...]] = {}
    for e in entities(world, account_id):
        out[e.id] = (e.status, e.updated_time, getattr(e, "budget_in_micro_currency", None),
                     getattr(e, "daily_spend_cap", None))
    return out


@pytest.mark.parametrize("now", CLOCKS, ids=lambda d: d.date().isoformat())
def test_some_entities_changed_in_the_last_days_whatever_the_clock(world: World,
                                                                   now: datetime) -> None:
    view = world.at(now)
    stamp = int(now.timestamp())
    for account_id in (DEMO_ACCOUNT_ID, LARGE_ACCOUNT_ID):
        everything = entities(view, account_id)
        assert all(e.updated_time <= stamp and e.created_time <= e.updated_time
                   for e in everything)
        recent = [e for e in everything if e.updated_time > stamp - 7 * 86_400]
        assert recent, (account_id, now)
    # Every kind of entity is edited somewhere in the large account within a month.
    month = [e for e in entities(view, LARGE_ACCOUNT_ID) if e.updated_time > stamp - 30 * 86_400]
    assert {type(e).__name__ for e in month} == {"Campaign", "AdGroup", "Ad"}


def test_same_seed_and_clock_same_world() -> None:
    again = World(7)
    for now in CLOCKS:
        for account_id in (DEMO_ACCOUNT_ID, LARGE_ACCOUNT_ID):
            assert state(again.at(now), account_id) == state(shared_world(7).at(now), account_id)
    assert state(World(8).at(FROZEN_NOW), DEMO_ACCOUNT_ID) != \
        state(again.at(FROZEN_NOW), DEMO_ACCOUNT_ID)


def test_edits_between_two_clocks(world: World) -> None:
    before = world.at(FROZEN_NOW)
    after = world.at(FROZEN_NOW + timedelta(days=21))
    old, new = state(before, LARGE_ACCOUNT_ID), state(after, LARGE_ACCOUNT_ID)
    changed = {k for k in old if old[k] != new[k]}
    kinds = {"status": 0, "budget": 0, "cap": 0}
    for key in changed:
        (s0, u0, b0, c0), (s1, u1, b1, c1) = old[key], new[key]
        assert u1 > u0 and u1 > int(FROZEN_NOW.timestamp())  # the edit moved updated_time
        assert s0 != "ARCHIVED" and s1 != "ARCHIVED"  # archived is final
        kinds["status"] += s0 != s1
        kinds["budget"] += b0 != b1
        kinds["cap"] += c0 != c1
    assert all(kinds.values()), kinds
    assert set(new) > set(old)  # new ads appeared
    unchanged = [k for k in old if k not in changed]
    assert unchanged  # most of the world is left alone in three weeks
    # Names, ids, parents never change.
    for ad in before.ads(LARGE_ACCOUNT_ID)[:500]:
        later = after.ads_by_id[ad.id]
        assert (later.name, later.ad_group_id, later.created_time) == \
            (ad.name, ad.ad_group_id, ad.created_time)


def test_first_campaigns_stay_active(world: World) -> None:
    for now in CLOCKS:
        campaigns = world.at(now).campaigns(DEMO_ACCOUNT_ID)
        assert [c.status for c in campaigns[:3]] == ["ACTIVE"] * 3


def test_new_ads_appear_and_deliver_only_once_created(world: World) -> None:
    now = datetime(2026, 11, 29, 15, 30, tzinfo=UTC)
    seen = {a.id for a in world.at(now - timedelta(days=40)).ads(DEMO_ACCOUNT_ID)}
    current = world.at(now).ads(DEMO_ACCOUNT_ID)
    new = [a for a in current if a.id not in seen]
    assert new and all(a.created_time > int((now - timedelta(days=40)).timestamp())
                       for a in new)
    engine = MetricsEngine(world, FrozenClock(now))
    rows = engine.rows(DEMO_ACCOUNT_ID, "AD", [a.id for a in new], now.date() - timedelta(days=60),
                       now.date(), "DAY", ["PAID_IMPRESSION"])
    created = {a.id: datetime.fromtimestamp(a.created_time, UTC).date() for a in new}
    assert rows
    for r in rows:
        assert date.fromisoformat(r["DATE"]) >= created[r["AD_ID"]]
    # Ads still to come are not listed, nor delivered.
    future = [a for a in world.ads(DEMO_ACCOUNT_ID) if a.created_time > int(now.timestamp())]
    assert future
    assert engine.rows(DEMO_ACCOUNT_ID, "AD", [a.id for a in future], now.date() - timedelta(
        days=60), now.date(), "DAY", ["PAID_IMPRESSION"]) == []


def test_closed_days_do_not_change_as_the_clock_moves(world: World) -> None:
    early = datetime(2026, 11, 10, 12, tzinfo=UTC)
    start, end = date(2026, 10, 1), date(2026, 11, 9)
    cols = ["SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION", "TOTAL_CLICKTHROUGH"]
    then = MetricsEngine(world, FrozenClock(early)).rows(
        LARGE_ACCOUNT_ID, "AD_GROUP", None, start, end, "DAY", cols)
    later = MetricsEngine(world, FrozenClock(early + timedelta(days=45))).rows(
        LARGE_ACCOUNT_ID, "AD_GROUP", None, start, end, "DAY", cols)
    assert then == later and then


def test_status_attribute_columns_are_todays(world: World) -> None:
    now = FROZEN_NOW + timedelta(days=3)
    view = world.at(now)
    engine = MetricsEngine(world, FrozenClock(now))
    rows = engine.rows(LARGE_ACCOUNT_ID, "CAMPAIGN", None, now.date() - timedelta(days=30),
                       now.date(), "TOTAL", ["SPEND_IN_MICRO_DOLLAR", "CAMPAIGN_ENTITY_STATUS",
                                             "CAMPAIGN_DAILY_SPEND_CAP"])
    by_id = {c.id: c for c in view.campaigns(LARGE_ACCOUNT_ID)}
    paused = 0
    for r in rows:
        c = by_id[r["CAMPAIGN_ID"]]
        assert r["CAMPAIGN_ENTITY_STATUS"] == c.status
        assert r.get("CAMPAIGN_DAILY_SPEND_CAP") == c.daily_spend_cap
        paused += c.status == "PAUSED"
    assert paused  # paused since: delivered earlier in the month, shown as paused today


# ----- over HTTP -------------------------------------------------------------------------------

@pytest.fixture
def api(sim: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=SIM_BASE_URL, transport=sim.transport(), headers=AUTH) as c:
        yield c


def _all(api: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    bookmark = None
    while True:
        query = {"page_size": 250, **params, **({"bookmark": bookmark} if bookmark else {})}
        response = api.get(path, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        bookmark = body.get("bookmark")
        if not bookmark:
            return items


def test_the_api_shows_the_world_at_the_clock(api: httpx.Client, sim: Simulator) -> None:
    base = f"/ad_accounts/{LARGE_ACCOUNT_ID}"
    first = {a["id"]: a for a in _all(api, f"{base}/ad_groups")}  # not archived, by default
    assert first == {g.id: g.as_api_dict() for g in sim.world.ad_groups(LARGE_ACCOUNT_ID)
                     if g.status != "ARCHIVED"}
    ads_before = len(_all(api, f"{base}/ads"))
    assert ads_before == len([a for a in sim.world.ads(LARGE_ACCOUNT_ID)
                              if a.status != "ARCHIVED"])
    sim.clock.advance(10 * 86_400)  # type: ignore[attr-defined]
    second = {a["id"]: a for a in _all(api, f"{base}/ad_groups")}
    changed = [k for k in first if first[k] != second[k]]
    assert changed
    since = int(FROZEN_NOW.timestamp())
    assert all(second[k]["updated_time"] > since for k in changed)
    assert len(_all(api, f"{base}/ads")) > ads_before


def test_a_fresh_simulator_agrees_with_a_shared_world() -> None:
    fresh = Simulator(clock=FrozenClock(FROZEN_NOW))
    shared = make_sim()
    assert state(fresh.world, DEMO_ACCOUNT_ID) == state(shared.world, DEMO_ACCOUNT_ID)
