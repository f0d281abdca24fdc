"""What went wrong, in words a marketer can act on (never a traceback, never a secret).

The client raises a hierarchy rooted at `PinterestError`; pages catch it at their edge and show
`describe_error(exc)`. `DataUnavailable` is the dashboard's own "this cannot be shown" (for
example a range live analytics cannot reach).
"""

from __future__ import annotations

import math

import pinterest_client as pc
from dashboard.formatting import format_age
from pinterest_client import PinterestError as PinterestError  # pages catch it from here

# How the client words an AuthError raised because the token refresh itself was refused
# (pinterest_client/_http.py, HttpSession.refresh_access_token).
REFRESH_FAILED_PREFIX = "Refreshing the access token failed"


class DataUnavailable(Exception):
    """Data the page asked for cannot be fetched as asked; the message says why, for users."""


def _message_of(exc: BaseException) -> str:
    message = getattr(exc, "message", None)
    text = str(message if message else exc).strip()
    return text[:300]


def _seconds(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def describe_error(exc: BaseException) -> str:
    """A one-paragraph explanation of an error for st.error / st.warning."""
    if isinstance(exc, DataUnavailable):
        return str(exc)
    if isinstance(exc, pc.RateLimitedError):
        wait = _seconds(getattr(exc, "retry_after", None))
        # A daily window is ~67,000 s: "about 18 h 36 min" reads, "about 67000 s" does not.
        when = f" Pinterest says to retry in about {format_age(wait)}." if wait else ""
        return "Pinterest's rate limit for this app is used up for now." + when
    if isinstance(exc, pc.AuthError) and _message_of(exc).startswith(REFRESH_FAILED_PREFIX):
        # A refresh token is configured, so "add a refresh token" would be wrong advice.
        return (
            "Pinterest refused the refresh token (it may have been revoked or expired), so the "
            "dashboard cannot renew the access token: connect the app to Pinterest again and "
            "set the new tokens."
        )
    if isinstance(exc, pc.AuthError):
        return (
            "Pinterest refused the access token (it may have expired or been revoked). "
            "Check PINTEREST_ACCESS_TOKEN, or add a refresh token and app credentials so the "
            "dashboard can renew it."
        )
    if isinstance(exc, pc.ForbiddenError):
        return "This Pinterest user has no access to that ad account."
    if isinstance(exc, pc.NotFoundError):
        return "Pinterest does not know that ad account (or the item asked for)."
    if isinstance(exc, pc.ServerError):
        return "Pinterest had a server error and did not send the data. It usually passes; "\
            "try again in a moment."
    if isinstance(exc, pc.APITimeoutError):
        return "Pinterest did not answer in time. Try again in a moment."
    if isinstance(exc, pc.TransportError):
        return "Could not reach Pinterest (network error). Try again in a moment."
    if isinstance(exc, pc.InvalidResponseError):
        return "Pinterest sent a response that could not be read. Try again in a moment."
    if isinstance(exc, pc.ValidationError):
        return f"The dashboard asked for something Pinterest does not allow: {_message_of(exc)}"
    if isinstance(exc, pc.BadRequestError):
        return f"Pinterest refused the request: {_message_of(exc)}"
    if isinstance(exc, pc.PinterestError):
        return f"Pinterest API error: {_message_of(exc)}"
    return "Something went wrong while preparing this page. Try again, or pick other filters."
