"""The Audience page: Pinterest's three audience insight types."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from dashboard.errors import DataUnavailable, describe_error
from dashboard.loaders.fetch import Freshness, field_of, freshness_of, gather
from pinterest_client import Fetched, PinterestClient, PinterestError

AUDIENCE_INSIGHT_TYPES: Final[dict[str, str]] = {
    "YOUR_TOTAL_AUDIENCE": "Your total audience",
    "YOUR_ENGAGED_AUDIENCE": "Your engaged audience",
    "PINTEREST_TOTAL_AUDIENCE": "Pinterest total audience",
}


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
