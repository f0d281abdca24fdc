"""A reusable client for the Pinterest API v5 ads analytics and reporting surface."""

from __future__ import annotations

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
from pinterest_client.client import PinterestClient
from pinterest_client.models import Attribution, Fetched, Level

__all__ = [
    "PRODUCTION_BASE_URL",
    "SANDBOX_BASE_URL",
    "APIError",
    "APITimeoutError",
    "Attribution",
    "AuthError",
    "BadRequestError",
    "ClientConfig",
    "Fetched",
    "ForbiddenError",
    "InvalidResponseError",
    "Level",
    "NotFoundError",
    "PinterestClient",
    "PinterestError",
    "RangeNeedsReportError",
    "RateLimitedError",
    "RateLimits",
    "ReportError",
    "ServerError",
    "TransportError",
    "ValidationError",
]
