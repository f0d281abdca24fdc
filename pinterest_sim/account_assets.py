"""An account's audiences, customer lists and conversion tags (the ads-side lists a reporting
client reads).

The audiences are the ones ``AUDIENCE_INCLUDE`` breakdowns report (same ids, same names, same
order: visitors, customer list, engagement, actalike); their rules point at the account's
conversion tag, customer list and each other. Sizes and times come from their own random stream
``assets|seed|account index``, so the older entities and numbers do not move.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pinterest_sim.targeting_catalog import AUDIENCE_NAMES, audience_ids_for
from pinterest_sim.world import World

AUDIENCE_TYPES = ("VISITOR", "CUSTOMER_LIST", "ENGAGEMENT", "ACTALIKE")
_EPOCH = 1_640_995_200  # 2022-01-01: the world's assets were made after this


@dataclass(frozen=True)
class AccountAssets:
    audiences: tuple[dict[str, Any], ...]
    customer_lists: tuple[dict[str, Any], ...]
    conversion_tags: tuple[dict[str, Any], ...]


@lru_cache(maxsize=32)
def account_assets(world: World, account_id: str) -> AccountAssets:
    account = world.account(account_id)
    if account is None:
        return AccountAssets((), (), ())
    rng = random.Random(f"assets|{world.seed}|{account.index}")
    created = sorted(_EPOCH + rng.randrange(0, 86_400 * 900) for _ in range(6))
    tag_id = str(2_617_998_000_000 + account.index * 1_000 + 78)
    list_id = str(5_497_558_000_000 + account.index * 1_000 + 76)
    tag = {
        "ad_account_id": account_id, "id": tag_id, "name": f"{account.name} site tag",
        "code_snippet": f"<script type=\"text/javascript\">pintrk('load', '{tag_id}');</script>",
        "enhanced_match_status": "VALIDATION_COMPLETE", "last_fired_time_ms": None,
        "status": "ACTIVE", "version": "3",
        "configs": {"aem_enabled": True, "aem_fnln_enabled": False},
    }
    uploaded = rng.randrange(2_000, 80_000)
    customer_list = {
        "ad_account_id": account_id, "id": list_id, "name": "Past purchasers",
        "created_time": created[1], "updated_time": created[4], "exceptions": {},
        "num_batches": rng.randrange(1, 12), "num_removed_user_records": uploaded // 20,
        "num_uploaded_user_records": uploaded, "status": "READY", "type": "customerlist",
    }
    ids = audience_ids_for(account.index)
    rules: list[dict[str, Any]] = [
        {"visitor_source_id": tag_id, "retention_days": 30,
         "event_source": {"=": ["web"]}, "ingestion_source": {"=": ["tag"]}},
        {"customer_list_id": list_id},
        {"engagement_domain": [f"www.{account.id}.example"], "engager_type": 1},
        {"seed_id": [ids[1]], "country": account.country if account.country in ("US", "CA", "GB")
         else "US", "percentage": 1},
    ]
    audiences = tuple(
        {"ad_account_id": account_id, "id": aid, "name": AUDIENCE_NAMES[aid],
         "audience_type": kind, "description": None, "rule": rule,
         "size": rng.randrange(5_000, 2_000_000), "status": "READY", "type": "audience",
         "created_by_company_name": None, "created_timestamp": created[i + 1],
         "updated_timestamp": created[i + 2]}
        for i, (aid, kind, rule) in enumerate(zip(ids, AUDIENCE_TYPES, rules, strict=True)))
    return AccountAssets(audiences, (customer_list,), (tag,))


def ordered(items: tuple[dict[str, Any], ...], order: str | None) -> list[dict[str, Any]]:
    """The lists' ``order`` parameter: by id, ascending or descending (none: as made)."""
    if order is None:
        return list(items)
    return sorted(items, key=lambda item: int(item["id"]), reverse=order == "DESCENDING")
