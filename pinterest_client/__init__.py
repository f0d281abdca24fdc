"""A reusable client for the Pinterest API v5 ads analytics and reporting surface.

    from pinterest_client import PinterestClient
    client = PinterestClient()          # PINTEREST_ACCESS_TOKEN from the environment
    rows = client.analytics(account_id, "CAMPAIGN", start_date=..., end_date=...,
                            columns=["SPEND_IN_MICRO_DOLLAR", "TOTAL_CLICKTHROUGH"]).data
"""

from __future__ import annotations

from pinterest_client._cache import CacheStats, ResponseCache, default_cache
from pinterest_client._config import PRODUCTION_BASE_URL, SANDBOX_BASE_URL, ClientConfig
from pinterest_client._errors import (
    APIError,
    APITimeoutError,
    AuthError,
    BadRequestError,
    ForbiddenError,
    InvalidResponseError,
    NotFoundError,
    PinterestError,
    RangeNeedsReportError,
    RateLimitedError,
    ReportError,
    ServerError,
    TransportError,
    ValidationError,
)
from pinterest_client._ratelimit import RateLimits
from pinterest_client._stats import LatencyStats
from pinterest_client.client import ClientStats, PinterestClient
from pinterest_client.models import (
    Ad,
    AdAccount,
    AdGroup,
    Attribution,
    AudienceCategory,
    AudienceDemographics,
    AudienceDemographicValue,
    AudienceInsights,
    AudienceScope,
    Campaign,
    Fetched,
    Level,
    MetricDefinition,
    MetricsReadyState,
    TargetingRow,
    UserAccount,
)

__all__ = [
    "PRODUCTION_BASE_URL",
    "SANDBOX_BASE_URL",
    "APIError",
    "APITimeoutError",
    "Ad",
    "AdAccount",
    "AdGroup",
    "Attribution",
    "AudienceCategory",
    "AudienceDemographicValue",
    "AudienceDemographics",
    "AudienceInsights",
    "AudienceScope",
    "AuthError",
    "BadRequestError",
    "CacheStats",
    "Campaign",
    "ClientConfig",
    "ClientStats",
    "Fetched",
    "ForbiddenError",
    "InvalidResponseError",
    "LatencyStats",
    "Level",
    "MetricDefinition",
    "MetricsReadyState",
    "NotFoundError",
    "PinterestClient",
    "PinterestError",
    "RangeNeedsReportError",
    "RateLimitedError",
    "RateLimits",
    "ReportError",
    "ResponseCache",
    "ServerError",
    "TargetingRow",
    "TransportError",
    "UserAccount",
    "ValidationError",
    "default_cache",
]
