"""Faults from the simulator become the right exceptions or stale values; auth and refresh;
no secret anywhere a user or log could see it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from pinterest_client import (
    APITimeoutError,
    AuthError,
    BadRequestError,
    ClientConfig,
    Fetched,
    InvalidResponseError,
    PinterestClient,
    PinterestError,
    ResponseCache,
    ServerError,
    TransportError,
)
from pinterest_sim import DEMO_ACCOUNT_ID, FORBIDDEN_ACCOUNT_ID
from tests.client.support import ClientEnv, FakeTimer, MakeEnv

SPEND = ["SPEND_IN_MICRO_DOLLAR"]


def ask_total(env: ClientEnv, days: int = 20) -> Fetched[list[dict[str, Any]]]:
    client, today = env.client, env.today
    return client.analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT", start_date=today - timedelta(days=days),
                            end_date=today - timedelta(days=3), columns=SPEND,
                            granularity="TOTAL")


def test_5xx_storm_raises_server_error_after_bounded_retries(make_env: MakeEnv) -> None:
    env = make_env()
    env.sim.faults.error_rate = 1.0
    with pytest.raises(ServerError) as err:
        ask_total(env)
    assert err.value.status == 503 and err.value.code == 4197
    assert env.sim.stats.total == 5  # 1 + max_retries (4)
    assert env.client.stats().retries == 4
    assert "503" in env.client.stats().recent_errors[-1]


def test_occasional_5xx_is_retried_to_success(make_env: MakeEnv) -> None:
    env = make_env(cache=ResponseCache.disabled())
    env.sim.faults.update({"error_rate": 0.5, "seed": 3})
    answers = [env.client.metrics_ready_state(env.today - timedelta(days=i)).data
               for i in range(10)]
    assert len(answers) == 10
    assert env.sim.stats.by_status.get(503, 0) >= 1
    assert env.client.stats().retries == env.sim.stats.by_status[503]


@pytest.mark.parametrize("fault", ["error_rate", "malformed_rate", "truncated_rate"])
def test_failed_refresh_serves_the_stale_copy(make_env: MakeEnv, fault: str) -> None:
    timer = FakeTimer()
    env = make_env(cache=ResponseCache(timer=timer))
    fresh = ask_total(env)
    timer.now += 7 * 3600
    env.sim.faults.update({fault: 1.0})
    stale = ask_total(env)
    assert stale.stale and stale.data == fresh.data
    expected = ServerError if fault == "error_rate" else InvalidResponseError
    assert isinstance(stale.error, expected)
    assert stale.age_s >= 0
    env.sim.faults.update({fault: 0.0})
    timer.now += 7 * 3600
    back = ask_total(env)
    assert not back.stale and back.error is None


@pytest.mark.parametrize("fault", ["malformed_rate", "truncated_rate"])
def test_unreadable_bodies_become_invalid_response_error(make_env: MakeEnv, fault: str) -> None:
    env = make_env()
    env.sim.faults.update({fault: 1.0})
    with pytest.raises(InvalidResponseError):
        env.client.list_ad_accounts()
    with pytest.raises(InvalidResponseError):
        env.client.metrics_ready_state(env.today)
    assert env.sim.stats.total == 10  # each retried, bounded


def test_hang_becomes_timeout_error(make_env: MakeEnv) -> None:
    env = make_env(timeout=0.2, config=ClientConfig(max_retries=1, backoff_base_s=0.001,
                                                    backoff_cap_s=0.01))
    env.sim.faults.update({"hang": 1.0})
    with pytest.raises(APITimeoutError):
        env.client.user_account()
    assert env.client.stats().retries == 1


def test_other_4xx_are_not_retried_and_keep_pinterests_code(make_env: MakeEnv) -> None:
    env = make_env()
    with pytest.raises(BadRequestError) as err:
        env.client.session.request_json(
            "GET", f"/ad_accounts/{DEMO_ACCOUNT_ID}/analytics", category="ads_analytics",
            params={"start_date": "2020-01-01", "end_date": "2020-01-02",
                    "columns": "SPEND_IN_MICRO_DOLLAR", "granularity": "DAY"})
    assert err.value.status == 400 and err.value.code is not None
    assert "start_date" in err.value.message
    assert env.sim.stats.total == 1
    assert env.client.stats().retries == 0


def test_local_validation_sends_nothing(make_env: MakeEnv) -> None:
    from pinterest_client import ValidationError

    env = make_env()
    today = env.today
    bad_calls: dict[str, Callable[[], object]] = {
        "ad_account_id": lambda: env.client.get_ad_account("abc"),
        "level": lambda: env.client.analytics(DEMO_ACCOUNT_ID, "PIN",  # type: ignore[arg-type]
                                              start_date=today, end_date=today, columns=SPEND),
        "granularity": lambda: env.client.analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT",
                                                    start_date=today, end_date=today,
                                                    columns=SPEND, granularity="YEAR"),
        "columns": lambda: env.client.analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT", start_date=today,
                                                end_date=today, columns=["SPEND_IN_EUROS"]),
        "end_date": lambda: env.client.analytics(DEMO_ACCOUNT_ID, "AD_ACCOUNT",
                                                 start_date=today, columns=SPEND,
                                                 end_date=today - timedelta(days=1)),
        "entity_ids": lambda: env.client.analytics(DEMO_ACCOUNT_ID, "CAMPAIGN",
                                                   start_date=today, end_date=today,
                                                   columns=SPEND, entity_ids=["12x"]),
        "targeting_types": lambda: env.client.targeting_analytics(
            DEMO_ACCOUNT_ID, "AD_ACCOUNT", targeting_types=["QUIZ_RESULT"], start_date=today,
            end_date=today, columns=SPEND),
        "click_window_days": lambda: env.client.analytics(
            DEMO_ACCOUNT_ID, "AD_ACCOUNT", start_date=today, end_date=today, columns=SPEND,
            attribution=__import__("pinterest_client").Attribution(click_window_days=3)),
        "entity_statuses": lambda: env.client.list_campaigns(DEMO_ACCOUNT_ID,
                                                             entity_statuses=["LIVE"]),
        "audience_insight_type": lambda: env.client.audience_insights(DEMO_ACCOUNT_ID, "ALL"),
        "targeting_type": lambda: env.client.targeting_options("PLANET"),
        "date": lambda: env.client.metrics_ready_state("yesterday"),  # type: ignore[arg-type]
    }
    for parameter, call in bad_calls.items():
        with pytest.raises(ValidationError) as err:
            call()
        assert err.value.parameter == parameter, (parameter, err.value)
        assert parameter in str(err.value)
    assert env.sim.stats.total == 0


def test_expired_access_token_is_refreshed_once_and_the_new_refresh_token_kept(
        make_env: MakeEnv) -> None:
    seen: list[tuple[str, str | None]] = []
    env = make_env()
    client = env.new_client(refresh_token=env.sim.refresh_token, app_id="sim-app",
                            app_secret="sim-secret",
                            on_tokens_refreshed=lambda a, r: seen.append((a, r)))
    assert client.list_ad_accounts().data
    env.sim.expire_access_token(env.token)
    assert client.user_account().data.username
    assert len(seen) == 1 and seen[0][0] != env.token
    assert seen[0][1] == env.sim.refresh_token  # the rotated refresh token is the one kept
    # The old refresh token no longer works, so a second refresh proves the new one was kept.
    env.sim.expire_all_access_tokens()
    assert client.get_ad_account(DEMO_ACCOUNT_ID).data.id == DEMO_ACCOUNT_ID
    assert len(seen) == 2
    assert client.stats().token_refreshes == 2
    assert env.sim.stats.by_path["/v5/oauth/token"] == 2


def test_401_without_refresh_credentials_is_auth_error(make_env: MakeEnv) -> None:
    env = make_env()
    env.sim.expire_access_token(env.token)
    with pytest.raises(AuthError) as err:
        env.client.user_account()
    assert err.value.status == 401
    assert env.sim.stats.total == 1


def test_secrets_never_appear_in_logs_reprs_errors_or_cache_keys(
        make_env: MakeEnv, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    env = make_env()
    app_secret = "sim-secret"
    client = env.new_client(refresh_token=env.sim.refresh_token, app_id="sim-app",
                            app_secret=app_secret)
    refresh_before = env.sim.refresh_token
    errors: list[PinterestError] = []
    client.list_ad_accounts()
    ask = client.analytics
    ask(DEMO_ACCOUNT_ID, "AD_ACCOUNT", start_date=env.today - timedelta(days=3),
        end_date=env.today, columns=SPEND)
    env.sim.expire_access_token(env.token)
    client.user_account()  # refresh on 401
    calls: list[Callable[[], object]] = [lambda: client.get_ad_account(FORBIDDEN_ACCOUNT_ID),
                                         lambda: client.get_ad_account("x")]
    for call in calls:
        try:
            call()
        except PinterestError as exc:
            errors.append(exc)
    env.sim.faults.update({"error_rate": 1.0})
    try:
        client.metrics_ready_state(env.today - timedelta(days=4))
    except PinterestError as exc:
        errors.append(exc)
    env.sim.expire_all_access_tokens()
    env.sim.faults.update({"error_rate": 0.0})
    bad = env.new_client(access_token="pina_BOGUS-token-0123456789", refresh_token="pinr_BOGUS",
                         app_id="sim-app", app_secret=app_secret)
    try:
        bad.user_account()
    except PinterestError as exc:
        errors.append(exc)
    assert len(errors) == 4
    secrets = [env.token, refresh_before, env.sim.refresh_token, app_secret,
               "pina_BOGUS-token-0123456789", "pinr_BOGUS"]
    texts = [caplog.text, repr(client), str(client), repr(client._credentials),
             repr(client.session), repr(client.stats()), repr(bad)]
    texts += [repr(e) for e in errors] + [str(e) for e in errors]
    texts += [repr(key) for key in client.cache.cached_keys()]
    assert client.cache.cached_keys()
    for secret in secrets:
        for text in texts:
            assert secret not in text


def test_no_access_token_but_a_refresh_token_starts_with_a_refresh(make_env: MakeEnv,
                                                                  monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    monkeypatch.delenv("PINTEREST_ACCESS_TOKEN", raising=False)
    env = make_env()
    client = env.new_client(access_token=None, refresh_token=env.sim.refresh_token,
                            app_id="sim-app", app_secret="sim-secret")
    assert client.user_account().data.username
    assert env.sim.stats.by_path["/v5/oauth/token"] == 1
    nobody = env.new_client(access_token=None)
    with pytest.raises(AuthError) as err:
        nobody.user_account()
    assert "PINTEREST_ACCESS_TOKEN" in str(err.value)
    assert env.sim.stats.total == 2


def test_token_known_to_expire_is_refreshed_before_sending(make_env: MakeEnv) -> None:
    env = make_env()
    client = env.new_client(refresh_token=env.sim.refresh_token, app_id="sim-app",
                            app_secret="sim-secret")
    client.refresh_access_token()  # now the client knows the token's lifetime (expires_in)
    client.user_account()
    lifetime = env.sim.config.access_token_lifetime_s
    env.clock.advance(lifetime - 30)  # inside the last minute of the token's life
    client.get_ad_account(DEMO_ACCOUNT_ID)
    assert env.sim.stats.by_path["/v5/oauth/token"] == 2
    assert env.sim.stats.by_status.get(401, 0) == 0  # renewed before Pinterest said no


def test_unreachable_server_is_recorded_with_its_request_named_once() -> None:
    """A refused connection: the error names the request once ('GET /ad_accounts: ...')."""
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = PinterestClient("unreachable-token", base_url="http://127.0.0.1:9/v5",
                             transport=httpx.MockTransport(refuse), cache=ResponseCache(),
                             config=ClientConfig(max_retries=1, backoff_base_s=0.001,
                                                 backoff_cap_s=0.001))
    with pytest.raises(TransportError):
        client.list_ad_accounts()
    recorded = client.stats().recent_errors[-1]
    assert recorded.count("GET /ad_accounts") == 1, recorded
    assert "could not reach the server" in recorded
    client.close()
