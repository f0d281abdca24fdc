"""The Overview page: totals now and before, the time series, ready state and definitions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd

from dashboard.errors import describe_error
from dashboard.filters import Filters
from dashboard.kpis import (
    BASE_COLUMNS,
    HOURLY_COLUMNS,
    HOURLY_KPIS,
    REACH_COLUMNS,
    Kpis,
    PeriodReach,
    kpis_from_rows,
    kpis_from_totals,
    reach_of_rows,
)
from dashboard.loaders.fetch import (
    Freshness,
    attribution_for,
    fetch_analytics_rows,
    field_of,
    freshness_of,
    gather,
    reach_fits,
    unwrap,
)
from dashboard.loaders.frames import metric_number, series_frame
from dashboard.loaders.glossary import MetricInfo, metric_definitions
from pinterest_client import Fetched, PinterestClient


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
    # Reach and frequency of the period (None: not known for this range, `reach_note` says
    # why) and of the previous period; from the TOTAL rows, never summed over days.
    reach: PeriodReach | None = None
    previous_reach: PeriodReach | None = None
    reach_note: str | None = None

    @property
    def same_hours(self) -> bool:
        """The comparison covers the same hours of the previous period, not whole days."""
        return self.comparable is not None

    @property
    def has_conversion_series(self) -> bool:
        return self.granularity != "HOUR"


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
            totals[column] += metric_number(row.get(column)) * min(1.0, share)
    return kpis_from_totals(totals)


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

    # Reach rides on the totals' own TOTAL call when the range is one live call (no extra
    # call); over longer or older ranges it is left out rather than summed.
    reach_now = reach_fits(client, filters.start, filters.end, today)
    reach_before = reach_now and reach_fits(client, prev_start, prev_end, today)

    def rows(start: date, end: date, gran: str, *, reach: bool = False
             ) -> Callable[[], Fetched[list[dict[str, Any]]]]:
        return lambda: fetch_analytics_rows(
            client,
            account_id,
            "AD_ACCOUNT",
            start=start,
            end=end,
            columns=BASE_COLUMNS + REACH_COLUMNS if reach else BASE_COLUMNS,
            granularity=gran,
            attribution=attribution,
            today=today,
        )

    tasks: dict[str, Callable[[], Any]] = {
        "totals": rows(filters.start, filters.end, "TOTAL", reach=reach_now),
        "series": rows(filters.start, filters.end, granularity),
        "ready": lambda: client.metrics_ready_state(filters.end),
        "definitions": lambda: metric_definitions(client),
    }
    if filters.compare:
        tasks["previous_totals"] = rows(prev_start, prev_end, "TOTAL", reach=reach_before)
        tasks["previous_series"] = rows(prev_start, prev_end, granularity)
    results = gather(tasks)

    totals: Fetched[list[dict[str, Any]]] = unwrap(results["totals"])
    series_fetched: Fetched[list[dict[str, Any]]] = unwrap(results["series"])
    supporting: list[Fetched[Any]] = []
    notes: list[str] = []

    previous_kpis: Kpis | None = None
    previous_reach: PeriodReach | None = None
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
            previous_reach = reach_of_rows(prev_totals.data) if reach_before else None
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

    reach = reach_of_rows(totals.data) if reach_now else None
    reach_note = None if reach_now else (
        "Reach and frequency count people over the whole period, which Pinterest gives for "
        "ranges in the last 90 days that one live call covers: "
        "shorten the range to see them.")
    if same_hours:
        previous_reach = None  # today so far against whole days: no fair comparison
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
        reach=reach,
        previous_reach=previous_reach,
        reach_note=reach_note,
    )
