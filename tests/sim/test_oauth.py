"""OAuth: the refresh_token grant rotates both tokens; expired access tokens answer 401."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest

from pinterest_sim import SIM_BASE_URL, SimServer, Simulator
from tests.support import AUTH


@pytest.fixture
def api(sim: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=SIM_BASE_URL, transport=sim.transport()) as c:
        yield c


def _refresh(api: httpx.Client, refresh_token: str,
             app: tuple[str, str] = ("sim-app", "sim-secret")) -> httpx.Response:
    return api.post("/oauth/token", auth=app,
                    data={"grant_type": "refresh_token", "refresh_token": refresh_token})


def _me(api: httpx.Client, token: str) -> int:
    return api.get("/user_account", headers={"Authorization": f"Bearer {token}"}).status_code


def test_refresh_rotates_both_tokens(api: httpx.Client, sim: Simulator) -> None:
    first_refresh = sim.refresh_token
    first = _refresh(api, first_refresh)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["token_type"] == "bearer" and body["response_type"] == "refresh_token"
    assert body["expires_in"] > 0 and body["refresh_token_expires_in"] > 0
    assert body["access_token"] != "demo-token" and body["refresh_token"] != first_refresh
    assert sim.refresh_token == body["refresh_token"]
    assert _me(api, body["access_token"]) == 200
    # The old refresh token is dead; the new one works and rotates again.
    reused = _refresh(api, first_refresh)
    assert reused.status_code == 400 and reused.json()["code"] == 1104
    second = _refresh(api, body["refresh_token"]).json()
    assert second["access_token"] != body["access_token"]
    assert second["refresh_token"] != body["refresh_token"]


def test_expired_access_tokens_answer_401(api: httpx.Client, sim: Simulator) -> None:
    assert _me(api, "demo-token") == 200
    sim.expire_access_token()
    expired = api.get("/user_account", headers=AUTH)
    assert expired.status_code == 401 and expired.json()["code"] == 2
    fresh = _refresh(api, sim.refresh_token).json()
    assert _me(api, fresh["access_token"]) == 200
    sim.clock.advance(fresh["expires_in"])  # type: ignore[attr-defined]
    assert _me(api, fresh["access_token"]) == 401


def test_bad_oauth_requests(api: httpx.Client, sim: Simulator) -> None:
    assert _refresh(api, sim.refresh_token, ("sim-app", "nope")).status_code == 401
    assert api.post("/oauth/token", data={"grant_type": "refresh_token",
                                          "refresh_token": sim.refresh_token}).status_code == 401
    wrong_grant = api.post("/oauth/token", auth=("sim-app", "sim-secret"),
                           data={"grant_type": "password"})
    assert wrong_grant.status_code == 400 and "'grant_type'" in wrong_grant.json()["message"]
    as_json = api.post("/oauth/token", auth=("sim-app", "sim-secret"),
                       json={"grant_type": "refresh_token", "refresh_token": sim.refresh_token})
    assert as_json.status_code == 400
    missing = api.post("/oauth/token", auth=("sim-app", "sim-secret"),
                       data={"grant_type": "refresh_token"})
    assert "'refresh_token'" in missing.json()["message"]
    assert api.get("/user_account").status_code == 401  # no bearer token at all
    assert api.get("/user_account", headers={"Authorization": "Basic abc"}).status_code == 401


def test_secrets_stay_out_of_reprs(api: httpx.Client, sim: Simulator) -> None:
    fresh = _refresh(api, sim.refresh_token).json()
    texts = [repr(sim), repr(sim.config), repr(sim.backend.tokens), repr(sim.stats),
             str(sim.backend.stats_dict())]
    for secret in ("demo-token", "sim-secret", fresh["access_token"], fresh["refresh_token"]):
        assert all(secret not in text for text in texts), secret


def test_secrets_stay_out_of_logs_and_output(sim_server: SimServer, sim: Simulator,
                                             caplog: pytest.LogCaptureFixture,
                                             capfd: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Over the loopback server, with every simulator log at DEBUG: good and bad tokens,
    refreshes (good and bad), a wrong app secret and an internal error on the token endpoint
    leave no secret in the log or on stdout/stderr."""
    caplog.set_level(logging.DEBUG, logger="pinterest_sim")
    wrong_token, wrong_refresh = "wrong-access-token-4242", "wrong-refresh-token-4343"
    with httpx.Client(base_url=sim_server.base_url) as c:
        assert c.get("/user_account", headers=AUTH).status_code == 200
        assert c.get("/user_account",
                     headers={"Authorization": f"Bearer {wrong_token}"}).status_code == 401
        first = sim.refresh_token
        fresh = _refresh(c, first).json()
        assert _refresh(c, wrong_refresh).status_code == 400
        assert _refresh(c, fresh["refresh_token"], ("sim-app", "not-the-secret")).status_code \
            == 401

        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("token store unavailable")

        monkeypatch.setattr(sim.backend, "oauth_token", broken)
        assert _refresh(c, fresh["refresh_token"]).status_code == 500
    assert "simulator error on POST /v5/oauth/token" in caplog.text  # the log was captured
    captured = capfd.readouterr()
    output = caplog.text + captured.out + captured.err
    for secret in ("demo-token", "sim-secret", "not-the-secret", first, wrong_token,
                   wrong_refresh, fresh["access_token"], fresh["refresh_token"]):
        assert secret not in output, secret
