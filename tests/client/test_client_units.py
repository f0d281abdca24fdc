"""Unit tests of the client's parts with no simulator: rate-limit buckets on a fake clock,
cache bounds and single flight, retry policy over an httpx.MockTransport, splitting maths."""

from __future__ import annotations

import functools
import itertools
import threading
import time
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from pinterest_client import (
    PRODUCTION_BASE_URL,
    SANDBOX_BASE_URL,
    AuthError,
    BadRequestError,
    InvalidResponseError,
    PinterestClient,
    RateLimitedError,
    RateLimits,
    ResponseCache,
    ServerError,
)
from pinterest_client._auth import Credentials
from pinterest_client._config import normalise_base_url
from pinterest_client._http import parse_reset_seconds
from pinterest_client._ratelimit import RateLimiter
from pinterest_client._split import (
    batches,
    columns_for_merge,
    date_windows,
    merge_rows,
)
from tests.client.support import FakeClock, make_session

# -- rate limiter -----------------------------------------------------------------------------


def test_limiter_never_allows_more_than_the_limit_in_any_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(per_minute={"ads_analytics": 30}, per_second=5,
                                     slack_s=0.0), clock=clock.now, sleep=clock.sleep)
    stamps = []
    for i in range(100):
        limiter.acquire("ads_analytics", max_wait_s=120)
        stamps.append(clock.t)
        clock.t += 0.01 * (i % 3)  # some latency before the answer
        limiter.release("ads_analytics")
    for i, t in enumerate(stamps):
        in_second = [s for s in stamps[i:] if s < t + 1.0]
        in_minute = [s for s in stamps[i:] if s < t + 60.0]
        assert len(in_second) <= 5 and len(in_minute) <= 30
    # A full burst is allowed at once, then callers wait.
    assert stamps[:2] == [100.0] * 2
    assert clock.sleeps
    assert limiter.waits > 0


def test_limiter_refuses_waits_beyond_the_cap_with_reset_at() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(per_minute={"ads_analytics": 2}), clock=clock.now,
                          sleep=clock.sleep, wall=lambda: 5_000.0)
    for _ in range(2):
        limiter.acquire("ads_analytics", 1.0)
        limiter.release("ads_analytics")
    with pytest.raises(RateLimitedError) as err:
        limiter.acquire("ads_analytics", 1.0)
    assert err.value.retry_after == pytest.approx(60.0)
    assert err.value.reset_at == pytest.approx(5_060.0)
    assert clock.sleeps == []  # failed at once
    limiter.acquire("ads_read", 1.0)  # other categories unaffected
    limiter.release("ads_read")
    limiter.block("ads_read", 67_000)
    with pytest.raises(RateLimitedError):
        limiter.acquire("ads_read", 30.0)
    assert limiter.tokens_left()["ads_read"] == 0


def test_slots_held_in_flight_count_until_the_answer() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimits(per_minute={"ads_read": 3}, per_second=100),
                          clock=clock.now, sleep=clock.sleep)
    for _ in range(3):
        limiter.acquire("ads_read", 5.0)
    clock.t += 100  # long in flight: the slots are still held
    assert limiter.tokens_left()["ads_read"] == 0
    limiter.release("ads_read")
    assert limiter.tokens_left()["ads_read"] == 0  # answered just now: held for 60 s more
    clock.t += 60.0
    assert limiter.tokens_left()["ads_read"] == 1


def test_limiters_are_shared_by_clients_of_the_same_token() -> None:
    a = PinterestClient("tok-shared-1", base_url="http://x/v5")
    b = PinterestClient("tok-shared-1", base_url="http://x/v5")
    c = PinterestClient("tok-shared-2", base_url="http://x/v5")
    assert a._limiter is b._limiter and a._limiter is not c._limiter
    for client in (a, b, c):
        client.close()


# -- cache ------------------------------------------------------------------------------------


def test_cache_bounded_by_entries_and_bytes() -> None:
    cache = ResponseCache(max_entries=3, max_bytes=1000)
    def answer(value: int) -> tuple[int, int]:
        return value, 100

    for i in range(5):
        cache.get_or_fetch(("k", i), 60, functools.partial(answer, i))
    stats = cache.stats()
    assert stats.entries == 3 and stats.bytes == 300
    cache.get_or_fetch(("big",), 60, lambda: ("x", 900))
    assert cache.stats().bytes <= 1000
    cache.get_or_fetch(("huge",), 60, lambda: ("y", 5000))  # larger than the budget: not kept
    assert ("huge",) not in cache.cached_keys()


def test_single_flight_shares_an_error_and_stale_copy_only_for_transient_errors() -> None:
    timer = [0.0]
    cache = ResponseCache(timer=lambda: timer[0])
    calls = [0]
    gate = threading.Event()

    def slow_fail() -> tuple[Any, int]:
        calls[0] += 1
        gate.wait(2)
        raise ServerError(503, 4197, "busy")

    errors: list[BaseException] = []

    def ask() -> None:
        try:
            cache.get_or_fetch(("k",), 60, slow_fail)
        except ServerError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(10)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    gate.set()
    for t in threads:
        t.join()
    assert calls[0] == 1 and len(errors) == 10
    cache.get_or_fetch(("k",), 60, lambda: ("good", 4))
    timer[0] += 61
    got = cache.get_or_fetch(("k",), 60, slow_fail)
    assert got.stale and got.data == "good" and isinstance(got.error, ServerError)
    def refused() -> tuple[Any, int]:
        raise AuthError(401, 2, "no")

    with pytest.raises(AuthError):  # never answered from the stale store
        cache.get_or_fetch(("k",), 60, refused)


def test_disabled_cache_always_fetches() -> None:
    cache = ResponseCache.disabled()
    calls: list[int] = []

    def fetch() -> tuple[int, int]:
        calls.append(1)
        return 1, 1

    for _ in range(3):
        cache.get_or_fetch(("k",), 60, fetch)
    assert len(calls) == 3


# -- HTTP session -----------------------------------------------------------------------------




def test_429_honours_retry_after_then_succeeds() -> None:
    answers = iter([httpx.Response(429, json={"code": 8, "message": "limit"},
                                   headers={"Retry-After": "7"}),
                    httpx.Response(200, json={"ok": 1})])
    session, clock = make_session(lambda _r: next(answers))
    assert session.request_json("GET", "/x", category="ads_read") == {"ok": 1}
    assert clock.sleeps == [pytest.approx(7.0)]
    assert session.stats.rate_limited == 1 and session.stats.retries == 1


def test_429_without_headers_backs_off_exponentially_and_gives_up() -> None:
    session, clock = make_session(lambda _r: httpx.Response(429, json={"code": 8,
                                                                       "message": "limit"}))
    with pytest.raises(RateLimitedError):
        session.request_json("GET", "/x", category="ads_read")
    # rng=0.5: delays are 3/4 of 0.5, 1, 2, 4 s (equal jitter), 4 retries.
    assert clock.sleeps == pytest.approx([0.375, 0.75, 1.5, 3.0])


def test_5xx_retried_4xx_not_and_bad_json_is_invalid_response() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path.endswith("/bad"):
            return httpx.Response(400, json={"code": 1, "message": "Invalid parameters."})
        if request.url.path.endswith("/broken"):
            return httpx.Response(200, content=b'{"items": [1, 2')
        return httpx.Response(500, content=b"<html>oops</html>")

    session, _ = make_session(handler)
    with pytest.raises(BadRequestError) as bad:
        session.request_json("GET", "/bad", category="ads_read")
    assert bad.value.code == 1 and bad.value.message == "Invalid parameters."
    assert seen.count("/v5/bad") == 1
    with pytest.raises(ServerError) as server:
        session.request_json("GET", "/down", category="ads_read")
    assert server.value.status == 500 and seen.count("/v5/down") == 5
    with pytest.raises(InvalidResponseError):
        session.request_json("GET", "/broken", category="ads_read")


def test_concurrent_401s_refresh_once() -> None:
    lock = threading.Lock()
    refreshes = [0]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth/token"):
            assert request.headers["Authorization"].startswith("Basic ")
            assert b"grant_type=refresh_token" in request.content
            with lock:
                refreshes[0] += 1
            time.sleep(0.05)
            return httpx.Response(200, json={"access_token": "new", "refresh_token": "r2"})
        if request.headers.get("Authorization") == "Bearer new":
            return httpx.Response(200, json={"ok": True})
        return httpx.Response(401, json={"code": 2, "message": "Authentication failed."})

    credentials = Credentials("old", refresh_token="r1", app_id="app", app_secret="s")
    session, _ = make_session(handler, credentials=credentials)
    results: list[Any] = []
    threads = [threading.Thread(target=lambda: results.append(
        session.request_json("GET", "/x", category="ads_read"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [{"ok": True}] * 8
    assert refreshes[0] == 1
    assert credentials.refresh_form()["refresh_token"] == "r2"


def test_download_sends_no_auth_header() -> None:
    headers: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        headers.append(request.headers.get("Authorization"))
        return httpx.Response(200, content=b"a,b\n1,2\n")

    session, _ = make_session(handler)
    assert session.download("https://bucket.s3.test/file.csv?sig=1") == b"a,b\n1,2\n"
    assert headers == [None]


def test_reset_header_parsing() -> None:
    now = 1_700_000_000.0
    assert parse_reset_seconds(httpx.Headers({"X-RateLimit-Reset": "67000"}), now) == 67000
    assert parse_reset_seconds(httpx.Headers({"X-RateLimit-Reset": str(now + 30)}), now) == 30
    assert parse_reset_seconds(httpx.Headers({"Retry-After": "soon"}), now) is None
    assert parse_reset_seconds(httpx.Headers({}), now) is None


# -- configuration, credentials ---------------------------------------------------------------


def test_credentials_from_environment_and_base_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINTEREST_ACCESS_TOKEN", "env-token-123")
    monkeypatch.setenv("PINTEREST_REFRESH_TOKEN", "env-refresh")
    monkeypatch.setenv("PINTEREST_APP_ID", "1234")
    monkeypatch.setenv("PINTEREST_APP_SECRET", "env-secret")
    credentials = Credentials()
    assert credentials.auth_header() == {"Authorization": "Bearer env-token-123"}
    assert credentials.can_refresh
    assert "env-token-123" not in repr(credentials) and "env-secret" not in repr(credentials)
    assert normalise_base_url("sandbox") == SANDBOX_BASE_URL
    assert normalise_base_url("production") == PRODUCTION_BASE_URL
    assert normalise_base_url("http://127.0.0.1:9/v5/") == "http://127.0.0.1:9/v5"


# -- splitting maths --------------------------------------------------------------------------


def test_date_windows_are_the_fewest_and_cover_exactly() -> None:
    start = date(2026, 1, 1)
    for days in (1, 4, 5, 91, 92, 200):
        end = start + timedelta(days=days - 1)
        for max_range in (3, 90):
            windows = date_windows(start, end, max_range)
            assert len(windows) == -(-days // (max_range + 1))
            assert windows[0][0] == start and windows[-1][1] == end
            for (_a, b), (c, _d) in itertools.pairwise(windows):
                assert c == b + timedelta(days=1)
            assert all((b - a).days <= max_range for a, b in windows)
    assert [len(b) for b in batches([str(i) for i in range(600)], 250)] == [250, 250, 100]


def test_merge_recomputes_ratios_from_sums() -> None:
    cols = columns_for_merge(["CTR", "SPEND_IN_DOLLAR"])
    assert {"CLICKTHROUGH_1", "IMPRESSION_1", "SPEND_IN_MICRO_DOLLAR"} <= set(cols)
    windows = [
        [{"CAMPAIGN_ID": "1", "DATE": "2026-01-05", "CLICKTHROUGH_1": 1, "IMPRESSION_1": 10,
          "SPEND_IN_MICRO_DOLLAR": 2_000_000, "CTR": 0.1, "SPEND_IN_DOLLAR": 2.0}],
        [{"CAMPAIGN_ID": "1", "DATE": "2026-01-05", "CLICKTHROUGH_1": 3, "IMPRESSION_1": 90,
          "SPEND_IN_MICRO_DOLLAR": 500_000, "CTR": 0.0333, "SPEND_IN_DOLLAR": 0.5},
         {"CAMPAIGN_ID": "2", "DATE": "2026-01-12", "IMPRESSION_1": 5,
          "SPEND_IN_MICRO_DOLLAR": 1}],
    ]
    merged = merge_rows(windows, ["CTR", "SPEND_IN_DOLLAR", "IMPRESSION_1"], "WEEK")
    assert merged[0] == {"CAMPAIGN_ID": "1", "DATE": "2026-01-05", "CTR": 4 / 100,
                         "SPEND_IN_DOLLAR": 2.5, "IMPRESSION_1": 100}
    assert merged[1] == {"CAMPAIGN_ID": "2", "DATE": "2026-01-12", "SPEND_IN_DOLLAR": 1e-6,
                         "IMPRESSION_1": 5}  # CTR omitted: no clicks -> 0 omitted


def test_reports_and_bulk_are_built_on_the_clients_session() -> None:
    from pinterest_client.bulk import BulkAPI
    from pinterest_client.reports import ReportsAPI

    client = PinterestClient("tok-unit-reports", base_url="http://x/v5")
    assert isinstance(client.reports, ReportsAPI) and client.reports is client.reports
    assert isinstance(client.bulk, BulkAPI) and client.bulk is client.bulk
    assert client.reports._session is client.session
    assert client.bulk._session is client.session
    client.close()


def test_a_refresh_that_meets_a_server_error_stays_a_server_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth/token"):
            return httpx.Response(503, json={"code": 4197, "message": "unavailable"})
        return httpx.Response(401, json={"code": 2, "message": "Authentication failed."})

    credentials = Credentials("old", refresh_token="r1", app_id="app", app_secret="s")
    session, _ = make_session(handler, credentials=credentials)
    with pytest.raises(ServerError):
        session.request_json("GET", "/x", category="ads_read")
