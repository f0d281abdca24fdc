"""``SimulatorBackend``: the simulator's state and Pinterest's rules, with no HTTP in sight.

It owns the world, the metrics engine, the clock, the tokens (access + refresh, OAuth), the rate
limiter, the faults, the report and bulk jobs and the request statistics. ``responses.py`` turns
HTTP requests into calls of the methods below and their results (JSON-ready values) back into
HTTP; every rule violation is a ``SimError``.

(Longer than 500 lines on purpose: it is the backend's one facade, a method per Pinterest
operation over state that lives elsewhere: jobs.py, reports.py, bulk.py, ratelimit.py,
metrics.py, authorize_page.py.)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import secrets
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from pinterest_sim import account_assets, catalog, keywords, product_catalog
from pinterest_sim.bulk import BulkRequest, BulkStore
from pinterest_sim.clock import Clock, FrozenClock
from pinterest_sim.config import SimConfig
from pinterest_sim.exceptions import (
    SimError,
    account_not_found,
    authentication_failed,
    forbidden_account,
    invalid_parameter,
    not_found,
)
from pinterest_sim.faults import Faults
from pinterest_sim.metric_definitions import delivery_metrics
from pinterest_sim.metrics import ID_COLUMN, Attribution, Level, MetricsEngine
from pinterest_sim.oauth import ConsentRequest, OAuthFlow, token_answer
from pinterest_sim.ratelimit import RateLimitConfig, RateLimiter
from pinterest_sim.reports import ReportJob, ReportRequest, ReportStore
from pinterest_sim.targeting_catalog import targeting_options
from pinterest_sim.users import PERSONAL_TOKENS
from pinterest_sim.validation import (
    SYNC_DAYS_BACK,
    SYNC_MAX_RANGE_DAYS,
    check_account_id,
    date_window,
)
from pinterest_sim.world import Ad, AdAccount, AdGroup, Campaign, World

E = TypeVar("E", Campaign, AdGroup, Ad)

# How long a download link (report file or bulk result) stays valid, like an S3 pre-signed URL.
LINK_LIFETIME_S = 300
REPORT_LIFETIME_S = 3600
# How long a poll after the delay waits for a report file still being made (real seconds).
RENDER_WAIT_S = 10.0

logger = logging.getLogger(__name__)

ANALYTICS_CONTEXT: dict[str, str] = {
    "AD_ACCOUNT": "Invalid ad account analytics parameters.",
    "CAMPAIGN": "Invalid ad account campaign analytics parameters.",
    "AD_GROUP": "Invalid ad account group analytics parameters.",
    "AD": "Invalid ad account ads analytics parameters.",
}


# ----- request statistics ------------------------------------------------------------------


UNKNOWN_PATH = "(unknown path)"


class RequestStats:
    """Requests that reached ``/v5`` (answered or refused), per category, route and path.

    Bounded whatever the requests: `by_route` counts per route template
    (``/v5/ad_accounts/{ad_account_id}/campaigns``); `by_path` per path with the account id
    filled in only for accounts of the world (other ids, and every other path parameter, stay
    ``{name}``), so made-up ids cannot grow it; paths no route knows count under
    UNKNOWN_PATH."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.total = 0
        self.by_category: dict[str, int] = {}
        self.by_route: dict[str, int] = {}
        self.by_path: dict[str, int] = {}
        self.by_status: dict[int, int] = {}

    def record(self, template: str | None, category: str | None,
               known_path: str | None = None) -> None:
        """One request of route `template` (None: no route); `known_path` is its path when
        every parameter in it is known (else the template is counted as the path)."""
        route = template or UNKNOWN_PATH
        path = known_path or route
        with self._lock:
            self.total += 1
            self.by_route[route] = self.by_route.get(route, 0) + 1
            self.by_path[path] = self.by_path.get(path, 0) + 1
            if category:
                self.by_category[category] = self.by_category.get(category, 0) + 1

    def record_status(self, status: int) -> None:
        with self._lock:
            self.by_status[status] = self.by_status.get(status, 0) + 1

    def reset(self) -> None:
        with self._lock:
            self.total = 0
            self.by_category = {}
            self.by_route = {}
            self.by_path = {}
            self.by_status = {}

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": self.total,
                "by_category": dict(self.by_category),
                "by_route": dict(self.by_route),
                "by_path": dict(self.by_path),
                "by_status": {str(k): v for k, v in self.by_status.items()},
            }

    def __repr__(self) -> str:
        return f"RequestStats(total={self.total}, by_category={self.by_category})"


# ----- tokens --------------------------------------------------------------------------------


@dataclass
class _AccessToken:
    user_id: str
    expires_at: datetime | None  # None: never (the configured demo token)
    revoked: bool = False
    family: str | None = None  # the sign-in (authorization code) it descends from


@dataclass
class TokenStore:
    """Access tokens (bearer) and the one live refresh token of the OAuth app."""

    app_id: str
    app_secret: str = field(repr=False)
    access: dict[str, _AccessToken] = field(default_factory=dict, repr=False)
    refresh_token: str = field(default="", repr=False)
    refresh_expires_at: datetime | None = None
    refresh_count: int = 0

    def user_for(self, token: str, now: datetime) -> str:
        entry = self.access.get(token)
        if entry is None or entry.revoked:
            raise authentication_failed()
        if entry.expires_at is not None and now >= entry.expires_at:
            raise authentication_failed("The access token has expired.")
        return entry.user_id


def _fingerprint(text: str) -> str:
    # Tokens never serve as keys in anything that might be printed: use a short hash instead.
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# ----- pagination ----------------------------------------------------------------------------


def _encode_bookmark(offset: int, scope: str) -> str:
    raw = json.dumps({"o": offset, "s": scope}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_bookmark(bookmark: str, scope: str) -> int:
    try:
        padded = bookmark + "=" * (-len(bookmark) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset = int(data["o"])
        if data["s"] != scope or offset < 0:
            raise ValueError
    except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError):
        raise invalid_parameter(f"Parameter 'bookmark' is not valid (was {bookmark!r}).") from None
    return offset


def paginate(items: Sequence[dict[str, Any]], page_size: int, bookmark: str | None,
             scope: str) -> dict[str, Any]:
    """``Paginated``: a page of items and an opaque bookmark (null on the last page)."""
    offset = _decode_bookmark(bookmark, scope) if bookmark else 0
    page = list(items[offset:offset + page_size])
    end = offset + page_size
    return {"items": page, "bookmark": _encode_bookmark(end, scope) if end < len(items) else None}


# ----- the backend ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ListQuery:
    """Filters of the campaigns / ad groups / ads lists (already validated for shape)."""

    campaign_ids: list[str] | None = None
    ad_group_ids: list[str] | None = None
    ad_ids: list[str] | None = None
    entity_statuses: tuple[str, ...] = ("ACTIVE", "PAUSED")
    page_size: int = 25
    order: str | None = None
    bookmark: str | None = None


@dataclass(frozen=True)
class AnalyticsQuery:
    start: date
    end: date
    granularity: str
    columns: list[str]
    attribution: Attribution = field(default_factory=Attribution)
    campaign_ids: list[str] | None = None
    ad_group_ids: list[str] | None = None
    ad_ids: list[str] | None = None
    pin_ids: list[str] | None = None
    targeting_types: list[str] = field(default_factory=list)
    aggregate_report_rows: bool = False  # campaigns/ad_groups analytics: one row per DATE


class SimulatorBackend:
    """State and rules of the simulated Pinterest API (thread-safe, no HTTP)."""

    @property
    def world(self) -> World:
        """The world as it is at the clock's now (history.py: edits, new ads)."""
        return self.base_world.at(self.clock.now())

    def __init__(self, config: SimConfig, clock: Clock, world: World | None = None,
                 engine: MetricsEngine | None = None) -> None:
        self.config = config
        self.clock = clock
        self.base_world = world if world is not None else World(config.seed)
        self.engine = engine if engine is not None else MetricsEngine(self.base_world, clock)
        self.faults: Faults = config.faults
        self.rate_limits: RateLimitConfig = config.rate_limits
        self.limiter = RateLimiter(self.rate_limits)
        self.stats = RequestStats()
        self._lock = threading.RLock()
        self.tokens = TokenStore(app_id=config.app_id, app_secret=config.app_secret)
        self.tokens.access[config.token] = _AccessToken(self.world.demo_user.id, None)
        self.tokens.refresh_token = config.refresh_token
        self.tokens.refresh_expires_at = None
        for user_id, personal in PERSONAL_TOKENS.items():
            self.tokens.access.setdefault(personal, _AccessToken(user_id, None))
        self.oauth = OAuthFlow(config.app_id, lambda: tuple(self.config.redirect_uris),
                               self._issue_access, self._revoke_family,
                               access_life_s=lambda: self.config.access_token_lifetime_s,
                               refresh_life_s=lambda: self.config.refresh_token_lifetime_s)
        self.reports = ReportStore(delay_s=lambda: self.config.report_delay_s,
                                   failure_draw=lambda: self.faults.draw(
                                       self.faults.report_failure_rate))
        self.bulk = BulkStore(delay_s=lambda: self.config.bulk_delay_s,
                              failure_draw=lambda: self.faults.draw(
                                  self.faults.bulk_failure_rate))
        self._links: dict[str, tuple[str, str, datetime]] = {}  # link id -> (kind, job, expiry)
        # Test/ops controls (POST /_sim/tokens, /_sim/accounts/{id}): accounts that answer 404
        # as if deleted, and the refresh token set aside while "revoked".
        self._deleted_accounts: set[str] = set()
        self._revoked_refresh: str | None = None

    # ----- time ------------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.now().date()

    # ----- auth, limits ----------------------------------------------------------------------

    def authenticate(self, authorization: str | None) -> tuple[str, str]:
        """(user id, token key) for an ``Authorization: Bearer`` header, else 401."""
        if not authorization:
            raise authentication_failed("Missing Authorization header.")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise authentication_failed("Expected 'Authorization: Bearer <access token>'.")
        with self._lock:
            user_id = self.tokens.user_for(token.strip(), self.now())
        return user_id, _fingerprint(token.strip())

    def check_rate_limit(self, token_key: str, category: str) -> None:
        self.limiter.check(token_key, category, self.now())

    def usage(self, category: str, token: str | None = None) -> int:
        """Requests counted in the current minute window of ``category`` for a token."""
        key = _fingerprint(token if token is not None else self.config.token)
        return self.limiter.usage(key, category, self.now())

    def expire_access_token(self, token: str | None = None) -> None:
        """Make an access token (default: the configured one) answer 401 from now on."""
        with self._lock:
            key = token if token is not None else self.config.token
            entry = self.tokens.access.get(key)
            if entry is not None:
                entry.expires_at = self.now()

    def expire_all_access_tokens(self) -> None:
        with self._lock:
            for entry in self.tokens.access.values():
                entry.expires_at = self.now()

    def oauth_token(self, basic_app_id: str | None, basic_secret: str | None,
                    form: dict[str, str]) -> dict[str, Any]:
        """``POST /oauth/token``: ``authorization_code`` (the sign-in flow, ``oauth.py``) or
        ``refresh_token``: a new access token and a new refresh token each time. The configured
        refresh token (``SimConfig.refresh_token``, the demo user's) dies at once when rotated;
        one issued through the flow when its replacement is used."""
        with self._lock:
            tokens = self.tokens
            if basic_app_id != tokens.app_id or basic_secret != tokens.app_secret:
                raise authentication_failed("Invalid app id or app secret (HTTP Basic).")
            grant = form.get("grant_type")
            if grant == "authorization_code":
                return self.oauth.exchange_code(form, self.now()).as_api_dict()
            if grant != "refresh_token":
                if grant == "client_credentials":
                    raise invalid_parameter(
                        f"Parameter 'grant_type' {grant!r} is not supported by the simulator; "
                        "use 'authorization_code' or 'refresh_token'.")
                raise invalid_parameter("Parameter 'grant_type' must be 'authorization_code' "
                                        "or 'refresh_token'.")
            given = form.get("refresh_token")
            if not given:
                raise invalid_parameter("Parameter 'refresh_token' is required.")
            now = self.now()
            if self.oauth.knows_refresh_token(given):
                return self.oauth.refresh(given, form.get("scope"), now).as_api_dict()
            if given != tokens.refresh_token or (
                    tokens.refresh_expires_at is not None and now >= tokens.refresh_expires_at):
                raise SimError(400, 1104, "The token you provided is not valid or has expired.")
            tokens.refresh_count += 1
            access = f"pina_{secrets.token_urlsafe(24)}"
            refresh = f"pinr.{secrets.token_urlsafe(24)}"
            access_life = self.config.access_token_lifetime_s
            refresh_life = self.config.refresh_token_lifetime_s
            tokens.access[access] = _AccessToken(self.world.demo_user.id,
                                                 now + timedelta(seconds=access_life))
            tokens.refresh_token = refresh
            tokens.refresh_expires_at = now + timedelta(seconds=refresh_life)
            scope = form.get("scope") or "ads:read,user_accounts:read"
            return token_answer(access, refresh, scope, access_life, refresh_life, now,
                                "refresh_token")

    def _issue_access(self, user_id: str, lifetime_s: int, family: str) -> str:
        """A new access token of a sign-in (called by ``OAuthFlow`` under the lock)."""
        access = f"pina_{secrets.token_urlsafe(32)}"
        self.tokens.access[access] = _AccessToken(
            user_id, self.now() + timedelta(seconds=lifetime_s), family=family)
        return access

    def _revoke_family(self, family: str) -> None:
        for entry in self.tokens.access.values():
            if entry.family == family:
                entry.revoked = True

    def open_consent(self, query: dict[str, str]) -> tuple[str, ConsentRequest]:
        """The authorize page's request checked (ConsentError if not): (ticket, request)."""
        with self._lock:
            return self.oauth.open_consent(query, self.now())

    def consent(self, ticket: str) -> ConsentRequest:
        with self._lock:
            return self.oauth.consent(ticket, self.now())

    def decide_consent(self, ticket: str, user_id: str | None) -> str:
        """Allow (as ``user_id``) or Cancel (None): the redirect location, once per ticket."""
        with self._lock:
            return self.oauth.decide(ticket, user_id, self.now())

    def authorize(self, user_id: str, redirect_uri: str,
                  scope: str = "ads:read,user_accounts:read", state: str | None = None) -> str:
        """A code as if ``user_id`` pressed Allow on the authorize page (tests, no HTML)."""
        if self.world.user(user_id) is None:
            raise ValueError(f"no such user: {user_id}")
        query = {"client_id": self.config.app_id, "redirect_uri": redirect_uri,
                 "response_type": "code", "scope": scope, **({"state": state} if state else {})}
        with self._lock:
            now = self.now()
            ticket, request = self.oauth.open_consent(query, now)
            self.oauth.close_consent(ticket)
            return self.oauth.issue_code(request, user_id, now)

    @property
    def current_refresh_token(self) -> str:
        with self._lock:
            return self.tokens.refresh_token

    # ----- accounts and entities -------------------------------------------------------------

    def user_account(self, user_id: str, ad_account_id: str | None = None) -> dict[str, Any]:
        """The token's user, or (Business Access) the owner of an account the user has any
        role on."""
        if ad_account_id is not None:
            check_account_id(ad_account_id)
            if not self.world.can_access(user_id, ad_account_id):
                raise SimError(403, 403, "Not authorized to access the user account.")
            account = self.world.account(ad_account_id)
            assert account is not None
            user_id = account.owner_id
        user = self.world.user(user_id)
        assert user is not None  # every token belongs to a user of the world
        return user.as_api_dict()

    def account_for(self, user_id: str, account_id: str) -> AdAccount:
        """The account if the user may read its data (Owner, Admin, Analyst, Campaign
        Manager); 404 if it does not exist, 403 code 29 otherwise."""
        account = self.listed_account(user_id, account_id)
        if not self.world.can_report(user_id, account_id):
            raise forbidden_account()
        return account

    def listed_account(self, user_id: str, account_id: str) -> AdAccount:
        """The account if the user has any role on it (as GET /ad_accounts lists it)."""
        check_account_id(account_id)
        account = self.world.account(account_id)
        if account is None or account_id in self._deleted_accounts:
            raise account_not_found()
        if not self.world.can_access(user_id, account_id):
            raise forbidden_account()
        return account

    def list_ad_accounts(self, user_id: str, page_size: int, bookmark: str | None,
                         include_shared_accounts: bool = True) -> dict[str, Any]:
        """Owned accounts and, unless ``include_shared_accounts`` is false, those shared with
        the user through Business Access; ``permissions`` are the user's roles on each. A
        deleted account (``/_sim/accounts/{id}``) is left out."""
        accounts = [a.as_api_dict(self.world.roles(user_id, a.id))
                    for a in self.world.accounts_for_user(user_id)
                    if (include_shared_accounts or a.owner_id == user_id)
                    and a.id not in self._deleted_accounts]
        scope = f"ad_accounts:{user_id}:{int(include_shared_accounts)}"
        return paginate(accounts, page_size, bookmark, scope)

    def get_ad_account(self, user_id: str, account_id: str) -> dict[str, Any]:
        account = self.listed_account(user_id, account_id)
        return account.as_api_dict(self.world.roles(user_id, account_id))

    def list_campaigns(self, user_id: str, account_id: str, q: ListQuery) -> dict[str, Any]:
        self.account_for(user_id, account_id)
        items = self.world.campaigns(account_id)
        if q.campaign_ids is not None:
            wanted = set(q.campaign_ids)
            items = tuple(c for c in items if c.id in wanted)
        return self._page("campaigns", account_id, items, q)

    def list_ad_groups(self, user_id: str, account_id: str, q: ListQuery) -> dict[str, Any]:
        self.account_for(user_id, account_id)
        if q.campaign_ids is not None and q.ad_group_ids is not None:
            raise invalid_parameter("Invalid ad account group parameters. Provide only "
                                    "'campaign_ids' or 'ad_group_ids', not both.")
        items = self.world.ad_groups(account_id)
        if q.campaign_ids is not None:
            wanted = set(q.campaign_ids)
            items = tuple(g for g in items if g.campaign_id in wanted)
        if q.ad_group_ids is not None:
            wanted = set(q.ad_group_ids)
            items = tuple(g for g in items if g.id in wanted)
        return self._page("ad_groups", account_id, items, q)

    def list_ads(self, user_id: str, account_id: str, q: ListQuery) -> dict[str, Any]:
        self.account_for(user_id, account_id)
        given = [n for n, v in (("campaign_ids", q.campaign_ids), ("ad_group_ids", q.ad_group_ids),
                                ("ad_ids", q.ad_ids)) if v is not None]
        if len(given) > 1:
            raise invalid_parameter("Invalid ad account ads parameters. Provide only one of "
                                    f"'campaign_ids', 'ad_group_ids', 'ad_ids' (got {given}).")
        items = self.world.ads(account_id)
        if q.campaign_ids is not None:
            wanted = set(q.campaign_ids)
            items = tuple(a for a in items if a.campaign_id in wanted)
        if q.ad_group_ids is not None:
            wanted = set(q.ad_group_ids)
            items = tuple(a for a in items if a.ad_group_id in wanted)
        if q.ad_ids is not None:
            wanted = set(q.ad_ids)
            items = tuple(a for a in items if a.id in wanted)
        return self._page("ads", account_id, items, q)

    def list_keywords(self, user_id: str, account_id: str, parent_ids: list[str],
                      match_types: list[str], page_size: int, bookmark: str | None
                      ) -> dict[str, Any]:
        self.account_for(user_id, account_id)
        items = keywords.select_keywords(self.world, account_id, parent_ids, match_types)
        scope = "|".join(["keywords", account_id, _fingerprint(json.dumps(
            [sorted(parent_ids), sorted(match_types)]))])
        return paginate(items, page_size, bookmark, scope)

    def list_assets(self, user_id: str, account_id: str, kind: str, order: str | None,
                    page_size: int, bookmark: str | None) -> dict[str, Any]:
        """Audiences (OWNED) or customer lists, paged like the entity lists."""
        self.account_for(user_id, account_id)
        assets = account_assets.account_assets(self.world, account_id)
        items = assets.audiences if kind == "audiences" else assets.customer_lists
        return paginate(account_assets.ordered(items, order), page_size, bookmark,
                        "|".join([kind, account_id, order or ""]))

    def list_product_groups(self, user_id: str, account_id: str | None, ids: list[str] | None,
                            catalog_id: str | None, feed_id: str | None, page_size: int,
                            bookmark: str | None) -> dict[str, Any]:
        """Product groups of the operation user's catalogs: the token user's own accounts, or
        (Business Access, ``ad_account_id``) that account's."""
        if account_id is not None:
            accounts: list[AdAccount] = [self.account_for(user_id, account_id)]
        else:
            accounts = [a for a in self.world.accounts_for_user(user_id)
                        if a.owner_id == user_id and a.id not in self._deleted_accounts]
        items = [g for a in accounts for g in product_catalog.product_group_dicts(a)
                 if (ids is None or g["id"] in ids) and catalog_id in (None, g["catalog_id"])
                 and feed_id in (None, g["feed_id"])]
        scope = "|".join(["product_groups", user_id, account_id or "", catalog_id or "",
                          feed_id or "", _fingerprint(json.dumps(ids))])
        return paginate(items, page_size, bookmark, scope)

    def list_conversion_tags(self, user_id: str, account_id: str, filter_deleted: bool
                             ) -> dict[str, Any]:
        self.account_for(user_id, account_id)
        tags = account_assets.account_assets(self.world, account_id).conversion_tags
        return {"items": [t for t in tags if not filter_deleted or t["status"] != "DELETED"]}

    def _page(self, kind: str, account_id: str, items: Sequence[E], q: ListQuery
              ) -> dict[str, Any]:
        statuses = set(q.entity_statuses)
        chosen = [e for e in items if e.status in statuses]
        if q.order == "ASCENDING":
            chosen.sort(key=lambda e: int(e.id))
        elif q.order == "DESCENDING":
            chosen.sort(key=lambda e: int(e.id), reverse=True)
        scope = "|".join([kind, account_id, ",".join(sorted(statuses)), q.order or "",
                          _fingerprint(json.dumps([q.campaign_ids, q.ad_group_ids, q.ad_ids]))])
        return paginate([e.as_api_dict() for e in chosen], q.page_size, q.bookmark, scope)

    # ----- sync analytics --------------------------------------------------------------------

    def _sync_window(self, q: AnalyticsQuery, context: str) -> None:
        date_window(q.start, q.end, q.granularity, self.today(), context,
                    days_back=SYNC_DAYS_BACK, max_range=SYNC_MAX_RANGE_DAYS)

    def entity_ids_for(self, account_id: str, level: Level, q: AnalyticsQuery,
                       context: str) -> list[str] | None:
        """The ids of the level's entities that the filters select (None: the whole account)."""
        if level == "AD_ACCOUNT":
            return None
        if level == "CAMPAIGN":
            owned = {c.id for c in self.world.campaigns(account_id)}
            return [i for i in q.campaign_ids or () if i in owned]
        if level == "AD_GROUP":
            owned = {g.id for g in self.world.ad_groups(account_id)}
            return [i for i in q.ad_group_ids or () if i in owned]
        ads = self.world.ads(account_id)
        if q.ad_ids is not None:
            wanted = set(q.ad_ids)
            chosen = [a for a in ads if a.id in wanted]
            if q.campaign_ids is not None:
                chosen = [a for a in chosen if a.campaign_id in set(q.campaign_ids)]
            return [a.id for a in chosen]
        if q.campaign_ids is not None and q.pin_ids is not None:
            campaigns, pins = set(q.campaign_ids), set(q.pin_ids)
            return [a.id for a in ads if a.campaign_id in campaigns and a.pin_id in pins]
        raise invalid_parameter(f"{context} Provide either 'ad_ids' or both 'campaign_ids' "
                                "and 'pin_ids'.")

    def analytics(self, user_id: str, account_id: str, level: Level,
                  q: AnalyticsQuery) -> list[dict[str, Any]]:
        context = ANALYTICS_CONTEXT[level]
        self.account_for(user_id, account_id)
        self._sync_window(q, context)
        ids = self.entity_ids_for(account_id, level, q, context)
        if ids is not None and not ids:
            return []
        return self.engine.rows(account_id, level, ids, q.start, q.end, q.granularity,
                                q.columns, q.attribution, aggregate=q.aggregate_report_rows)

    def targeting_analytics(self, user_id: str, account_id: str, level: Level,
                            q: AnalyticsQuery) -> dict[str, Any]:
        context = ANALYTICS_CONTEXT[level].replace("analytics", "targeting analytics")
        self.account_for(user_id, account_id)
        self._sync_window(q, context)
        ids = self._targeting_ids(account_id, level, q)
        if ids is not None and not ids:
            return {"data": []}
        rows = self.engine.targeting_rows(account_id, level, ids, q.targeting_types,
                                          q.start, q.end, q.granularity, q.columns,
                                          q.attribution)
        return {"data": rows}

    def _targeting_ids(self, account_id: str, level: Level, q: AnalyticsQuery
                       ) -> list[str] | None:
        if level == "AD_ACCOUNT":
            return None
        owned_by_level: dict[str, Callable[[], set[str]]] = {
            "CAMPAIGN": lambda: {c.id for c in self.world.campaigns(account_id)},
            "AD_GROUP": lambda: {g.id for g in self.world.ad_groups(account_id)},
            "AD": lambda: {a.id for a in self.world.ads(account_id)},
        }
        given = {"CAMPAIGN": q.campaign_ids, "AD_GROUP": q.ad_group_ids, "AD": q.ad_ids}[level]
        owned = owned_by_level[level]()
        return [i for i in given or () if i in owned]

    # ----- audience, resources ---------------------------------------------------------------

    def audience_insights(self, user_id: str, account_id: str, insight_type: str
                          ) -> dict[str, Any]:
        self.account_for(user_id, account_id)
        return self.engine.audience_insights(account_id, insight_type)

    def audience_scopes(self, user_id: str, account_id: str) -> dict[str, Any]:
        self.account_for(user_id, account_id)
        return self.engine.audience_scopes(account_id)

    def delivery_metrics(self, report_type: str | None) -> dict[str, Any]:
        definitions = delivery_metrics()
        served = {"SYNC": catalog.SERVED_SYNC_COLUMNS, "ASYNC": catalog.SERVED_ASYNC_COLUMNS}.get(
            report_type or "", catalog.SERVED_SYNC_COLUMNS | catalog.SERVED_ASYNC_COLUMNS)
        items = [dict(d) for d in definitions if d.get("name") in served]
        return {"items": items}

    def metrics_ready_state(self, day: date) -> dict[str, bool]:
        return self.engine.metrics_ready_state(day)

    def targeting_options(self, targeting_type: str) -> list[dict[str, str]]:
        table = targeting_options(targeting_type)
        if table is None:
            raise invalid_parameter(f"Parameter 'targeting_type' {targeting_type!r} is not valid.")
        return [table] if table else []

    # ----- async reports ---------------------------------------------------------------------

    def create_report(self, user_id: str, account_id: str, body: Any) -> dict[str, Any]:
        self.account_for(user_id, account_id)
        request = ReportRequest.parse(body, self.today(), account_id, self.world)
        with self._lock:
            job = self.reports.create(account_id, request, self.now(), REPORT_LIFETIME_S)
        self._start_render(job)
        return {"report_status": "IN_PROGRESS", "token": job.token, "message": None}

    def fail_next_reports(self, n: int = 1) -> None:
        self.reports.fail_next(n)

    def get_report(self, user_id: str, account_id: str, token: str, origin: str
                   ) -> dict[str, Any]:
        self.account_for(user_id, account_id)
        now = self.now()
        with self._lock:
            job = self.reports.get(account_id, token)
            if job is None:
                return {"report_status": "DOES_NOT_EXIST", "url": None, "size": None}
            status = job.status(now, REPORT_LIFETIME_S)
        if status != "FINISHED":
            return {"report_status": status, "url": None, "size": None}
        # The file is made in the background from the moment of creation; a poll after the
        # delay waits a little for a big one, else it is still IN_PROGRESS (as on Pinterest).
        if not job.done.wait(RENDER_WAIT_S):
            return {"report_status": "IN_PROGRESS", "url": None, "size": None}
        content = job.content
        if job.render_failed or content is None:
            return {"report_status": "FAILED", "url": None, "size": None}
        with self._lock:
            link = self._new_link("report", job.token, now)
        return {"report_status": "FINISHED",
                "url": f"{origin}/_sim/files/{link}/{job.file_name}", "size": len(content)}

    def _start_render(self, job: ReportJob) -> None:
        """Make the report file in a thread, with the numbers as of the job's ready time (the
        moment Pinterest would finish it): the sync engine's rows on a clock frozen there."""
        engine = MetricsEngine(self.world, FrozenClock(job.ready_at))

        def work() -> None:
            try:
                job.content = job.request.render(engine, self.world)
            except Exception:
                logger.exception("simulator failed to render a report")
                job.render_failed = True
            finally:
                job.done.set()

        if job.fails:
            job.done.set()
            return
        threading.Thread(target=work, name="pinterest-sim-report", daemon=True).start()

    # ----- bulk ------------------------------------------------------------------------------

    def create_bulk(self, user_id: str, account_id: str, body: Any) -> dict[str, Any]:
        self.account_for(user_id, account_id)
        request = BulkRequest.parse(body)
        with self._lock:
            job = self.bulk.create(account_id, request, self.now())
        return {"request_id": job.request_id}

    def fail_next_bulk(self, n: int = 1) -> None:
        self.bulk.fail_next(n)

    def get_bulk(self, user_id: str, account_id: str, request_id: str, origin: str
                 ) -> dict[str, Any]:
        self.account_for(user_id, account_id)
        now = self.now()
        with self._lock:
            job = self.bulk.get(account_id, request_id)
            if job is None:
                raise not_found(f"Bulk request {request_id!r} not found.")
            status = job.status(now)
            if status != "SUCCEEDED":
                return {"status": status}
            if job.content is None:
                job.content = job.request.render(self.world, account_id)
            link = self._new_link("bulk", job.request_id, now)
        return {"status": "SUCCEEDED", "result_url": f"{origin}/_sim/files/{link}/{job.file_name}"}

    # ----- download links --------------------------------------------------------------------

    def _new_link(self, kind: str, job_key: str, now: datetime) -> str:
        for stale in [k for k, (_, _, expiry) in self._links.items() if now >= expiry]:
            del self._links[stale]
        link = secrets.token_hex(16)
        self._links[link] = (kind, job_key, now + timedelta(seconds=LINK_LIFETIME_S))
        return link

    def download(self, link: str, name: str) -> tuple[str, bytes]:
        """(content type, bytes) of a file link; SimError 403 once the link has expired."""
        now = self.now()
        with self._lock:
            entry = self._links.get(link)
            if entry is None:
                raise SimError(403, 403, "AccessDenied: the link is not valid.")
            kind, key, expires = entry
            if now >= expires:
                raise SimError(403, 403, "AccessDenied: Request has expired.")
            if kind == "report":
                report = self.reports.by_token(key)
                if (report is None or report.file_name != name or not report.done.is_set()
                        or report.content is None):
                    raise SimError(403, 403, "AccessDenied: the link is not valid.")
                return report.content_type, report.content
            job = self.bulk.by_id(key)
            if job is None or job.file_name != name or job.content is None:
                raise SimError(403, 403, "AccessDenied: the link is not valid.")
            return job.content_type, job.content

    # ----- test/ops controls (never reachable under /v5) -------------------------------------

    def set_token_faults(self, *, access_expired: bool | None = None,
                         refresh_revoked: bool | None = None) -> dict[str, bool]:
        """Expire (or renew) the configured access token; revoke (or restore) the refresh token
        the OAuth endpoint accepts now. A restored refresh token is the very one revoked, so a
        client still holding it recovers. Returns the state, never a token."""
        with self._lock:
            entry = self.tokens.access.get(self.config.token)
            if access_expired is not None and entry is not None:
                entry.expires_at = self.now() if access_expired else None
            if refresh_revoked and self._revoked_refresh is None:
                self._revoked_refresh = self.tokens.refresh_token
                self.tokens.refresh_token = ""  # no refresh token matches: 400 code 1104
            elif refresh_revoked is False and self._revoked_refresh is not None:
                self.tokens.refresh_token = self._revoked_refresh
                self._revoked_refresh = None
            return self.token_faults()

    def token_faults(self) -> dict[str, bool]:
        with self._lock:
            entry = self.tokens.access.get(self.config.token)
            expired = bool(entry is not None and entry.expires_at is not None
                           and self.now() >= entry.expires_at)
            return {"access_expired": expired, "refresh_revoked": self._revoked_refresh is not None}

    def set_account_deleted(self, account_id: str, deleted: bool) -> dict[str, Any]:
        """An ad account of the world vanishes (404, left out of lists) or comes back."""
        check_account_id(account_id)
        if self.world.account(account_id) is None:
            raise account_not_found()
        with self._lock:
            if deleted:
                self._deleted_accounts.add(account_id)
            else:
                self._deleted_accounts.discard(account_id)
        return {"id": account_id, "deleted": deleted}

    # ----- diagnostics -----------------------------------------------------------------------

    def stats_dict(self) -> dict[str, Any]:
        data = self.stats.as_dict()
        data["usage"] = dict(Counter({c: self.usage(c) for c in
                                      ("ads_analytics", "ads_read", "org_read")}))
        return data


def level_id_column(level: str) -> str:
    return ID_COLUMN[level]
