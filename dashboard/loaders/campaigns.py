"""The Campaigns page: campaigns, ad groups and ads with their metrics and budget pacing."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final, Literal, get_args

import numpy as np
import pandas as pd

from dashboard.filters import Filters
from dashboard.kpis import (
    BASE_COLUMNS,
    REACH_COLUMNS,
    REACH_SPECS,
    SPEND,
    budget_pacing,
    reach_of_row,
)
from dashboard.loaders.fetch import (
    Freshness,
    attribution_for,
    fetch_analytics_rows,
    fetch_targeting_rows,
    field_of,
    freshness_of,
    gather,
    reach_fits,
    unwrap,
)
from dashboard.loaders.frames import add_kpi_columns
from dashboard.render_cache import shared
from pinterest_client import LEVEL_ID_COLUMNS, Fetched, PinterestClient

ALL_STATUSES: Final[tuple[str, ...]] = ("ACTIVE", "PAUSED", "ARCHIVED")
EntityLevel = Literal["CAMPAIGN", "AD_GROUP", "AD"]
# The drill-down's levels and their id columns, as the client defines them.
ID_COLUMNS: Final[Mapping[str, str]] = {
    level: LEVEL_ID_COLUMNS[level] for level in get_args(EntityLevel)
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
    # Reach rides on the same TOTAL call when the range is one live call (each entity's row is
    # then its period's own); otherwise the columns are left out rather than summed.
    with_reach = reach_fits(client, filters.start, filters.end, today)
    metrics = fetch_analytics_rows(
        client,
        account_id,
        level,
        start=filters.start,
        end=filters.end,
        columns=BASE_COLUMNS + REACH_COLUMNS if with_reach else BASE_COLUMNS,
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
    if with_reach:
        frame = _add_reach(frame, metrics.data, id_column)
    if level == "CAMPAIGN":
        frame = _add_campaign_pacing(frame, filters, today)
    frame = frame.sort_values(SPEND, ascending=False, kind="stable").reset_index(drop=True)
    freshness = freshness_of([metrics], [entities_fetched])
    return EntityTable(level=level, frame=frame, freshness=freshness)


def _add_reach(frame: pd.DataFrame, rows: Sequence[Mapping[str, Any]], id_column: str
               ) -> pd.DataFrame:
    """Each entity's period reach and frequency from its one TOTAL row (NaN: not given)."""
    by_id = {str(row.get(id_column, "")): row for row in rows}
    values: dict[str, list[float]] = {spec.column: [] for spec in REACH_SPECS}
    for entity_id in frame["id"].tolist() if "id" in frame else []:
        reach = reach_of_row(by_id.get(str(entity_id)))
        for spec in REACH_SPECS:
            value = reach.value(spec.name)
            values[spec.column].append(np.nan if value is None else float(value))
    return frame.assign(**{c: np.array(v, dtype=float) for c, v in values.items()})


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


@shared
def spending_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The entities that spent anything in the period (the top-N chart's candidates)."""
    return frame[frame[SPEND] > 0]


@shared
def pacing_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Active campaigns with a budget to pace against (the pacing chart's rows)."""
    return frame[(frame["budget_type"] != "none") & (frame["status"] == "ACTIVE")]


@shared
def filter_entities(
    frame: pd.DataFrame,
    *,
    search: str = "",
    statuses: Sequence[str] = (),
    sort_by: str | None = None,
    descending: bool = True,
) -> pd.DataFrame:
    """Search by name or id (any case), keep chosen statuses, sort by a column (NaN last).
    Built once per content and choice for every session (dashboard/render_cache.py)."""
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
# An ad group's keywords
# ---------------------------------------------------------------------------------------------

# A keyword's status: Pinterest's keywords carry only `archived`.
KEYWORD_ACTIVE: Final = "ACTIVE"
KEYWORD_ARCHIVED: Final = "ARCHIVED"
# Delivery matched by a keyword text the list no longer has (removed since).
KEYWORD_NOT_LISTED: Final = "NOT LISTED"


@dataclass(frozen=True)
class KeywordTable:
    """An ad group's keywords with their metrics for the period: id, keyword (its text, from
    outside: render inert), match_type, status, base columns, KPI columns; sorted by spend."""

    ad_group_id: str
    frame: pd.DataFrame
    freshness: Freshness

    @property
    def is_empty(self) -> bool:
        return self.frame.empty


def keyword_frame(keywords: Sequence[object], rows: Sequence[object]) -> pd.DataFrame:
    """Keywords (client `Keyword`s) joined with the ad group's KEYWORD targeting rows (one per
    keyword text). Pinterest breaks delivery down by text, so when two keywords share a text
    (two match types) the first listed carries it; a text with delivery but no keyword listed
    (removed since) keeps its own row, so the table adds up to the ad group's keyword delivery.
    """
    records: list[dict[str, Any]] = []
    by_text: dict[str, dict[str, Any]] = {}
    for keyword in keywords:
        record: dict[str, Any] = {
            "id": str(field_of(keyword, "id", "")),
            "keyword": str(field_of(keyword, "value", "") or ""),
            "match_type": str(field_of(keyword, "match_type", "") or ""),
            "status": KEYWORD_ARCHIVED if field_of(keyword, "archived", False) is True
            else KEYWORD_ACTIVE,
        }
        records.append(record)
        by_text.setdefault(record["keyword"], record)
    for row in rows:
        text = str(field_of(row, "targeting_value", ""))
        metrics = field_of(row, "metrics", {}) or {}
        if text not in by_text:
            by_text[text] = {"id": "", "keyword": text, "match_type": "",
                             "status": KEYWORD_NOT_LISTED}
            records.append(by_text[text])
        record = by_text[text]
        for column in BASE_COLUMNS:
            value = metrics.get(column) if isinstance(metrics, Mapping) else None
            if isinstance(value, int | float) and not isinstance(value, bool):
                record[column] = record.get(column, 0) + value
    frame = (pd.DataFrame(records) if records
             else pd.DataFrame(columns=["id", "keyword", "match_type", "status"]))
    # Pinterest leaves out a metric with no value: a keyword without delivery shows 0.
    frame = add_kpi_columns(frame)
    return frame.sort_values(SPEND, ascending=False, kind="stable").reset_index(drop=True)


def load_keywords(
    client: PinterestClient, account_id: str, ad_group_id: str, filters: Filters, today: date
) -> KeywordTable:
    """An ad group's keywords (the keywords list) and their metrics for the period (the ad
    group's KEYWORD targeting breakdown, TOTAL: one call, cached; older than 90 days it comes
    from a report like every range), fetched at once."""
    results = gather({
        "keywords": lambda: client.list_keywords(account_id, ad_group_id=ad_group_id),
        "metrics": lambda: fetch_targeting_rows(
            client, account_id, "AD_GROUP", targeting_types=["KEYWORD"], start=filters.start,
            end=filters.end, columns=BASE_COLUMNS, entity_ids=[ad_group_id],
            attribution=attribution_for(filters), today=today,
        ),
    })
    keywords: Fetched[list[Any]] = unwrap(results["keywords"])
    metrics: Fetched[list[Any]] = unwrap(results["metrics"])
    rows = [r for r in metrics.data if field_of(r, "targeting_type", "KEYWORD") == "KEYWORD"]
    return KeywordTable(ad_group_id=ad_group_id, frame=keyword_frame(keywords.data, rows),
                        freshness=freshness_of([metrics], [keywords]))
