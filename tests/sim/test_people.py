"""The people of the world: each personal token lists exactly the ad accounts that person may
see, with Pinterest's ``permissions``; data of an account needs a reporting role (Owner, Admin,
Analyst, Campaign Manager), other roles list the account and get 403 code 29 on its data."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from pinterest_sim import (
    AGENCY_TOKEN,
    ANALYST_TOKEN,
    DEMO_ACCOUNT_ID,
    EMPTY_ACCOUNT_ID,
    EUR_ACCOUNT_ID,
    FINANCE_TOKEN,
    FORBIDDEN_ACCOUNT_ID,
    GBP_ACCOUNT_ID,
    HOSTILE_ACCOUNT_ID,
    JPY_ACCOUNT_ID,
    LARGE_ACCOUNT_ID,
    PINNER_TOKEN,
    SIM_BASE_URL,
    Simulator,
)
from tests.support import FROZEN_NOW, TOKEN

OWNED_BY_DEMO = [DEMO_ACCOUNT_ID, EUR_ACCOUNT_ID, GBP_ACCOUNT_ID, JPY_ACCOUNT_ID,
                 LARGE_ACCOUNT_ID, EMPTY_ACCOUNT_ID, HOSTILE_ACCOUNT_ID]
# token -> (username, account_type, {account id: permissions}), written out here on purpose.
PEOPLE: dict[str, tuple[str, str, dict[str, list[str]]]] = {
    TOKEN: ("evergreen_marketing", "BUSINESS", {a: ["OWNER"] for a in OWNED_BY_DEMO}),
    AGENCY_TOKEN: ("agency_partner", "BUSINESS", {FORBIDDEN_ACCOUNT_ID: ["OWNER"]}),
    ANALYST_TOKEN: ("harbor_analytics", "BUSINESS", {
        DEMO_ACCOUNT_ID: ["ANALYST"], EUR_ACCOUNT_ID: ["ANALYST"],
        FORBIDDEN_ACCOUNT_ID: ["ANALYST"]}),
    FINANCE_TOKEN: ("ledger_finance", "BUSINESS", {
        DEMO_ACCOUNT_ID: ["FINANCE_MANAGER"], GBP_ACCOUNT_ID: ["CAMPAIGN_MANAGER"]}),
    PINNER_TOKEN: ("fresh_pinner", "PINNER", {}),
}
DAY = FROZEN_NOW.date()
ANALYTICS = {"start_date": (DAY - timedelta(days=7)).isoformat(), "end_date": DAY.isoformat(),
             "columns": "SPEND_IN_MICRO_DOLLAR", "granularity": "DAY"}


@pytest.fixture
def api(sim: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=SIM_BASE_URL, transport=sim.transport()) as c:
        yield c


def _as(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _all_accounts(api: httpx.Client, token: str, **params: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    bookmark: str | None = None
    while True:
        query = {"page_size": "2", **params, **({"bookmark": bookmark} if bookmark else {})}
        page = api.get("/ad_accounts", params=query, headers=_as(token))
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        bookmark = page.json()["bookmark"]
        if not bookmark:
            return items


@pytest.mark.parametrize("token", list(PEOPLE))
def test_each_token_lists_exactly_its_accounts_with_permissions(api: httpx.Client,
                                                                token: str) -> None:
    _, _, expected = PEOPLE[token]
    listed = _all_accounts(api, token)
    assert {str(a["id"]): a["permissions"] for a in listed} == expected
    assert len(listed) == len(expected)  # no account twice across pages
    for account_id, permissions in expected.items():
        one = api.get(f"/ad_accounts/{account_id}", headers=_as(token))
        assert one.status_code == 200 and one.json()["permissions"] == permissions


@pytest.mark.parametrize("token", list(PEOPLE))
def test_user_account_answers_for_the_tokens_person(api: httpx.Client, token: str) -> None:
    username, account_type, _ = PEOPLE[token]
    me = api.get("/user_account", headers=_as(token))
    assert me.status_code == 200
    body = me.json()
    assert (body["username"], body["account_type"]) == (username, account_type)
    prefix = "data:image/svg+xml;base64,"
    assert body["profile_image"].startswith(prefix)
    svg = base64.b64decode(body["profile_image"][len(prefix):]).decode()
    assert svg.startswith("<svg") and f">{username[0].upper()}</text>" in svg
    assert "<script" not in svg and "href" not in svg  # nothing active, nothing fetched


def test_the_demo_token_keeps_its_accounts_and_forbidden_account(api: httpx.Client) -> None:
    listed = [a["id"] for a in _all_accounts(api, TOKEN)]
    assert listed == OWNED_BY_DEMO  # world order, as before
    refused = api.get(f"/ad_accounts/{FORBIDDEN_ACCOUNT_ID}/analytics", params=ANALYTICS,
                      headers=_as(TOKEN))
    assert refused.status_code == 403 and refused.json()["code"] == 29
    assert api.get(f"/ad_accounts/{FORBIDDEN_ACCOUNT_ID}",
                   headers=_as(TOKEN)).status_code == 403


def test_an_analyst_reads_a_shared_account_its_owner_also_reads(api: httpx.Client,
                                                                sim: Simulator) -> None:
    path = f"/ad_accounts/{DEMO_ACCOUNT_ID}/analytics"
    owner_rows = api.get(path, params=ANALYTICS, headers=_as(TOKEN)).json()
    analyst_rows = api.get(path, params=ANALYTICS, headers=_as(ANALYST_TOKEN)).json()
    assert analyst_rows == owner_rows and analyst_rows
    # ...and the agency's account, which the demo user may not see.
    agency = api.get(f"/ad_accounts/{FORBIDDEN_ACCOUNT_ID}/campaigns",
                     headers=_as(ANALYST_TOKEN))
    assert agency.status_code == 200
    assert {c["id"] for c in agency.json()["items"]} <= {
        c.id for c in sim.world.campaigns(FORBIDDEN_ACCOUNT_ID)}
    # Not an account it has no role on.
    other = api.get(f"/ad_accounts/{LARGE_ACCOUNT_ID}/analytics", params=ANALYTICS,
                    headers=_as(ANALYST_TOKEN))
    assert other.status_code == 403 and other.json()["code"] == 29


def test_a_finance_only_role_lists_the_account_but_gets_no_data(api: httpx.Client,
                                                                sim: Simulator) -> None:
    listed = {a["id"] for a in _all_accounts(api, FINANCE_TOKEN)}
    assert DEMO_ACCOUNT_ID in listed
    assert api.get(f"/ad_accounts/{DEMO_ACCOUNT_ID}",
                   headers=_as(FINANCE_TOKEN)).status_code == 200
    campaign = sim.world.campaigns(DEMO_ACCOUNT_ID)[0].id
    base = f"/ad_accounts/{DEMO_ACCOUNT_ID}"
    report = {"start_date": ANALYTICS["start_date"], "end_date": ANALYTICS["end_date"],
              "granularity": "DAY", "level": "CAMPAIGN", "columns": ["SPEND_IN_DOLLAR"]}
    refused = [
        api.get(f"{base}/analytics", params=ANALYTICS, headers=_as(FINANCE_TOKEN)),
        api.get(f"{base}/campaigns/analytics", params={**ANALYTICS, "campaign_ids": campaign},
                headers=_as(FINANCE_TOKEN)),
        api.get(f"{base}/targeting_analytics",
                params={**ANALYTICS, "targeting_types": "GENDER"}, headers=_as(FINANCE_TOKEN)),
        api.post(f"{base}/reports", json=report, headers=_as(FINANCE_TOKEN)),
        api.get(f"{base}/reports", params={"token": "x"}, headers=_as(FINANCE_TOKEN)),
        api.get(f"{base}/campaigns", headers=_as(FINANCE_TOKEN)),
        api.get(f"{base}/ads", headers=_as(FINANCE_TOKEN)),
        api.post(f"{base}/bulk/download", json={"entity_types": ["CAMPAIGN"]},
                 headers=_as(FINANCE_TOKEN)),
        api.get(f"{base}/audience_insights",
                params={"audience_insight_type": "YOUR_TOTAL_AUDIENCE"},
                headers=_as(FINANCE_TOKEN)),
    ]
    for answer in refused:
        assert answer.status_code == 403, (answer.request.url, answer.text)
        assert answer.json() == {"code": 29,
                                 "message": "You are not permitted to access that resource."}
    # The same person reads the account where they are Campaign Manager.
    gbp = api.get(f"/ad_accounts/{GBP_ACCOUNT_ID}/analytics", params=ANALYTICS,
                  headers=_as(FINANCE_TOKEN))
    assert gbp.status_code == 200 and gbp.json()


def test_a_person_without_ad_accounts(api: httpx.Client) -> None:
    page = api.get("/ad_accounts", headers=_as(PINNER_TOKEN))
    assert page.status_code == 200 and page.json() == {"items": [], "bookmark": None}
    refused = api.get(f"/ad_accounts/{DEMO_ACCOUNT_ID}", headers=_as(PINNER_TOKEN))
    assert refused.status_code == 403 and refused.json()["code"] == 29
    owner = api.get("/user_account", params={"ad_account_id": DEMO_ACCOUNT_ID},
                    headers=_as(PINNER_TOKEN))
    assert owner.status_code == 403


def test_include_shared_accounts_false_keeps_owned_ones(api: httpx.Client) -> None:
    assert _all_accounts(api, ANALYST_TOKEN, include_shared_accounts="false") == []
    owned = _all_accounts(api, AGENCY_TOKEN, include_shared_accounts="false")
    assert [a["id"] for a in owned] == [FORBIDDEN_ACCOUNT_ID]


def test_business_access_user_account_is_the_owner(api: httpx.Client) -> None:
    # Any role on the account (finance too) names its owner; no role: 403.
    owner = api.get("/user_account", params={"ad_account_id": DEMO_ACCOUNT_ID},
                    headers=_as(FINANCE_TOKEN))
    assert owner.status_code == 200 and owner.json()["username"] == "evergreen_marketing"


def test_personal_tokens_are_the_documented_ones(sim: Simulator) -> None:
    by_name = {u.username: sim.personal_token(u.id) for u in sim.world.users}
    assert by_name == {"evergreen_marketing": TOKEN, "agency_partner": "agency-token",
                       "harbor_analytics": "analyst-token", "ledger_finance": "finance-token",
                       "fresh_pinner": "pinner-token"}
