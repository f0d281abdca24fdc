"""The exception hierarchy: catch at the level you care about.

    PinterestError
    ├── APIError(status, code, message)          Pinterest answered with an error status
    │   ├── BadRequestError       400 (and other 4xx without a class of their own)
    │   ├── AuthError             401 (after one refresh attempt, when possible)
    │   ├── ForbiddenError        403
    │   ├── NotFoundError         404
    │   ├── RateLimitedError      429, or a local wait that would exceed the cap
    │   └── ServerError           5xx (after the retries)
    ├── TransportError            no answer (connection refused, reset, ...)
    │   └── APITimeoutError       no answer in time
    ├── InvalidResponseError      an answer that is not the JSON it should be
    ├── ValidationError           a local check failed; nothing was sent
    │   └── RangeNeedsReportError the range is older than live analytics reach: use a report
    └── ReportError(status)       an async report / bulk job ended badly

Messages never contain secrets: they are built from status, Pinterest's own `message` and the
parameter names, never from headers or request bodies.
"""

from __future__ import annotations

from datetime import date


class PinterestError(Exception):
    """Root of everything the client raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class APIError(PinterestError):
    """Pinterest answered with an error status; `code` is Pinterest's own error code."""

    def __init__(self, status: int, code: int | None, message: str) -> None:
        self.status = status
        self.code = code
        super().__init__(message)

    def __str__(self) -> str:
        code = f", code {self.code}" if self.code is not None else ""
        return f"HTTP {self.status}{code}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, code={self.code}, {self.message!r})"


class BadRequestError(APIError):
    """400 and other 4xx that are not auth, access, missing or rate limited. Never retried."""


class AuthError(APIError):
    """401: the access token was refused (and could not be refreshed)."""


class ForbiddenError(APIError):
    """403: the token's user has no access to the resource (or a download link expired)."""


class NotFoundError(APIError):
    """404: unknown ad account, entity or file."""


class RateLimitedError(APIError):
    """The rate limit is used up for longer than the caller is willing to wait.

    `retry_after`: seconds until the limit resets, when known; `reset_at`: the same as epoch
    seconds (time.time() scale), when known.
    """

    def __init__(
        self,
        status: int,
        code: int | None,
        message: str,
        *,
        reset_at: float | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(status, code, message)
        self.reset_at = reset_at
        self.retry_after = retry_after


class ServerError(APIError):
    """5xx after the retries were used up."""


class TransportError(PinterestError):
    """No HTTP answer at all (connection refused, reset, DNS, ...)."""


class APITimeoutError(TransportError):
    """No answer within the timeout (after the retries)."""


class InvalidResponseError(PinterestError):
    """An answer that could not be read: malformed or truncated JSON, wrong shape."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ValidationError(PinterestError, ValueError):
    """A local check failed before anything was sent; names the parameter and the rule."""

    def __init__(
        self, message: str, *, parameter: str | None = None, rule: str | None = None
    ) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.rule = rule


class RangeNeedsReportError(ValidationError):
    """The date range reaches further back than synchronous analytics allow.

    Carries the asked range so a caller can fall back to an async report
    (`client.reports.run(...)`) on its own.
    """

    def __init__(self, message: str, *, start: date, end: date, parameter: str = "start_date",
                 rule: str = "sync_lookback") -> None:
        super().__init__(message, parameter=parameter, rule=rule)
        self.start = start
        self.end = end


class ReportError(PinterestError):
    """An async report or bulk job failed, expired or could not be fetched; `status` says how."""

    def __init__(self, message: str, *, status: str) -> None:
        super().__init__(message)
        self.status = status


__all__ = [
    "APIError",
    "APITimeoutError",
    "AuthError",
    "BadRequestError",
    "ForbiddenError",
    "InvalidResponseError",
    "NotFoundError",
    "PinterestError",
    "RangeNeedsReportError",
    "RateLimitedError",
    "ReportError",
    "ServerError",
    "TransportError",
    "ValidationError",
]
