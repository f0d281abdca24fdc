"""A small product catalog per ad account: product groups and their items, for the async
PRODUCT_GROUP and PRODUCT_ITEM levels.

Delivery: the account's CATALOG_SALES campaigns split their totals across the product groups
(and, separately, across the items) the way targeting breakdowns split them (``targeting.py``
calls ``split_weights`` for the pseudo types PRODUCT_GROUP / PRODUCT_ITEM, which no endpoint
accepts as a targeting type). So product groups sum exactly to the catalog campaigns' total, and
so do items; an item's rows do not sum to its group's (two independent splits). Ids follow the
account index; names, prices and shares come from their own random stream.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pinterest_sim.world import AdAccount, World

PRODUCT_ITEM_DAYS_BACK = 92  # Pinterest's own reach for PRODUCT_ITEM reports
PRODUCT_ITEM_MAX_RANGE_DAYS = 31
CATALOG_OBJECTIVE = "CATALOG_SALES"
_GROUPS = ("Living room", "Bedroom", "Kitchen", "Outdoor")
_ITEMS = {
    "Living room": ("Linen sofa", "Oak coffee table", "Wool rug", "Floor lamp"),
    "Bedroom": ("Cotton duvet set", "Bedside table", "Blackout curtains", "Mirror"),
    "Kitchen": ("Ceramic dinner set", "Cast iron pan", "Glass storage jars", "Knife block"),
    "Outdoor": ("Teak lounger", "String lights", "Planter set", "Fire pit"),
}


@dataclass(frozen=True)
class ProductItem:
    id: str
    product_group_id: str
    name: str
    price: float


def product_group_ids(account: AdAccount) -> list[str]:
    base = 4_475_000_000_000 + account.index * 1_000
    return [str(base + 11 * (i + 1)) for i in range(len(_GROUPS))]


def product_group_names(account: AdAccount) -> dict[str, str]:
    return dict(zip(product_group_ids(account), _GROUPS, strict=True))


@lru_cache(maxsize=32)
def product_items(account: AdAccount) -> tuple[ProductItem, ...]:
    rng = random.Random(f"catalog|{account.index}")
    out = []
    for g, (group_id, group) in enumerate(product_group_names(account).items()):
        for i, name in enumerate(_ITEMS[group]):
            out.append(ProductItem(f"{group_id}{g}{i}", group_id, name,
                                   round(rng.uniform(12, 900), 2)))
    return tuple(out)


def split_weights(account: AdAccount, pseudo_type: str) -> dict[str, float]:
    """Base shares of the product groups or items (a few sell most, as catalogs do)."""
    if pseudo_type == "PRODUCT_GROUP":
        ids = product_group_ids(account)
    else:
        ids = [item.id for item in product_items(account)]
    return {pid: 1.0 / (i + 2) for i, pid in enumerate(ids)}


def catalog_campaign_ids(world: World, account_id: str) -> list[str]:
    return [c.id for c in world.campaigns(account_id) if c.objective_type == CATALOG_OBJECTIVE]


def catalog_id(account: AdAccount) -> str:
    return str(4_474_000_000_000 + account.index * 1_000 + 1)


def feed_id(account: AdAccount) -> str:
    return str(2_680_059_000_000 + account.index * 1_000 + 5)


def product_group_dicts(account: AdAccount) -> list[dict[str, Any]]:
    """``CatalogsRetailProductGroup`` shapes: one merchant-created group per product type."""
    rng = random.Random(f"catalog-groups|{account.index}")
    out = []
    for group_id, name in product_group_names(account).items():
        created = 1_650_000_000 + rng.randrange(0, 86_400 * 500)
        out.append({
            "id": group_id, "name": name, "catalog_id": catalog_id(account),
            "feed_id": feed_id(account), "catalog_type": "RETAIL", "type": "MERCHANT_CREATED",
            "status": "ACTIVE", "country": account.country, "locale": None, "description": None,
            "filters": {"any_of": [{"PRODUCT_TYPE_0": {"values": [[name]]}}]},
            "created_at": created, "updated_at": created + rng.randrange(0, 86_400 * 90),
        })
    return out
