"""The Targeting page: every targeting breakdown of the period, with readable labels."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import pandas as pd

from dashboard.countries import country_name, region_name
from dashboard.errors import describe_error
from dashboard.filters import Filters
from dashboard.kpis import BASE_COLUMNS, SPEND
from dashboard.loaders.fetch import (
    Freshness,
    Level,
    attribution_for,
    fetch_targeting_rows,
    field_of,
    freshness_of,
    gather,
    unwrap,
)
from dashboard.loaders.frames import add_kpi_columns
from dashboard.render_cache import shared
from pinterest_client import Fetched, PinterestClient

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
        return _rows_of_type(self.frame, targeting_type)

    @property
    def has_delivery(self) -> bool:
        """Whether any breakdown spent anything (else there is nothing to break down)."""
        return _has_delivery(self.frame)


@shared
def _rows_of_type(frame: pd.DataFrame, targeting_type: str) -> pd.DataFrame:
    return frame[frame["targeting_type"] == targeting_type].reset_index(drop=True)


@shared
def _has_delivery(frame: pd.DataFrame) -> bool:
    if frame.empty:
        return False
    totals = frame.groupby("targeting_type")[SPEND].sum()
    return not float(pd.to_numeric(totals, errors="coerce").max()) <= 0  # as NaN counts


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
