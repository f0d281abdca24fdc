"""Keyword entities: what ``GET /ad_accounts/{id}/keywords`` lists and the async KEYWORD level
reports.

Every ad group targets the account's keyword list (``targeting_catalog.KEYWORDS``), one keyword
entity per text, so a keyword's numbers are exactly the ad group's KEYWORD targeting breakdown
for that text and a keyword's rows sum to its ad group's. Match types (BROAD / PHRASE / EXACT for
ad group keywords) and the account's own negative keywords (parent = the ad account, the list's
default filter) come from their own random stream: the older entities and numbers do not move.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pinterest_sim.targeting_catalog import KEYWORDS
from pinterest_sim.world import World

AD_GROUP_MATCH_TYPES = ("BROAD", "PHRASE", "EXACT")
NEGATIVE_MATCH_TYPES = ("EXACT_NEGATIVE", "PHRASE_NEGATIVE")
MATCH_TYPES = (*AD_GROUP_MATCH_TYPES, *NEGATIVE_MATCH_TYPES)
# Texts an advertiser typically excludes account-wide (never in KEYWORDS: no delivery).
_NEGATIVES = ("free", "diy cheap", "jobs", "used")


@dataclass(frozen=True)
class Keyword:
    id: str
    ad_account_id: str
    parent_id: str
    parent_type: str  # "ad_group" or "advertiser"
    value: str
    match_type: str

    def as_api_dict(self) -> dict[str, Any]:
        """``Keyword`` shape (``bid`` is deprecated and always null)."""
        return {"id": self.id, "archived": False, "parent_id": self.parent_id,
                "parent_type": self.parent_type, "type": "keyword", "bid": None,
                "match_type": self.match_type, "value": self.value}


@lru_cache(maxsize=32)
def account_keywords(world: World, account_id: str) -> tuple[Keyword, ...]:
    """The account's keywords: its negatives first, then each ad group's in ad group order."""
    account = world.account(account_id)
    if account is None:
        return ()
    rng = random.Random(f"keywords|{world.seed}|{account.index}")
    out: list[Keyword] = []
    for i, text in enumerate(rng.sample(_NEGATIVES, 2)):
        out.append(Keyword(f"{account_id}{i:02d}", account_id, account_id, "advertiser", text,
                           rng.choice(NEGATIVE_MATCH_TYPES)))
    for group in world.ad_groups(account_id):
        for i, text in enumerate(KEYWORDS):
            out.append(Keyword(f"{group.id}{i:02d}", account_id, group.id, "ad_group", text,
                               rng.choices(AD_GROUP_MATCH_TYPES, (0.5, 0.3, 0.2))[0]))
    return tuple(out)


def keyword_ids_by_group_and_text(world: World, account_id: str) -> dict[tuple[str, str], str]:
    """(ad group id, keyword text) -> keyword id, for the ad group keywords."""
    return {(k.parent_id, k.value): k.id for k in account_keywords(world, account_id)
            if k.parent_type == "ad_group"}


def select_keywords(world: World, account_id: str, parent_ids: list[str],
                    match_types: list[str]) -> list[dict[str, Any]]:
    """The list endpoint's filters: keywords whose parent is one of ``parent_ids`` (none given:
    the ad account itself, as the spec's default), optionally of the given match types."""
    parents = set(parent_ids) or {account_id}
    kinds = set(match_types) or set(MATCH_TYPES)
    return [k.as_api_dict() for k in account_keywords(world, account_id)
            if k.parent_id in parents and k.match_type in kinds]
