"""`PinterestClient`: the one public face of the package.

Every read goes: validate locally -> split into allowed calls -> per call: cache (single
flight, stale copy on transient errors) -> rate-limit slot -> HTTP with retries -> merge.
Parts of one call run concurrently in a small bounded thread pool (`max_workers`).

Longer than 500 lines on purpose: it is the package's one public face, 22 short methods that
validate and hand over to `_split`, `_listing`, `_cache` and `_http`; their shared plumbing
(`_get`, `_run`, paging) lives here so each method reads as the request it makes.
"""

from __future__ import annotations

import contextvars
import functools
import threading
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, TypeVar

import httpx
from cachetools import LRUCache

from pinterest_client import _validation as check
from pinterest_client import columns as catalogue
from pinterest_client._access import AccessProofs, account_scope, default_proofs
from pinterest_client._auth import (
    Credentials,
    CurrentTokens,
    RefreshGuard,
    RefusedCallback,
    TokensCallback,
)
from pinterest_client._cache import (
    CacheKey,
    CacheStats,
    ResponseCache,
    default_cache,
    normalise_params,
)
from pinterest_client._config import PRODUCTION_BASE_URL, ClientConfig
from pinterest_client._errors import (
    AuthError,
    ForbiddenError,
    InvalidResponseError,
    NotFoundError,
    ValidationError,
)
from pinterest_client._http import HttpSession
from pinterest_client._listing import ASCENDING, read_from_both_ends, read_in_sequence
from pinterest_client._ratelimit import Limiter, RateLimits, shared_limiter
from pinterest_client._reads import CachedRead, ReadLog, recording
from pinterest_client._reads import current as current_read_log
from pinterest_client._split import (
    MERGING_GRANULARITIES,
    batches,
    columns_for_merge,
    date_windows,
    merge_metric_dicts,
    merge_rows,
    sort_by_date,
    strip_columns,
)
from pinterest_client._stats import LatencyStats
from pinterest_client.limits import HOUR_MAX_RANGE_DAYS, LEVEL_ID_COLUMNS, SYNC_MAX_RANGE_DAYS
from pinterest_client.models import (
    Ad,
    AdAccount,
    AdGroup,
    Attribution,
    AudienceInsights,
    AudienceScope,
    Campaign,
    Fetched,
    Keyword,
    Level,
    MetricDefinition,
    MetricsReadyState,
    TargetingRow,
    UserAccount,
)

if TYPE_CHECKING:
    from pinterest_client.bulk import BulkAPI
    from pinterest_client.reports import ReportsAPI
    from pinterest_client.reports.api import ReportJobs

T = TypeVar("T")
# The owner part of the cache key of an ad account's data, shared by who may read it.
SHARED_ACCOUNT_DATA: Final = "ad-account-data"
U = TypeVar("U")
# (token identity, limits) -> the rate limiter a client uses (see PinterestClient).
LimiterFactory = Callable[[str, RateLimits | None], Limiter]

ADS_ANALYTICS = "ads_analytics"
ADS_READ = "ads_read"
ORG_READ = "org_read"
# Statuses that can have delivery: what "all entities of a level" means for analytics.
DELIVERING_STATUSES = ("ACTIVE", "PAUSED", "ARCHIVED")

_ANALYTICS_PATHS = {
    "AD_ACCOUNT": "/ad_accounts/{a}/analytics",
    "CAMPAIGN": "/ad_accounts/{a}/campaigns/analytics",
    "AD_GROUP": "/ad_accounts/{a}/ad_groups/analytics",
    "AD": "/ad_accounts/{a}/ads/analytics",
}
_TARGETING_PATHS = {
    "AD_ACCOUNT": "/ad_accounts/{a}/targeting_analytics",
    "CAMPAIGN": "/ad_accounts/{a}/campaigns/targeting_analytics",
    "AD_GROUP": "/ad_accounts/{a}/ad_groups/targeting_analytics",
    "AD": "/ad_accounts/{a}/ads/targeting_analytics",
}
_ID_PARAMS = {"CAMPAIGN": "campaign_ids", "AD_GROUP": "ad_group_ids", "AD": "ad_ids"}


@dataclass(frozen=True)
class ClientStats:
    """What the API status page shows."""

    calls_by_category: dict[str, int]
    total_calls: int
    tokens_left: dict[str, int]
    rate_limited_429s: int
    retries: int
    token_refreshes: int
    limiter_waits: int
    latency: LatencyStats
    recent_errors: list[str]
    cache: CacheStats


def _combine(parts: Sequence[Fetched[Any]], data: T) -> Fetched[T]:
    """One Fetched from several: stale if any part is, as old as the oldest part."""
    stale = [p for p in parts if p.stale]
    return Fetched(
        data=data,
        stale=bool(stale),
        fetched_at=min((p.fetched_at for p in parts), default=0.0),
        error=stale[0].error if stale else None,
    )


class PinterestClient:
    """Pinterest API v5 (ads analytics and reporting surface). Thread-safe.

    `identity` names whose quota and private cache entries these are (default: a hash of the
    first token; give a stable one, such as the Pinterest user id, when tokens rotate across
    processes). `refresh_guard` and `current_tokens` coordinate a refresh with other holders
    of the same tokens (see pinterest_client._auth). `report_jobs` shares async report jobs in
    flight with other clients (see pinterest_client.reports.api).
    """

    def __init__(
        self,
        access_token: str | None = None,
        *,
        refresh_token: str | None = None,
        app_id: str | None = None,
        app_secret: str | None = None,
        base_url: str = PRODUCTION_BASE_URL,
        transport: httpx.BaseTransport | None = None,
        rate_limits: RateLimits | None = None,
        cache: ResponseCache | None = None,
        access_proofs: AccessProofs | None = None,
        timeout: float = 30.0,
        max_workers: int = 8,
        max_wait_s: float = 30.0,
        on_tokens_refreshed: TokensCallback | None = None,
        on_refresh_refused: RefusedCallback | None = None,
        identity: str | None = None,
        refresh_guard: RefreshGuard | None = None,
        current_tokens: CurrentTokens | None = None,
        report_jobs: ReportJobs | None = None,
        config: ClientConfig | None = None,
        now: Callable[[], datetime] | None = None,
        limiter_factory: LimiterFactory | None = None,
    ) -> None:
        """`limiter_factory(identity, rate_limits)`: the rate limiter for this token (default:
        the process-wide in-process one, `shared_limiter`); several app processes pass
        `functools.partial(pinterest_client.shared.ratelimit.limiter_for, store)` to share one
        budget through Redis. `identity` is a hash of the token, never the token."""
        self._credentials = Credentials(
            access_token,
            refresh_token=refresh_token,
            app_id=app_id,
            app_secret=app_secret,
            on_tokens_refreshed=on_tokens_refreshed,
            on_refresh_refused=on_refresh_refused,
            identity=identity,
            refresh_guard=refresh_guard,
            current_tokens=current_tokens,
        )
        self.config = config or ClientConfig()
        self.max_workers = max(1, max_workers)
        self._now = now or (lambda: datetime.now(UTC))
        self._limiter: Limiter = (limiter_factory or shared_limiter)(
            self._credentials.identity, rate_limits)
        self._cache = cache if cache is not None else default_cache()
        self._proofs = access_proofs if access_proofs is not None else default_proofs()
        self._session = HttpSession(
            self._credentials,
            self._limiter,
            base_url=base_url,
            transport=transport,
            timeout=timeout,
            max_wait_s=max_wait_s,
            config=self.config,
            wall=lambda: self._now().timestamp(),
        )
        self._lazy_lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._other_end_pool: ThreadPoolExecutor | None = None
        # Lengths of the lists read so far (kept past their cache entries' TTL).
        self._list_lengths: MutableMapping[tuple[Any, ...], int] = LRUCache(maxsize=4096)
        self._reports: ReportsAPI | None = None
        self._report_jobs = report_jobs
        self._bulk: BulkAPI | None = None

    def __repr__(self) -> str:
        return f"PinterestClient(base_url={self._session.base_url!r})"

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The API base URL in use (production, sandbox or a simulator), no trailing slash."""
        return self._session.base_url

    @property
    def identity(self) -> str:
        """Whose private cache entries, access proofs and rate budget these are: a sha256 of
        the first token or of the identity given, never a token."""
        return self._credentials.identity

    @property
    def session(self) -> HttpSession:
        """The HTTP session (for extensions such as reports and bulk)."""
        return self._session

    @property
    def rate_limiter(self) -> Limiter:
        """The rate limiter in use (in-process, or shared through Redis)."""
        return self._limiter

    @property
    def cache(self) -> ResponseCache:
        """The response cache (shared between clients unless one was passed in)."""
        return self._cache

    @property
    def reports(self) -> ReportsAPI:
        """Async reports (`ReportsAPI`): ranges beyond live analytics, up to 914 days back."""
        with self._lazy_lock:
            if self._reports is None:
                from pinterest_client.reports import ReportsAPI

                self._reports = ReportsAPI(self._session, now=self._now,
                                           jobs=self._report_jobs)
            return self._reports

    @property
    def bulk(self) -> BulkAPI:
        """Bulk downloads (`BulkAPI`): whole entity dumps (campaigns, ad groups, ads, ...)."""
        with self._lazy_lock:
            if self._bulk is None:
                from pinterest_client.bulk import BulkAPI

                self._bulk = BulkAPI(self._session, now=self._now)
            return self._bulk

    def today(self) -> date:
        """Today in UTC, on the client's clock (Pinterest's dates are UTC days)."""
        return self._now().astimezone(UTC).date()

    def refresh_access_token(self) -> None:
        """Exchange the refresh token for a new access token now."""
        self._session.refresh_access_token()

    def close(self) -> None:
        """Stop the worker pools and close the HTTP connections; the client is unusable after."""
        with self._lazy_lock:
            for pool in (self._pool, self._other_end_pool):
                if pool is not None:
                    pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._other_end_pool = None
        self._session.close()

    def stats(self) -> ClientStats:
        """Counters for an API status page: calls per category, quota left, 429s, retries,
        token refreshes, limiter waits, latency, recent errors and cache hits."""
        http = self._session.stats
        calls = http.calls_by_category()
        return ClientStats(
            calls_by_category=calls,
            total_calls=sum(calls.values()),
            tokens_left=self._limiter.tokens_left(),
            rate_limited_429s=http.rate_limited,
            retries=http.retries,
            token_refreshes=http.refreshes,
            limiter_waits=self._limiter.waits,
            latency=http.latency(),
            recent_errors=http.recent_errors(),
            cache=self._cache.stats(),
        )

    def _run(self, tasks: Sequence[Callable[[], U]]) -> list[U]:
        """Run tasks concurrently on the bounded pool; results in task order. The first
        failure is raised (after the others finished, so nothing runs on unobserved)."""
        if len(tasks) == 1:
            return [tasks[0]()]
        with self._lazy_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=self.max_workers, thread_name_prefix="pinterest-client"
                )
            pool = self._pool
        # Each task in a copy of the caller's context: its cached reads are the caller's
        # (recording_reads).
        futures: list[Future[U]] = [pool.submit(contextvars.copy_context().run, task)
                                    for task in tasks]
        errors = [f.exception() for f in futures]
        for error in errors:
            if error is not None:
                raise error
        return [f.result() for f in futures]

    def _get(
        self,
        path: str,
        *,
        category: str,
        params: Mapping[str, Any] | None,
        ttl_s: float | Callable[[Any], float],
    ) -> Fetched[Any]:
        return self._cached(
            path,
            self._key("GET", path, params),
            ttl_s,
            lambda: self._session.request_json_sized("GET", path, category=category,
                                                     params=params),
        )

    def _get_all_pages(
        self, path: str, *, category: str, params: Mapping[str, Any], ttl_s: float,
        ordered_by_id: bool = False,
    ) -> Fetched[list[Any]]:
        """A paginated list followed to the end (cached as one entry). Lists that take
        `order` are read from both ends at once (half the round trips in a row)."""
        key = self._list_key(path, params)
        base = dict(params, page_size=self.config.page_size)

        def page(page_params: Mapping[str, Any]) -> tuple[Any, int]:
            return self._session.request_json_sized("GET", path, category=category,
                                                    params=page_params)

        def fetch() -> tuple[list[Any], int]:
            # Reading from both ends costs a second call in parallel, wasted on a one-page
            # list: do it while the list's length is unknown or was longer than a page.
            with self._lazy_lock:  # an LRUCache is not thread-safe
                known = self._list_lengths.get(key)
            if ordered_by_id and (known is None or known > self.config.page_size):
                items, size = read_from_both_ends(page, self._page_pool().submit, base, path)
            else:
                # Ascending as the two-ended read gives it, so rows keep one order across loads.
                items, size = read_in_sequence(
                    page, {**base, "order": ASCENDING} if ordered_by_id else base, path)
            with self._lazy_lock:
                self._list_lengths[key] = len(items)
            return items, size

        answer = self._cached(path, key, ttl_s, fetch)
        if not answer.stale and isinstance(answer.data, list):
            # A list this client got from a shared cache (another session's or process's
            # fetch) teaches its length too: its own next read then costs one call, not two.
            with self._lazy_lock:
                self._list_lengths[key] = len(answer.data)
        return answer

    def _list_key(self, path: str, params: Mapping[str, Any]) -> CacheKey:
        return self._key("GET*", path, params)

    def _key(self, kind: str, path: str, params: Mapping[str, Any] | None) -> CacheKey:
        """The cache key of a request: an ad account's data is shared by everyone who may read
        it (see `_cached`); anything else (the token's own account list, the user) is kept
        under the token's identity, so one token never reads another's."""
        owner = SHARED_ACCOUNT_DATA if account_scope(path) else self._credentials.identity
        return (owner, kind, self.base_url + path, normalise_params(params))

    def _cached(self, path: str, key: CacheKey, ttl_s: float | Callable[[Any], float],
                fetch: Callable[[], tuple[Any, int]]) -> Fetched[Any]:
        """`fetch` through the cache. A shared answer about an ad account is served only to a
        token that Pinterest recently let read the same account and kind of data
        (pinterest_client/_access.py); any other token asks Pinterest itself, and its 2xx is
        what proves it (then shared)."""
        log = current_read_log()
        if log is None:
            return self._cached_answer(path, key, ttl_s, fetch)
        try:
            answer = self._cached_answer(path, key, ttl_s, fetch)
        except BaseException:
            log.spoil()
            raise
        if answer.stale:
            log.spoil()
        else:
            log.add(CachedRead(key=key, fetched_at=answer.fetched_at, scope=account_scope(path)))
        return answer

    def _cached_answer(self, path: str, key: CacheKey, ttl_s: float | Callable[[Any], float],
                       fetch: Callable[[], tuple[Any, int]]) -> Fetched[Any]:
        scope = account_scope(path)
        if scope is None:
            return self._cache.get_or_fetch(key, ttl_s, fetch)
        identity = self._credentials.identity

        def proving_fetch() -> tuple[Any, int]:
            try:
                answer = fetch()
            except (AuthError, ForbiddenError, NotFoundError):
                self._proofs.forget(identity, scope)
                raise
            self._proofs.record(identity, scope)
            return answer

        own_flight = (identity, *key)
        if self._proofs.proven(identity, scope):
            # A flight this token started while still unproven brings the same answer.
            return self._cache.get_or_fetch(key, ttl_s, proving_fetch, join=own_flight)
        return self._cache.fetch_and_store(key, ttl_s, proving_fetch,
                                           flight=own_flight,
                                           stale_ok=self._proofs.may_see_stale(identity, scope),
                                           allowed_now=lambda: self._proofs.proven(identity,
                                                                                   scope))

    @contextmanager
    def recording_reads(self) -> Iterator[ReadLog]:
        """Collect the cached answers this context reads through the client (see
        pinterest_client/_reads.py), to reuse work derived from them while
        `reads_unchanged` holds."""
        with recording(self._credentials.identity) as log:
            yield log

    def reads_unchanged(self, log: ReadLog) -> bool:
        """Whether every answer in `log` would be served again as it was: the same token, each
        entry still fresh in the cache from the same fetch, and the token's access to each
        account still proven. No upstream call; False for a log with a failed call or a stale
        copy in it."""
        if not log.reusable or log.owner != self._credentials.identity:
            return False
        identity = self._credentials.identity
        for read in log.reads:
            held = self._cache.peek(read.key)
            if held is None or held.stale or held.fetched_at != read.fetched_at:
                return False
            if read.scope is not None and not self._proofs.proven(identity, read.scope):
                return False
        return True

    def prove_access(self, ad_account_id: str) -> None:
        """Make sure Pinterest lets this token read the account's analytics (a cheap call of
        one day and one column, unless proven within the last minutes): callers that keep
        account data outside this client (a report store) check this before serving it.
        Raises the PinterestError the token gets (ForbiddenError for a role without
        reporting)."""
        yesterday = self._now().date() - timedelta(days=1)
        self.analytics(ad_account_id, "AD_ACCOUNT", start_date=yesterday, end_date=yesterday,
                       columns=["SPEND_IN_MICRO_DOLLAR"], granularity="TOTAL")

    def _page_pool(self) -> ThreadPoolExecutor:
        """Threads for the second reader of a list. Separate from the main pool, whose tasks
        may themselves read lists: sharing it could leave every worker waiting on a queue."""
        with self._lazy_lock:
            if self._other_end_pool is None:
                self._other_end_pool = ThreadPoolExecutor(
                    max_workers=self.max_workers, thread_name_prefix="pinterest-client-list"
                )
            return self._other_end_pool

    def _ttl_for_range(self, end: date) -> float:
        """Short while a day in the range may still change (today, metrics not final)."""
        recent = self.today() - timedelta(days=self.config.recent_days)
        return self.config.ttl_recent_s if end >= recent else self.config.ttl_closed_s

    # -- accounts and entities ----------------------------------------------------------------

    def user_account(self) -> Fetched[UserAccount]:
        """The account the token belongs to (`GET /user_account`, org_read quota)."""
        got = self._get("/user_account", category=ORG_READ, params=None,
                        ttl_s=self.config.ttl_entities_s)
        return _combine([got], UserAccount.from_api(got.data))

    _AD_ACCOUNTS_PARAMS: Final = {"include_shared_accounts": True}

    def list_ad_accounts(self) -> Fetched[list[AdAccount]]:
        """Every ad account the token can read, shared ones included, all pages read."""
        got = self._get_all_pages("/ad_accounts", category=ADS_READ,
                                  params=self._AD_ACCOUNTS_PARAMS,
                                  ttl_s=self.config.ttl_entities_s)
        return _combine([got], [AdAccount.from_api(item) for item in got.data])

    def known_ad_account_ids(self) -> frozenset[str] | None:
        """The ids of this token's ad accounts as last listed (fresh or stale copy), without a
        call; None when the list has not been read. Lets a caller refuse an account id from
        outside (a link) before spending any call on it."""
        held = self._cache.peek(self._list_key("/ad_accounts", self._AD_ACCOUNTS_PARAMS))
        if held is None:
            return None
        return frozenset(str(item.get("id", "")) for item in held.data if isinstance(item, dict))

    def get_ad_account(self, ad_account_id: str) -> Fetched[AdAccount]:
        """One ad account by id (`GET /ad_accounts/{id}`); NotFoundError if unknown."""
        account = check.check_id(ad_account_id, "ad_account_id")
        got = self._get(f"/ad_accounts/{account}", category=ADS_READ, params=None,
                        ttl_s=self.config.ttl_entities_s)
        return _combine([got], AdAccount.from_api(got.data))

    def _list_entities(
        self,
        path: str,
        parse: Callable[[Any], T],
        *,
        id_filter: tuple[str, list[str]] | None,
        entity_statuses: Sequence[str] | None,
    ) -> Fetched[list[T]]:
        base: dict[str, Any] = {}
        if entity_statuses is not None:
            base["entity_statuses"] = check.check_enum_list(
                entity_statuses, catalogue.ENTITY_STATUSES, "entity_statuses"
            )
        # Both ends and one listing per status for the whole account's list, which can be
        # long; a list filtered by ids (a campaign's ad groups, ...) is usually one page, where
        # a second reader would only double the calls.
        listing = functools.partial(self._get_all_pages, path, category=ADS_READ,
                                    ttl_s=self.config.ttl_entities_s,
                                    ordered_by_id=id_filter is None)
        if id_filter is None:
            # The whole account's list is the one that can be long: one listing per status,
            # all at once, so up to 500 entities per status take a single round trip.
            statuses = base.get("entity_statuses") or []
            each = ([{**base, "entity_statuses": [s]} for s in statuses]
                    if len(statuses) > 1 else [base])
        else:
            name, ids = id_filter
            each = [{**base, name: b} for b in batches(ids, self.config.id_batch_size)]
        parts = self._run([functools.partial(listing, params=params) for params in each])
        items: list[T] = []
        seen: set[str] = set()
        for part in parts:
            for raw in part.data:
                entity = parse(raw)
                entity_id = str(getattr(entity, "id", ""))
                if entity_id not in seen:
                    seen.add(entity_id)
                    items.append(entity)
        return _combine(parts, items)

    def list_campaigns(
        self,
        ad_account_id: str,
        *,
        campaign_ids: Sequence[str] | None = None,
        entity_statuses: Sequence[str] | None = None,
    ) -> Fetched[list[Campaign]]:
        """Campaigns (Pinterest's default statuses: ACTIVE and PAUSED)."""
        account = check.check_id(ad_account_id, "ad_account_id")
        filters = check.check_entity_filters(campaign_ids=campaign_ids)
        return self._list_entities(
            f"/ad_accounts/{account}/campaigns", Campaign.from_api,
            id_filter=next(iter(filters.items()), None), entity_statuses=entity_statuses,
        )

    def list_ad_groups(
        self,
        ad_account_id: str,
        *,
        campaign_ids: Sequence[str] | None = None,
        ad_group_ids: Sequence[str] | None = None,
        entity_statuses: Sequence[str] | None = None,
    ) -> Fetched[list[AdGroup]]:
        """Ad groups of the account, filtered by `campaign_ids` or `ad_group_ids` (one of
        them, at most 250 ids per call; more are batched) and `entity_statuses`."""
        account = check.check_id(ad_account_id, "ad_account_id")
        filters = check.check_entity_filters(campaign_ids=campaign_ids, ad_group_ids=ad_group_ids)
        if len(filters) > 1:
            raise ValidationError("campaign_ids, ad_group_ids: give one of them, not both.",
                                  parameter="ad_group_ids", rule="one_filter")
        return self._list_entities(
            f"/ad_accounts/{account}/ad_groups", AdGroup.from_api,
            id_filter=next(iter(filters.items()), None), entity_statuses=entity_statuses,
        )

    def list_ads(
        self,
        ad_account_id: str,
        *,
        campaign_ids: Sequence[str] | None = None,
        ad_group_ids: Sequence[str] | None = None,
        ad_ids: Sequence[str] | None = None,
        entity_statuses: Sequence[str] | None = None,
    ) -> Fetched[list[Ad]]:
        """Ads of the account, filtered by `campaign_ids`, `ad_group_ids` or `ad_ids` (at most
        one of them; ids batched by 250) and `entity_statuses`."""
        account = check.check_id(ad_account_id, "ad_account_id")
        filters = check.check_entity_filters(
            campaign_ids=campaign_ids, ad_group_ids=ad_group_ids, ad_ids=ad_ids
        )
        if len(filters) > 1:
            raise ValidationError("campaign_ids, ad_group_ids, ad_ids: give at most one of them.",
                                  parameter="ad_ids", rule="one_filter")
        return self._list_entities(
            f"/ad_accounts/{account}/ads", Ad.from_api,
            id_filter=next(iter(filters.items()), None), entity_statuses=entity_statuses,
        )

    # Schema MatchType (ad groups take all five; accounts and campaigns only the negatives).
    KEYWORD_MATCH_TYPES: Final[tuple[str, ...]] = (
        "BROAD", "PHRASE", "EXACT", "EXACT_NEGATIVE", "PHRASE_NEGATIVE",
    )

    def list_keywords(
        self,
        ad_account_id: str,
        *,
        ad_group_id: str | None = None,
        campaign_id: str | None = None,
        match_types: Sequence[str] | None = None,
    ) -> Fetched[list[Keyword]]:
        """Keywords of one parent (`GET /ad_accounts/{id}/keywords`), all pages read: an ad
        group's (`ad_group_id`), a campaign's (`campaign_id`), or, with neither, the ad
        account's own (Pinterest's default filter: the account-level negative keywords).
        Uses `ad_group_id`, not the beta `ad_group_ids` not every account has."""
        account = check.check_id(ad_account_id, "ad_account_id")
        params: dict[str, Any] = {}
        if ad_group_id is not None and campaign_id is not None:
            raise ValidationError("ad_group_id, campaign_id: give at most one of them.",
                                  parameter="ad_group_id", rule="one_filter")
        if ad_group_id is not None:
            params["ad_group_id"] = check.check_id(ad_group_id, "ad_group_id")
        if campaign_id is not None:
            params["campaign_id"] = check.check_id(campaign_id, "campaign_id")
        if match_types is not None:
            params["match_types"] = check.check_enum_list(
                match_types, self.KEYWORD_MATCH_TYPES, "match_types")
        got = self._get_all_pages(f"/ad_accounts/{account}/keywords", category=ADS_READ,
                                  params=params, ttl_s=self.config.ttl_entities_s)
        return _combine([got], [Keyword.from_api(item) for item in got.data])

    def _all_entity_ids(self, account: str, level: str) -> Fetched[list[str]]:
        statuses = list(DELIVERING_STATUSES)
        listing: Fetched[list[Any]]
        if level == "CAMPAIGN":
            listing = self.list_campaigns(account, entity_statuses=statuses)
        elif level == "AD_GROUP":
            listing = self.list_ad_groups(account, entity_statuses=statuses)
        else:
            listing = self.list_ads(account, entity_statuses=statuses)
        return _combine([listing], [str(e.id) for e in listing.data])

    # -- analytics ------------------------------------------------------------------------------

    def _analytics_plan(
        self,
        ad_account_id: str,
        level: str,
        start_date: date,
        end_date: date,
        columns: Sequence[str],
        granularity: str,
        entity_ids: Sequence[str] | None,
        attribution: Attribution | None,
    ) -> tuple[str, str, list[str], list[tuple[date, date]], list[str] | None, dict[str, Any]]:
        """Checked arguments: account, level, requested columns, windows, ids, base params."""
        account = check.check_id(ad_account_id, "ad_account_id")
        lvl = check.check_level(level)
        gran = check.check_granularity(granularity)
        start = check.check_date(start_date, "start_date")
        end = check.check_date(end_date, "end_date")
        cols = check.check_columns(columns)
        attr = check.check_attribution(attribution or Attribution())
        if lvl == "AD_ACCOUNT" and entity_ids is not None:
            raise ValidationError("entity_ids: not used at level AD_ACCOUNT.",
                                  parameter="entity_ids", rule="level")
        ids = check.check_ids(entity_ids, "entity_ids") if entity_ids is not None else None
        check.check_sync_range(start, end, gran, self.today())
        max_range = (
            min(self.config.max_hour_window_days, HOUR_MAX_RANGE_DAYS)
            if gran == "HOUR"
            else min(self.config.max_window_days, SYNC_MAX_RANGE_DAYS)
        )
        windows = date_windows(start, end, max_range)
        params: dict[str, Any] = {
            "granularity": gran,
            "click_window_days": attr.click_window_days,
            "engagement_window_days": attr.engagement_window_days,
            "view_window_days": attr.view_window_days,
            "conversion_report_time": attr.conversion_report_time,
        }
        return account, lvl, cols, windows, ids, params

    def _entity_batches(
        self, account: str, level: str, ids: list[str] | None
    ) -> tuple[list[list[str] | None], list[Fetched[Any]]]:
        """Id batches for the level (None: the account level); the listing used, if any."""
        if level == "AD_ACCOUNT":
            return [None], []
        listing: list[Fetched[Any]] = []
        if ids is None:
            found = self._all_entity_ids(account, level)
            listing.append(found)
            ids = found.data
        return list(batches(ids, self.config.id_batch_size)), listing

    def analytics(
        self,
        ad_account_id: str,
        level: Level,
        *,
        start_date: date,
        end_date: date,
        columns: Sequence[str],
        granularity: str = "DAY",
        entity_ids: Sequence[str] | None = None,
        attribution: Attribution | None = None,
    ) -> Fetched[list[dict[str, Any]]]:
        """Sync analytics rows as Pinterest returns them, merged over windows and id batches.

        `entity_ids=None` at CAMPAIGN / AD_GROUP / AD level means every entity of the account
        that can have delivery (ACTIVE, PAUSED, ARCHIVED).
        """
        account, lvl, cols, windows, ids, params = self._analytics_plan(
            ad_account_id, level, start_date, end_date, columns, granularity, entity_ids,
            attribution,
        )
        gran = str(params["granularity"])
        needs_merge = len(windows) > 1 and gran in MERGING_GRANULARITIES
        send_cols = columns_for_merge(cols) if needs_merge else cols
        id_batches, listing = self._entity_batches(account, lvl, ids)
        if not any(id_batches) and lvl != "AD_ACCOUNT":
            return _combine(listing, [])
        path = _ANALYTICS_PATHS[lvl].format(a=account)
        plan = [(w, b) for w in windows for b in id_batches]

        def task(window: tuple[date, date], batch: list[str] | None) -> Fetched[Any]:
            part = dict(params, start_date=window[0].isoformat(), end_date=window[1].isoformat(),
                        columns=",".join(send_cols))
            if batch is not None:
                part[_ID_PARAMS[lvl]] = batch
            got = self._get(path, category=ADS_ANALYTICS, params=part,
                            ttl_s=self._ttl_for_range(window[1]))
            if not isinstance(got.data, list):
                raise InvalidResponseError(f"GET {path}: expected a list of rows.")
            return got

        parts = self._run([functools.partial(task, w, b) for w, b in plan])
        per_window: list[list[dict[str, Any]]] = [[] for _ in windows]
        for (window, _batch), got in zip(plan, parts, strict=True):
            per_window[windows.index(window)].extend(
                row for row in got.data if isinstance(row, dict)
            )
        if needs_merge:
            rows = merge_rows(per_window, cols, gran)
            rows = strip_columns(rows, [c for c in send_cols if c not in cols])
        else:
            rows = [row for window_rows in per_window for row in window_rows]
            if len(plan) > 1:
                rows = sort_by_date(rows)
        return _combine([*listing, *parts], rows)

    def targeting_analytics(
        self,
        ad_account_id: str,
        level: Level,
        *,
        targeting_types: Sequence[str],
        start_date: date,
        end_date: date,
        columns: Sequence[str],
        granularity: str = "TOTAL",
        entity_ids: Sequence[str] | None = None,
        attribution: Attribution | None = None,
    ) -> Fetched[list[TargetingRow]]:
        """Metrics per targeting value (age bucket, gender, country, ...), merged over splits."""
        account, lvl, cols, windows, ids, params = self._analytics_plan(
            ad_account_id, level, start_date, end_date, columns, granularity, entity_ids,
            attribution,
        )
        types = check.check_targeting_types(lvl, targeting_types)
        gran = str(params["granularity"])
        needs_merge = len(windows) > 1 and gran in MERGING_GRANULARITIES
        send_cols = columns_for_merge(cols) if needs_merge else cols
        id_batches, listing = self._entity_batches(account, lvl, ids)
        if not any(id_batches) and lvl != "AD_ACCOUNT":
            return _combine(listing, [])
        path = _TARGETING_PATHS[lvl].format(a=account)
        plan = [(w, b) for w in windows for b in id_batches]

        def task(window: tuple[date, date], batch: list[str] | None) -> Fetched[Any]:
            part = dict(params, start_date=window[0].isoformat(), end_date=window[1].isoformat(),
                        columns=",".join(send_cols), targeting_types=",".join(types))
            if batch is not None:
                part[_ID_PARAMS[lvl]] = batch
            got = self._get(path, category=ADS_ANALYTICS, params=part,
                            ttl_s=self._ttl_for_range(window[1]))
            data = got.data.get("data") if isinstance(got.data, Mapping) else None
            if not isinstance(data, list):
                raise InvalidResponseError(f"GET {path}: expected an object with a data list.")
            return got

        parts = self._run([functools.partial(task, w, b) for w, b in plan])
        rows = [TargetingRow.from_api(item) for got in parts for item in got.data["data"]]
        if needs_merge:
            rows = _merge_targeting(rows, cols, send_cols)
        return _combine([*listing, *parts], rows)

    # -- audience, resources ------------------------------------------------------------------

    def audience_insights(
        self, ad_account_id: str, audience_insight_type: str = "YOUR_TOTAL_AUDIENCE"
    ) -> Fetched[AudienceInsights]:
        """Audience demographics of the account (`audience_insight_type`, default
        YOUR_TOTAL_AUDIENCE)."""
        account = check.check_id(ad_account_id, "ad_account_id")
        kind = check.check_enum(audience_insight_type, catalogue.AUDIENCE_INSIGHT_TYPES,
                                "audience_insight_type")
        got = self._get(f"/ad_accounts/{account}/audience_insights", category=ADS_READ,
                        params={"audience_insight_type": kind},
                        ttl_s=self.config.ttl_entities_s)
        return _combine([got], AudienceInsights.from_api(got.data))

    def audience_scopes(self, ad_account_id: str) -> Fetched[list[AudienceScope]]:
        """Which audience insights (scope and type) the account has (`insights/audiences`)."""
        account = check.check_id(ad_account_id, "ad_account_id")
        got = self._get(f"/ad_accounts/{account}/insights/audiences", category=ADS_READ,
                        params=None, ttl_s=self.config.ttl_entities_s)
        items = got.data.get("items") if isinstance(got.data, Mapping) else None
        if not isinstance(items, list):
            raise InvalidResponseError("GET insights/audiences: expected an items list.")
        return _combine([got], [AudienceScope.from_api(i) for i in items])

    def delivery_metrics(self, report_type: str | None = None) -> Fetched[list[MetricDefinition]]:
        """Pinterest's metric definitions, optionally only those of `report_type` SYNC or ASYNC."""
        params = None
        if report_type is not None:
            params = {"report_type": check.check_enum(report_type, ("SYNC", "ASYNC"),
                                                      "report_type")}
        got = self._get("/resources/delivery_metrics", category=ADS_READ, params=params,
                        ttl_s=self.config.ttl_closed_s)
        items = got.data.get("items") if isinstance(got.data, Mapping) else None
        if not isinstance(items, list):
            raise InvalidResponseError("GET delivery_metrics: expected an items list.")
        return _combine([got], [MetricDefinition.from_api(i) for i in items])

    def metrics_ready_state(self, day: date) -> Fetched[MetricsReadyState]:
        """Whether Pinterest has finished computing the metrics of `day` (UTC); a
        final answer is cached long, a pending one briefly."""
        when = check.check_date(day, "date")

        def ttl(value: Any) -> float:
            final = isinstance(value, Mapping) and all(value.values())
            return self.config.ttl_closed_s if final else self.config.ttl_recent_s

        got = self._get("/resources/metrics_ready_state", category=ADS_ANALYTICS,
                        params={"date": when.isoformat()}, ttl_s=ttl)
        return _combine([got], MetricsReadyState.from_api(when, got.data))

    def targeting_options(self, targeting_type: str) -> Fetched[dict[str, str]]:
        """A targeting dictionary (e.g. LOCATION: DMA id -> name) as one mapping."""
        kind = check.check_enum(targeting_type, catalogue.TARGETING_OPTION_TYPES,
                                "targeting_type")
        got = self._get(f"/resources/targeting/{kind}", category=ADS_READ, params=None,
                        ttl_s=self.config.ttl_closed_s)
        data = got.data if got.data is not None else []
        if not isinstance(data, list):
            raise InvalidResponseError("GET resources/targeting: expected a list of objects.")
        options: dict[str, str] = {}
        for item in data:
            if not isinstance(item, Mapping):
                raise InvalidResponseError("GET resources/targeting: expected objects.")
            options.update({str(k): str(v) for k, v in item.items()})
        return _combine([got], options)


def _merge_targeting(
    rows: Sequence[TargetingRow], columns: Sequence[str], send_cols: Sequence[str]
) -> list[TargetingRow]:
    """Rows of the same (type, value, entity, DATE) from several windows as one row."""
    groups: dict[tuple[Any, ...], list[TargetingRow]] = {}
    for row in rows:
        ids = tuple(str(row.metrics.get(c)) for c in LEVEL_ID_COLUMNS.values() if c in row.metrics)
        key = (row.targeting_type, row.targeting_value, *ids, row.metrics.get("DATE"))
        groups.setdefault(key, []).append(row)
    extra = [c for c in send_cols if c not in columns]
    merged: list[TargetingRow] = []
    for parts in groups.values():
        metrics = merge_metric_dicts([p.metrics for p in parts], columns)
        for col in extra:
            metrics.pop(col, None)
        merged.append(TargetingRow(parts[0].targeting_type, parts[0].targeting_value, metrics))
    return merged
