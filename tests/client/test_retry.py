"""The retry decision, from a table: (failure, attempt, budget) -> refresh / retry after N s /
give up. Expected rows are Pinterest's and the client's documented rules, written out by hand:
401 refreshes once; 429 waits for a known reset only within the wait budget, else backs off
and spends the budget; 5xx, timeouts and unreadable answers back off until max_retries."""

from __future__ import annotations

import pytest

from pinterest_client import (
    APITimeoutError,
    AuthError,
    InvalidResponseError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from pinterest_client._errors import PinterestError
from pinterest_client._retry import (
    Budget,
    Decision,
    Failure,
    GiveUp,
    RefreshToken,
    RetryAfter,
    decide,
)

BACKOFF = 0.75  # what the caller drew for this attempt


def _429(reset: float | None) -> Failure:
    return Failure(RateLimitedError(429, None, "Rate limit exceeded.", retry_after=reset), reset)


def _budget(attempt: int = 0, wait: float = 30.0, can_refresh: bool = False) -> Budget:
    return Budget(attempt=attempt, max_retries=4, rate_wait_s=wait, can_refresh=can_refresh)


def _plain(error: PinterestError) -> Failure:
    return Failure(error)


CASES: list[tuple[str, Failure, Budget, Decision]] = [
    ("401, refresh possible: refresh",
     _plain(AuthError(401, None, "expired")), _budget(can_refresh=True), RefreshToken()),
    ("401, refresh spent or impossible: give up",
     _plain(AuthError(401, None, "expired")), _budget(), GiveUp()),
    ("401 never spends retries even on the last attempt",
     _plain(AuthError(401, None, "expired")), _budget(attempt=4, can_refresh=True),
     RefreshToken()),
    ("5xx, retries left: back off",
     _plain(ServerError(503, None, "busy")), _budget(),
     RetryAfter(seconds=BACKOFF, sleep=True, block_s=None, rate_wait_s=30.0)),
    ("5xx, last retry spent: give up",
     _plain(ServerError(500, None, "boom")), _budget(attempt=4), GiveUp()),
    ("timeout: back off, rate budget untouched",
     _plain(APITimeoutError("slow")), _budget(attempt=3, wait=0.1),
     RetryAfter(seconds=BACKOFF, sleep=True, block_s=None, rate_wait_s=0.1)),
    ("dropped connection: back off",
     _plain(TransportError("down")), _budget(attempt=1),
     RetryAfter(seconds=BACKOFF, sleep=True, block_s=None, rate_wait_s=30.0)),
    ("truncated JSON: back off",
     _plain(InvalidResponseError("cut")), _budget(attempt=2),
     RetryAfter(seconds=BACKOFF, sleep=True, block_s=None, rate_wait_s=30.0)),
    ("429 with a reset within the budget: the limiter waits it out",
     _429(12.0), _budget(),
     RetryAfter(seconds=12.0, sleep=False, block_s=12.0, rate_wait_s=18.0)),
    ("429 with a reset equal to the budget: still waited for",
     _429(30.0), _budget(),
     RetryAfter(seconds=30.0, sleep=False, block_s=30.0, rate_wait_s=0.0)),
    ("429 with a reset beyond the budget: block the category and fail fast",
     _429(67_000.0), _budget(), GiveUp(block_s=67_000.0)),
    ("429 with a reset and no retries left: block, then give up",
     _429(5.0), _budget(attempt=4), GiveUp(block_s=5.0)),
    ("429 without a reset: back off and spend the budget",
     _429(None), _budget(wait=1.0),
     RetryAfter(seconds=BACKOFF, sleep=True, block_s=None, rate_wait_s=1.0 - BACKOFF)),
    ("429 without a reset, backoff longer than the budget left: give up",
     _429(None), _budget(wait=0.5), GiveUp()),
    ("429 after the slot wait used up the budget: any reset is too long",
     _429(0.5), _budget(wait=-2.0), GiveUp(block_s=0.5)),
]


@pytest.mark.parametrize(("failure", "budget", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_decide(failure: Failure, budget: Budget, expected: Decision) -> None:
    assert decide(failure, budget, BACKOFF) == expected


def test_a_reset_on_an_error_that_is_not_a_429_is_ignored() -> None:
    # Only 429s carry resets; a stray one on a 5xx must not skip the backoff sleep.
    decision = decide(Failure(ServerError(502, None, "bad gateway"), 9.0), _budget(), BACKOFF)
    assert decision == RetryAfter(seconds=BACKOFF, sleep=True, block_s=None, rate_wait_s=30.0)
