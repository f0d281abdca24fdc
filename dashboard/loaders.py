"""Page data: everything a page needs, fetched at once, turned into pandas frames.

Each `load_*` function asks the client for all of a page's calls concurrently (a small thread
pool over the client, which is thread-safe and does its own caching, rate limiting, splitting
and retries) and returns one frozen dataclass with frames and the data's freshness.

Every analytics rows request of every page goes through `fetch_analytics_rows` (and targeting
breakdowns through `fetch_targeting_rows`): the one place that decides how a range is fetched.
"""

from __future__ import annotations

import contextvars
import math
import numbers
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, Literal, TypeVar

import numpy as np
import pandas as pd

from dashboard.countries import country_name, region_name
from dashboard.errors import DataUnavailable, describe_error
from dashboard.filters import Filters, sync_reachable
from dashboard.kpis import (
    BASE_COLUMNS,
    CLICKS,
    CONVERSION_VALUE,
    CONVERSIONS,
    IMPRESSIONS,
    KPI_SPECS,
    SPEND,
    Kpis,
    budget_pacing,
    kpis_from_rows,
)
from dashboard.long_range import fetch_long_range_rows, fetch_long_range_targeting_rows
from pinterest_client import Attribution, Fetched, PinterestClient, PinterestError

Level = Literal["AD_ACCOUNT", "CAMPAIGN", "AD_GROUP", "AD"]
T = TypeVar("T")

# HOUR rows carry no conversion metrics at Pinterest: ask only for what it serves.
HOURLY_COLUMNS: Final[tuple[str, ...]] = (SPEND, IMPRESSIONS, CLICKS)
ALL_STATUSES: Final[tuple[str, ...]] = ("ACTIVE", "PAUSED", "ARCHIVED")
MAX_PARALLEL_CALLS: Final = 6

# Frame columns computed from each row's own sums (money in micro units).
KPI_COLUMNS: Final[dict[str, str]] = {
    "spend": SPEND,
    "impressions": IMPRESSIONS,
    "clicks": CLICKS,
    "ctr": "ctr",
    "cpc": "cpc_micro",
    "cpm": "cpm_micro",
    "conversions": CONVERSIONS,
    "conversion_value": CONVERSION_VALUE,
    "roas": "roas",
    "cpa": "cpa_micro",
}



def metric_column_kinds() -> dict[str, str]:
    """Frame column -> display kind for the ten KPI columns, in tile order."""
    return {KPI_COLUMNS[spec.name]: spec.kind for spec in KPI_SPECS}


def metric_column_labels() -> dict[str, str]:
    """Frame column -> label ("Spend", "CTR", ...) for the ten KPI columns."""
    return {KPI_COLUMNS[spec.name]: spec.label for spec in KPI_SPECS}


TARGETING_TYPES: Final[tuple[str, ...]] = (
    "AGE_BUCKET",
    "GENDER",
    "APPTYPE",
    "LOCATION",
    "COUNTRY",
    "REGION",
    "PLACEMENT",
    "KEYWORD",
    "TARGETED_INTEREST",
)
AUDIENCE_INSIGHT_TYPES: Final[dict[str, str]] = {
    "YOUR_TOTAL_AUDIENCE": "Your total audience",
    "YOUR_ENGAGED_AUDIENCE": "Your engaged audience",
    "PINTEREST_TOTAL_AUDIENCE": "Pinterest total audience",
}


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def field_of(obj: object, name: str, default: Any = None) -> Any:
    """A field of a client model (dataclass attribute) or of a plain mapping."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def attribution_for(filters: Filters) -> Attribution:
    return Attribution(
        click_window_days=filters.click_window_days,
        engagement_window_days=filters.engagement_window_days,
        view_window_days=filters.view_window_days,
        conversion_report_time=filters.conversion_report_time,
    )


def gather(tasks: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run a page's calls at once; each result is the value or the exception it raised.

    Exceptions are returned, not raised, so a page can show what it has and explain the rest.
    """
    if not tasks:
        return {}
    results: dict[str, Any] = {}
    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_CALLS, len(tasks))) as pool:
        # Each task runs in a copy of the caller's context (a page's long-range progress
        # listener, dashboard.long_range.PROGRESS_LISTENER, follows it into the thread).
        futures = {
            name: pool.submit(contextvars.copy_context().run, task)
            for name, task in tasks.items()
        }
        for name, future in futures.items():
            try:
                results[name] = future.result()
            except Exception as exc:  # handed to the page, which explains it
                results[name] = exc
    return results


def unwrap(result: Any) -> Any:
    """A gathered result, raising the exception it holds."""
    if isinstance(result, BaseException):
        raise result
    return result


@dataclass(frozen=True)
class Freshness:
    """How fresh a page's data is: the oldest fetch, and whether any part is a stale copy."""

    fetched_at: float
    stale: bool = False
    reasons: tuple[str, ...] = ()

    def age_s(self, now: float | None = None) -> float:
        return max(0.0, (time.time() if now is None else now) - self.fetched_at)


def freshness_of(
    fetched: Iterable[Fetched[Any]], supporting: Iterable[Fetched[Any]] = ()
) -> Freshness:
    """The age of the page's own data (`fetched`: its oldest part) and whether any part,
    supporting ones included, is a stale copy. Supporting parts (names, definitions, a closed
    comparison period) are kept for hours: counting their age would say "updated 15 min ago"
    of numbers fetched seconds ago."""
    primary = list(fetched)
    parts = [*primary, *supporting]
    if not parts:
        return Freshness(fetched_at=time.time())
    # One reason per kind of error (two 429s differ only in their seconds to wait).
    by_kind: dict[type, str] = {}
    for part in parts:
        if part.stale and part.error is not None:
            by_kind.setdefault(type(part.error), describe_error(part.error))
    reasons = tuple(by_kind.values())
    return Freshness(
        fetched_at=min(f.fetched_at for f in primary or parts),
        stale=any(f.stale for f in parts),
        reasons=reasons,
    )


# ---------------------------------------------------------------------------------------------
# The one way analytics rows are fetched
# ---------------------------------------------------------------------------------------------


def fetch_analytics_rows(
    client: PinterestClient,
    account_id: str,
    level: Level,
    *,
    start: date,
    end: date,
    columns: Sequence[str],
    granularity: str,
    entity_ids: Sequence[str] | None = None,
    attribution: Attribution | None = None,
    today: date,
) -> Fetched[list[dict[str, Any]]]:
    """Analytics rows for a range at one level: every page's analytics go through here.

    Live (sync) analytics reach 90 days back; older ranges come from async reports through
    the local report store (dashboard.long_range), in the same row shape. HOUR never asks for
    conversion columns, which Pinterest does not serve hourly.
    """
    if not sync_reachable(start, today):
        return fetch_long_range_rows(
            client, account_id, level, start=start, end=end, columns=columns,
            granularity=granularity, entity_ids=entity_ids, attribution=attribution, today=today,
        )
    if granularity == "HOUR":
        columns = [c for c in columns if c in HOURLY_COLUMNS]
    if entity_ids is not None and not entity_ids:
        return Fetched(data=[], stale=False, fetched_at=time.time(), error=None)
    return client.analytics(
        account_id,
        level,
        start_date=start,
        end_date=end,
        columns=list(columns),
        granularity=granularity,
        entity_ids=None if entity_ids is None else list(entity_ids),
        attribution=attribution,
    )


def fetch_targeting_rows(
    client: PinterestClient,
    account_id: str,
    level: Level,
    *,
    targeting_types: Sequence[str],
    start: date,
    end: date,
    columns: Sequence[str],
    entity_ids: Sequence[str] | None = None,
    attribution: Attribution | None = None,
    today: date,
) -> Fetched[list[Any]]:
    """Targeting breakdown rows (TOTAL granularity); same range rules as analytics rows
    (older than 90 days: *_TARGETING async reports, dashboard.long_range)."""
    if not sync_reachable(start, today):
        return fetch_long_range_targeting_rows(
            client, account_id, level, targeting_types=targeting_types, start=start, end=end,
            columns=columns, entity_ids=entity_ids, attribution=attribution, today=today,
        )
    if entity_ids is not None and not entity_ids:
        return Fetched(data=[], stale=False, fetched_at=time.time(), error=None)
    return client.targeting_analytics(
        account_id,
        level,
        targeting_types=list(targeting_types),
        start_date=start,
        end_date=end,
        columns=list(columns),
        granularity="TOTAL",
        entity_ids=None if entity_ids is None else list(entity_ids),
        attribution=attribution,
    )


# ---------------------------------------------------------------------------------------------
# Frames
# ---------------------------------------------------------------------------------------------


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Element-wise numerator / denominator with NaN where the denominator is zero."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator != 0, numerator / denominator, np.nan)


def _kpi_arrays(base: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The ratio KPI columns from each row's sums of the base columns."""
    return {
        "ctr": _ratio(base[CLICKS], base[IMPRESSIONS]),
        "cpc_micro": _ratio(base[SPEND], base[CLICKS]),
        "cpm_micro": _ratio(base[SPEND], base[IMPRESSIONS]) * 1000,
        "roas": _ratio(base[CONVERSION_VALUE], base[SPEND]),
        "cpa_micro": _ratio(base[SPEND], base[CONVERSIONS]),
    }


def add_kpi_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Adds the base columns (0 when absent) and the ratio KPI columns, from each row's sums.

    Built as one new frame: inserting a dozen columns one by one costs pandas far more than
    the arithmetic (it was most of a warm page load)."""
    rows = len(frame)
    base = {
        column: (pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=0.0)
                 if column in frame else np.zeros(rows))
        for column in BASE_COLUMNS
    }
    columns: dict[str, Any] = {c: base.get(c, frame[c]) for c in frame.columns}
    columns.update(base)
    columns.update(_kpi_arrays(base))
    return pd.DataFrame(columns, index=frame.index)


def rows_to_frame(rows: Sequence[Mapping[str, Any]], id_column: str | None = None) -> pd.DataFrame:
    """API rows to a frame with numeric base columns (ids kept as strings)."""
    frame = pd.DataFrame(list(rows))
    if id_column and id_column in frame:
        frame[id_column] = frame[id_column].astype(str)
    return add_kpi_columns(frame)


def _number(value: object) -> float:
    """A metric value as a float (0 for missing, unreadable or NaN values, as the API's
    nulls)."""
    if isinstance(value, bool):
        return 0.0
    try:
        number = float(value) if isinstance(value, numbers.Real) else float(str(value))
    except ValueError:
        return 0.0
    return number if math.isfinite(number) else 0.0


def series_frame(
    rows: Sequence[Mapping[str, Any]], granularity: str, start: date, end: date
) -> pd.DataFrame:
    """Rows with DATE to a time series: one row per period, summed; empty periods filled with 0.

    WEEK and MONTH rows are summed into the calendar week (Monday) or month holding their DATE,
    every bucket from `start` to `end` gets a row, and each row says how much of its bucket the
    range covers: `period` (its name, "Sep 2026", "Week of 1 Sep"), `days` of `period_days`,
    `partial` when the range cuts it (a 1-day "month" must not read as a collapse)."""
    # Imported here so this function's change stays within it (periods.py needs no loaders).
    from dashboard.periods import bucket_start, period_label, periods

    width = len(BASE_COLUMNS)
    sums: dict[str, list[float]] = {}
    for row in rows:
        label = row.get("DATE")
        if label is None:
            continue
        totals = sums.setdefault(str(label), [0.0] * width)
        for i, column in enumerate(BASE_COLUMNS):
            totals[i] += _number(row.get(column))
    # Unreadable or zoned labels are dropped (coerced to NaT), never a crash of the page.
    # Pinterest's dates are UTC: a zoned label is read as UTC and its zone dropped.
    stamps = pd.to_datetime(list(sums), errors="coerce", format="mixed", utc=True)
    by_time = {stamp: totals
               for stamp, totals in zip(stamps.tz_convert(None), sums.values(), strict=True)
               if not pd.isna(stamp)}
    with_year = start.year != end.year
    names: dict[pd.Timestamp, str] = {}
    coverage: dict[pd.Timestamp, tuple[int, int]] = {}
    if granularity == "DAY":
        zeros = [0.0] * width
        by_time = {day: by_time.get(day, zeros) for day in pd.date_range(start, end, freq="D")}
    elif granularity in ("WEEK", "MONTH"):
        buckets = {pd.Timestamp(p.start): p for p in periods(start, end, granularity)}
        merged: dict[pd.Timestamp, list[float]] = {key: [0.0] * width for key in buckets}
        for stamp, totals in by_time.items():
            key = pd.Timestamp(bucket_start(stamp.date(), granularity))
            if key in merged:  # as for days, a row outside the range is not drawn
                merged[key] = [a + b for a, b in zip(merged[key], totals, strict=True)]
        by_time = merged
        coverage = {key: (p.days, p.length) for key, p in buckets.items()}
    times = sorted(by_time)
    for stamp in times:
        if granularity == "HOUR":
            names[stamp] = f"{stamp.day} {stamp.strftime('%b')} {stamp.strftime('%H')}:00"
        else:
            names[stamp] = period_label(stamp.date(), granularity, with_year=with_year)
    matrix = np.array([by_time[t] for t in times], dtype=float).reshape(len(times), width)
    base = {column: matrix[:, i] for i, column in enumerate(BASE_COLUMNS)}
    columns: dict[str, Any] = {"time": pd.DatetimeIndex(times, dtype="datetime64[ns]")}
    columns.update(base)
    columns.update(_kpi_arrays(base))
    days = [coverage.get(t, (1, 1)) for t in times]
    columns["period"] = [names[t] for t in times]
    columns["days"] = np.array([d for d, _ in days], dtype=int)
    columns["period_days"] = np.array([n for _, n in days], dtype=int)
    columns["partial"] = np.array([d < n for d, n in days], dtype=bool)
    return pd.DataFrame(columns)


# ---------------------------------------------------------------------------------------------
# Accounts and metric definitions
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountInfo:
    id: str
    name: str
    currency: str
    country: str

    @property
    def label(self) -> str:
        return f"{self.name} · {self.id} · {self.currency}"


def account_info(account: object) -> AccountInfo:
    return AccountInfo(
        id=str(field_of(account, "id", "")),
        name=str(field_of(account, "name", "") or "Unnamed account"),
        currency=str(field_of(account, "currency", "") or "USD"),
        country=str(field_of(account, "country", "") or ""),
    )


def load_accounts(client: PinterestClient) -> tuple[list[AccountInfo], Freshness]:
    fetched = client.list_ad_accounts()
    return [account_info(a) for a in fetched.data], freshness_of([fetched])


@dataclass(frozen=True)
class MetricInfo:
    name: str
    display_name: str
    definition: str
    category: str


def metric_definitions(client: PinterestClient) -> dict[str, MetricInfo]:
    """Pinterest's delivery_metrics by column name (labels and help text for tiles and charts)."""
    fetched = client.delivery_metrics()
    out: dict[str, MetricInfo] = {}
    for item in fetched.data:
        name = str(field_of(item, "name", ""))
        if not name:
            continue
        out[name] = MetricInfo(
            name=name,
            display_name=str(field_of(item, "display_name", None) or name),
            definition=str(field_of(item, "definition", None) or ""),
            category=str(field_of(item, "category", None) or ""),
        )
    return out


def glossary_frame(definitions: Mapping[str, MetricInfo]) -> pd.DataFrame:
    """One row per metric, by name; no two rows read the same (see _distinct_names)."""
    frame = pd.DataFrame(
        [
            {
                "Metric": d.display_name,
                "Column": d.name,
                "Definition": d.definition,
                "Category": d.category,
            }
            for d in definitions.values()
        ],
        columns=["Metric", "Column", "Definition", "Category"],
    )
    frame["Metric"] = _distinct_names(frame["Metric"], frame["Column"])
    frame = frame.sort_values(["Metric", "Column"], key=lambda s: s.str.lower())
    return frame.reset_index(drop=True)


def _distinct_names(names: pd.Series, columns: pd.Series) -> pd.Series:
    """Display names made unique. Pinterest gives some metrics the same name (CAMPAIGN_STATUS
    and CAMPAIGN_ENTITY_STATUS are both "Campaign status"): each gets the words of its API
    column that the others of its name lack, "Campaign status (entity)"; the whole column when
    that is not enough."""
    names = names.str.strip()
    out = names.copy()
    for _, index in names.groupby(names.str.lower()).groups.items():
        if len(index) < 2:
            continue
        words = {i: str(columns[i]).lower().split("_") for i in index}
        common = set.intersection(*(set(w) for w in words.values()))
        for i in index:
            extra = " ".join(w for w in words[i] if w not in common)
            out[i] = f"{names[i]} ({extra})" if extra else names[i]
        if out[index].str.lower().duplicated().any():
            out[index] = names[index] + " (" + columns[index] + ")"
    return out


def search_glossary(frame: pd.DataFrame, text: str) -> pd.DataFrame:
    """Rows whose name, column or definition contain every word of `text` (any case)."""
    words = [w for w in text.lower().split() if w]
    if not words:
        return frame
    haystack = (frame["Metric"] + " " + frame["Column"] + " " + frame["Definition"]).str.lower()
    mask = pd.Series(True, index=frame.index)
    for word in words:
        mask &= haystack.str.contains(word, regex=False)
    return frame[mask]


# ---------------------------------------------------------------------------------------------
# Overview
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadyInfo:
    day: date
    conversions_final: bool
    others_final: bool

    @property
    def final(self) -> bool:
        return self.conversions_final and self.others_final


@dataclass(frozen=True)
class OverviewData:
    kpis: Kpis
    previous_kpis: Kpis | None
    compare_note: str | None
    series: pd.DataFrame
    previous_series: pd.DataFrame | None
    granularity: str
    ready: ReadyInfo | None
    definitions: dict[str, MetricInfo]
    freshness: Freshness
    notes: tuple[str, ...] = field(default=())
    # Tiles with a fair comparison (None: all). Today so far is compared with the same hours
    # before, which Pinterest gives for spend, impressions and clicks only.
    comparable: frozenset[str] | None = None

    @property
    def same_hours(self) -> bool:
        """The comparison covers the same hours of the previous period, not whole days."""
        return self.comparable is not None

    @property
    def has_conversion_series(self) -> bool:
        return self.granularity != "HOUR"


# What hourly rows can compare: the tiles computed from spend, impressions and clicks alone.
HOURLY_KPIS: Final = frozenset({"spend", "impressions", "clicks", "ctr", "cpc", "cpm"})


def same_hours_kpis(rows: Iterable[Mapping[str, Any]], cutoff: datetime) -> Kpis:
    """Spend, impressions and clicks of hourly rows before `cutoff` (an hour it falls in
    counts pro rata), as Kpis without conversions."""
    totals = dict.fromkeys(HOURLY_COLUMNS, 0.0)
    naive_cutoff = cutoff.astimezone(UTC).replace(tzinfo=None)
    for row in rows:
        try:
            hour = datetime.fromisoformat(str(row.get("DATE")))
        except ValueError:
            continue
        share = (naive_cutoff - hour).total_seconds() / 3600
        if share <= 0:
            continue
        for column in HOURLY_COLUMNS:
            totals[column] += _number(row.get(column)) * min(1.0, share)
    return Kpis(spend_micro=totals[SPEND], impressions=totals[IMPRESSIONS],
                clicks=totals[CLICKS], conversions=0.0, conversion_value_micro=0.0)


def load_overview(
    client: PinterestClient,
    account_id: str,
    filters: Filters,
    today: date,
    now: datetime | None = None,
) -> OverviewData:
    """Totals (now and before), the time series, ready state and definitions, all at once.

    A range that includes today is compared, when its rows are hourly, with the same hours of
    the previous period (today so far against yesterday until this time, not all of it)."""
    granularity = filters.effective_granularity(today)
    attribution = attribution_for(filters)
    prev_start, prev_end = filters.previous_period()

    def rows(start: date, end: date, gran: str) -> Callable[[], Fetched[list[dict[str, Any]]]]:
        return lambda: fetch_analytics_rows(
            client,
            account_id,
            "AD_ACCOUNT",
            start=start,
            end=end,
            columns=BASE_COLUMNS,
            granularity=gran,
            attribution=attribution,
            today=today,
        )

    tasks: dict[str, Callable[[], Any]] = {
        "totals": rows(filters.start, filters.end, "TOTAL"),
        "series": rows(filters.start, filters.end, granularity),
        "ready": lambda: client.metrics_ready_state(filters.end),
        "definitions": lambda: metric_definitions(client),
    }
    if filters.compare:
        tasks["previous_totals"] = rows(prev_start, prev_end, "TOTAL")
        tasks["previous_series"] = rows(prev_start, prev_end, granularity)
    results = gather(tasks)

    totals: Fetched[list[dict[str, Any]]] = unwrap(results["totals"])
    series_fetched: Fetched[list[dict[str, Any]]] = unwrap(results["series"])
    supporting: list[Fetched[Any]] = []
    notes: list[str] = []

    previous_kpis: Kpis | None = None
    previous_series: pd.DataFrame | None = None
    compare_note: str | None = None
    comparable: frozenset[str] | None = None
    same_hours = granularity == "HOUR" and filters.includes_today(today)
    if filters.compare:
        prev_totals = results["previous_totals"]
        prev_series = results["previous_series"]
        if isinstance(prev_totals, Exception):
            compare_note = "No comparison: " + describe_error(prev_totals)
        else:
            supporting.append(prev_totals)
            previous_kpis = kpis_from_rows(prev_totals.data)
            if isinstance(prev_series, Exception) and same_hours:
                # Without the hours, today so far would be set against all of yesterday.
                previous_kpis = None
                compare_note = "No comparison: " + describe_error(prev_series)
            elif not isinstance(prev_series, Exception):
                supporting.append(prev_series)
                shifted = series_frame(prev_series.data, granularity, prev_start, prev_end)
                offset = timedelta(days=(filters.start - prev_start).days)
                shifted["time"] = shifted["time"] + pd.Timedelta(offset)
                previous_series = shifted
                if same_hours:
                    cutoff = (now or datetime.now(UTC)) - offset
                    previous_kpis = same_hours_kpis(prev_series.data, cutoff)
                    comparable = HOURLY_KPIS

    ready: ReadyInfo | None = None
    ready_result = results["ready"]
    if isinstance(ready_result, Exception):
        notes.append("Could not check whether the numbers are final: "
                     + describe_error(ready_result))
    else:
        supporting.append(ready_result)
        state = ready_result.data
        ready = ReadyInfo(
            day=filters.end,
            conversions_final=bool(field_of(state, "conversion_metrics_ready", False)),
            others_final=bool(field_of(state, "non_conversion_metrics_ready", False)),
        )

    definitions_result = results["definitions"]
    definitions: dict[str, MetricInfo] = (
        {} if isinstance(definitions_result, Exception) else definitions_result
    )

    return OverviewData(
        kpis=kpis_from_rows(totals.data),
        previous_kpis=previous_kpis,
        compare_note=compare_note,
        series=series_frame(series_fetched.data, granularity, filters.start, filters.end),
        previous_series=previous_series,
        granularity=granularity,
        ready=ready,
        definitions=definitions,
        freshness=freshness_of([totals, series_fetched], supporting),
        notes=tuple(notes),
        comparable=comparable,
    )


# ---------------------------------------------------------------------------------------------
# Campaigns, ad groups, ads
# ---------------------------------------------------------------------------------------------

EntityLevel = Literal["CAMPAIGN", "AD_GROUP", "AD"]
ID_COLUMNS: Final[dict[str, str]] = {
    "CAMPAIGN": "CAMPAIGN_ID",
    "AD_GROUP": "AD_GROUP_ID",
    "AD": "AD_ID",
}


@dataclass(frozen=True)
class EntityTable:
    """One level of the drill-down: entities with their metrics for the period."""

    level: EntityLevel
    frame: pd.DataFrame  # id, name, status, ..., base columns, KPI columns
    freshness: Freshness

    @property
    def is_empty(self) -> bool:
        return self.frame.empty


def _epoch_to_date(value: object) -> date | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(float(value), tz=UTC).date()
    return None


def _period_days(filters: Filters, today: date, now: datetime | None = None) -> float:
    """Days in the period, counting today as the share of it that has elapsed (UTC)."""
    end = min(filters.end, today)
    if end < filters.start:
        return 0.0
    closed = float((end - filters.start).days + (0 if end == today else 1))
    if end == today:
        moment = now or datetime.now(UTC)
        midnight = datetime(today.year, today.month, today.day, tzinfo=UTC)
        closed += min(1.0, max(0.0, (moment - midnight).total_seconds() / 86400))
    return closed


def _overlap_days(a_start: date, a_end: date, b_start: date, b_end: date) -> int:
    start, end = max(a_start, b_start), min(a_end, b_end)
    return max(0, (end - start).days + 1)


def _entity_records(level: EntityLevel, entities: Sequence[object]) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for entity in entities:
        record: dict[str, Any] = {
            "id": str(field_of(entity, "id", "")),
            "name": str(field_of(entity, "name", "") or ""),
            "status": str(field_of(entity, "status", "") or ""),
        }
        if level == "CAMPAIGN":
            record["objective"] = str(field_of(entity, "objective_type", "") or "")
            record["daily_cap_micro"] = field_of(entity, "daily_spend_cap")
            record["lifetime_cap_micro"] = field_of(entity, "lifetime_spend_cap")
            record["start_time"] = field_of(entity, "start_time")
            record["end_time"] = field_of(entity, "end_time")
        elif level == "AD_GROUP":
            record["campaign_id"] = str(field_of(entity, "campaign_id", "") or "")
            record["budget_type"] = str(field_of(entity, "budget_type", "") or "")
            record["budget_micro"] = field_of(entity, "budget_in_micro_currency")
        else:
            record["ad_group_id"] = str(field_of(entity, "ad_group_id", "") or "")
            record["creative_type"] = str(field_of(entity, "creative_type", "") or "")
        records.append(record)
    return records


def _add_campaign_pacing(
    frame: pd.DataFrame, filters: Filters, today: date
) -> pd.DataFrame:
    period_days = _period_days(filters, today)
    period_end = min(filters.end, today)
    budgets: list[float | None] = []
    types: list[str] = []
    ratios: list[float | None] = []

    def column(name: str) -> list[Any]:
        # Plain lists: iterating a frame's rows (itertuples) costs ~40 ms for 600 campaigns.
        return frame[name].tolist() if name in frame else [None] * len(frame)

    for spend, daily, lifetime, start_time, end_time in zip(
        column(SPEND), column("daily_cap_micro"), column("lifetime_cap_micro"),
        column("start_time"), column("end_time"), strict=True,
    ):
        start = _epoch_to_date(start_time)
        end = _epoch_to_date(end_time)
        flight_days: float | None = None
        in_period: float | None = None
        if start and end and end >= start:
            flight_days = float((end - start).days + 1)
            in_period = float(_overlap_days(start, end, filters.start, period_end))
        pacing = budget_pacing(
            float(spend),
            daily_cap_micro=_positive_number(daily),
            lifetime_cap_micro=_positive_number(lifetime),
            period_days=period_days,
            flight_days=flight_days,
            flight_days_in_period=in_period,
        )
        budgets.append(pacing.period_budget_micro)
        types.append(pacing.budget_type)
        ratios.append(pacing.ratio)
    return frame.assign(
        budget_type=types,
        period_budget_micro=np.array([np.nan if b is None else b for b in budgets], dtype=float),
        pacing=np.array([np.nan if r is None else r for r in ratios], dtype=float),
    )


def _positive_number(value: object) -> float | None:
    """A cap as a float when it is a real positive number (NaN, None and 0 mean no cap)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if math.isfinite(number) and number > 0:
            return number
    return None


def _entity_table(
    level: EntityLevel,
    entities_fetched: Fetched[list[Any]],
    client: PinterestClient,
    account_id: str,
    filters: Filters,
    today: date,
) -> EntityTable:
    records = _entity_records(level, entities_fetched.data)
    ids = [r["id"] for r in records]
    metrics = fetch_analytics_rows(
        client,
        account_id,
        level,
        start=filters.start,
        end=filters.end,
        columns=BASE_COLUMNS,
        granularity="TOTAL",
        entity_ids=ids,
        attribution=attribution_for(filters),
        today=today,
    )
    id_column = ID_COLUMNS[level]
    entity_frame = pd.DataFrame(records) if records else pd.DataFrame({"id": [], "name": []})
    metric_frame = pd.DataFrame(list(metrics.data))
    if not metric_frame.empty and id_column in metric_frame:
        metric_frame[id_column] = metric_frame[id_column].astype(str)
        present = [c for c in BASE_COLUMNS if c in metric_frame]
        for column in present:
            metric_frame[column] = pd.to_numeric(metric_frame[column], errors="coerce")
        metric_frame = metric_frame.groupby(id_column, as_index=False)[present].sum()
        merged = entity_frame.merge(
            metric_frame, left_on="id", right_on=id_column, how="left"
        ).drop(columns=[id_column])
    else:
        merged = entity_frame
    frame = add_kpi_columns(merged)
    if level == "CAMPAIGN":
        frame = _add_campaign_pacing(frame, filters, today)
    frame = frame.sort_values(SPEND, ascending=False, kind="stable").reset_index(drop=True)
    freshness = freshness_of([metrics], [entities_fetched])
    return EntityTable(level=level, frame=frame, freshness=freshness)


def load_campaigns(
    client: PinterestClient, account_id: str, filters: Filters, today: date
) -> EntityTable:
    """All campaigns (active, paused, archived) with their metrics for the period."""
    campaigns = client.list_campaigns(account_id, entity_statuses=list(ALL_STATUSES))
    return _entity_table("CAMPAIGN", campaigns, client, account_id, filters, today)


def load_ad_groups(
    client: PinterestClient, account_id: str, campaign_id: str, filters: Filters, today: date
) -> EntityTable:
    ad_groups = client.list_ad_groups(
        account_id, campaign_ids=[campaign_id], entity_statuses=list(ALL_STATUSES)
    )
    return _entity_table("AD_GROUP", ad_groups, client, account_id, filters, today)


def load_ads(
    client: PinterestClient, account_id: str, ad_group_id: str, filters: Filters, today: date
) -> EntityTable:
    ads = client.list_ads(
        account_id, ad_group_ids=[ad_group_id], entity_statuses=list(ALL_STATUSES)
    )
    return _entity_table("AD", ads, client, account_id, filters, today)


def filter_entities(
    frame: pd.DataFrame,
    *,
    search: str = "",
    statuses: Sequence[str] = (),
    sort_by: str | None = None,
    descending: bool = True,
) -> pd.DataFrame:
    """Search by name or id (any case), keep chosen statuses, sort by a column (NaN last)."""
    out = frame
    words = search.strip().lower().split()
    if words:
        haystack = (out["name"].astype(str) + " " + out["id"].astype(str)).str.lower()
        mask = pd.Series(True, index=out.index)
        for word in words:
            mask &= haystack.str.contains(word, regex=False)
        out = out[mask]
    if statuses:
        out = out[out["status"].isin(list(statuses))]
    if sort_by and sort_by in out:
        out = out.sort_values(sort_by, ascending=not descending, na_position="last", kind="stable")
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Targeting
# ---------------------------------------------------------------------------------------------

APPTYPE_NAMES: Final[dict[str, str]] = {
    "iphone": "iPhone",
    "ipad": "iPad",
    "web": "Web (desktop)",
    "web_mobile": "Mobile web",
    "android_mobile": "Android phone",
    "android_tablet": "Android tablet",
}
GENDER_NAMES: Final[dict[str, str]] = {
    "female": "Female",
    "male": "Male",
    "unknown": "Unknown",
}


@dataclass(frozen=True)
class TargetingData:
    frame: pd.DataFrame  # targeting_type, value, label, base columns, KPI columns
    freshness: Freshness
    notes: tuple[str, ...] = ()

    def of_type(self, targeting_type: str) -> pd.DataFrame:
        return self.frame[self.frame["targeting_type"] == targeting_type].reset_index(drop=True)


def _targeting_label(
    targeting_type: str, value: str, locations: Mapping[str, str]
) -> str:
    if targeting_type == "LOCATION":
        return locations.get(value, f"DMA {value}")
    if targeting_type == "APPTYPE":
        return APPTYPE_NAMES.get(value.lower(), value)
    if targeting_type == "GENDER":
        return GENDER_NAMES.get(value.lower(), value.capitalize())
    if targeting_type == "COUNTRY":
        return country_name(value)
    if targeting_type == "REGION":
        return region_name(value)
    if targeting_type == "PLACEMENT":
        return value.replace("_", " ").capitalize()
    return value


def targeting_frame(
    rows: Sequence[object], locations: Mapping[str, str]
) -> pd.DataFrame:
    records: list[dict[str, Any]] = []
    for row in rows:
        ttype = str(field_of(row, "targeting_type", ""))
        value = str(field_of(row, "targeting_value", ""))
        metrics = field_of(row, "metrics", {}) or {}
        record: dict[str, Any] = {
            "targeting_type": ttype,
            "value": value,
            "label": _targeting_label(ttype, value, locations),
        }
        for column in BASE_COLUMNS:
            record[column] = field_of(metrics, column, 0)
        records.append(record)
    frame = pd.DataFrame(records, columns=["targeting_type", "value", "label", *BASE_COLUMNS])
    frame = add_kpi_columns(frame)
    return frame.sort_values(["targeting_type", SPEND], ascending=[True, False]).reset_index(
        drop=True
    )


def load_targeting(
    client: PinterestClient,
    account_id: str,
    filters: Filters,
    today: date,
    campaign_ids: Sequence[str] | None = None,
) -> TargetingData:
    """All targeting breakdowns at account level (or for chosen campaigns), with DMA names."""
    level: Level = "CAMPAIGN" if campaign_ids else "AD_ACCOUNT"
    results = gather(
        {
            "rows": lambda: fetch_targeting_rows(
                client,
                account_id,
                level,
                targeting_types=TARGETING_TYPES,
                start=filters.start,
                end=filters.end,
                columns=BASE_COLUMNS,
                entity_ids=list(campaign_ids) if campaign_ids else None,
                attribution=attribution_for(filters),
                today=today,
            ),
            "locations": lambda: client.targeting_options("LOCATION"),
        }
    )
    rows: Fetched[list[Any]] = unwrap(results["rows"])
    notes: list[str] = []
    locations: Mapping[str, str] = {}
    names: list[Fetched[Any]] = []
    if isinstance(results["locations"], Exception):
        notes.append("DMA names are unavailable (" + describe_error(results["locations"]) + ")")
    else:
        names.append(results["locations"])
        locations = {str(k): str(v) for k, v in dict(results["locations"].data).items()}
    return TargetingData(
        frame=targeting_frame(rows.data, locations),
        freshness=freshness_of([rows], names),
        notes=tuple(notes),
    )


# ---------------------------------------------------------------------------------------------
# Audience insights
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AudienceView:
    insight_type: str
    size: int | None
    size_is_upper_bound: bool
    date: str | None
    ages: pd.DataFrame
    genders: pd.DataFrame
    devices: pd.DataFrame
    countries: pd.DataFrame
    metros: pd.DataFrame
    interests: pd.DataFrame  # name, index, ratio (top-level categories)

    @property
    def is_empty(self) -> bool:
        return not self.size and self.ages.empty and self.interests.empty


def _shares(values: Iterable[object] | None) -> pd.DataFrame:
    records = [
        {
            "name": str(field_of(v, "name", "") or field_of(v, "key", "")),
            "key": str(field_of(v, "key", "")),
            "ratio": float(field_of(v, "ratio", 0) or 0),
        }
        for v in (values or [])
    ]
    return pd.DataFrame(records, columns=["name", "key", "ratio"])


def audience_view(insight_type: str, insights: object) -> AudienceView:
    demographics = field_of(insights, "demographics", {}) or {}
    categories = field_of(insights, "categories", []) or []
    interests = pd.DataFrame(
        [
            {
                "name": str(field_of(c, "name", "")),
                "index": float(field_of(c, "index", 0) or 0),
                "ratio": float(field_of(c, "ratio", 0) or 0),
            }
            for c in categories
        ],
        columns=["name", "index", "ratio"],
    )
    size = field_of(insights, "size")
    return AudienceView(
        insight_type=insight_type,
        size=int(size) if isinstance(size, int | float) and not isinstance(size, bool) else None,
        size_is_upper_bound=bool(field_of(insights, "size_is_upper_bound", False)),
        date=field_of(insights, "date"),
        ages=_shares(field_of(demographics, "ages")),
        genders=_shares(field_of(demographics, "genders")),
        devices=_shares(field_of(demographics, "devices")),
        countries=_shares(field_of(demographics, "countries")),
        metros=_shares(field_of(demographics, "metros")),
        interests=interests,
    )


@dataclass(frozen=True)
class AudienceData:
    views: dict[str, AudienceView]
    errors: dict[str, str]
    freshness: Freshness


def load_audience(client: PinterestClient, account_id: str) -> AudienceData:
    """The three audience insight types at once."""

    def fetch(kind: str) -> Callable[[], Any]:
        return lambda: client.audience_insights(account_id, kind)

    results = gather({kind: fetch(kind) for kind in AUDIENCE_INSIGHT_TYPES})
    views: dict[str, AudienceView] = {}
    errors: dict[str, str] = {}
    parts: list[Fetched[Any]] = []
    for kind, result in results.items():
        if isinstance(result, Exception):
            errors[kind] = describe_error(result)
            continue
        parts.append(result)
        views[kind] = audience_view(kind, result.data)
    if not views and results:
        # Nothing at all: let the page show the first error as the page's error.
        first = next(iter(results.values()))
        if isinstance(first, PinterestError | DataUnavailable):
            raise first
    return AudienceData(views=views, errors=errors, freshness=freshness_of(parts))
