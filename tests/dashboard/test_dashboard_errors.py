"""Every client error becomes a plain sentence a marketer can act on."""

from __future__ import annotations

import pytest

import pinterest_client as pc
from dashboard.errors import DataUnavailable, describe_error


@pytest.mark.parametrize(
    ("error", "needle"),
    [
        (pc.RateLimitedError(429, 8, "exceeded", retry_after=42.0), "retry in about 42 s"),
        (pc.AuthError(401, 2, "Authentication failed."), "refused the access token"),
        (pc.ForbiddenError(403, 29, "no access"), "no access to that ad account"),
        (pc.NotFoundError(404, 2, "AdAccount not found."), "does not know"),
        (pc.ServerError(503, 4197, "Service unavailable"), "server error"),
        (pc.APITimeoutError("timed out"), "did not answer in time"),
        (pc.TransportError("connection reset"), "Could not reach Pinterest"),
        (pc.InvalidResponseError("bad json"), "could not be read"),
        (pc.ValidationError("end_date before start_date", parameter="end_date"),
         "end_date before start_date"),
        (pc.BadRequestError(400, 1, "Invalid ad account analytics parameters."),
         "Invalid ad account analytics parameters."),
        (DataUnavailable("Beyond reach."), "Beyond reach."),
        (RuntimeError("KeyError: 'x' at line 5"), "Something went wrong"),
    ],
)
def test_describe_error(error: BaseException, needle: str) -> None:
    text = describe_error(error)
    assert needle in text
    assert "Traceback" not in text and "line 5" not in text


def test_rate_limit_without_retry_after() -> None:
    text = describe_error(pc.RateLimitedError(429, 8, "exceeded"))
    assert "rate limit" in text and "retry in" not in text


def test_a_daily_rate_limit_window_reads_in_hours() -> None:
    """The trial tier's 429 resets in ~67,000 s: said as hours and minutes, not seconds."""
    text = describe_error(pc.RateLimitedError(429, 8, "exceeded", retry_after=67_000.0))
    assert "retry in about 18 h 36 min." in text  # 67,000 s = 18 h 36 min 40 s
    assert "67000" not in text


def test_a_refused_refresh_token_is_not_told_to_add_one() -> None:
    """With a refresh token configured and refused, the advice is to reconnect, not to add the
    refresh token the dashboard already has."""
    refused = pc.AuthError(400, 1104, "Refreshing the access token failed: The token you "
                           "provided is not valid or has expired.")
    text = describe_error(refused)
    assert text.startswith("Pinterest refused the refresh token")
    assert "add a refresh token" not in text
    plain = describe_error(pc.AuthError(401, 2, "The access token has expired."))
    assert "refused the access token" in plain and "add a refresh token" in plain
