"""POST /v5/oauth/token with grant_type=authorization_code, then continuous refresh: a code is
single-use, short-lived and bound to its redirect URI; app credentials are checked; every
refresh rotates both tokens and the old refresh token dies once its replacement is used."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest

from pinterest_sim import (
    ANALYST_USER_ID,
    DEMO_ACCOUNT_ID,
    FINANCE_USER_ID,
    SIM_BASE_URL,
    SIM_ORIGIN,
    Simulator,
)
from pinterest_sim.oauth import AUTH_CODE_LIFETIME_S
from tests.sim.oauth_support import REDIRECT_URI, exchange, redirect_query, refresh, sign_in


@pytest.fixture
def api(sim: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=SIM_BASE_URL, transport=sim.transport()) as c:
        yield c


def _me(api: httpx.Client, token: str) -> httpx.Response:
    return api.get("/user_account", headers={"Authorization": f"Bearer {token}"})


def test_the_whole_flow_signs_in_the_chosen_person(api: httpx.Client, sim: Simulator) -> None:
    with httpx.Client(base_url=SIM_ORIGIN, transport=sim.transport()) as page:
        code = redirect_query(sign_in(page, user_id=FINANCE_USER_ID))["code"]
    answer = exchange(api, code)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["response_type"] == "authorization_code" and body["token_type"] == "bearer"
    assert body["scope"] == "ads:read,user_accounts:read"
    now = int(sim.clock.now().timestamp())
    assert body["refresh_token_expires_at"] == now + body["refresh_token_expires_in"]
    assert body["expires_in"] == sim.config.access_token_lifetime_s
    assert body["access_token"] != body["refresh_token"]
    assert _me(api, body["access_token"]).json()["username"] == "ledger_finance"
    # The token carries the person's access: the finance-only account lists but refuses data.
    auth = {"Authorization": f"Bearer {body['access_token']}"}
    listed = api.get("/ad_accounts", headers=auth).json()["items"]
    assert {a["id"]: a["permissions"] for a in listed}[DEMO_ACCOUNT_ID] == ["FINANCE_MANAGER"]
    assert api.get(f"/ad_accounts/{DEMO_ACCOUNT_ID}/campaigns",
                   headers=auth).json()["code"] == 29


def test_a_code_works_once_and_a_replay_revokes_its_tokens(api: httpx.Client,
                                                           sim: Simulator) -> None:
    code = sim.authorize(ANALYST_USER_ID, REDIRECT_URI)
    first = exchange(api, code).json()
    assert _me(api, first["access_token"]).status_code == 200
    replay = exchange(api, code)
    assert replay.status_code == 400 and replay.json()["code"] == 1
    assert "'code'" in replay.json()["message"]
    # Whoever replayed it may have stolen it: what the code started is over.
    assert _me(api, first["access_token"]).status_code == 401
    assert refresh(api, first["refresh_token"]).json()["code"] == 1104


def test_a_code_expires(api: httpx.Client, sim: Simulator) -> None:
    code = sim.authorize(ANALYST_USER_ID, REDIRECT_URI)
    sim.clock.advance(AUTH_CODE_LIFETIME_S - 1)  # type: ignore[attr-defined]
    still = sim.authorize(ANALYST_USER_ID, REDIRECT_URI)
    sim.clock.advance(1)  # type: ignore[attr-defined]
    late = exchange(api, code)
    assert late.status_code == 400 and "expired" in late.json()["message"]
    assert exchange(api, still).status_code == 200


def test_redirect_uri_must_match(api: httpx.Client, sim: Simulator) -> None:
    code = sim.authorize(ANALYST_USER_ID, REDIRECT_URI)
    other = exchange(api, code, redirect_uri=REDIRECT_URI + "x")
    assert other.status_code == 400 and "'redirect_uri'" in other.json()["message"]
    missing = api.post("/oauth/token", auth=("sim-app", "sim-secret"),
                       data={"grant_type": "authorization_code", "code": code})
    assert missing.status_code == 400 and "'redirect_uri'" in missing.json()["message"]
    assert exchange(api, code).status_code == 200  # a mismatch does not use the code up


def test_app_credentials_are_checked(api: httpx.Client, sim: Simulator) -> None:
    code = sim.authorize(ANALYST_USER_ID, REDIRECT_URI)
    wrong = exchange(api, code, app=("sim-app", "not-the-secret"))
    assert wrong.status_code == 401 and wrong.json()["code"] == 2
    other_app = exchange(api, code, app=("other-app", "sim-secret"))
    assert other_app.status_code == 401
    no_auth = api.post("/oauth/token", data={"grant_type": "authorization_code", "code": code,
                                             "redirect_uri": REDIRECT_URI})
    assert no_auth.status_code == 401
    assert exchange(api, code).status_code == 200  # refused attempts did not use the code


def test_unknown_code_and_missing_code(api: httpx.Client) -> None:
    made_up = exchange(api, "made-up-code")
    assert made_up.status_code == 400 and "'code'" in made_up.json()["message"]
    missing = api.post("/oauth/token", auth=("sim-app", "sim-secret"),
                       data={"grant_type": "authorization_code",
                             "redirect_uri": REDIRECT_URI})
    assert missing.status_code == 400 and "'code'" in missing.json()["message"]


def test_refresh_rotates_and_the_old_token_dies_once_the_new_one_is_used(
        api: httpx.Client, sim: Simulator) -> None:
    signed_in = exchange(api, sim.authorize(ANALYST_USER_ID, REDIRECT_URI)).json()
    r0 = signed_in["refresh_token"]
    first = refresh(api, r0)
    assert first.status_code == 200, first.text
    b1 = first.json()
    assert b1["response_type"] == "refresh_token"
    assert b1["access_token"] not in (signed_in["access_token"],)
    assert b1["refresh_token"] != r0 and b1["refresh_token_expires_in"] > 0
    assert _me(api, b1["access_token"]).json()["username"] == "harbor_analytics"
    # Until R1 is used, R0 still works (an answer lost in transit does not sign anyone out)...
    lost = refresh(api, r0)
    assert lost.status_code == 200
    # ...using R1 ends R0.
    b2 = refresh(api, b1["refresh_token"]).json()
    dead = refresh(api, r0)
    assert dead.status_code == 400 and dead.json() == {
        "code": 1104, "message": "The token you provided is not valid or has expired."}
    assert len({signed_in["access_token"], b1["access_token"], b2["access_token"]}) == 3
    b3 = refresh(api, b2["refresh_token"]).json()
    assert refresh(api, b1["refresh_token"]).status_code == 400
    assert _me(api, b3["access_token"]).status_code == 200
    # Older access tokens live until they expire (a refresh does not revoke them).
    assert _me(api, signed_in["access_token"]).status_code == 200


def test_refresh_tokens_and_access_tokens_expire(api: httpx.Client, sim: Simulator) -> None:
    body = exchange(api, sim.authorize(ANALYST_USER_ID, REDIRECT_URI)).json()
    sim.clock.advance(body["expires_in"])  # type: ignore[attr-defined]
    assert _me(api, body["access_token"]).status_code == 401
    fresh = refresh(api, body["refresh_token"]).json()
    assert _me(api, fresh["access_token"]).status_code == 200
    sim.clock.advance(fresh["refresh_token_expires_in"])  # type: ignore[attr-defined]
    assert refresh(api, fresh["refresh_token"]).json()["code"] == 1104


def test_refresh_may_narrow_scopes_not_widen_them(api: httpx.Client, sim: Simulator) -> None:
    body = exchange(api, sim.authorize(ANALYST_USER_ID, REDIRECT_URI, scope="ads:read")).json()
    assert body["scope"] == "ads:read"
    wider = api.post("/oauth/token", auth=("sim-app", "sim-secret"), data={
        "grant_type": "refresh_token", "refresh_token": body["refresh_token"],
        "scope": "ads:read,ads:write"})
    assert wider.status_code == 400 and "ads:write" in wider.json()["message"]
    same = refresh(api, body["refresh_token"]).json()
    assert same["scope"] == "ads:read"


def test_flow_tokens_stay_out_of_logs_and_reprs(api: httpx.Client, sim: Simulator,
                                                caplog: pytest.LogCaptureFixture,
                                                capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG, logger="pinterest_sim")
    with httpx.Client(base_url=SIM_ORIGIN, transport=sim.transport()) as page:
        code = redirect_query(sign_in(page, user_id=ANALYST_USER_ID))["code"]
    body = exchange(api, code).json()
    rotated = refresh(api, body["refresh_token"]).json()
    exchange(api, code)  # a replay
    texts = [repr(sim), repr(sim.backend.tokens), repr(sim.backend.oauth), caplog.text,
             str(sim.backend.stats_dict()), *capfd.readouterr()]
    for secret in (code, body["access_token"], body["refresh_token"], rotated["access_token"],
                   rotated["refresh_token"], "sim-secret"):
        assert all(secret not in text for text in texts)
