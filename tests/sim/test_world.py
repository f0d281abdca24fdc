"""The simulated world: deterministic, believable, and shaped like the official schemas."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pinterest_sim.world import (
    DEMO_ACCOUNT_ID,
    DEMO_USER_ID,
    EMPTY_ACCOUNT_ID,
    FORBIDDEN_ACCOUNT_ID,
    JPY_ACCOUNT_ID,
    LARGE_ACCOUNT_ID,
    Ad,
    AdGroup,
    Campaign,
    World,
)
from tests.support import openapi_to_jsonschema

ROOT = Path(__file__).resolve().parents[2]
SPEC = json.loads((ROOT / "spec" / "openapi.json").read_text(encoding="utf-8"))


_COMPONENTS = openapi_to_jsonschema(SPEC["components"])


def validate(instance: Any, schema_name: str) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": _COMPONENTS}
    jsonschema.validate(instance, schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def world() -> World:
    return World(7)


def _dump(w: World) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for acct in w.accounts:
        out.append(acct.as_api_dict())
        out.extend(c.as_api_dict() for c in w.campaigns(acct.id))
        out.extend(g.as_api_dict() for g in w.ad_groups(acct.id))
        out.extend(a.as_api_dict() for a in w.ads(acct.id))
    return out


def test_same_seed_same_world_other_seed_other_world(world: World) -> None:
    assert _dump(World(7)) == _dump(world)
    other = World(8)
    assert [c.name for c in other.campaigns(LARGE_ACCOUNT_ID)] != \
        [c.name for c in world.campaigns(LARGE_ACCOUNT_ID)]
    # The fixed cast (account ids, currencies) does not depend on the seed.
    assert [a.id for a in other.accounts] == [a.id for a in world.accounts]


def test_account_cast(world: World) -> None:
    assert world.accounts[0].id == DEMO_ACCOUNT_ID
    demo = world.accounts[0]
    assert (demo.currency, demo.country) == ("USD", "US")
    assert 6 <= len(world.campaigns(DEMO_ACCOUNT_ID)) <= 10
    currencies = {a.currency for a in world.accounts}
    assert {"USD", "EUR", "GBP", "JPY"} <= currencies
    assert world.account(JPY_ACCOUNT_ID) is not None
    assert world.account(JPY_ACCOUNT_ID).currency == "JPY"  # type: ignore[union-attr]
    assert world.campaigns(EMPTY_ACCOUNT_ID) == ()
    assert world.ads(EMPTY_ACCOUNT_ID) == ()
    assert world.account("999999999999") is None


def test_large_account_size(world: World) -> None:
    assert len(world.campaigns(LARGE_ACCOUNT_ID)) >= 600
    assert len(world.ad_groups(LARGE_ACCOUNT_ID)) >= 3000
    assert len(world.ads(LARGE_ACCOUNT_ID)) >= 10000


def test_forbidden_account_exists_but_is_not_the_demo_users(world: World) -> None:
    assert world.account(FORBIDDEN_ACCOUNT_ID) is not None
    assert not world.can_access(DEMO_USER_ID, FORBIDDEN_ACCOUNT_ID)
    assert world.can_access(DEMO_USER_ID, DEMO_ACCOUNT_ID)
    mine = {a.id for a in world.accounts_for_user(DEMO_USER_ID)}
    assert FORBIDDEN_ACCOUNT_ID not in mine
    assert {DEMO_ACCOUNT_ID, LARGE_ACCOUNT_ID, EMPTY_ACCOUNT_ID, JPY_ACCOUNT_ID} <= mine


def test_ids_are_digit_strings_unique_and_linked(world: World) -> None:
    seen: set[str] = set()
    for acct in world.accounts:
        assert acct.id.isdigit() and len(acct.id) == 12
        groups = {g.id: g for g in world.ad_groups(acct.id)}
        campaigns = {c.id for c in world.campaigns(acct.id)}
        entities: list[Campaign | AdGroup | Ad] = [
            *world.campaigns(acct.id), *groups.values(), *world.ads(acct.id)]
        for entity in entities:
            assert entity.id.isdigit() and 12 <= len(entity.id) <= 13
            assert entity.id not in seen
            seen.add(entity.id)
        for g in groups.values():
            assert g.campaign_id in campaigns
        for ad in world.ads(acct.id):
            assert groups[ad.ad_group_id].campaign_id == ad.campaign_id


def test_statuses_mostly_active_and_names_read_like_campaigns(world: World) -> None:
    statuses = Counter(c.status for c in world.campaigns(LARGE_ACCOUNT_ID))
    assert statuses["ACTIVE"] > 0.6 * sum(statuses.values())
    assert statuses["PAUSED"] > 0 and statuses["ARCHIVED"] > 0
    names = [c.name for c in world.campaigns(LARGE_ACCOUNT_ID)]
    assert len(set(names)) == len(names)
    assert all(" – " in n for n in names)
    objectives = {c.objective_type for c in world.campaigns(LARGE_ACCOUNT_ID)}
    assert objectives == {"AWARENESS", "CONSIDERATION", "WEB_CONVERSION", "CATALOG_SALES",
                          "VIDEO_COMPLETION"}
    # Children of archived campaigns are archived too.
    archived = {c.id for c in world.campaigns(LARGE_ACCOUNT_ID) if c.status == "ARCHIVED"}
    assert all(g.status == "ARCHIVED" for g in world.ad_groups(LARGE_ACCOUNT_ID)
               if g.campaign_id in archived)


def test_budgets_are_micro_units_of_the_account_currency(world: World) -> None:
    def median_budget(account_id: str) -> int:
        budgets = sorted(g.budget_in_micro_currency or 0 for g in world.ad_groups(account_id))
        return budgets[len(budgets) // 2]

    usd = median_budget(DEMO_ACCOUNT_ID)
    jpy = median_budget(JPY_ACCOUNT_ID)
    assert 10 * 1_000_000 <= usd <= 2_000 * 1_000_000
    assert all((g.budget_in_micro_currency or 0) % 1_000_000 == 0
               for g in world.ad_groups(DEMO_ACCOUNT_ID))
    assert jpy > 50 * usd  # yen budgets are about 150 times dollar budgets
    caps = [c.daily_spend_cap for c in world.campaigns(LARGE_ACCOUNT_ID)]
    assert None in caps and any(c is not None for c in caps)


@pytest.mark.parametrize("account_id", [DEMO_ACCOUNT_ID, JPY_ACCOUNT_ID, FORBIDDEN_ACCOUNT_ID])
def test_entities_match_the_official_schemas(world: World, account_id: str) -> None:
    validate(world.account(account_id).as_api_dict(), "AdAccount")  # type: ignore[union-attr]
    for c in world.campaigns(account_id):
        validate(c.as_api_dict(), "CampaignResponse")
    for g in world.ad_groups(account_id):
        validate(g.as_api_dict(), "AdGroupResponse")
    for a in world.ads(account_id):
        validate(a.as_api_dict(), "AdResponse")


def test_user_account_shape(world: World) -> None:
    validate(world.demo_user.as_api_dict(), "Account")


def test_generated_catalogue_is_up_to_date() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_catalog.py"), "--check"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
