"""Team mode's tokens at rest, the session cookie and one client per person, against the
simulator's real OAuth exchange and rotating refresh tokens."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import httpx
import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from dashboard.people import (
    NO_LONGER_ALLOWED,
    REFRESH_REFUSED,
    NeedsSignIn,
    SignedIn,
    SignInRefused,
)
from dashboard.session_cookie import COOKIE_PURPOSE, CookieSigner, PendingSignIn
from dashboard.token_store import TokenStore, derive_key
from pinterest_sim import (
    ANALYST_USER_ID,
    DEMO_ACCOUNT_ID,
    DEMO_USER_ID,
    FORBIDDEN_ACCOUNT_ID,
    OTHER_USER_ID,
    SIM_BASE_URL,
    Simulator,
)
from tests.dashboard.team_support import SECRET_KEY, make_people, token_answer


def _oauth_posts(sim: Simulator) -> int:
    return sum(n for route, n in sim.stats.by_route.items() if route.endswith("/oauth/token"))


# -- the cookie -------------------------------------------------------------------------------

def test_a_session_cookie_reads_back_only_untampered_unexpired_and_ours() -> None:
    signer = CookieSigner(SECRET_KEY, session_lifetime_s=3600)
    value = signer.session_value("sid-1")
    assert signer.read_session(value) == "sid-1"
    # tampered: any changed character of the payload or signature
    for i in (0, len(value) // 2, len(value) - 2):
        flipped = value[:i] + ("A" if value[i] != "A" else "B") + value[i + 1:]
        assert signer.read_session(flipped) is None
    # foreign: another deployment's key, same format
    assert CookieSigner("another-secret-key-" + "x" * 40, 3600).read_session(value) is None
    # expired: signed (with the right key) two hours ago, lifetime one hour
    serializer = URLSafeTimedSerializer(derive_key(SECRET_KEY, COOKIE_PURPOSE), salt="session",
                                        signer=_TwoHoursAgo)
    old = serializer.dumps("sid-1")
    assert signer.read_session(old) is None
    assert CookieSigner(SECRET_KEY, session_lifetime_s=3 * 3600).read_session(old) == "sid-1"
    # the sign-in cookie cannot stand in for a session cookie, nor the reverse
    pending = signer.sign_in_value(PendingSignIn("state", "/campaigns"))
    assert signer.read_session(pending) is None
    assert signer.read_sign_in(value) is None
    assert signer.read_sign_in(pending) == PendingSignIn("state", "/campaigns")


class _TwoHoursAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 7200


# -- the store --------------------------------------------------------------------------------

def test_tokens_are_encrypted_at_rest_and_never_logged(
    sim: Simulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "tokens.sqlite3"
    people = make_people(sim, path)
    answer = token_answer(sim, DEMO_USER_ID)
    person = people.sign_in(answer)
    sid = people.start_session(person)
    client = people.client_for(person.user_id)
    assert client is not None
    sim.expire_access_token(answer["access_token"])
    client.list_ad_accounts()  # 401 -> refresh -> rotated pair saved
    record = people.store.load(person.user_id)
    assert record is not None and record.access_token and record.refresh_token
    assert record.refresh_token != answer["refresh_token"]
    secrets = {answer["access_token"], answer["refresh_token"], record.access_token,
               record.refresh_token, sid, SECRET_KEY}
    raw = path.read_bytes()
    texts = [caplog.text, repr(people), repr(people.store), repr(record), repr(client)]
    for secret in secrets:
        assert secret and secret.encode() not in raw
        assert all(secret not in text for text in texts)
    assert (path.stat().st_mode & 0o077) == 0  # owner-only file
    # another key reads nothing; the right key after a "restart" reads the rotated pair
    assert TokenStore(path, "another-secret-key-" + "y" * 40).load(person.user_id) is None
    assert TokenStore(path, SECRET_KEY).load(person.user_id) == record


def test_sessions_end_by_sign_out_and_by_expiry(sim: Simulator, tmp_path: Path) -> None:
    now = [1000.0]
    store = TokenStore(tmp_path / "s.sqlite3", SECRET_KEY, clock=lambda: now[0])
    first = store.create_session("u1", lifetime_s=60)
    second = store.create_session("u1", lifetime_s=60)
    assert store.session_user(first) == store.session_user(second) == "u1"
    store.end_session(first)
    assert store.session_user(first) is None and store.session_user(second) == "u1"
    now[0] += 61
    assert store.session_user(second) is None
    assert store.session_user("made-up") is None


# -- sign-in, allow-list, one client per person ------------------------------------------------

def test_each_person_gets_their_own_client_and_accounts(sim: Simulator, tmp_path: Path) -> None:
    people = make_people(sim, tmp_path / "t.sqlite3")
    owner = people.sign_in(token_answer(sim, DEMO_USER_ID))
    agency = people.sign_in(token_answer(sim, OTHER_USER_ID))
    assert (owner.username, agency.username) == ("evergreen_marketing", "agency_partner")
    owner_client, agency_client = people.client_for(owner.user_id), \
        people.client_for(agency.user_id)
    assert owner_client is not None and agency_client is not None
    assert people.client_for(owner.user_id) is owner_client  # cached per process
    owner_ids = {a.id for a in owner_client.list_ad_accounts().data}
    agency_ids = {a.id for a in agency_client.list_ad_accounts().data}
    assert DEMO_ACCOUNT_ID in owner_ids and FORBIDDEN_ACCOUNT_ID not in owner_ids
    assert agency_ids == {FORBIDDEN_ACCOUNT_ID}


def test_the_allow_list_refuses_others_and_keeps_nothing(sim: Simulator, tmp_path: Path) -> None:
    people = make_people(sim, tmp_path / "a.sqlite3",
                         PINTEREST_DASHBOARD_ALLOWED_USERS=" Evergreen_Marketing, @someone ")
    with pytest.raises(SignInRefused) as refused:
        people.sign_in(token_answer(sim, ANALYST_USER_ID))
    assert refused.value.username == "harbor_analytics"
    assert people.store.load(ANALYST_USER_ID) is None
    owner = people.sign_in(token_answer(sim, DEMO_USER_ID))
    assert owner.username == "evergreen_marketing"
    # taken off the list after signing in: the next run of any of their tabs signs them out
    sid = people.start_session(owner)
    assert isinstance(people.session_state(sid), SignedIn)
    narrower = make_people(sim, tmp_path / "a.sqlite3",
                           PINTEREST_DASHBOARD_ALLOWED_USERS="someone_else")
    assert narrower.session_state(sid) == NeedsSignIn(NO_LONGER_ALLOWED)


def test_ten_tabs_on_an_expired_token_cost_one_refresh(sim: Simulator, tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite3"
    people = make_people(sim, path)
    answer = token_answer(sim, DEMO_USER_ID)
    person = people.sign_in(answer)
    sim.expire_access_token(answer["access_token"])
    sim.stats.reset()
    barrier = threading.Barrier(10)
    errors: list[BaseException] = []
    accounts = _listed_ids(sim)

    def tab(i: int) -> None:
        try:
            client = people.client_for(person.user_id)
            assert client is not None
            barrier.wait()
            # ten different requests, so no cache entry or single flight merges them
            client.list_campaigns(accounts[i % len(accounts)],
                                  entity_statuses=["ACTIVE"] if i < len(accounts) else None)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=tab, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert _oauth_posts(sim) == 1
    # the rotated pair was saved: a restarted process (new People on the same file) goes on
    # with it, and the sim's new refresh token is the stored one
    restarted = make_people(sim, path)
    record = restarted.store.load(person.user_id)
    assert record is not None and record.refresh_token != answer["refresh_token"]
    client = restarted.client_for(person.user_id)
    assert client is not None
    sim.expire_all_access_tokens()
    assert {a.id for a in client.list_ad_accounts().data} == set(accounts)
    assert _oauth_posts(sim) == 2


def test_a_refused_refresh_signs_out_that_person_only(sim: Simulator, tmp_path: Path) -> None:
    people = make_people(sim, tmp_path / "x.sqlite3")
    owner_answer = token_answer(sim, DEMO_USER_ID)
    owner = people.sign_in(owner_answer)
    analyst = people.sign_in(token_answer(sim, ANALYST_USER_ID))
    owner_sid, analyst_sid = people.start_session(owner), people.start_session(analyst)
    # the refresh token dies: its replacement was used elsewhere (rotation), then expiry
    sim.clock.advance(61 * 86_400)
    client = people.client_for(owner.user_id)
    assert client is not None
    with pytest.raises(Exception, match="Refreshing the access token failed"):
        client.list_ad_accounts()
    assert people.session_state(owner_sid) == NeedsSignIn(REFRESH_REFUSED)
    assert people.client_for(owner.user_id) is None
    record = people.store.load(owner.user_id)
    assert record is not None and record.access_token is None and record.refresh_token is None
    # the analyst's session is untouched
    state = people.session_state(analyst_sid)
    assert isinstance(state, SignedIn) and state.person.username == "harbor_analytics"
    # signing in again clears the reason
    again = people.sign_in(token_answer(sim, DEMO_USER_ID))
    assert isinstance(people.session_state(owner_sid), SignedIn) and again == owner


def _listed_ids(sim: Simulator) -> list[str]:
    """The owner's ad accounts, read with their personal token (not the client under test)."""
    with httpx.Client(base_url=SIM_BASE_URL, transport=sim.transport()) as api:
        token = sim.personal_token(DEMO_USER_ID)
        body = api.get("/ad_accounts", headers={"Authorization": f"Bearer {token}"}).json()
    return sorted(item["id"] for item in body["items"])
