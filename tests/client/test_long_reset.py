"""A 429 announcing a reset hours away (the trial tier's daily window, ~67,000 s): callers are
told Pinterest's reset, no call goes out for a few minutes, then one asks again, so a limit
lifted early (an upgraded app) is noticed without waiting the whole day."""

from __future__ import annotations

import httpx
import pytest

from pinterest_client import ClientConfig, RateLimitedError
from tests.client.support import make_session

DAY_RESET = 67_000


def test_a_daily_reset_blocks_locally_for_minutes_then_asks_again() -> None:
    calls: list[str] = []
    limited = [True]

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if limited[0]:
            return httpx.Response(429, json={"code": 8, "message": "Trial limit reached."},
                                  headers={"X-RateLimit-Reset": str(DAY_RESET)})
        return httpx.Response(200, json={"ok": True})

    session, clock = make_session(handler)
    with pytest.raises(RateLimitedError) as first:
        session.request_json("GET", "/x", category="ads_analytics")
    assert first.value.retry_after == pytest.approx(DAY_RESET, rel=0.01)
    made = len(calls)
    # Within the local block: refused at once, no call, and told Pinterest's own reset.
    clock.t += 60
    with pytest.raises(RateLimitedError) as refused:
        session.request_json("GET", "/x", category="ads_analytics")
    assert len(calls) == made
    assert refused.value.retry_after == pytest.approx(DAY_RESET - 60, rel=0.01)
    # Still limited after the local block: one call asks, and the category blocks again.
    clock.t += ClientConfig().max_block_s
    with pytest.raises(RateLimitedError):
        session.request_json("GET", "/x", category="ads_analytics")
    assert len(calls) == made + 1
    # The limit lifted (the fault ended): the next call after the block gets through.
    limited[0] = False
    clock.t += ClientConfig().max_block_s
    assert session.request_json("GET", "/x", category="ads_analytics") == {"ok": True}
