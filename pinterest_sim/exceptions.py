"""Pinterest's error bodies: every error is ``{"code": int, "message": str}`` with an HTTP status.

The codes follow the examples of the official OpenAPI description (see
``docs/architecture.md`` and the reference): 1 bad parameter, 2 authentication failed, 5 method
not allowed, 8 rate limited, 29 no access, 400 for the analytics "Invalid ... parameters" family.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

RATE_LIMIT_MESSAGE = (
    "This request exceeded a rate limit. This can happen if the client exceeds one of the "
    "published rate limits within a short time window."
)


class SimError(Exception):
    """An error the simulator answers with: HTTP status, Pinterest code, message, extra headers."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers: dict[str, str] = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}

    def __repr__(self) -> str:
        return f"SimError(status={self.status}, code={self.code}, message={self.message!r})"


def invalid_parameter(message: str, code: int = 1) -> SimError:
    """400: the message names the parameter and the rule it broke."""
    return SimError(400, code, message)


def authentication_failed(detail: str = "") -> SimError:
    message = "Authentication failed." + (f" {detail}" if detail else "")
    return SimError(401, 2, message)


def forbidden_account() -> SimError:
    return SimError(403, 29, "You are not permitted to access that resource.")


def account_not_found() -> SimError:
    return SimError(404, 2, "AdAccount not found.")


def not_found(message: str = "Resource not found.") -> SimError:
    return SimError(404, 404, message)


def method_not_allowed() -> SimError:
    return SimError(405, 5, "Method not allowed")


def rate_limited(reset_s: int) -> SimError:
    """429 code 8; ``X-RateLimit-Reset`` is the number of seconds until the window resets."""
    return SimError(429, 8, RATE_LIMIT_MESSAGE, {"X-RateLimit-Reset": str(max(1, reset_s))})


def server_error(status: int) -> SimError:
    if status == 503:
        return SimError(503, 4197, "The service is temporarily unavailable. Please retry later.")
    return SimError(status, 12, "Something went wrong on our end. Sorry about that.")
