"""What to do after a failed attempt, as a pure decision (no clock, no I/O, no randomness).

`decide(failure, budget, backoff_s)` answers one of:

- `RefreshToken`: a 401 and a refresh is possible and not yet spent (costs no retry);
- `RetryAfter(seconds, ...)`: try again after `seconds` (a known rate-limit reset, else the
  jittered backoff the caller drew); when the reset is known the category's limiter is blocked
  for it and waits (`sleep=False`), and rate-limit waits are taken from the wait budget;
- `GiveUp(block_s)`: raise the error; `block_s` remembers a known reset so later calls of the
  category fail fast instead of hammering Pinterest.

`HttpSession._send` is a short loop around it; the table in tests/client/test_retry.py pins it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pinterest_client._errors import AuthError, PinterestError, RateLimitedError


@dataclass(frozen=True)
class Failure:
    """One failed attempt: the error, and for a 429 the reset Pinterest announced (seconds)."""

    error: PinterestError
    reset_s: float | None = None


@dataclass(frozen=True)
class Budget:
    """What is left to spend on this request."""

    attempt: int  # retries already made
    max_retries: int
    rate_wait_s: float  # seconds this request may still wait for rate limits
    can_refresh: bool  # a token refresh is possible and not yet spent on this request


@dataclass(frozen=True)
class RefreshToken:
    """Refresh the access token and send again."""


@dataclass(frozen=True)
class RetryAfter:
    """Send again after `seconds`."""

    seconds: float
    sleep: bool  # False: the limiter, blocked for `block_s`, does the waiting
    block_s: float | None
    rate_wait_s: float  # the wait budget left after this wait


@dataclass(frozen=True)
class GiveUp:
    """Raise the error (after blocking the category for `block_s`, when given)."""

    block_s: float | None = None


Decision = RefreshToken | RetryAfter | GiveUp


def decide(failure: Failure, budget: Budget, backoff_s: float) -> Decision:
    """The next step after `failure`; `backoff_s` is the jittered backoff for this attempt."""
    error = failure.error
    if isinstance(error, AuthError):
        return RefreshToken() if budget.can_refresh else GiveUp()
    rate_limited = isinstance(error, RateLimitedError)
    reset = failure.reset_s if rate_limited else None
    if reset is not None and reset > max(0.0, budget.rate_wait_s):
        return GiveUp(block_s=reset)  # longer than we may wait: remember it and fail fast
    if budget.attempt >= budget.max_retries:
        return GiveUp(block_s=reset)
    wait = reset if reset is not None else backoff_s
    left = budget.rate_wait_s
    if rate_limited:
        left -= wait
        if left < 0:
            return GiveUp(block_s=reset)
    return RetryAfter(seconds=wait, sleep=reset is None, block_s=reset, rate_wait_s=left)
