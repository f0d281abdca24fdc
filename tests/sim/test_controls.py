"""Test/ops control routes for faults the browser tests switch at run time: an expired access
token, a revoked refresh token, a deleted ad account. They live under /_sim, never under /v5."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pinterest_sim import SIM_BASE_URL, Simulator
from pinterest_sim.world import DEMO_ACCOUNT_ID
from tests.support import AUTH

SIM_ORIGIN = SIM_BASE_URL.rsplit("/v5", 1)[0]
APP = ("sim-app", "sim-secret")


@pytest.fixture
def api(sim: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=SIM_BASE_URL, transport=sim.transport()) as c:
        yield c


@pytest.fixture
def control(sim: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=SIM_ORIGIN, transport=sim.transport()) as c:
        yield c


def _refresh(api: httpx.Client, refresh_token: str) -> httpx.Response:
    return api.post("/oauth/token", auth=APP,
                    data={"grant_type": "refresh_token", "refresh_token": refresh_token})


def test_access_token_expires_and_renews(api: httpx.Client, control: httpx.Client) -> None:
    assert api.get("/user_account", headers=AUTH).status_code == 200
    state = control.post("/_sim/tokens", json={"access_expired": True})
    assert state.json() == {"access_expired": True, "refresh_revoked": False}
    refused = api.get("/user_account", headers=AUTH)
    assert refused.status_code == 401 and refused.json()["code"] == 2
    assert control.post("/_sim/tokens", json={"access_expired": False}).json()[
        "access_expired"] is False
    assert api.get("/user_account", headers=AUTH).status_code == 200


def test_revoked_refresh_token_is_refused_then_the_same_one_works_again(
    api: httpx.Client, control: httpx.Client, sim: Simulator
) -> None:
    held = sim.refresh_token
    state = control.post("/_sim/tokens", json={"refresh_revoked": True}).json()
    assert state == {"access_expired": False, "refresh_revoked": True}
    assert held not in str(state)  # the answer names no token
    refused = _refresh(api, held)
    assert refused.status_code == 400 and refused.json()["code"] == 1104
    control.post("/_sim/tokens", json={"refresh_revoked": True})  # twice: still the held one
    control.post("/_sim/tokens", json={"refresh_revoked": False})
    renewed = _refresh(api, held)
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["refresh_token"] == sim.refresh_token != held


def test_deleted_account_answers_404_and_leaves_the_list(
    api: httpx.Client, control: httpx.Client, sim: Simulator
) -> None:
    def listed() -> list[str]:
        return [a["id"] for a in api.get("/ad_accounts", headers=AUTH).json()["items"]]

    assert DEMO_ACCOUNT_ID in listed()
    answer = control.post(f"/_sim/accounts/{DEMO_ACCOUNT_ID}", json={"deleted": True})
    assert answer.json() == {"id": DEMO_ACCOUNT_ID, "deleted": True}
    for path in ("", "/campaigns", "/analytics?start_date=2026-01-01&end_date=2026-01-02"
                 "&columns=SPEND_IN_MICRO_DOLLAR&granularity=DAY"):
        gone = api.get(f"/ad_accounts/{DEMO_ACCOUNT_ID}{path}", headers=AUTH)
        assert (gone.status_code, gone.json()["code"]) == (404, 2), path
    assert DEMO_ACCOUNT_ID not in listed()
    others = [a.id for a in sim.world.accounts_for_user(sim.world.demo_user.id)]
    assert listed() == [a for a in others if a != DEMO_ACCOUNT_ID]
    control.post(f"/_sim/accounts/{DEMO_ACCOUNT_ID}", json={"deleted": False})
    assert api.get(f"/ad_accounts/{DEMO_ACCOUNT_ID}", headers=AUTH).status_code == 200
    assert listed() == others


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/_sim/tokens", {"access_expired": "yes"}),
        ("/_sim/tokens", {"deleted": True}),
        ("/_sim/tokens", [True]),
        (f"/_sim/accounts/{DEMO_ACCOUNT_ID}", {}),
        ("/_sim/accounts/123", {"deleted": True}),
    ],
)
def test_bad_control_bodies_are_refused(control: httpx.Client, path: str, body: object) -> None:
    answer = control.post(path, json=body)
    assert answer.status_code in (400, 404)
    assert answer.json()["message"]


def test_controls_are_not_part_of_the_api(api: httpx.Client, sim: Simulator) -> None:
    assert api.post("/_sim/tokens", json={"access_expired": True}).status_code == 404
    assert api.get("/user_account", headers=AUTH).status_code == 200
    assert sim.stats.total == 2  # /v5 requests only; the control routes are never counted
