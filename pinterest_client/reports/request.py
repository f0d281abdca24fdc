"""What an async report asks for: `ReportRequest`, its enums, Pinterest's rules, and its
split into jobs of the allowed range (WEEK and MONTH chunks cut on period boundaries)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Final, Literal

from pinterest_client._errors import ValidationError
from pinterest_client.limits import (
    HOUR_MAX_DAYS_BACK,
    HOUR_MAX_RANGE_DAYS,
    PRODUCT_ITEM_MAX_DAYS_BACK,
    PRODUCT_ITEM_MAX_RANGE_DAYS,
    REPORT_ID_COLUMNS,
    REPORT_LEVELS,
    REPORT_MAX_DAYS_BACK,
    REPORT_MAX_FILTER_IDS,
    REPORT_MAX_RANGE_DAYS,
)

ReportFormat = Literal["JSON", "CSV"]
PrimarySort = Literal["BY_ID", "BY_DATE"]

# Schema TargetingTypeFilter (async only; wider than the sync targeting types).
REPORT_TARGETING_TYPES: Final[tuple[str, ...]] = (
    "KEYWORD",
    "APPTYPE",
    "GENDER",
    "LOCATION",
    "PLACEMENT",
    "COUNTRY",
    "TARGETED_INTEREST",
    "PINNER_INTEREST",
    "AUDIENCE_INCLUDE",
    "GEO",
    "AGE_BUCKET",
    "REGION",
    "MEDIA_TYPE",
    "AGE_BUCKET_AND_GENDER",
    "AUDIENCE_MULTIPLIER",
    "CREATIVE_ENHANCEMENTS",
    "LOCAL_ADS_STORE_CODE",
)
GRANULARITIES: Final[tuple[str, ...]] = ("TOTAL", "DAY", "HOUR", "WEEK", "MONTH")
WINDOW_DAYS: Final[tuple[int, ...]] = (0, 1, 7, 14, 30, 60)
CONVERSION_REPORT_TIMES: Final[tuple[str, ...]] = ("TIME_OF_AD_ACTION", "TIME_OF_CONVERSION")
REPORT_FORMATS: Final[tuple[str, ...]] = ("JSON", "CSV")
PRIMARY_SORTS: Final[tuple[str, ...]] = ("BY_ID", "BY_DATE")
MAX_TARGETING_TYPES: Final = 5
# Levels about the catalog's products rather than an ad entity.
PRODUCT_LEVELS: Final[tuple[str, ...]] = ("PRODUCT_GROUP", "PRODUCT_ITEM")

_DIGITS = re.compile(r"^\d+$")


def _async_columns() -> frozenset[str]:
    from pinterest_client import columns as catalogue

    return frozenset(catalogue.ASYNC_COLUMNS)


@dataclass(frozen=True)
class ReportRequest:
    """One async report as asked for (any range; `ReportsAPI.run` splits it into jobs)."""

    ad_account_id: str
    level: str
    columns: tuple[str, ...]
    start_date: date
    end_date: date
    granularity: str = "DAY"
    targeting_types: tuple[str, ...] = ()
    click_window_days: int = 30
    engagement_window_days: int = 30
    view_window_days: int = 1
    conversion_report_time: str = "TIME_OF_AD_ACTION"
    campaign_ids: tuple[str, ...] = ()
    ad_group_ids: tuple[str, ...] = ()
    ad_ids: tuple[str, ...] = ()
    report_format: str = "JSON"
    primary_sort: str = "BY_ID"

    def __post_init__(self) -> None:
        # Lists given by callers become tuples, so a request is hashable and comparable.
        for name in ("columns", "targeting_types", "campaign_ids", "ad_group_ids", "ad_ids"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    @property
    def base_level(self) -> str:
        """The level without its _TARGETING suffix (the entity the rows are about)."""
        return self.level.removesuffix("_TARGETING")

    @property
    def id_column(self) -> str:
        return REPORT_ID_COLUMNS.get(self.base_level, f"{self.base_level}_ID")

    def limits(self) -> tuple[int, int]:
        """(days back, range days) Pinterest allows for this request."""
        if self.granularity == "HOUR":
            return HOUR_MAX_DAYS_BACK, HOUR_MAX_RANGE_DAYS
        if self.base_level == "PRODUCT_ITEM":
            return PRODUCT_ITEM_MAX_DAYS_BACK, PRODUCT_ITEM_MAX_RANGE_DAYS
        return REPORT_MAX_DAYS_BACK, REPORT_MAX_RANGE_DAYS

    def validate(self, today: date, *, whole_range: bool = True) -> None:
        """Pinterest's rules, checked before anything is sent (raises ValidationError).

        With `whole_range` the range may exceed one job's maximum (it will be split);
        otherwise it must fit one job.
        """
        if not _DIGITS.match(self.ad_account_id) or len(self.ad_account_id) > 18:
            raise ValidationError("ad_account_id must be a string of at most 18 digits.")
        if self.level not in REPORT_LEVELS:
            raise ValidationError(f"level {self.level!r} is not one of {', '.join(REPORT_LEVELS)}.")
        if self.granularity not in GRANULARITIES:
            raise ValidationError(
                f"granularity {self.granularity!r} is not one of {', '.join(GRANULARITIES)}."
            )
        if not self.columns:
            raise ValidationError("columns: choose at least one column.")
        allowed = _async_columns()
        unknown = [c for c in self.columns if c not in allowed]
        if unknown:
            raise ValidationError(
                "columns: not async report columns: " + ", ".join(unknown[:10])
            )
        self._validate_targeting()
        for name in ("click_window_days", "engagement_window_days", "view_window_days"):
            if getattr(self, name) not in WINDOW_DAYS:
                raise ValidationError(
                    f"{name} must be one of {', '.join(map(str, WINDOW_DAYS))}."
                )
        if self.conversion_report_time not in CONVERSION_REPORT_TIMES:
            raise ValidationError(
                "conversion_report_time must be one of " + ", ".join(CONVERSION_REPORT_TIMES)
            )
        if self.report_format not in REPORT_FORMATS:
            raise ValidationError("report_format must be JSON or CSV.")
        if self.primary_sort not in PRIMARY_SORTS:
            raise ValidationError("primary_sort must be BY_ID or BY_DATE.")
        for name in ("campaign_ids", "ad_group_ids", "ad_ids"):
            ids: tuple[str, ...] = getattr(self, name)
            if len(ids) > REPORT_MAX_FILTER_IDS:
                raise ValidationError(
                    f"{name}: at most {REPORT_MAX_FILTER_IDS} ids per report (got {len(ids)})."
                )
            bad = [i for i in ids if not _DIGITS.match(str(i))]
            if bad:
                raise ValidationError(f"{name} must be digit strings (got {bad[0]!r}).")
        self._validate_filters()
        self._validate_dates(today, whole_range=whole_range)

    def _validate_filters(self) -> None:
        """Entity filters a level can honour: product levels are the catalog's (no campaign,
        ad group or ad ids); keywords belong to ad groups (no ad ids)."""
        if self.base_level in PRODUCT_LEVELS:
            given = [n for n in ("campaign_ids", "ad_group_ids", "ad_ids") if getattr(self, n)]
            if given:
                raise ValidationError(
                    f"{', '.join(given)}: a {self.level} report cannot be filtered by campaign, "
                    "ad group or ad ids (it covers the catalog campaigns' products).")
        if self.ad_ids and self.base_level == "KEYWORD":
            raise ValidationError(
                "ad_ids cannot filter a KEYWORD report (keywords belong to ad groups: filter "
                "by campaign or ad group ids).")

    def _validate_targeting(self) -> None:
        if not self.level.endswith("_TARGETING"):
            if self.targeting_types:
                raise ValidationError(
                    "targeting_types need a level ending in _TARGETING "
                    f"(level is {self.level})."
                )
            return
        if not 1 <= len(self.targeting_types) <= MAX_TARGETING_TYPES:
            raise ValidationError(
                f"targeting_types: a {self.level} report needs 1 to {MAX_TARGETING_TYPES} types."
            )
        for t in self.targeting_types:
            if t not in REPORT_TARGETING_TYPES:
                raise ValidationError(f"targeting_types: {t!r} is not a report targeting type.")
        if "AUDIENCE_MULTIPLIER" in self.targeting_types and self.level != "CAMPAIGN_TARGETING":
            raise ValidationError("targeting type AUDIENCE_MULTIPLIER needs CAMPAIGN_TARGETING.")
        if "MEDIA_TYPE" in self.targeting_types and self.level != "PRODUCT_ITEM_TARGETING":
            raise ValidationError("targeting type MEDIA_TYPE needs PRODUCT_ITEM_TARGETING.")

    def _validate_dates(self, today: date, *, whole_range: bool) -> None:
        if self.end_date < self.start_date:
            raise ValidationError(
                f"end_date {self.end_date} is before start_date {self.start_date}."
            )
        days_back, max_range = self.limits()
        earliest = today - timedelta(days=days_back)
        if self.start_date < earliest:
            raise ValidationError(
                f"start_date {self.start_date} is more than {days_back} days back "
                f"(earliest {earliest})."
            )
        splittable = whole_range and self.granularity != "HOUR"
        if not splittable and self.days > max_range:
            raise ValidationError(
                f"a {self.granularity} report covers at most {max_range} days "
                f"(asked for {self.days})."
            )

    def with_dates(self, start: date, end: date) -> ReportRequest:
        return replace(self, start_date=start, end_date=end)

    def split(self, max_days: int | None = None) -> list[ReportRequest]:
        """Consecutive requests of at most `max_days` (default: Pinterest's range) each.

        WEEK chunks are whole multiples of 7 days and MONTH chunks start on the 1st where they
        can, so a period is cut only where the range itself cuts it.
        """
        limit = max_days if max_days is not None else self.limits()[1]
        if self.days <= limit:
            return [self]
        parts: list[ReportRequest] = []
        start = self.start_date
        while start <= self.end_date:
            end = min(self.end_date, _chunk_end(start, limit, self.granularity))
            parts.append(self.with_dates(start, end))
            start = end + timedelta(days=1)
        return parts

    def body(self) -> dict[str, Any]:
        """The JSON body of POST /ad_accounts/{id}/reports (defaults left out are still sent:
        they are explicit so the job is exactly what the cache key says)."""
        body: dict[str, Any] = {
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "granularity": self.granularity,
            "level": self.level,
            "columns": list(self.columns),
            "click_window_days": self.click_window_days,
            "engagement_window_days": self.engagement_window_days,
            "view_window_days": self.view_window_days,
            "conversion_report_time": self.conversion_report_time,
            "report_format": self.report_format,
            "primary_sort": self.primary_sort,
        }
        if self.targeting_types:
            body["targeting_types"] = list(self.targeting_types)
        for name in ("campaign_ids", "ad_group_ids", "ad_ids"):
            ids: tuple[str, ...] = getattr(self, name)
            if ids:
                body[name] = list(ids)
        return body

    def describe(self) -> str:
        return (
            f"{self.level} {self.granularity} report {self.start_date}..{self.end_date} "
            f"({len(self.columns)} columns)"
        )


def _chunk_end(start: date, limit: int, granularity: str) -> date:
    if granularity == "WEEK":
        return start + timedelta(days=(limit // 7) * 7 - 1)
    if granularity == "MONTH":
        # Whole months from `start` while they fit (a range starting mid-month keeps that
        # partial month in the first chunk).
        end = start + timedelta(days=limit - 1)
        first_of_next = date(end.year + (end.month == 12), end.month % 12 + 1, 1)
        if end + timedelta(days=1) == first_of_next:
            return end
        month_start = date(end.year, end.month, 1)
        return month_start - timedelta(days=1) if month_start > start else end
    return start + timedelta(days=limit - 1)
