"""The polling loop shared by async reports and bulk downloads, on a hand-moved clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pinterest_client import ReportError, ServerError, ValidationError
from pinterest_client._polling import (
    MAX_TRANSIENT_ROUNDS,
    fetch_renewing_links,
    poll_until,
    tolerating_transient,
    wait_for,
)


class Clock:
    """now() and sleep(s) on one hand-moved clock; sleeps are recorded."""

    def __init__(self) -> None:
        self.at = datetime(2026, 11, 20, tzinfo=UTC)
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self.at

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.at += timedelta(seconds=seconds)


class StillRunning(Exception):
    pass


def test_backoff_then_one_last_poll_at_the_deadline() -> None:
    clock = Clock()
    polls: list[datetime] = []

    def step() -> str | None:
        polls.append(clock.now())
        return None

    with pytest.raises(StillRunning):
        poll_until(step, now=clock.now, sleep=clock.sleep, timeout_s=30.0,
                   still_running=StillRunning)
    # 1+2+4+8+10 = 25 s, then the 10 s wait is cut to the 5 s left, then a last poll.
    assert clock.slept == [1.0, 2.0, 4.0, 8.0, 10.0, 5.0]
    assert len(polls) == 7
    assert polls[-1] == polls[0] + timedelta(seconds=30)


def test_a_result_ends_the_wait_without_sleeping_again() -> None:
    clock = Clock()
    answers = iter([None, None, "done"])
    result = poll_until(lambda: next(answers), now=clock.now, sleep=clock.sleep, timeout_s=60.0,
                        still_running=StillRunning)
    assert result == "done"
    assert clock.slept == [1.0, 2.0]


def _boom() -> str:
    raise ServerError(503, None, "busy")


def test_transient_failures_cost_their_round_until_one_too_many() -> None:
    failures = 0
    for expected in range(1, MAX_TRANSIENT_ROUNDS + 1):
        answer, failures = tolerating_transient(_boom, "no news", failures)
        assert (answer, failures) == ("no news", expected)
    with pytest.raises(ServerError):
        tolerating_transient(_boom, "no news", failures)
    assert tolerating_transient(lambda: "ok", "no news", failures) == ("ok", 0)


def test_other_errors_are_never_absorbed() -> None:
    def refused() -> str:
        raise ValidationError("bad")

    with pytest.raises(ValidationError):
        tolerating_transient(refused, "no news", 0)


def test_wait_for_reports_every_status_and_survives_a_transient_poll() -> None:
    clock = Clock()
    answers = iter(["RUNNING", "BOOM", "DONE"])
    seen: list[str] = []

    def poll() -> str:
        answer = next(answers)
        if answer == "BOOM":
            raise ServerError(502, None, "bad gateway")
        return answer

    status = wait_for(poll, no_news="RUNNING", ready=lambda s: s == "DONE",
                      on_status=seen.append, now=clock.now, sleep=clock.sleep, timeout_s=60.0,
                      still_running=StillRunning)
    assert status == "DONE"
    assert seen == ["RUNNING", "RUNNING", "DONE"]
    assert clock.slept == [1.0, 2.0]


def test_a_dead_link_is_waited_for_again_then_given_up() -> None:
    waits: list[int] = []

    def wait() -> int:
        waits.append(len(waits))
        return len(waits)

    def download(_status: int) -> bytes:
        raise ValueError("cut off")

    with pytest.raises(ReportError, match="gave up"):
        fetch_renewing_links(wait, download, max_renewals=2,
                             failure=lambda exc: ReportError(f"gave up: {exc}", status="X"))
    assert len(waits) == 3  # the first wait and two renewals

    assert fetch_renewing_links(lambda: 7, lambda s: s * 2, max_renewals=0,
                                failure=lambda exc: exc) == 14
