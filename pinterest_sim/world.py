"""The simulated world: users, ad accounts, campaigns, ad groups and ads.

(Longer than 500 lines on purpose: the entity dataclasses in Pinterest's shapes, the account
specs and the one generator that derives every entity from them belong together; people and
their tokens are in users.py, the hostile account's names in hostile.py.)

Everything is derived from a seed (``random.Random`` seeded from ``(seed, account index)``), so two
worlds built with the same seed are identical. Account ids are fixed constants (tests and docs name
them); entity ids, names, statuses and budgets come from the seed.

Times are absolute epoch seconds anchored in 2024-2025 so that the world does not move with the
clock: every day from mid 2025 on is a normal delivery day for ACTIVE entities.

The world lives (history.py): from mid 2026 its entities get edits (status, budgets) and its
accounts new ads (``NEW_ADS_FROM`` on), all fixed by the seed up to 2029. ``World`` holds
everything ever created, as first generated; ``World.at(now)`` is the world as the API shows it
at ``now``: only the ads created by then, each entity with its edits up to then applied.
"""

from __future__ import annotations

import base64
import bisect
import copy
import dataclasses
import html
import random
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pinterest_sim.history import HORIZON, AccountHistory, Histories
from pinterest_sim.hostile import (
    HOSTILE_ACCOUNT_ID as HOSTILE_ACCOUNT_ID,
)
from pinterest_sim.hostile import (
    HOSTILE_ACCOUNT_NAME,
    HOSTILE_DOMAIN,
    HOSTILE_NAMES,
    hostile_name,
)

DEMO_USER_ID = "1069478435"
DEMO_USERNAME = "evergreen_marketing"
OTHER_USER_ID = "1069478999"
OTHER_USERNAME = "agency_partner"
# More people of the world, for sign-in (see pinterest_sim/users.py for their tokens and roles).
ANALYST_USER_ID = "1069479120"
ANALYST_USERNAME = "harbor_analytics"
FINANCE_USER_ID = "1069479244"
FINANCE_USERNAME = "ledger_finance"
NEWCOMER_USER_ID = "1069479371"
NEWCOMER_USERNAME = "fresh_pinner"

DEMO_ACCOUNT_ID = "549764106778"
EUR_ACCOUNT_ID = "549764106802"
GBP_ACCOUNT_ID = "549764106815"
JPY_ACCOUNT_ID = "549764106833"
LARGE_ACCOUNT_ID = "549764106851"
EMPTY_ACCOUNT_ID = "549764106869"
FORBIDDEN_ACCOUNT_ID = "549764106887"

# Micro units per major currency unit.
MICRO = 1_000_000

# Rough value of one USD in each currency: budgets and prices scale with it.
CURRENCY_SCALE: Mapping[str, float] = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "JPY": 150.0}

# Business Access roles (spec enum ``BusinessAccessRole``) that may read an ad account's ads and
# analytics: every analytics, report and list operation of the spec says "Owner ... or Admin,
# Analyst, Campaign Manager". Any other role (finance, audience, catalogs, ...) still lists the
# account in GET /ad_accounts but gets 403 code 29 on its data.
REPORTING_ROLES = frozenset({"OWNER", "ADMIN", "ANALYST", "CAMPAIGN_MANAGER"})

_ANCHOR = int(datetime(2024, 3, 1, tzinfo=UTC).timestamp())
_DAY_S = 86_400

OBJECTIVES = ("AWARENESS", "CONSIDERATION", "WEB_CONVERSION", "CATALOG_SALES", "VIDEO_COMPLETION")


@dataclass(frozen=True)
class User:
    id: str
    username: str
    business_name: str | None
    account_type: str = "BUSINESS"

    def as_api_dict(self) -> dict[str, Any]:
        """`Account` shape of GET /user_account. The avatar is a data: URI (an SVG with the
        initial), so pages that draw it load nothing from outside."""
        return {
            "account_type": self.account_type,
            "id": self.id,
            "username": self.username,
            "business_name": self.business_name,
            "profile_image": avatar_data_uri(self.username),
            "website_url": f"https://www.{self.username.replace('_', '')}.example",
            "board_count": 42,
            "pin_count": 1318,
            "follower_count": 20_734,
            "following_count": 211,
            "monthly_views": 1_482_113,
        }


@dataclass(frozen=True)
class AdAccountSpec:
    """Recipe for one account (the world's fixed cast)."""

    id: str
    name: str
    currency: str
    country: str
    utc_offset_hours: int
    n_campaigns: int
    ad_groups_per_campaign: tuple[int, int]
    ads_per_ad_group: tuple[int, int]
    owner_id: str
    budget_scale: float = 1.0


@dataclass(frozen=True)
class AdAccount:
    index: int
    id: str
    name: str
    currency: str
    country: str
    utc_offset_hours: int  # the advertiser's local time: shapes the hourly curve
    owner_id: str
    owner_username: str
    created_time: int
    updated_time: int

    def as_api_dict(self, permissions: tuple[str, ...] = ("OWNER",)) -> dict[str, Any]:
        """`AdAccount` shape."""
        return {
            "id": self.id,
            "name": self.name,
            "owner": {"id": self.owner_id, "username": self.owner_username},
            "country": self.country,
            "currency": self.currency,
            "permissions": list(permissions),
            "created_time": self.created_time,
            "updated_time": self.updated_time,
        }


@dataclass(frozen=True)
class Campaign:
    id: str
    ad_account_id: str
    name: str
    status: str
    objective_type: str
    daily_spend_cap: int | None
    lifetime_spend_cap: int | None
    start_time: int
    end_time: int | None
    created_time: int
    updated_time: int
    is_campaign_budget_optimization: bool
    is_flexible_daily_budgets: bool
    is_performance_plus: bool

    @property
    def summary_status(self) -> str:
        return _summary_status(self.status)

    def as_api_dict(self) -> dict[str, Any]:
        """`CampaignResponse` shape."""
        return {
            "id": self.id,
            "ad_account_id": self.ad_account_id,
            "name": self.name,
            "status": self.status,
            "lifetime_spend_cap": self.lifetime_spend_cap,
            "daily_spend_cap": self.daily_spend_cap,
            "order_line_id": None,
            "tracking_urls": None,
            "start_time": self.start_time,
            "end_time": self.end_time,
            "is_flexible_daily_budgets": self.is_flexible_daily_budgets,
            "is_automated_campaign": False,
            "objective_type": self.objective_type,
            "created_time": self.created_time,
            "updated_time": self.updated_time,
            "type": "campaign",
            "is_campaign_budget_optimization": self.is_campaign_budget_optimization,
            "is_performance_plus": self.is_performance_plus,
            "summary_status": self.summary_status,
        }


@dataclass(frozen=True)
class AdGroup:
    id: str
    ad_account_id: str
    campaign_id: str
    name: str
    status: str
    budget_in_micro_currency: int | None
    bid_in_micro_currency: int | None
    budget_type: str
    bid_strategy_type: str
    billable_event: str
    placement_group: str
    pacing_delivery_type: str
    start_time: int
    end_time: int | None
    created_time: int
    updated_time: int
    targeting_spec: Mapping[str, list[str]] = field(hash=False, compare=False)
    auto_targeting_enabled: bool = True

    @property
    def summary_status(self) -> str:
        return _summary_status(self.status)

    def as_api_dict(self) -> dict[str, Any]:
        """`AdGroupResponse` shape."""
        return {
            "id": self.id,
            "ad_account_id": self.ad_account_id,
            "campaign_id": self.campaign_id,
            "name": self.name,
            "status": self.status,
            "budget_in_micro_currency": self.budget_in_micro_currency,
            "bid_in_micro_currency": self.bid_in_micro_currency,
            "optimization_goal_metadata": None,
            "budget_type": self.budget_type,
            "start_time": self.start_time,
            "end_time": self.end_time,
            "targeting_spec": {k: list(v) for k, v in self.targeting_spec.items()},
            "lifetime_frequency_cap": -1,
            "tracking_urls": None,
            "auto_targeting_enabled": self.auto_targeting_enabled,
            "placement_group": self.placement_group,
            "pacing_delivery_type": self.pacing_delivery_type,
            "billable_event": self.billable_event,
            "bid_strategy_type": self.bid_strategy_type,
            "targeting_template_ids": None,
            "created_time": self.created_time,
            "updated_time": self.updated_time,
            "type": "adgroup",
            "summary_status": self.summary_status,
        }


@dataclass(frozen=True)
class Ad:
    id: str
    ad_account_id: str
    campaign_id: str
    ad_group_id: str
    name: str
    status: str
    creative_type: str
    pin_id: str
    destination_url: str
    customizable_cta_type: str | None
    created_time: int
    updated_time: int

    @property
    def summary_status(self) -> str:
        return {"ACTIVE": "APPROVED", "PAUSED": "PAUSED", "ARCHIVED": "ARCHIVED"}[self.status]

    def as_api_dict(self) -> dict[str, Any]:
        """`AdResponse` shape."""
        return {
            "id": self.id,
            "ad_account_id": self.ad_account_id,
            "campaign_id": self.campaign_id,
            "ad_group_id": self.ad_group_id,
            "pin_id": self.pin_id,
            "name": self.name,
            "status": self.status,
            "creative_type": self.creative_type,
            "destination_url": self.destination_url,
            "android_deep_link": None,
            "ios_deep_link": None,
            "carousel_android_deep_links": None,
            "carousel_destination_urls": None,
            "carousel_ios_deep_links": None,
            "click_tracking_url": None,
            "view_tracking_url": None,
            "tracking_urls": None,
            "customizable_cta_type": self.customizable_cta_type,
            "is_pin_deleted": False,
            "is_removable": False,
            "lead_form_id": None,
            "collection_items_destination_url_template": None,
            "rejected_reasons": [],
            "rejection_labels": [],
            "review_status": "APPROVED",
            "created_time": self.created_time,
            "updated_time": self.updated_time,
            "type": "pinpromotion",
            "summary_status": self.summary_status,
        }


_AVATAR_COLOURS = ("#e60023", "#0a7d5a", "#2457c5", "#b25f00", "#6b3fa0")


def avatar_data_uri(username: str) -> str:
    """A round SVG avatar with the username's initial, as a data: URI (nothing to fetch)."""
    initial = next((c for c in username if c.isalnum()), "?").upper()
    colour = _AVATAR_COLOURS[sum(map(ord, username)) % len(_AVATAR_COLOURS)]
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">'
           f'<circle cx="32" cy="32" r="32" fill="{colour}"/><text x="32" y="42" '
           'font-family="Helvetica,Arial,sans-serif" font-size="30" fill="#fff" '
           f'text-anchor="middle">{html.escape(initial)}</text></svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _summary_status(status: str) -> str:
    return {"ACTIVE": "RUNNING", "PAUSED": "PAUSED", "ARCHIVED": "ARCHIVED"}[status]


ACCOUNT_SPECS: tuple[AdAccountSpec, ...] = (
    AdAccountSpec(DEMO_ACCOUNT_ID, "Evergreen Home & Garden", "USD", "US", -5, 8, (3, 3), (3, 3),
                  DEMO_USER_ID),
    AdAccountSpec(EUR_ACCOUNT_ID, "Nordlicht Mode GmbH", "EUR", "DE", 1, 12, (2, 4), (2, 4),
                  DEMO_USER_ID),
    AdAccountSpec(GBP_ACCOUNT_ID, "Thistle & Thyme Kitchen Ltd", "GBP", "GB", 0, 10, (2, 4), (2, 4),
                  DEMO_USER_ID),
    AdAccountSpec(JPY_ACCOUNT_ID, "Sakura Living 株式会社", "JPY", "JP", 9, 10, (2, 4), (2, 4),
                  DEMO_USER_ID),
    AdAccountSpec(LARGE_ACCOUNT_ID, "Brightline Retail Group", "USD", "US", -5, 620, (5, 5),
                  (3, 4), DEMO_USER_ID, budget_scale=0.35),
    AdAccountSpec(EMPTY_ACCOUNT_ID, "New Venture (no campaigns yet)", "USD", "US", -5, 0, (0, 0),
                  (0, 0), DEMO_USER_ID),
    AdAccountSpec(FORBIDDEN_ACCOUNT_ID, "Agency Client – Restricted", "USD", "US", -8, 4, (2, 2),
                  (2, 2), OTHER_USER_ID),
    # Last, so that adding it changed no other account's entities (pinterest_sim/hostile.py).
    AdAccountSpec(HOSTILE_ACCOUNT_ID, HOSTILE_ACCOUNT_NAME, "USD", "US", -5, len(HOSTILE_NAMES),
                  (1, 1), (1, 2), DEMO_USER_ID),
)

_THEMES = (
    "Holiday Gift Guide", "Spring Home Decor", "Summer Patio Refresh", "Back to School",
    "Fall Harvest Tablescapes", "Black Friday Doorbusters", "Cyber Week Deals",
    "Valentine's Day Gifts",
    "Mother's Day Brunch", "Wedding Registry", "Small Space Living", "Cozy Winter Bedding",
    "Kitchen Organization", "Outdoor Lighting", "Sustainable Living", "New Arrivals",
    "Bathroom Makeover", "Garden Starter Kits", "Kids' Room Ideas", "Halloween Decor",
    "Easter Entertaining", "Home Office Upgrade", "Dining Room Classics", "Pet-Friendly Home",
    "Minimalist Wardrobe", "Brand Awareness", "Evergreen Bestsellers", "Clearance Event",
    "Catalog Always-On", "Video Storytelling",
)
_TACTICS = (
    "Prospecting", "Retargeting", "Catalog Sales", "Awareness", "Consideration", "Conversions",
    "Video Views", "Lookalike 1%",
)
_MARKETS = ("US", "West", "East", "Midwest", "South", "Q1", "Q2", "Q3", "Q4", "2025", "2026")
_AUDIENCES = (
    "Women 25-44", "Women 35-54", "Adults 18-34", "Homeowners", "New Movers", "Gift Shoppers",
    "Site Visitors 30d", "Cart Abandoners 14d", "Customer List Lookalike", "Broad Interests",
    "Keywords – Decor Ideas", "Keywords – Gift Ideas", "Interest – DIY & Crafts",
    "Interest – Home Decor", "Interest – Food & Drinks", "Performance+ Broad",
)
_PLACEMENTS = ("All Placements", "Browse", "Search")
_CREATIVES = (
    "Lifestyle Image", "Product Close-up", "Video 15s", "Video 6s", "Carousel 3 Cards",
    "Idea Pin Story", "Collections", "Shopping Pin", "Room Scene", "Before & After",
)
_CTA = ("SHOP_NOW", "LEARN_MORE", "VISIT_SITE", "BUY_NOW", None)
_DOMAINS: Mapping[str, str] = {
    DEMO_ACCOUNT_ID: "evergreenhome.example",
    EUR_ACCOUNT_ID: "nordlicht-mode.example",
    GBP_ACCOUNT_ID: "thistleandthyme.example",
    JPY_ACCOUNT_ID: "sakura-living.example",
    LARGE_ACCOUNT_ID: "brightline.example",
    EMPTY_ACCOUNT_ID: "newventure.example",
    FORBIDDEN_ACCOUNT_ID: "agencyclient.example",
    HOSTILE_ACCOUNT_ID: HOSTILE_DOMAIN,
}


@dataclass(frozen=True)
class AccountEntities:
    account: AdAccount
    campaigns: tuple[Campaign, ...]
    ad_groups: tuple[AdGroup, ...]
    ads: tuple[Ad, ...]


USERS: tuple[User, ...] = (
    User(DEMO_USER_ID, DEMO_USERNAME, "Evergreen Marketing Co."),
    User(OTHER_USER_ID, OTHER_USERNAME, "Agency Partner LLC"),
    User(ANALYST_USER_ID, ANALYST_USERNAME, "Harbor Analytics Studio"),
    User(FINANCE_USER_ID, FINANCE_USERNAME, "Ledger & Co. Accounting"),
    User(NEWCOMER_USER_ID, NEWCOMER_USERNAME, None, account_type="PINNER"),
)

# Business Access granted by owners to other people: user -> account -> roles. Owners need no
# entry (the account's owner has OWNER). The demo user has no grants, so the configured demo
# token sees exactly its own accounts and FORBIDDEN_ACCOUNT_ID stays forbidden for it.
ACCESS_GRANTS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    ANALYST_USER_ID: {DEMO_ACCOUNT_ID: ("ANALYST",), EUR_ACCOUNT_ID: ("ANALYST",),
                      FORBIDDEN_ACCOUNT_ID: ("ANALYST",)},
    # Listed, but finance only: no reporting on the demo account (403 code 29 there).
    FINANCE_USER_ID: {DEMO_ACCOUNT_ID: ("FINANCE_MANAGER",),
                      GBP_ACCOUNT_ID: ("CAMPAIGN_MANAGER",)},
}


class World:
    """All entities of the simulator, immutable after construction (``at`` gives the state at
    a time)."""

    def __init__(self, seed: int = 7) -> None:
        self.seed = seed
        self.users: tuple[User, ...] = USERS
        self.demo_user = USERS[0]
        self.other_user = USERS[1]
        users = {u.id: u for u in USERS}
        built = [_with_new_ads(seed, i, spec, _build_account(seed, i, spec, users))
                 for i, spec in enumerate(ACCOUNT_SPECS)]
        self._histories = Histories()
        self._views_lock = threading.Lock()
        self._views: dict[tuple[int, ...], WorldAt] = {}
        self._creations = sorted(a.created_time for b in built for a in b.ads)
        self._by_account: dict[str, AccountEntities] = {b.account.id: b for b in built}
        self.accounts: tuple[AdAccount, ...] = tuple(b.account for b in built)
        self.campaigns_by_id: dict[str, Campaign] = {}
        self.ad_groups_by_id: dict[str, AdGroup] = {}
        self.ads_by_id: dict[str, Ad] = {}
        for b in built:
            self.campaigns_by_id.update((c.id, c) for c in b.campaigns)
            self.ad_groups_by_id.update((g.id, g) for g in b.ad_groups)
            self.ads_by_id.update((a.id, a) for a in b.ads)

    def user(self, user_id: str) -> User | None:
        return next((u for u in self.users if u.id == user_id), None)

    def account(self, account_id: str) -> AdAccount | None:
        b = self._by_account.get(account_id)
        return b.account if b else None

    def account_entities(self, account_id: str) -> AccountEntities:
        return self._by_account[account_id]

    def roles(self, user_id: str, account_id: str) -> tuple[str, ...]:
        """The user's ``permissions`` on an account (empty: no access at all)."""
        acct = self.account(account_id)
        if acct is None:
            return ()
        owned = ("OWNER",) if acct.owner_id == user_id else ()
        return owned + ACCESS_GRANTS.get(user_id, {}).get(account_id, ())

    def accounts_for_user(self, user_id: str) -> tuple[AdAccount, ...]:
        """Accounts GET /ad_accounts lists for the user: owned or shared with any role."""
        return tuple(a for a in self.accounts if self.roles(user_id, a.id))

    def can_access(self, user_id: str, account_id: str) -> bool:
        """The user has some role on the account (it lists; its data may still be refused)."""
        return bool(self.roles(user_id, account_id))

    def can_report(self, user_id: str, account_id: str) -> bool:
        """The user may read the account's entities, analytics, reports and bulk files."""
        return not REPORTING_ROLES.isdisjoint(self.roles(user_id, account_id))

    def campaigns(self, account_id: str) -> tuple[Campaign, ...]:
        return self._by_account[account_id].campaigns

    def ad_groups(self, account_id: str) -> tuple[AdGroup, ...]:
        return self._by_account[account_id].ad_groups

    def ads(self, account_id: str) -> tuple[Ad, ...]:
        return self._by_account[account_id].ads

    def __iter__(self) -> Iterator[AdAccount]:
        return iter(self.accounts)

    def __repr__(self) -> str:
        return f"World(seed={self.seed}, accounts={len(self.accounts)})"

    # ----- the living world (history.py) ------------------------------------------------------

    def history(self, account_id: str) -> AccountHistory:
        """The account's edits (built on first use)."""
        ents = self._by_account[account_id]
        return self._histories.get(account_id, lambda: AccountHistory(
            self.seed, ents.account.index, ents.campaigns, ents.ad_groups, ents.ads))

    def at(self, now: datetime | int) -> World:
        """The world as the API shows it at ``now`` (cached until the next edit or new ad)."""
        when = int(now.timestamp()) if isinstance(now, datetime) else int(now)
        key = (bisect.bisect_right(self._creations, when),
               *(self.history(a.id).events_at(when) for a in self.accounts))
        with self._views_lock:
            view = self._views.get(key)
            if view is None:
                if len(self._views) > 8:
                    self._views.clear()
                view = self._views[key] = WorldAt(self, when)
            return view


class WorldAt(World):
    """``World.at(now)``: the same accounts and people; each account's entities as at ``now``
    (built per account on first use)."""

    def __init__(self, base: World, when: int) -> None:  # World.__init__ not called: shares base
        self.seed = base.seed
        self.users = base.users
        self.demo_user = base.demo_user
        self.other_user = base.other_user
        self.accounts = base.accounts
        self.base = base
        self.when = when
        self._lock = threading.Lock()
        self._living: dict[str, AccountEntities] = {}
        self._base_by_account = base._by_account
        self._by_id: tuple[dict[str, Campaign], dict[str, AdGroup], dict[str, Ad]] | None = None

    def history(self, account_id: str) -> AccountHistory:
        return self.base.history(account_id)

    def at(self, now: datetime | int) -> World:
        return self.base.at(now)

    def account(self, account_id: str) -> AdAccount | None:
        b = self._base_by_account.get(account_id)
        return b.account if b else None

    def account_entities(self, account_id: str) -> AccountEntities:
        with self._lock:
            hit = self._living.get(account_id)
        if hit is None:
            hit = _living_entities(self._base_by_account[account_id],
                                   self.base.history(account_id), self.when)
            with self._lock:
                hit = self._living.setdefault(account_id, hit)
        return hit

    def campaigns(self, account_id: str) -> tuple[Campaign, ...]:
        return self.account_entities(account_id).campaigns

    def ad_groups(self, account_id: str) -> tuple[AdGroup, ...]:
        return self.account_entities(account_id).ad_groups

    def ads(self, account_id: str) -> tuple[Ad, ...]:
        return self.account_entities(account_id).ads

    def _lookups(self) -> tuple[dict[str, Campaign], dict[str, AdGroup], dict[str, Ad]]:
        if self._by_id is None:
            campaigns: dict[str, Campaign] = {}
            groups: dict[str, AdGroup] = {}
            ads: dict[str, Ad] = {}
            for account in self.accounts:
                ents = self.account_entities(account.id)
                campaigns.update((c.id, c) for c in ents.campaigns)
                groups.update((g.id, g) for g in ents.ad_groups)
                ads.update((a.id, a) for a in ents.ads)
            self._by_id = (campaigns, groups, ads)
        return self._by_id

    @property
    def campaigns_by_id(  # type: ignore[override]
            self) -> dict[str, Campaign]:
        return self._lookups()[0]

    @property
    def ad_groups_by_id(  # type: ignore[override]
            self) -> dict[str, AdGroup]:
        return self._lookups()[1]

    @property
    def ads_by_id(  # type: ignore[override]
            self) -> dict[str, Ad]:
        return self._lookups()[2]

    def __repr__(self) -> str:
        return f"World(seed={self.seed}, at={self.when})"


def _living_entities(base: AccountEntities, history: AccountHistory,
                     when: int) -> AccountEntities:
    """The account's entities at ``when``: ads created by then, edits up to then applied."""
    active = history.active_at(when)
    amounts = history.amounts_at(when)
    last = history.last_edit_at(when)
    nc, ng = history.n_campaigns, history.n_groups

    def edited(entity: Any, pos: int, **changes: Any) -> Any:
        if last[pos] < 0:
            return entity
        if entity.status != "ARCHIVED":
            changes["status"] = "ACTIVE" if active[pos] else "PAUSED"
        changes["updated_time"] = max(entity.updated_time, int(last[pos]))
        # A copy with the changed fields (dataclasses.replace re-runs __init__: 5x slower for
        # the 14,000 entities of the large account).
        new = copy.copy(entity)
        for name, value in changes.items():
            object.__setattr__(new, name, value)
        return new

    campaigns = tuple(
        edited(c, i, **({"daily_spend_cap": int(amounts[i])} if c.daily_spend_cap else {}))
        for i, c in enumerate(base.campaigns))
    groups = tuple(
        edited(g, nc + i, **({"budget_in_micro_currency": int(amounts[nc + i])}
                             if g.budget_in_micro_currency else {}))
        for i, g in enumerate(base.ad_groups))
    ads = tuple(edited(a, nc + ng + i) for i, a in enumerate(base.ads)
                if a.created_time <= when)
    return AccountEntities(base.account, campaigns, groups, ads)


def _pick_status(rng: random.Random, parent: str, active: float, paused: float) -> str:
    # Children of an archived parent are archived; of a paused parent mostly keep their own status.
    if parent == "ARCHIVED":
        return "ARCHIVED"
    r = rng.random()
    if r < active:
        return "ACTIVE"
    if r < active + paused:
        return "PAUSED"
    return "ARCHIVED"


def _objective_for(tactic: str, rng: random.Random) -> str:
    by_tactic = {
        "Prospecting": ("CONSIDERATION", "WEB_CONVERSION"),
        "Retargeting": ("WEB_CONVERSION", "CATALOG_SALES"),
        "Catalog Sales": ("CATALOG_SALES",),
        "Awareness": ("AWARENESS",),
        "Consideration": ("CONSIDERATION",),
        "Conversions": ("WEB_CONVERSION",),
        "Video Views": ("VIDEO_COMPLETION",),
        "Lookalike 1%": ("WEB_CONVERSION", "CONSIDERATION"),
    }
    return rng.choice(by_tactic[tactic])


def _build_account(
    seed: int, index: int, spec: AdAccountSpec, users: Mapping[str, User]
) -> AccountEntities:
    rng = random.Random(f"{seed}:{index}:world")
    scale = CURRENCY_SCALE[spec.currency] * spec.budget_scale
    created = _ANCHOR - rng.randrange(30, 400) * _DAY_S
    account = AdAccount(
        index=index, id=spec.id, name=spec.name, currency=spec.currency, country=spec.country,
        utc_offset_hours=spec.utc_offset_hours, owner_id=spec.owner_id,
        owner_username=users[spec.owner_id].username, created_time=created,
        updated_time=created + rng.randrange(10, 200) * _DAY_S,
    )
    domain = _DOMAINS[spec.id]
    # Id blocks per account keep ids unique across accounts and readable as Pinterest-like digits.
    next_campaign = 626_735_000_000 + index * 1_000_000 + rng.randrange(1000, 9000)
    next_group = 2_680_067_000_000 + index * 10_000_000 + rng.randrange(1000, 9000)
    next_ad = 687_206_000_000 + index * 10_000_000 + rng.randrange(1000, 9000)
    next_pin = 1_055_092_418_000_000_000 + index * 100_000_000 + rng.randrange(1000, 9000)

    campaigns: list[Campaign] = []
    groups: list[AdGroup] = []
    ads: list[Ad] = []
    used_names: set[str] = set()
    for ci in range(spec.n_campaigns):
        next_campaign += rng.randrange(3, 40)
        theme = _THEMES[(ci + rng.randrange(len(_THEMES))) % len(_THEMES)] if ci else _THEMES[0]
        tactic = _TACTICS[ci % len(_TACTICS)] if ci < len(_TACTICS) else rng.choice(_TACTICS)
        name = f"{theme} – {tactic}"
        if spec.id == HOSTILE_ACCOUNT_ID:
            name = hostile_name(ci)
        if name in used_names:
            name = f"{name} – {rng.choice(_MARKETS)}"
        while name in used_names:
            name = f"{theme} – {tactic} #{ci + 1}"
        used_names.add(name)
        # The demo account keeps its first campaigns active so a first look shows delivery.
        status = "ACTIVE" if ci < 3 else _pick_status(rng, "ACTIVE", 0.74, 0.16)
        c_created = created + rng.randrange(0, 300) * _DAY_S + rng.randrange(_DAY_S)
        start = c_created + rng.randrange(0, 3) * _DAY_S
        daily_cap = int(rng.choice((150, 250, 500, 1000)) * scale * 4) * MICRO \
            if rng.random() < 0.3 else None
        lifetime_cap = int(rng.choice((5_000, 10_000, 25_000)) * scale * 4) * MICRO \
            if rng.random() < 0.15 else None
        objective = _objective_for(tactic, rng)
        campaign = Campaign(
            id=str(next_campaign), ad_account_id=spec.id, name=name, status=status,
            objective_type=objective, daily_spend_cap=daily_cap, lifetime_spend_cap=lifetime_cap,
            start_time=start, end_time=_campaign_end(next_campaign, status, start),
            created_time=c_created,
            updated_time=c_created + rng.randrange(1, 120) * _DAY_S,
            is_campaign_budget_optimization=rng.random() < 0.2,
            is_flexible_daily_budgets=rng.random() < 0.1,
            is_performance_plus=rng.random() < 0.15,
        )
        campaigns.append(campaign)
        n_groups = rng.randint(*spec.ad_groups_per_campaign)
        for gi in range(n_groups):
            next_group += rng.randrange(3, 40)
            g_status = "ACTIVE" if ci < 3 and gi == 0 else _pick_status(rng, status, 0.85, 0.1)
            budget_usd = min(1500.0, max(10.0, rng.lognormvariate(4.3, 0.7)))
            bid_strategy = rng.choice(("AUTOMATIC_BID", "AUTOMATIC_BID", "MAX_BID", "TARGET_AVG"))
            bid = None if bid_strategy == "AUTOMATIC_BID" else \
                int(rng.uniform(0.6, 3.5) * CURRENCY_SCALE[spec.currency] * MICRO)
            g_created = c_created + rng.randrange(0, 5) * _DAY_S
            audience = rng.choice(_AUDIENCES)
            placement = rng.choice(_PLACEMENTS)
            targeting: dict[str, list[str]] = {
                "GEO": [spec.country],
                "LOCALE": [{"US": "en-US", "GB": "en-GB", "DE": "de", "JP": "ja"}.get(
                    spec.country, "en-US")],
                "APPTYPE": ["iphone", "ipad", "android_mobile", "android_tablet", "web",
                            "web_mobile"],
                "GENDER": ["female", "male", "unknown"] if "Women" not in audience else ["female"],
                "AGE_BUCKET": ["25-34", "35-44", "45-49", "50-54"] if "25" in audience or "35" in
                audience else ["18-24", "25-34", "35-44", "45-49", "50-54", "55-64", "65+"],
                "TARGETING_STRATEGY": ["RECONNECT_WITH_USERS" if "Visitors" in audience or "Cart"
                                       in audience else "FIND_NEW_CUSTOMERS"],
            }
            groups.append(AdGroup(
                id=str(next_group), ad_account_id=spec.id, campaign_id=campaign.id,
                name=hostile_name(ci, 5 + gi) if spec.id == HOSTILE_ACCOUNT_ID
                else f"{audience} – {placement}", status=g_status,
                budget_in_micro_currency=int(budget_usd * scale) * MICRO,
                bid_in_micro_currency=bid,
                budget_type="DAILY" if rng.random() < 0.85 else "LIFETIME",
                bid_strategy_type=bid_strategy,
                billable_event="IMPRESSION" if objective in ("AWARENESS", "VIDEO_COMPLETION")
                else "CLICKTHROUGH",
                placement_group={"All Placements": "ALL", "Browse": "BROWSE", "Search": "SEARCH"}[
                    placement],
                pacing_delivery_type="STANDARD",
                start_time=max(start, g_created), end_time=None, created_time=g_created,
                updated_time=g_created + rng.randrange(1, 90) * _DAY_S,
                targeting_spec=targeting,
            ))
            group = groups[-1]
            n_ads = rng.randint(*spec.ads_per_ad_group)
            for ai in range(n_ads):
                next_ad += rng.randrange(3, 40)
                next_pin += rng.randrange(1000, 90000)
                creative = rng.choice(_CREATIVES)
                if objective == "VIDEO_COMPLETION":
                    creative = rng.choice(("Video 15s", "Video 6s"))
                creative_type = _creative_type(creative)
                a_status = "ACTIVE" if ci < 3 and gi == 0 and ai == 0 else \
                    _pick_status(rng, g_status, 0.85, 0.1)
                a_created = g_created + rng.randrange(0, 3) * _DAY_S
                slug = theme.lower().replace("'", "").replace(" ", "-")
                ads.append(Ad(
                    id=str(next_ad), ad_account_id=spec.id, campaign_id=campaign.id,
                    ad_group_id=group.id, status=a_status,
                    name=hostile_name(ci, 11 + ai) if spec.id == HOSTILE_ACCOUNT_ID
                    else f"{creative} – v{ai + 1}",
                    creative_type=creative_type, pin_id=str(next_pin),
                    destination_url=f"https://www.{domain}/{slug}?utm_source=pinterest"
                                    f"&utm_medium=paid&utm_campaign={campaign.id}",
                    customizable_cta_type=rng.choice(_CTA), created_time=a_created,
                    updated_time=a_created + rng.randrange(1, 60) * _DAY_S,
                ))
    return AccountEntities(account, tuple(campaigns), tuple(groups), tuple(ads))


_SEASON_END = int(datetime(2027, 1, 31, tzinfo=UTC).timestamp())


def _campaign_end(campaign_id: int, status: str, start: int) -> int | None:
    # From the id, not the generator, so that adding end times changed no other entity.
    if status == "ARCHIVED":
        return start + (30 + campaign_id % 60) * _DAY_S
    if status == "ACTIVE" and campaign_id % 10 == 0:
        return _SEASON_END  # a seasonal flight booked until the end of January
    return None


def _creative_type(creative: str) -> str:
    if creative.startswith("Video"):
        return "VIDEO"
    return {
        "Carousel 3 Cards": "CAROUSEL", "Idea Pin Story": "IDEA", "Collections": "COLLECTION",
        "Shopping Pin": "SHOPPING",
    }.get(creative, "REGULAR")


# New ads (the living world): from NEW_ADS_FROM on, each account gets a new ad every few days
# (every 1.5 days on average in the large account, 7 elsewhere) in one of its ad groups that is
# not archived, up to the history's horizon. Drawn from their own stream, so the generated
# entities stay as they were; inserted after their ad group's last ad (world order keeps each
# ad group's ads together).
NEW_ADS_FROM = int(datetime(2026, 10, 1, tzinfo=UTC).timestamp())


def _with_new_ads(seed: int, index: int, spec: AdAccountSpec,
                  ents: AccountEntities) -> AccountEntities:
    archived = {c.id for c in ents.campaigns if c.status == "ARCHIVED"}
    groups = [g for g in ents.ad_groups if g.status != "ARCHIVED"
              and g.campaign_id not in archived]
    if not groups or spec.id == HOSTILE_ACCOUNT_ID:
        return ents
    rng = random.Random(f"{seed}:{index}:new-ads")
    gap_days = 1.5 if spec.n_campaigns >= 100 else 7.0
    objective = {c.id: c.objective_type for c in ents.campaigns}
    campaign_theme = {c.id: c.name.split(" – ")[0] for c in ents.campaigns}
    by_group: dict[str, list[Ad]] = {}
    for ad in ents.ads:
        by_group.setdefault(ad.ad_group_id, []).append(ad)
    next_ad = max(int(a.id) for a in ents.ads)
    next_pin = max(int(a.pin_id) for a in ents.ads)
    domain = _DOMAINS[spec.id]
    t = NEW_ADS_FROM + rng.expovariate(1.0 / (gap_days * _DAY_S))
    while t < HORIZON:
        group = rng.choice(groups)
        next_ad += rng.randrange(3, 40)
        next_pin += rng.randrange(1000, 90000)
        creative = rng.choice(_CREATIVES)
        if objective[group.campaign_id] == "VIDEO_COMPLETION":
            creative = rng.choice(("Video 15s", "Video 6s"))
        siblings = by_group.setdefault(group.id, [])
        slug = campaign_theme[group.campaign_id].lower().replace("'", "").replace(" ", "-")
        siblings.append(Ad(
            id=str(next_ad), ad_account_id=spec.id, campaign_id=group.campaign_id,
            ad_group_id=group.id, status="ACTIVE",
            name=f"{creative} – v{len(siblings) + 1}", creative_type=_creative_type(creative),
            pin_id=str(next_pin),
            destination_url=f"https://www.{domain}/{slug}?utm_source=pinterest"
                            f"&utm_medium=paid&utm_campaign={group.campaign_id}",
            customizable_cta_type=rng.choice(_CTA), created_time=int(t), updated_time=int(t)))
        t += rng.expovariate(1.0 / (gap_days * _DAY_S))
    ads = tuple(a for g in ents.ad_groups for a in by_group.get(g.id, ()))
    return dataclasses.replace(ents, ads=ads)
