"""Ranges live analytics cannot serve (starting more than 90 days back), through async reports.

(About 500 lines: the two fetches, rows and targeting breakdowns, share the store, the report
batches in flight and their locks here; where the data came from is long_range_activity.py.)

`fetch_long_range_rows` takes the same arguments as `dashboard.loaders.fetch_analytics_rows` and
returns rows of the same shape (the level's id column, DATE unless TOTAL, the requested columns),
so pages need no change. The range is cut at the sync boundary:

- days older than 90 days come from async reports, DAY by DAY, through the local report store
  (days already stored cost no job; the rest are fetched with `client.reports.run`, split into
  jobs of at most 186 days, and stored when every job finished and parsed);
- the recent part (if any) comes from live analytics (`client.analytics`, DAY), like any page.

The DAY rows are then added up to the asked granularity (TOTAL, WEEK, MONTH). Ratio columns are
not additive and are left out of aggregated rows (pages compute KPIs from the sums).

Progress goes to an optional callback, to the page's `RunLog` (see `listening`) which says where
the data came from, and to `ACTIVITY`, the latest fetch per (account, range); both live in
`dashboard.long_range_activity` and are importable from here too.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from dashboard.errors import DataUnavailable
from dashboard.long_range_activity import ACTIVITY as ACTIVITY
from dashboard.long_range_activity import RUN_LOG, LongRangeActivity, RunLog
from dashboard.long_range_activity import listening as listening
from dashboard.report_store import (
    ReportStore,
    default_store_path,
    group_by_day,
    is_final_day,
    request_key,
)
from pinterest_client import (
    LEVEL_ID_COLUMNS,
    REPORT_LEVEL_OF,
    REPORT_MAX_DAYS_BACK,
    REPORT_MAX_FILTER_IDS,
    Attribution,
    Fetched,
    Level,
    PinterestClient,
    first_sync_day,
)

# Pages ask dashboard, not the client, whether a range needs reports.
from pinterest_client import needs_reports as needs_reports
from pinterest_client.models import TargetingRow
from pinterest_client.reports import (
    ProgressCallback,
    ReportBatch,
    ReportRequest,
    ReportStillRunning,
    is_additive,
    is_text_column,
)

# How long a page waits for its report jobs before saying "reload in a minute" (they go on).
PAGE_TIMEOUT_S: Final = 120.0
_FILTER_FIELDS: Final[dict[str, str]] = {
    "CAMPAIGN": "campaign_ids",
    "AD_GROUP": "ad_group_ids",
    "AD": "ad_ids",
}


# ---------------------------------------------------------------------------------------------
# Store access
# ---------------------------------------------------------------------------------------------

_stores_lock = threading.Lock()
_stores: dict[Path, ReportStore] = {}
_key_locks_lock = threading.Lock()
# key -> (lock, callers holding or waiting for it); dropped when the last one leaves.
_key_locks: dict[str, tuple[threading.Lock, int]] = {}
_inflight_lock = threading.Lock()
# Batches left running by a page that stopped waiting, to pick up (the most recent ones; an
# older one dropped only costs its jobs being started again).
MAX_INFLIGHT_BATCHES: Final = 64
_inflight: OrderedDict[tuple[str, date, date], ReportBatch] = OrderedDict()


def default_store() -> ReportStore:
    """One store per configured path ($PINTEREST_DASHBOARD_STORE), shared by all threads."""
    path = default_store_path().resolve()
    with _stores_lock:
        store = _stores.get(path)
        if store is None:
            store = _stores[path] = ReportStore(path)
        return store


@contextmanager
def _key_lock(key: str) -> Iterator[None]:
    # Single flight per request key: a second caller waits, then finds the days stored.
    with _key_locks_lock:
        lock, users = _key_locks.get(key, (threading.Lock(), 0))
        _key_locks[key] = (lock, users + 1)
    try:
        with lock:
            yield
    finally:
        with _key_locks_lock:
            lock, users = _key_locks[key]
            if users <= 1:
                del _key_locks[key]
            else:
                _key_locks[key] = (lock, users - 1)


def _remember_batch(flight: tuple[str, date, date], batch: ReportBatch) -> None:
    with _inflight_lock:
        _inflight[flight] = batch
        _inflight.move_to_end(flight)
        while len(_inflight) > MAX_INFLIGHT_BATCHES:
            _inflight.popitem(last=False)


# ---------------------------------------------------------------------------------------------
# The fallback
# ---------------------------------------------------------------------------------------------


def report_request_for(
    account_id: str,
    level: Level,
    *,
    start: date,
    end: date,
    columns: Sequence[str],
    entity_ids: Sequence[str] | None,
    attribution: Attribution | None,
) -> ReportRequest:
    """The DAY report that holds the same rows as a sync analytics call."""
    windows = attribution or Attribution()
    filters: dict[str, tuple[str, ...]] = {}
    field_name = _FILTER_FIELDS.get(level)
    if field_name and entity_ids is not None:
        filters[field_name] = tuple(sorted(set(entity_ids)))
    return ReportRequest(
        ad_account_id=account_id,
        level=REPORT_LEVEL_OF[level],
        columns=tuple(dict.fromkeys(columns)),
        start_date=start,
        end_date=end,
        granularity="DAY",
        click_window_days=windows.click_window_days,
        engagement_window_days=windows.engagement_window_days,
        view_window_days=windows.view_window_days,
        conversion_report_time=windows.conversion_report_time,
        report_format="JSON",
        primary_sort="BY_ID",
        **filters,
    )


def _check_reportable(start: date, today: date) -> None:
    """DataUnavailable when `start` is older than async reports reach."""
    earliest = today - timedelta(days=REPORT_MAX_DAYS_BACK)
    if start < earliest:
        raise DataUnavailable(
            f"Pinterest keeps reporting data for {REPORT_MAX_DAYS_BACK} days; the range starts "
            f"before {earliest.isoformat()}."
        )


def fetch_long_range_rows(
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
    store: ReportStore | None = None,
    on_progress: ProgressCallback | None = None,
    is_final: Callable[[date], bool] | None = None,
    report_timeout_s: float = PAGE_TIMEOUT_S,
) -> Fetched[list[dict[str, Any]]]:
    """Rows for a range that starts beyond live analytics, in the sync rows' shape.

    Raises DataUnavailable when the report jobs run past `report_timeout_s` (they are kept and
    picked up by the next call), ReportError when a job fails."""
    if granularity == "HOUR":
        raise DataUnavailable("Hourly data only reaches 8 days back.")
    _check_reportable(start, today)
    if end < start:
        raise DataUnavailable("The range ends before it starts.")
    # The store and the batches in flight are shared by everyone: this token first shows that
    # Pinterest lets it read the account's analytics (a cheap call unless proven recently).
    client.prove_access(account_id)
    store = store or default_store()
    log = RUN_LOG.get()
    if on_progress is None and log is not None:
        on_progress = log.progress
    final = is_final or (lambda day: is_final_day(day, today))
    id_column = LEVEL_ID_COLUMNS[level]
    columns = list(dict.fromkeys(columns))
    boundary = first_sync_day(today)
    report_end = min(end, boundary - timedelta(days=1))
    activity = LongRangeActivity(account_id=account_id, start=start, end=end,
                                 text="Looking in the local report store")
    ACTIVITY.update(activity)

    def progress(done: int, total: int, text: str) -> None:
        nonlocal activity
        activity = replace(activity, jobs_done=done, jobs_total=total, text=text)
        ACTIVITY.update(activity)
        if on_progress is not None:
            on_progress(done, total, text)

    day_rows: list[dict[str, Any]] = []
    fetched_at = time.time()
    wanted: set[str] | None = None
    report_filter: Sequence[str] | None = None
    if entity_ids is not None and level != "AD_ACCOUNT":
        wanted = {str(i) for i in entity_ids}
        # Up to 500 ids filter the report itself; more (every campaign of a large account)
        # fetch the whole level once and keep the wanted rows here.
        report_filter = sorted(wanted) if len(wanted) <= REPORT_MAX_FILTER_IDS else None
    stored_days = fetched_days = jobs_run = 0
    if start <= report_end and (wanted is None or wanted):
        request = report_request_for(
            account_id, level, start=start, end=report_end, columns=columns,
            entity_ids=report_filter, attribution=attribution,
        )
        rows, stored_days, fetched_days, jobs_run = _report_days(
            client, store, request, final, progress, report_timeout_s
        )
        day_rows.extend(r for r in rows if wanted is None or str(r.get(id_column)) in wanted)
    activity = replace(activity, days_from_store=stored_days, days_from_reports=fetched_days,
                       jobs_total=jobs_run, jobs_done=jobs_run,
                       store_problem=store.problem or "")

    live_days = 0
    if end >= boundary and (wanted is None or wanted):
        live = client.analytics(
            account_id,
            level,
            start_date=max(start, boundary),
            end_date=end,
            columns=columns,
            granularity="DAY",
            entity_ids=None if entity_ids is None else list(entity_ids),
            attribution=attribution,
        )
        day_rows.extend(live.data)
        fetched_at = min(fetched_at, live.fetched_at)
        live_days = (end - max(start, boundary)).days + 1
    activity = replace(activity, days_live=live_days, finished=True, text="Done")
    ACTIVITY.update(activity)
    if log is not None:
        log.record(activity)

    shaped = [_sync_shape(row, id_column, columns) for row in day_rows]
    return Fetched(
        data=aggregate_rows(shaped, granularity, id_column),
        stale=False,
        fetched_at=fetched_at,
        error=None,
    )


def _report_days(
    client: PinterestClient,
    store: ReportStore,
    request: ReportRequest,
    is_final: Callable[[date], bool],
    progress: ProgressCallback,
    timeout_s: float = PAGE_TIMEOUT_S,
) -> tuple[list[dict[str, Any]], int, int, int]:
    """DAY rows of the request's range: stored final days, the rest fetched and stored.

    Returns (rows, days from the store, days fetched, jobs run)."""
    key = request_key(request, per_day=True)
    with _key_lock(key):
        held = store.try_load(key, request.start_date, request.end_date)
        rows: list[dict[str, Any]] = [r for day_rows in held.rows.values() for r in day_rows]
        spans = held.missing_spans()
        jobs_total = sum(len(request.with_dates(a, b).split()) for a, b in spans)
        jobs_before = 0
        for span_start, span_end in spans:
            part = request.with_dates(span_start, span_end)

            def span_progress(done: int, total: int, text: str, base: int = jobs_before) -> None:
                progress(base + done, jobs_total, text)

            # A batch left running by an earlier page load is picked up, not started again.
            flight = (key, span_start, span_end)
            with _inflight_lock:
                batch = _inflight.pop(flight, None)
            if batch is None:
                batch = client.reports.submit(part)
            try:
                result = client.reports.collect(batch, on_progress=span_progress,
                                                timeout_s=timeout_s)
            except ReportStillRunning as exc:
                _remember_batch(flight, exc.batch)
                raise DataUnavailable(
                    f"Pinterest is still preparing the async report for {span_start} to "
                    f"{span_end} ({exc.batch.done} of {exc.batch.total} jobs done). Reload the "
                    "page in a minute: the jobs keep running and are picked up, not started "
                    "again."
                ) from exc
            by_day = group_by_day(result.rows, span_start, span_end)
            # Written only now: every job of the span finished and parsed.
            store.try_save(
                key,
                by_day,
                final_days={d for d in by_day if is_final(d)},
                description=part.describe(),
            )
            rows.extend(r for day_rows in by_day.values() for r in day_rows)
            jobs_before += result.jobs
        fetched = sum((b - a).days + 1 for a, b in spans)
        return rows, len(held.rows), fetched, jobs_before


def _sync_shape(row: dict[str, Any], id_column: str, columns: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if id_column in row:
        out[id_column] = str(row[id_column])
    if "DATE" in row:
        out["DATE"] = str(row["DATE"])[:10]
    for column in columns:
        if column in row and row[column] is not None:
            out[column] = row[column]
    return out


def period_start(day: date, granularity: str) -> date:
    """The first day of the WEEK (Monday) or MONTH a day falls in."""
    if granularity == "WEEK":
        return day - timedelta(days=day.weekday())
    if granularity == "MONTH":
        return day.replace(day=1)
    return day


def aggregate_rows(
    rows: Sequence[dict[str, Any]], granularity: str, id_column: str
) -> list[dict[str, Any]]:
    """DAY rows added up to TOTAL (per id), WEEK or MONTH (per id and period); DAY as is.

    Ratio columns cannot be added and are left out of aggregated rows."""
    if granularity == "DAY":
        return sorted(rows, key=lambda r: (r.get("DATE", ""), r.get(id_column, "")))
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        day_text = str(row.get("DATE", ""))[:10]
        period = ""
        if granularity != "TOTAL" and day_text:
            period = period_start(date.fromisoformat(day_text), granularity).isoformat()
        key = (str(row.get(id_column, "")), period)
        target = groups.get(key)
        if target is None:
            target = groups[key] = {id_column: key[0]}
            if period:
                target["DATE"] = period
        for name, value in row.items():
            if name in (id_column, "DATE"):
                continue
            if is_text_column(name):
                target.setdefault(name, value)
            elif is_additive(name) and isinstance(value, int | float):
                target[name] = target.get(name, 0) + value
    return sorted(groups.values(), key=lambda r: (r.get("DATE", ""), r.get(id_column, "")))


# ---------------------------------------------------------------------------------------------
# Targeting breakdowns
# ---------------------------------------------------------------------------------------------

MAX_REPORT_TARGETING_TYPES: Final = 5


def fetch_long_range_targeting_rows(
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
    store: ReportStore | None = None,
    report_timeout_s: float = PAGE_TIMEOUT_S,
) -> Fetched[list[TargetingRow]]:
    """Targeting breakdowns (TOTAL) for a range beyond live analytics, in the sync shape:
    `TargetingRow(targeting_type, targeting_value, metrics)` with the level's id in metrics.

    Older days: *_TARGETING async reports (at most 5 types each, split over 186 days, stored
    whole per range); recent days: live targeting analytics; the two are added up."""
    _check_reportable(start, today)
    client.prove_access(account_id)  # before anything shared is read (see above)
    store = store or default_store()
    log = RUN_LOG.get()
    id_column = LEVEL_ID_COLUMNS[level]
    columns = list(dict.fromkeys(columns))
    boundary = first_sync_day(today)
    report_end = min(end, boundary - timedelta(days=1))
    wanted: set[str] | None = None
    report_filter: Sequence[str] | None = None
    if entity_ids is not None and level != "AD_ACCOUNT":
        wanted = {str(i) for i in entity_ids}
        report_filter = sorted(wanted) if len(wanted) <= REPORT_MAX_FILTER_IDS else None
        if not wanted:
            return Fetched(data=[], stale=False, fetched_at=time.time(), error=None)
    sums: dict[tuple[str, str, str], dict[str, Any]] = {}

    def add(ttype: str, value: str, metrics: Mapping[str, Any]) -> None:
        entity = str(metrics.get(id_column, account_id if level == "AD_ACCOUNT" else ""))
        if wanted is not None and entity not in wanted:
            return
        target = sums.setdefault((ttype, value, entity), {id_column: entity})
        for name in columns:
            number = metrics.get(name)
            if isinstance(number, int | float) and not isinstance(number, bool) \
                    and is_additive(name):
                target[name] = target.get(name, 0) + number

    fetched_at = time.time()
    jobs_run = 0
    if start <= report_end:
        for i in range(0, len(targeting_types), MAX_REPORT_TARGETING_TYPES):
            base = report_request_for(account_id, level, start=start, end=report_end,
                                      columns=columns, entity_ids=report_filter,
                                      attribution=attribution)
            request = replace(
                base,
                level=base.level + "_TARGETING",
                granularity="TOTAL",
                targeting_types=tuple(targeting_types[i : i + MAX_REPORT_TARGETING_TYPES]),
            )
            rows, jobs = _report_whole(client, store, request, log, report_timeout_s)
            jobs_run += jobs
            for row in rows:
                add(str(row.get("TARGETING_TYPE", "")), str(row.get("TARGETING_VALUE", "")), row)
    live_days = 0
    if end >= boundary:
        live = client.targeting_analytics(
            account_id, level, targeting_types=list(targeting_types),
            start_date=max(start, boundary), end_date=end, columns=columns,
            granularity="TOTAL", entity_ids=None if entity_ids is None else list(entity_ids),
            attribution=attribution,
        )
        fetched_at = min(fetched_at, live.fetched_at)
        live_days = (end - max(start, boundary)).days + 1
        for item in live.data:
            add(item.targeting_type, item.targeting_value, item.metrics)
    if log is not None:
        log.record(LongRangeActivity(
            account_id=account_id, start=start, end=end, jobs_total=jobs_run,
            jobs_done=jobs_run, days_from_reports=max(0, (report_end - start).days + 1)
            if jobs_run else 0,
            days_from_store=0 if jobs_run else max(0, (report_end - start).days + 1),
            days_live=live_days, finished=True,
        ))
    out = [
        TargetingRow(targeting_type=ttype, targeting_value=value,
                     metrics=MappingProxyType(dict(metrics)))
        for (ttype, value, _entity), metrics in sums.items()
    ]
    return Fetched(data=out, stale=False, fetched_at=fetched_at, error=None)


def _report_whole(
    client: PinterestClient,
    store: ReportStore,
    request: ReportRequest,
    log: RunLog | None,
    timeout_s: float,
) -> tuple[list[dict[str, Any]], int]:
    """A whole-range report's rows through the store (key with the dates); (rows, jobs run)."""
    key = request_key(request, per_day=False)
    with _key_lock(key):
        held = store.try_load(key, request.start_date, request.start_date)
        if held.complete:
            return [r for rows in held.rows.values() for r in rows], 0
        flight = (key, request.start_date, request.end_date)
        with _inflight_lock:
            batch = _inflight.pop(flight, None)
        if batch is None:
            batch = client.reports.submit(request)
        try:
            result = client.reports.collect(
                batch, on_progress=log.progress if log is not None else None,
                timeout_s=timeout_s,
            )
        except ReportStillRunning as exc:
            _remember_batch(flight, exc.batch)
            raise DataUnavailable(
                f"Pinterest is still preparing the targeting report for {request.start_date} "
                f"to {request.end_date} ({exc.batch.done} of {exc.batch.total} jobs done). "
                "Reload the page in a minute: the jobs keep running and are picked up."
            ) from exc
        # Days this old are final: the whole result is stored under its start day.
        store.try_save(key, {request.start_date: result.rows},
                       final_days={request.start_date}, description=request.describe())
        return list(result.rows), result.jobs
