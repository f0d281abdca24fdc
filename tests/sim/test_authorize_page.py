"""The authorize page at /oauth/: shown, answered with Allow or Cancel, refused with an HTML
error page (never a redirect) when the request is wrong; everything drawn is escaped. Both
faces: in-process (SimTransport) and the loopback server."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from pinterest_sim import (
    ANALYST_USER_ID,
    DEMO_USER_ID,
    NEWCOMER_USER_ID,
    SIM_ORIGIN,
    SimConfig,
    SimServer,
    Simulator,
)
from pinterest_sim.oauth import CONSENT_LIFETIME_S
from tests.sim.oauth_support import (
    REDIRECT_URI,
    PageReader,
    authorize_params,
    open_page,
    redirect_query,
    sign_in,
)


@pytest.fixture(params=["inprocess", "loopback"])
def page(request: pytest.FixtureRequest, sim: Simulator) -> Iterator[httpx.Client]:
    if request.param == "inprocess":
        with httpx.Client(base_url=SIM_ORIGIN, transport=sim.transport()) as c:
            yield c
        return
    server: SimServer = sim.serve("127.0.0.1", 0)
    try:
        with httpx.Client(base_url=server.origin) as c:
            yield c
    finally:
        server.stop()


def test_page_shows_app_scopes_and_people(page: httpx.Client, sim: Simulator) -> None:
    answer, ticket = open_page(page)
    assert answer.headers["content-type"].startswith("text/html")
    reader = PageReader(answer.text)
    text = reader.all_text
    assert sim.config.app_name in text
    assert "ads:read" in text and "user_accounts:read" in text
    assert "See all of your advertising data" in text
    assert "ads:write" not in text  # only what was asked for
    offered = reader.inputs()["user"]
    assert offered == [u.id for u in sim.world.users] and len(offered) >= 4
    assert "harbor_analytics" in text and "Analyst on 3" in text
    assert "fresh_pinner" in text and "no ad accounts" in text
    buttons = [a.get("value") for t, a in reader.tags if t == "button"]
    assert buttons == ["cancel", "allow"]
    assert ticket and ticket not in answer.headers.get("location", "")
    # No external assets, no framing; avatars are inline data.
    for tag, attrs in reader.tags:
        for name in ("src", "href"):
            assert not attrs.get(name, "data:").startswith(("http", "//")), (tag, attrs)
    assert tag_count(reader, "script") == 0
    csp = answer.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert answer.headers["cache-control"] == "no-store"


def tag_count(reader: PageReader, name: str) -> int:
    return sum(1 for tag, _ in reader.tags if tag == name)


def test_allow_redirects_with_code_and_state(page: httpx.Client) -> None:
    answer = sign_in(page, user_id=ANALYST_USER_ID, state="xyz-42")
    location = answer.headers["location"]
    assert location.startswith(REDIRECT_URI + "?")
    query = redirect_query(answer)
    assert set(query) == {"code", "state"} and query["state"] == "xyz-42"
    assert len(query["code"]) >= 32


def test_cancel_redirects_with_access_denied(page: httpx.Client) -> None:
    query = redirect_query(sign_in(page, user_id="", decision="cancel", state="s-1"))
    assert query == {"error": "access_denied", "state": "s-1"}


def test_redirect_uri_keeps_its_own_query(page: httpx.Client) -> None:
    uri = "https://localhost:8443/cb?tenant=a"
    answer = sign_in(page, user_id=DEMO_USER_ID, redirect_uri=uri)
    parts = urlsplit(answer.headers["location"])
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "localhost:8443", "/cb")
    assert redirect_query(answer)["tenant"] == "a"


def test_with_nothing_registered_only_this_machine_gets_codes(page: httpx.Client) -> None:
    answer = page.get("/oauth/", params=authorize_params(redirect_uri="https://evil.example/cb"))
    assert answer.status_code == 400 and "this machine" in answer.text


@pytest.mark.parametrize(("change", "reason"), [
    ({"client_id": "someone-else"}, "No app is registered"),
    ({"client_id": ""}, "client_id"),
    ({"response_type": "token"}, "response_type=code"),
    ({"redirect_uri": "javascript:alert(1)"}, "redirect_uri"),
    ({"redirect_uri": "/relative"}, "redirect_uri"),
    ({"scope": "ads:read,teleport:write"}, "teleport:write"),
    ({"scope": ""}, "scope"),
    ({"state": "s" * 1025}, "state"),
])
def test_bad_requests_get_an_error_page_not_a_redirect(page: httpx.Client,
                                                       change: dict[str, str],
                                                       reason: str) -> None:
    answer = page.get("/oauth/", params={**authorize_params(), **change})
    assert answer.status_code == 400 and "location" not in answer.headers
    assert answer.headers["content-type"].startswith("text/html")
    text = PageReader(answer.text).all_text
    assert "Cannot sign in" in text and reason in text


def test_registered_redirect_uris_are_enforced(sim: Simulator) -> None:
    sim.config.redirect_uris = (REDIRECT_URI,)  # at run time, like the faults
    with httpx.Client(base_url=SIM_ORIGIN, transport=sim.transport()) as page:
        other = page.get("/oauth/", params=authorize_params(redirect_uri="http://evil.example/"))
        assert other.status_code == 400 and "not registered" in other.text
        assert sign_in(page, user_id=DEMO_USER_ID).status_code == 303


def test_hostile_values_are_drawn_inert(page: httpx.Client) -> None:
    hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    answer, _ = open_page(page, state=hostile,
                          redirect_uri=f"http://127.0.0.1:8501/cb?next={hostile}")
    error = page.get("/oauth/", params=authorize_params(scope=f"ads:read,{hostile}"))
    assert error.status_code == 400
    for html in (answer.text, error.text):
        reader = PageReader(html)
        assert tag_count(reader, "script") == 0
        assert all(not name.startswith("on") for _, attrs in reader.tags for name in attrs)
        assert all(attrs.get("src", "data:").startswith("data:")
                   for tag, attrs in reader.tags if tag == "img")
        assert "<script>" not in html
    assert "&lt;script&gt;" in error.text  # drawn, as text
    # The state comes back unchanged in the redirect (encoded there, not interpreted).
    allowed = sign_in(page, user_id=DEMO_USER_ID, state=hostile)
    assert redirect_query(allowed)["state"] == hostile


def test_a_ticket_answers_once_and_expires(page: httpx.Client, sim: Simulator) -> None:
    _, ticket = open_page(page)
    first = page.post("/oauth/", data={"ticket": ticket, "user": DEMO_USER_ID,
                                       "decision": "allow"})
    assert first.status_code == 303
    again = page.post("/oauth/", data={"ticket": ticket, "user": DEMO_USER_ID,
                                       "decision": "allow"})
    assert again.status_code == 400 and "location" not in again.headers
    assert "expired or was already answered" in again.text
    _, late = open_page(page)
    sim.clock.advance(CONSENT_LIFETIME_S)  # type: ignore[attr-defined]
    expired = page.post("/oauth/", data={"ticket": late, "user": DEMO_USER_ID,
                                         "decision": "allow"})
    assert expired.status_code == 400 and "location" not in expired.headers
    forged = page.post("/oauth/", data={"ticket": "made-up", "user": DEMO_USER_ID,
                                        "decision": "cancel"})
    assert forged.status_code == 400 and "location" not in forged.headers


def test_allow_without_a_person_asks_again(page: httpx.Client) -> None:
    _, ticket = open_page(page)
    for user in ("", "999"):
        again = page.post("/oauth/", data={"ticket": ticket, "user": user,
                                           "decision": "allow"})
        assert again.status_code == 400 and "Choose who signs in." in again.text
        assert PageReader(again.text).inputs()["ticket"] == [ticket]  # same request, still open
    done = page.post("/oauth/", data={"ticket": ticket, "user": NEWCOMER_USER_ID,
                                      "decision": "allow"})
    assert set(redirect_query(done)) == {"code", "state"}


def test_the_form_must_be_a_form(page: httpx.Client) -> None:
    _, ticket = open_page(page)
    as_json = page.post("/oauth/", json={"ticket": ticket, "decision": "allow"})
    assert as_json.status_code == 400 and "location" not in as_json.headers
    odd = page.post("/oauth/", data={"ticket": ticket, "decision": "maybe"})
    assert odd.status_code == 400 and "Allow or Cancel" in odd.text


def test_the_page_is_not_an_api_request(page: httpx.Client, sim: Simulator) -> None:
    """Outside /v5: never counted, faulted or rate limited."""
    sim.faults.storm_429 = True
    sim.faults.error_rate = 1.0
    answer, _ = open_page(page)
    assert answer.status_code == 200
    assert sim.stats.total == 0


def test_registered_redirect_uris_come_from_the_environment() -> None:
    raw = f" {REDIRECT_URI}, https://b.example/cb ,"
    config = SimConfig.from_env({"PINTEREST_SIM_REDIRECT_URIS": raw})
    assert config.redirect_uris == (REDIRECT_URI, "https://b.example/cb")
    assert SimConfig.from_env({}).redirect_uris == ()
