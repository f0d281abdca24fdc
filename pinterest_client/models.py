"""Typed results: frozen dataclasses. Money stays `int` micro units of the account currency."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from pinterest_client._errors import InvalidResponseError, PinterestError
from pinterest_client.limits import Level as Level

T = TypeVar("T")


@dataclass(frozen=True)
class Fetched(Generic[T]):
    """A result plus how fresh it is.

    `stale=True` means the refresh failed (`error` says why) and this is the last good copy.
    """

    data: T
    stale: bool = False
    fetched_at: float = 0.0  # epoch seconds of the upstream answer
    error: PinterestError | None = None

    @property
    def age_s(self) -> float:
        return max(0.0, time.time() - self.fetched_at)


@dataclass(frozen=True)
class Attribution:
    """Attribution windows of analytics calls (Pinterest's defaults: 30/30/1 days)."""

    click_window_days: int = 30
    engagement_window_days: int = 30
    view_window_days: int = 1
    conversion_report_time: str = "TIME_OF_AD_ACTION"


# ---------------------------------------------------------------------------------------------
# Reading API objects: tolerant of extra and missing optional fields, strict about the id.
# ---------------------------------------------------------------------------------------------


def _require_mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        kind = type(value).__name__
        raise InvalidResponseError(f"Expected a JSON object for {what}, got {kind}.")
    return value


def _id(data: Mapping[str, Any], what: str, key: str = "id") -> str:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value) == "":
        raise InvalidResponseError(f"{what} without a valid {key!r}.")
    return str(value)


def _str(data: Mapping[str, Any], key: str, default: str = "") -> str:
    value = data.get(key)
    return default if value is None else str(value)


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


def _opt_int(data: Mapping[str, Any], key: str) -> int | None:
    """An integer field (money in micro units, epoch seconds); floats kept only when whole."""
    value = data.get(key)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def _opt_bool(data: Mapping[str, Any], key: str) -> bool | None:
    value = data.get(key)
    return value if isinstance(value, bool) else None


def _float(data: Mapping[str, Any], key: str) -> float:
    value = data.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return 0.0


def _raw(data: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(data))


@dataclass(frozen=True)
class UserAccount:
    username: str
    account_type: str
    id: str | None = None
    business_name: str | None = None
    profile_image: str | None = None
    website_url: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, value: Any) -> UserAccount:
        data = _require_mapping(value, "user account")
        return cls(
            username=_str(data, "username"),
            account_type=_str(data, "account_type"),
            id=_opt_str(data, "id"),
            business_name=_opt_str(data, "business_name"),
            profile_image=_opt_str(data, "profile_image"),
            website_url=_opt_str(data, "website_url"),
            raw=_raw(data),
        )


@dataclass(frozen=True)
class AdAccount:
    id: str
    name: str
    currency: str
    country: str
    owner_id: str | None = None
    owner_username: str | None = None
    permissions: tuple[str, ...] = ()
    created_time: int | None = None
    updated_time: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, value: Any) -> AdAccount:
        data = _require_mapping(value, "ad account")
        owner = data.get("owner") if isinstance(data.get("owner"), Mapping) else {}
        assert isinstance(owner, Mapping)
        perms = data.get("permissions")
        return cls(
            id=_id(data, "Ad account"),
            name=_str(data, "name"),
            currency=_str(data, "currency", "USD"),
            country=_str(data, "country"),
            owner_id=_opt_str(owner, "id"),
            owner_username=_opt_str(owner, "username"),
            permissions=tuple(str(p) for p in perms) if isinstance(perms, list) else (),
            created_time=_opt_int(data, "created_time"),
            updated_time=_opt_int(data, "updated_time"),
            raw=_raw(data),
        )


@dataclass(frozen=True)
class Campaign:
    """Spend caps are int micro units of the account currency (None: no cap)."""

    id: str
    ad_account_id: str
    name: str
    status: str
    objective_type: str | None = None
    summary_status: str | None = None
    daily_spend_cap: int | None = None
    lifetime_spend_cap: int | None = None
    start_time: int | None = None
    end_time: int | None = None
    is_campaign_budget_optimization: bool | None = None
    is_flexible_daily_budgets: bool | None = None
    created_time: int | None = None
    updated_time: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, value: Any) -> Campaign:
        data = _require_mapping(value, "campaign")
        return cls(
            id=_id(data, "Campaign"),
            ad_account_id=_str(data, "ad_account_id"),
            name=_str(data, "name"),
            status=_str(data, "status"),
            objective_type=_opt_str(data, "objective_type"),
            summary_status=_opt_str(data, "summary_status"),
            daily_spend_cap=_opt_int(data, "daily_spend_cap"),
            lifetime_spend_cap=_opt_int(data, "lifetime_spend_cap"),
            start_time=_opt_int(data, "start_time"),
            end_time=_opt_int(data, "end_time"),
            is_campaign_budget_optimization=_opt_bool(data, "is_campaign_budget_optimization"),
            is_flexible_daily_budgets=_opt_bool(data, "is_flexible_daily_budgets"),
            created_time=_opt_int(data, "created_time"),
            updated_time=_opt_int(data, "updated_time"),
            raw=_raw(data),
        )


@dataclass(frozen=True)
class AdGroup:
    """Budget and bid are int micro units of the account currency."""

    id: str
    ad_account_id: str
    campaign_id: str
    name: str
    status: str
    summary_status: str | None = None
    budget_in_micro_currency: int | None = None
    bid_in_micro_currency: int | None = None
    budget_type: str | None = None
    bid_strategy_type: str | None = None
    billable_event: str | None = None
    placement_group: str | None = None
    pacing_delivery_type: str | None = None
    start_time: int | None = None
    end_time: int | None = None
    targeting_spec: Mapping[str, Any] = field(default_factory=dict, compare=False)
    created_time: int | None = None
    updated_time: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, value: Any) -> AdGroup:
        data = _require_mapping(value, "ad group")
        spec = data.get("targeting_spec")
        return cls(
            id=_id(data, "Ad group"),
            ad_account_id=_str(data, "ad_account_id"),
            campaign_id=_str(data, "campaign_id"),
            name=_str(data, "name"),
            status=_str(data, "status"),
            summary_status=_opt_str(data, "summary_status"),
            budget_in_micro_currency=_opt_int(data, "budget_in_micro_currency"),
            bid_in_micro_currency=_opt_int(data, "bid_in_micro_currency"),
            budget_type=_opt_str(data, "budget_type"),
            bid_strategy_type=_opt_str(data, "bid_strategy_type"),
            billable_event=_opt_str(data, "billable_event"),
            placement_group=_opt_str(data, "placement_group"),
            pacing_delivery_type=_opt_str(data, "pacing_delivery_type"),
            start_time=_opt_int(data, "start_time"),
            end_time=_opt_int(data, "end_time"),
            targeting_spec=MappingProxyType(dict(spec)) if isinstance(spec, Mapping) else {},
            created_time=_opt_int(data, "created_time"),
            updated_time=_opt_int(data, "updated_time"),
            raw=_raw(data),
        )


@dataclass(frozen=True)
class Ad:
    id: str
    ad_account_id: str
    campaign_id: str
    ad_group_id: str
    name: str
    status: str
    pin_id: str | None = None
    summary_status: str | None = None
    review_status: str | None = None
    creative_type: str | None = None
    destination_url: str | None = None
    created_time: int | None = None
    updated_time: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, value: Any) -> Ad:
        data = _require_mapping(value, "ad")
        return cls(
            id=_id(data, "Ad"),
            ad_account_id=_str(data, "ad_account_id"),
            campaign_id=_str(data, "campaign_id"),
            ad_group_id=_str(data, "ad_group_id"),
            name=_str(data, "name"),
            status=_str(data, "status"),
            pin_id=_opt_str(data, "pin_id"),
            summary_status=_opt_str(data, "summary_status"),
            review_status=_opt_str(data, "review_status"),
            creative_type=_opt_str(data, "creative_type"),
            destination_url=_opt_str(data, "destination_url"),
            created_time=_opt_int(data, "created_time"),
            updated_time=_opt_int(data, "updated_time"),
            raw=_raw(data),
        )


@dataclass(frozen=True)
class Keyword:
    """A keyword entity (`GET /ad_accounts/{id}/keywords`): its text (`value`, from outside:
    render inert), match type, parent (an ad group, campaign or the ad account) and whether it
    is archived (Pinterest's only status field for keywords)."""

    id: str
    value: str
    match_type: str
    parent_id: str
    parent_type: str
    archived: bool = False
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, value: Any) -> Keyword:
        data = _require_mapping(value, "keyword")
        return cls(
            id=_id(data, "Keyword"),
            value=_str(data, "value"),
            match_type=_str(data, "match_type"),
            parent_id=_str(data, "parent_id"),
            parent_type=_str(data, "parent_type"),
            archived=data.get("archived") is True,
            raw=_raw(data),
        )


@dataclass(frozen=True)
class TargetingRow:
    """One targeting value's metrics. `targeting_value` is always a string (Pinterest sends
    LOCATION / AUDIENCE_INCLUDE values as numbers)."""

    targeting_type: str
    targeting_value: str
    metrics: Mapping[str, Any]

    @classmethod
    def from_api(cls, value: Any) -> TargetingRow:
        data = _require_mapping(value, "targeting row")
        metrics = data.get("metrics")
        if "targeting_type" not in data or "targeting_value" not in data:
            raise InvalidResponseError("Targeting row without targeting_type/targeting_value.")
        return cls(
            targeting_type=_str(data, "targeting_type"),
            targeting_value=_str(data, "targeting_value"),
            metrics=MappingProxyType(dict(metrics)) if isinstance(metrics, Mapping) else {},
        )


@dataclass(frozen=True)
class AudienceCategory:
    key: str
    name: str
    ratio: float
    index: float
    id: str | None = None
    subcategories: tuple[AudienceCategory, ...] = ()

    @classmethod
    def from_api(cls, value: Any) -> AudienceCategory:
        data = _require_mapping(value, "audience category")
        subs = data.get("subcategories")
        return cls(
            key=_str(data, "key", _str(data, "id")),
            name=_str(data, "name"),
            ratio=_float(data, "ratio"),
            index=_float(data, "index"),
            id=_opt_str(data, "id"),
            subcategories=tuple(cls.from_api(s) for s in subs) if isinstance(subs, list) else (),
        )


@dataclass(frozen=True)
class AudienceDemographicValue:
    key: str
    name: str
    ratio: float

    @classmethod
    def from_api(cls, value: Any) -> AudienceDemographicValue:
        data = _require_mapping(value, "audience demographic value")
        return cls(key=_str(data, "key"), name=_str(data, "name"), ratio=_float(data, "ratio"))


def _demo_values(data: Mapping[str, Any], key: str) -> tuple[AudienceDemographicValue, ...]:
    items = data.get(key)
    if not isinstance(items, list):
        return ()
    return tuple(AudienceDemographicValue.from_api(v) for v in items)


@dataclass(frozen=True)
class AudienceDemographics:
    ages: tuple[AudienceDemographicValue, ...] = ()
    countries: tuple[AudienceDemographicValue, ...] = ()
    devices: tuple[AudienceDemographicValue, ...] = ()
    genders: tuple[AudienceDemographicValue, ...] = ()
    metros: tuple[AudienceDemographicValue, ...] = ()

    @classmethod
    def from_api(cls, value: Any) -> AudienceDemographics:
        data = _require_mapping(value or {}, "audience demographics")
        return cls(
            ages=_demo_values(data, "ages"),
            countries=_demo_values(data, "countries"),
            devices=_demo_values(data, "devices"),
            genders=_demo_values(data, "genders"),
            metros=_demo_values(data, "metros"),
        )


@dataclass(frozen=True)
class AudienceInsights:
    type: str
    size: int
    size_is_upper_bound: bool
    date: str | None = None
    categories: tuple[AudienceCategory, ...] = ()
    demographics: AudienceDemographics = field(default_factory=AudienceDemographics)

    @classmethod
    def from_api(cls, value: Any) -> AudienceInsights:
        data = _require_mapping(value, "audience insights")
        cats = data.get("categories")
        return cls(
            type=_str(data, "type"),
            size=_opt_int(data, "size") or 0,
            size_is_upper_bound=bool(data.get("size_is_upper_bound")),
            date=_opt_str(data, "date"),
            categories=tuple(AudienceCategory.from_api(c) for c in cats)
            if isinstance(cats, list) else (),
            demographics=AudienceDemographics.from_api(data.get("demographics")),
        )


@dataclass(frozen=True)
class AudienceScope:
    scope: str
    type: str
    date: str | None = None

    @classmethod
    def from_api(cls, value: Any) -> AudienceScope:
        data = _require_mapping(value, "audience scope")
        return cls(scope=_str(data, "scope"), type=_str(data, "type"), date=_opt_str(data, "date"))


@dataclass(frozen=True)
class MetricDefinition:
    name: str
    definition: str = ""
    display_name: str | None = None
    category: str | None = None

    @classmethod
    def from_api(cls, value: Any) -> MetricDefinition:
        data = _require_mapping(value, "metric definition")
        name = _str(data, "name")
        if not name:
            raise InvalidResponseError("Metric definition without a name.")
        return cls(
            name=name,
            definition=_str(data, "definition"),
            display_name=_opt_str(data, "display_name"),
            category=_opt_str(data, "category"),
        )


@dataclass(frozen=True)
class MetricsReadyState:
    """Whether Pinterest has finalised a day's metrics (conversions and the rest)."""

    day: date
    conversion_metrics_ready: bool
    non_conversion_metrics_ready: bool

    @property
    def ready(self) -> bool:
        return self.conversion_metrics_ready and self.non_conversion_metrics_ready

    @classmethod
    def from_api(cls, day: date, value: Any) -> MetricsReadyState:
        data = _require_mapping(value, "metrics ready state")
        conv = data.get("conversion_metrics_ready")
        other = data.get("non_conversion_metrics_ready")
        if not isinstance(conv, bool) or not isinstance(other, bool):
            raise InvalidResponseError("Metrics ready state without its two booleans.")
        return cls(day=day, conversion_metrics_ready=conv, non_conversion_metrics_ready=other)
