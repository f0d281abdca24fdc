"""Async reports: the request rules, the job lifecycle and the report files.

Lifecycle (on the simulator clock): IN_PROGRESS for ``report_delay_s``, then FINISHED (or FAILED
when injected) for one hour, then EXPIRED. The numbers are the sync engine's: ``render`` calls
``MetricsEngine.rows`` / ``targeting_rows`` with the report's level mapped to the sync level.

File layout (Pinterest documents little; choices written down here):
- JSON, ``primary_sort=BY_ID``: ``{entity id: [row, ...]}``; ``BY_DATE``: ``{date: [row, ...]}``
  (TOTAL rows are keyed by the start date). Rows carry the level id column, ``DATE`` for time
  granularities, the requested columns that have a value (not zero-filled), and for targeting
  levels ``TARGETING_TYPE`` / ``TARGETING_VALUE``.
- CSV: a header row (``DATE``, id column, targeting columns, then the requested columns in the
  order asked) and every requested column filled (0 when it has no value).
- Both drop rows whose metric columns are all 0.

(About 500 lines: every level's request rules and file rendering in one place; keywords and
product levels compute their rows in keywords.py and product_catalog.py.)
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pinterest_sim import catalog, keywords, product_catalog
from pinterest_sim.bulk import CAMPAIGN_STATUSES, OBJECTIVE_TYPES
from pinterest_sim.catalog_spec import ASYNC_COLUMNS, REPORT_LEVELS
from pinterest_sim.exceptions import SimError, invalid_parameter
from pinterest_sim.jobs import JobStore, StatusWords, job_status
from pinterest_sim.metrics import ID_COLUMN, Attribution, Level, MetricsEngine
from pinterest_sim.product_catalog import PRODUCT_ITEM_DAYS_BACK, PRODUCT_ITEM_MAX_RANGE_DAYS
from pinterest_sim.targeting import PRODUCT_PAIR
from pinterest_sim.validation import (
    ASYNC_DAYS_BACK,
    ASYNC_MAX_IDS,
    ASYNC_MAX_RANGE_DAYS,
    ATTRIBUTION_TYPES,
    CONVERSION_REPORT_TIMES,
    GRANULARITIES,
    REPORTING_TIMEZONES,
    WINDOW_DAYS,
    DateWindow,
    check_enum,
    check_enum_list,
    check_ids,
    date_window,
    parse_date,
)
from pinterest_sim.world import World

CONTEXT = "Invalid ad account ads analytics parameters."

LEVEL_TO_SYNC: dict[str, Level] = {
    "ADVERTISER": "AD_ACCOUNT", "CAMPAIGN": "CAMPAIGN", "AD_GROUP": "AD_GROUP",
    "PIN_PROMOTION": "AD", "KEYWORD": "AD_GROUP",
    # Product levels split the account's catalog campaigns (product_catalog.py).
    "PRODUCT_GROUP": "AD_ACCOUNT", "PRODUCT_ITEM": "AD_ACCOUNT",
}
PRODUCT_ID_COLUMNS = {"PRODUCT_GROUP": "PRODUCT_GROUP_ID", "PRODUCT_ITEM": "PRODUCT_ITEM_ID"}
AD_STATUSES = ("APPROVED", "PAUSED", "PENDING", "REJECTED", "ADVERTISER_DISABLED", "ARCHIVED",
               "DRAFT", "DELETED_DRAFT")
ASYNC_TARGETING_TYPES = (
    "KEYWORD", "APPTYPE", "GENDER", "LOCATION", "PLACEMENT", "COUNTRY", "TARGETED_INTEREST",
    "PINNER_INTEREST", "AUDIENCE_INCLUDE", "GEO", "AGE_BUCKET", "REGION", "MEDIA_TYPE",
    "AGE_BUCKET_AND_GENDER", "AUDIENCE_MULTIPLIER", "CREATIVE_ENHANCEMENTS",
    "LOCAL_ADS_STORE_CODE",
)
METRICS_FILTER_FIELDS = ("SPEND_IN_DOLLAR", "TOTAL_IMPRESSION")
KNOWN_FIELDS = frozenset({
    "start_date", "end_date", "granularity", "level", "columns", "click_window_days",
    "engagement_window_days", "view_window_days", "conversion_report_time", "attribution_types",
    "campaign_ids", "campaign_statuses", "campaign_objective_types", "campaign_brand_label",
    "ad_group_ids", "ad_group_statuses", "ad_ids", "ad_statuses", "product_group_ids",
    "product_group_statuses", "product_item_ids", "targeting_types", "metrics_filters",
    "custom_conversion_event_metrics", "combine_targeting_types", "start_hour", "end_hour",
    "primary_sort", "report_format", "reporting_timezone",
})
NON_METRIC_KEYS = frozenset({"DATE", "TARGETING_TYPE", "TARGETING_VALUE", "PRODUCT_ITEM_PRICE"}) | (
    catalog.ATTRIBUTE_COLUMNS)


def _fail(message: str) -> SimError:
    return invalid_parameter(f"{CONTEXT} {message}")


def _str_list(body: dict[str, Any], name: str) -> list[str] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(f"Field '{name}' must be an array of strings.")
    return list(value)


def _window_days(body: dict[str, Any], name: str, default: int) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value not in WINDOW_DAYS:
        raise _fail(f"Field '{name}' must be one of {', '.join(map(str, WINDOW_DAYS))} "
                    f"(was {value!r}).")
    return value


@dataclass(frozen=True)
class MetricsFilter:
    field: str
    operator: str
    values: tuple[float, ...]

    def keeps(self, row: dict[str, Any]) -> bool:
        value = float(row.get(self.field, 0) or 0)
        if self.operator == "GREATER_THAN":
            return all(value > v for v in self.values)
        return all(value < v for v in self.values)


@dataclass(frozen=True)
class ReportRequest:
    """A validated ``AdsAnalyticsCreateAsyncRequest``."""

    account_id: str
    window: DateWindow
    granularity: str
    level: str
    columns: tuple[str, ...]
    attribution: Attribution
    campaign_ids: tuple[str, ...] | None = None
    ad_group_ids: tuple[str, ...] | None = None
    ad_ids: tuple[str, ...] | None = None
    campaign_statuses: tuple[str, ...] | None = None
    ad_group_statuses: tuple[str, ...] | None = None
    ad_statuses: tuple[str, ...] | None = None
    campaign_objective_types: tuple[str, ...] | None = None
    targeting_types: tuple[str, ...] = ()
    product_group_ids: tuple[str, ...] | None = None
    product_item_ids: tuple[str, ...] | None = None
    metrics_filters: tuple[MetricsFilter, ...] = ()
    start_hour: int | None = None
    end_hour: int | None = None
    primary_sort: str = "BY_ID"
    report_format: str = "JSON"

    @property
    def sync_level(self) -> Level:
        return LEVEL_TO_SYNC[self.level.removesuffix("_TARGETING")]

    @property
    def is_targeting(self) -> bool:
        return self.level.endswith("_TARGETING")

    @property
    def id_column(self) -> str:
        if self.level == "KEYWORD":
            return "KEYWORD_ID"
        return PRODUCT_ID_COLUMNS.get(self.base_level) or ID_COLUMN[self.sync_level]

    @property
    def base_level(self) -> str:
        return self.level.removesuffix("_TARGETING")

    @classmethod
    def parse(cls, body: Any, today: date, account_id: str, world: World) -> ReportRequest:
        if not isinstance(body, dict):
            raise _fail("The request body must be a JSON object.")
        unknown = sorted(set(body) - KNOWN_FIELDS)
        if unknown:
            raise _fail(f"Unknown field(s): {', '.join(unknown)}.")
        for name in ("start_date", "end_date", "granularity", "level", "columns"):
            if body.get(name) in (None, "", []):
                raise _fail(f"Field '{name}' is required.")
        for name in ("start_date", "end_date", "granularity", "level"):
            if not isinstance(body[name], str):
                raise _fail(f"Field '{name}' must be a string.")
        start = parse_date(body["start_date"], "start_date", CONTEXT)
        end = parse_date(body["end_date"], "end_date", CONTEXT)
        granularity = check_enum(body["granularity"], "granularity", GRANULARITIES, CONTEXT)
        level = check_enum(body["level"], "level", REPORT_LEVELS, CONTEXT)
        if level.removesuffix("_TARGETING") not in LEVEL_TO_SYNC:
            raise _fail(f"Field 'level' {level!r} is not available in the simulator (supported: "
                        "ADVERTISER, CAMPAIGN, AD_GROUP, PIN_PROMOTION, their _TARGETING "
                        "forms, KEYWORD, PRODUCT_GROUP, PRODUCT_ITEM and their _TARGETING "
                        "forms).")
        item_level = level.startswith("PRODUCT_ITEM")
        window = date_window(
            start, end, granularity, today, CONTEXT,
            days_back=PRODUCT_ITEM_DAYS_BACK if item_level else ASYNC_DAYS_BACK,
            max_range=PRODUCT_ITEM_MAX_RANGE_DAYS if item_level else ASYNC_MAX_RANGE_DAYS)
        columns = _str_list(body, "columns") or []
        check_enum_list(columns, "columns", set(ASYNC_COLUMNS), CONTEXT, min_items=1)
        attribution = Attribution(
            click_window_days=_window_days(body, "click_window_days", 30),
            engagement_window_days=_window_days(body, "engagement_window_days", 30),
            view_window_days=_window_days(body, "view_window_days", 1),
            conversion_report_time=check_enum(
                str(body.get("conversion_report_time", "TIME_OF_AD_ACTION")),
                "conversion_report_time", CONVERSION_REPORT_TIMES, CONTEXT),
        )
        check_enum_list(_str_list(body, "attribution_types") or [], "attribution_types",
                        ATTRIBUTION_TYPES, CONTEXT, max_items=2)
        if body.get("reporting_timezone") is not None:
            check_enum(str(body["reporting_timezone"]), "reporting_timezone",
                       REPORTING_TIMEZONES, CONTEXT)

        def ids(name: str) -> tuple[str, ...] | None:
            items = _str_list(body, name)
            if items is None:
                return None
            return tuple(check_ids(items, name, CONTEXT, max_items=ASYNC_MAX_IDS))

        def statuses(name: str, allowed: Sequence[str], most: int) -> tuple[str, ...] | None:
            items = _str_list(body, name)
            if items is None:
                return None
            return tuple(check_enum_list(items, name, allowed, CONTEXT, min_items=1,
                                         max_items=most))

        targeting = _str_list(body, "targeting_types")
        if level.endswith("_TARGETING"):
            served = catalog.TARGETING_TYPES_BY_LEVEL[LEVEL_TO_SYNC[level.removesuffix(
                "_TARGETING")]]
            if targeting is None:
                targeting = default_targeting_types(served)
            check_enum_list(targeting, "targeting_types", ASYNC_TARGETING_TYPES, CONTEXT,
                            min_items=1, max_items=None if "targeting_types" not in body else 5)
            for t in targeting:
                if t not in served:
                    raise _fail(f"Field 'targeting_types' value {t!r} is not available at "
                                f"level {level}.")
        elif targeting:
            raise _fail("Field 'targeting_types' needs a *_TARGETING level.")

        request = cls(
            account_id=account_id, window=window, granularity=granularity, level=level,
            columns=tuple(dict.fromkeys(columns)), attribution=attribution,
            campaign_ids=ids("campaign_ids"), ad_group_ids=ids("ad_group_ids"),
            ad_ids=ids("ad_ids"),
            campaign_statuses=statuses("campaign_statuses", CAMPAIGN_STATUSES, 6),
            ad_group_statuses=statuses("ad_group_statuses", CAMPAIGN_STATUSES, 6),
            ad_statuses=statuses("ad_statuses", AD_STATUSES, 6),
            campaign_objective_types=statuses("campaign_objective_types", OBJECTIVE_TYPES, 7),
            targeting_types=tuple(targeting or ()),
            product_group_ids=ids("product_group_ids"), product_item_ids=ids("product_item_ids"),
            metrics_filters=_metrics_filters(body.get("metrics_filters")),
            start_hour=_hour(body, "start_hour"), end_hour=_hour(body, "end_hour"),
            primary_sort=check_enum(str(body.get("primary_sort", "BY_ID")), "primary_sort",
                                    ("BY_ID", "BY_DATE"), CONTEXT),
            report_format=check_enum(str(body.get("report_format", "JSON")), "report_format",
                                     ("JSON", "CSV"), CONTEXT),
        )
        request.entity_ids(world)  # reject filters the level cannot honour now, not later
        return request

    # ----- which entities ----------------------------------------------------------------

    def entity_ids(self, world: World) -> list[str] | None:
        """Ids at the report's level selected by the filters (None: the whole account)."""
        level = self.sync_level
        campaign_filters = (self.campaign_ids, self.campaign_statuses,
                            self.campaign_objective_types)
        group_filters = (self.ad_group_ids, self.ad_group_statuses)
        ad_filters = (self.ad_ids, self.ad_statuses)
        if level == "AD_ACCOUNT":
            if any(f is not None for f in (*campaign_filters, *group_filters, *ad_filters)):
                raise _fail("Entity filters need level CAMPAIGN, AD_GROUP or PIN_PROMOTION.")
            return None
        if level == "CAMPAIGN" and any(f is not None for f in (*group_filters, *ad_filters)):
            raise _fail("Ad group and ad filters need level AD_GROUP or PIN_PROMOTION.")
        if level == "AD_GROUP" and any(f is not None for f in ad_filters):
            raise _fail("Ad filters need level PIN_PROMOTION.")
        if all(f is None for f in (*campaign_filters, *group_filters, *ad_filters)):
            return None
        account = self.account_id
        campaigns = {c.id for c in world.campaigns(account) if self._campaign_ok(c)}
        if level == "CAMPAIGN":
            return [c.id for c in world.campaigns(account) if c.id in campaigns]
        groups = {g.id for g in world.ad_groups(account)
                  if g.campaign_id in campaigns and _in(g.id, self.ad_group_ids)
                  and _in(g.summary_status, self.ad_group_statuses)}
        if level == "AD_GROUP":
            return [g.id for g in world.ad_groups(account) if g.id in groups]
        return [a.id for a in world.ads(account)
                if a.ad_group_id in groups and _in(a.id, self.ad_ids)
                and _in(a.summary_status, self.ad_statuses)]

    def _campaign_ok(self, campaign: Any) -> bool:
        return (_in(campaign.id, self.campaign_ids)
                and _in(campaign.summary_status, self.campaign_statuses)
                and _in(campaign.objective_type, self.campaign_objective_types))

    # ----- the file ------------------------------------------------------------------------

    def rows(self, engine: MetricsEngine, world: World) -> list[dict[str, Any]]:
        ids = self.entity_ids(world)
        if ids is not None and not ids:
            return []
        extra = [f.field for f in self.metrics_filters if f.field not in self.columns]
        columns = [*self.columns, *extra]
        start, end = self.window.start, self.window.end
        if self.base_level in PRODUCT_ID_COLUMNS:
            rows = product_rows(engine, world, self, columns)
        elif self.level == "KEYWORD":
            rows = keyword_rows(engine, world, self.account_id, ids, start, end,
                                self.granularity, columns, self.attribution)
        elif self.is_targeting:
            rows = [
                {"TARGETING_TYPE": r["targeting_type"], "TARGETING_VALUE": r["targeting_value"],
                 **r["metrics"]}
                for r in engine.targeting_rows(self.account_id, self.sync_level, ids,
                                               self.targeting_types, start, end,
                                               self.granularity, columns, self.attribution)
            ]
        else:
            rows = engine.rows(self.account_id, self.sync_level, ids, start, end,
                               self.granularity, columns, self.attribution)
        rows = [r for r in rows if all(f.keeps(r) for f in self.metrics_filters)]
        if self.granularity == "HOUR" and (self.start_hour is not None
                                           or self.end_hour is not None):
            low = self.start_hour or 0
            high = 23 if self.end_hour is None else self.end_hour
            rows = [r for r in rows if low <= int(str(r.get("DATE", "0000-00-00 00"))[11:13] or 0)
                    <= high]
        for row in rows:
            for name in extra:
                row.pop(name, None)
        return [r for r in rows if _has_metric(r)]

    def render(self, engine: MetricsEngine, world: World) -> bytes:
        rows = self.rows(engine, world)
        if self.report_format == "CSV":
            return self._csv(rows)
        return self._json(rows)

    def _json(self, rows: list[dict[str, Any]]) -> bytes:
        grouped: dict[str, list[dict[str, Any]]] = {}
        id_col = self.id_column
        for row in rows:
            if self.primary_sort == "BY_DATE":
                key = str(row.get("DATE", self.window.start.isoformat()))
            else:
                key = str(row.get(id_col, self.account_id))
            grouped.setdefault(key, []).append(row)
        return json.dumps(grouped, separators=(",", ":")).encode()

    def _csv(self, rows: list[dict[str, Any]]) -> bytes:
        header: list[str] = []
        if self.granularity != "TOTAL":
            header.append("DATE")
        header.append(self.id_column)
        if self.is_targeting:
            header += ["TARGETING_TYPE", "TARGETING_VALUE"]
        header += [c for c in self.columns if c not in header]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180; also quotes a bare CR
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(c, 0) for c in header])
        return out.getvalue().encode()


def default_targeting_types(served: Sequence[str]) -> list[str]:
    """Without ``targeting_types`` a *_TARGETING report breaks down by every async targeting
    type the level serves (Pinterest's spec marks the field optional and names no default; this
    is the reading that loses no breakdown a client could have asked for)."""
    return [t for t in ASYNC_TARGETING_TYPES if t in served]


def keyword_rows(engine: MetricsEngine, world: World, account_id: str,
                 group_ids: list[str] | None, start: date, end: date, granularity: str,
                 columns: Sequence[str], attribution: Attribution) -> list[dict[str, Any]]:
    """KEYWORD level: each ad group's KEYWORD breakdown, a row per keyword entity (see
    keywords.py), so a keyword's rows sum to its ad group's."""
    ids = keywords.keyword_ids_by_group_and_text(world, account_id)
    out: list[dict[str, Any]] = []
    for r in engine.targeting_rows(account_id, "AD_GROUP", group_ids, ["KEYWORD"], start, end,
                                   granularity, columns, attribution):
        metrics = r["metrics"]
        out.append({"KEYWORD_ID": ids[(str(metrics["AD_GROUP_ID"]), r["targeting_value"])],
                    **metrics})
    return out


def product_rows(engine: MetricsEngine, world: World, request: ReportRequest,
                 columns: Sequence[str]) -> list[dict[str, Any]]:
    """PRODUCT_GROUP / PRODUCT_ITEM: the catalog campaigns' totals split across the account's
    product groups or items (product_catalog.py); each level sums to those campaigns' total.
    Their _TARGETING forms split the same total across (product, targeting value) pairs, per
    targeting type."""
    campaigns = product_catalog.catalog_campaign_ids(world, request.account_id)
    if not campaigns:
        return []
    account = world.account(request.account_id)
    assert account is not None
    id_col = request.id_column
    items = {i.id: i for i in product_catalog.product_items(account)}
    out: list[dict[str, Any]] = []
    base = request.base_level
    types = ([f"{base}{PRODUCT_PAIR}{t}" for t in request.targeting_types] if request.is_targeting
             else [base])
    for r in engine.targeting_rows(request.account_id, "AD_ACCOUNT", campaigns, types,
                                   request.window.start, request.window.end, request.granularity,
                                   columns, request.attribution):
        pid, _, value = str(r["targeting_value"]).partition(PRODUCT_PAIR)
        item = items.get(pid)
        group_id = item.product_group_id if item is not None else pid
        if not (_in(group_id, request.product_group_ids)
                and (item is None or _in(pid, request.product_item_ids))):
            continue
        row: dict[str, Any] = {id_col: pid, **r["metrics"]}
        if request.is_targeting:
            row = {id_col: pid, "TARGETING_TYPE": r["targeting_type"].partition(PRODUCT_PAIR)[2],
                   "TARGETING_VALUE": value, **r["metrics"]}
        if item is not None:
            extra = {"PRODUCT_GROUP_ID": item.product_group_id, "PRODUCT_ITEM_NAME": item.name,
                     "PRODUCT_ITEM_PRICE": item.price}
            row.update((k, v) for k, v in extra.items() if k in request.columns)
        out.append(row)
    return out


def _in(value: str, allowed: Sequence[str] | None) -> bool:
    return allowed is None or value in allowed


def _has_metric(row: dict[str, Any]) -> bool:
    return any(isinstance(v, int | float) and not isinstance(v, bool) and v != 0
               for k, v in row.items() if k not in NON_METRIC_KEYS)


def _hour(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 23:
        raise _fail(f"Field '{name}' must be an integer 0-23 (was {value!r}).")
    return value


def _metrics_filters(value: Any) -> tuple[MetricsFilter, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not value:
        raise _fail("Field 'metrics_filters' must be a non-empty array.")
    out: list[MetricsFilter] = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"field", "operator", "values"}:
            raise _fail("Each 'metrics_filters' item needs exactly 'field', 'operator', 'values'.")
        check_enum(str(item["field"]), "metrics_filters.field", METRICS_FILTER_FIELDS, CONTEXT)
        check_enum(str(item["operator"]), "metrics_filters.operator",
                   ("LESS_THAN", "GREATER_THAN"), CONTEXT)
        numbers = item["values"]
        if (not isinstance(numbers, list) or not numbers
                or not all(isinstance(n, int | float) and not isinstance(n, bool)
                           for n in numbers)):
            raise _fail("Field 'metrics_filters.values' must be a non-empty array of numbers.")
        out.append(MetricsFilter(item["field"], item["operator"], tuple(float(n) for n in numbers)))
    return tuple(out)


# ----- jobs ----------------------------------------------------------------------------------

REPORT_STATUS_WORDS = StatusWords(running="IN_PROGRESS", failed="FAILED", done="FINISHED")


@dataclass
class ReportJob:
    token: str
    account_id: str
    request: ReportRequest
    created_at: datetime
    ready_at: datetime
    fails: bool
    content: bytes | None = None
    render_failed: bool = False
    done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def file_name(self) -> str:
        return "metrics_report." + ("csv" if self.request.report_format == "CSV" else "json")

    @property
    def content_type(self) -> str:
        return "text/csv" if self.request.report_format == "CSV" else "application/json"

    def status(self, now: datetime, lifetime_s: float) -> str:
        return job_status(REPORT_STATUS_WORDS, now, self.ready_at, self.fails, lifetime_s)


@dataclass
class ReportStore(JobStore[ReportJob]):
    """Report jobs by token (random, like Pinterest's)."""

    def create(self, account_id: str, request: ReportRequest, now: datetime,
               lifetime_s: float = 3600.0) -> ReportJob:
        with self._lock:
            # Expired reports keep their status but not their file (a long demo stays small).
            for old in self._jobs.values():
                if old.content is not None and now >= old.ready_at + timedelta(seconds=lifetime_s):
                    old.content = None
        return self._add(now, lambda _n: secrets.token_hex(20),
                         lambda token, ready_at, fails: ReportJob(
                             token, account_id, request, now, ready_at, fails))

    def by_token(self, token: str) -> ReportJob | None:
        return self.by_key(token)
