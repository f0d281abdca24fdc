"""Team mode on several app processes sharing one real Redis: sign-ins, sign-outs and token
rotations made by one process are seen by the others; a refresh race does not sign anyone out
(the process that lost it takes the rotated pair, no second call to the token endpoint); Redis
down -> each process goes on with its own SQLite copy."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from dashboard.people import NeedsSignIn, People, SignedIn
from dashboard.shared_tokens import SharedTokenStore
from pinterest_client.shared import SharedStore
from pinterest_sim import DEMO_ACCOUNT_ID, DEMO_USER_ID, OTHER_USER_ID, Simulator
from tests.dashboard.shared_support import (
    CALL_BUDGET_S,
    accounts_of,
    backend,
    oauth_posts,
    process_people,
    refresh_refused,
    sim_people,
)
from tests.dashboard.team_support import FAST, SECRET_KEY, team_settings, token_answer
from tests.redis_support import RedisServer

ROOT = Path(__file__).resolve().parents[2]


def test_a_sign_in_rotation_and_sign_out_in_one_process_are_seen_by_another(
    sim: Simulator, tmp_path: Path, redis_server: RedisServer
) -> None:
    first = sim_people(sim, tmp_path, "first", redis_server.url)
    second = sim_people(sim, tmp_path, "second", redis_server.url)
    answer = token_answer(sim, DEMO_USER_ID)
    person = first.sign_in(answer)
    sid = first.start_session(person)
    # the second process never saw this sign-in, and has its own (empty) SQLite file
    state = second.session_state(sid)
    assert isinstance(state, SignedIn) and state.person.username == "evergreen_marketing"
    # a rotation by the first process: the second reads the new pair
    client = first.client_for(person.user_id)
    assert client is not None
    sim.expire_access_token(answer["access_token"])
    client.list_ad_accounts()
    assert oauth_posts(sim) == 2  # the sign-in's exchange, then one refresh
    seen = second.store.load(person.user_id)
    assert seen is not None and seen.refresh_token not in (None, answer["refresh_token"])
    assert seen == first.store.load(person.user_id)
    # signing out in the second process ends the session for the first
    second.end_session(sid)
    assert first.session_state(sid) == NeedsSignIn()


def test_the_loser_of_a_refresh_race_takes_the_rotated_pair_and_stays_signed_in(
    sim: Simulator, tmp_path: Path, redis_server: RedisServer
) -> None:
    first = sim_people(sim, tmp_path, "a", redis_server.url)
    second = sim_people(sim, tmp_path, "b", redis_server.url)
    answer = token_answer(sim, DEMO_USER_ID)
    person = first.sign_in(answer)
    sid = first.start_session(person)
    # both processes hold the person's client with the sign-in's pair
    late = second.client_for(person.user_id)
    early = first.client_for(person.user_id)
    assert late is not None and early is not None
    # the first process refreshes twice: the sign-in's refresh token is now dead at Pinterest
    for _ in range(2):
        sim.expire_all_access_tokens()
        early.list_ad_accounts()
        early.cache.clear()
    assert refresh_refused(sim, answer["refresh_token"])
    stored = second.store.load(person.user_id)
    assert stored is not None
    sim.expire_all_access_tokens()
    # the stored access token was refused too now: the second process's call gets a 401,
    # holds the refresh lock, and finds the pair already rotated by the first... which is
    # itself expired, so it refreshes once more with the stored (live) refresh token
    sim.stats.reset()
    campaigns = late.list_campaigns(DEMO_ACCOUNT_ID).data
    assert campaigns
    assert oauth_posts(sim) == 1
    assert isinstance(second.session_state(sid), SignedIn)
    assert isinstance(first.session_state(sid), SignedIn)
    after = first.store.load(person.user_id)
    assert after is not None and after.signed_in
    assert after.refresh_token != stored.refresh_token  # the second process's rotation, shared


def test_a_client_holding_a_rotated_away_pair_adopts_the_stored_one_without_refreshing(
    sim: Simulator, tmp_path: Path, redis_server: RedisServer
) -> None:
    first = sim_people(sim, tmp_path, "a", redis_server.url)
    second = sim_people(sim, tmp_path, "b", redis_server.url)
    answer = token_answer(sim, DEMO_USER_ID)
    person = first.sign_in(answer)
    late = second.client_for(person.user_id)
    early = first.client_for(person.user_id)
    assert late is not None and early is not None
    for _ in range(2):  # rotated twice by the first process
        sim.expire_all_access_tokens()
        early.list_ad_accounts()
        early.cache.clear()
    assert refresh_refused(sim, answer["refresh_token"])
    # only the sign-in's access token dies: the pair the first process stored is live
    sim.expire_access_token(answer["access_token"])
    sim.stats.reset()
    campaigns = late.list_campaigns(DEMO_ACCOUNT_ID).data
    assert campaigns
    assert oauth_posts(sim) == 0  # no refresh at all: the stored pair was taken
    assert late.stats().token_refreshes == 0
    record = second.store.load(person.user_id)
    assert record is not None and record.signed_in


def test_two_processes_on_one_expired_token_at_once_cost_one_refresh(
    sim: Simulator, tmp_path: Path, redis_server: RedisServer
) -> None:
    people = [sim_people(sim, tmp_path, name, redis_server.url) for name in ("a", "b", "c")]
    answer = token_answer(sim, DEMO_USER_ID)
    person = people[0].sign_in(answer)
    clients = [p.client_for(person.user_id) for p in people]
    sim.expire_access_token(answer["access_token"])
    sim.stats.reset()
    barrier = threading.Barrier(len(clients))
    errors: list[BaseException] = []

    def process(i: int) -> None:
        client = clients[i]
        assert client is not None
        barrier.wait()
        try:  # a different request each, so no cache or single flight merges them
            client.list_campaigns(DEMO_ACCOUNT_ID, entity_statuses=[["ACTIVE"], ["PAUSED"],
                                                                     ["ARCHIVED"]][i])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=process, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert oauth_posts(sim) == 1  # one process refreshed, the others took its pair
    assert sum(c.stats().token_refreshes for c in clients if c is not None) == 1


def test_real_processes_a_rotation_by_one_is_adopted_by_another(
    sim: Simulator, tmp_path: Path, redis_server: RedisServer
) -> None:
    truth = accounts_of(sim, DEMO_USER_ID)  # before any token is expired
    server = sim.serve("127.0.0.1", 0)
    try:
        sqlite = tmp_path / "parent.sqlite3"
        parent = process_people(team_settings(sqlite, PINTEREST_API_BASE_URL=server.base_url),
                                sqlite, redis_server.url, None)
        answer = token_answer(sim, DEMO_USER_ID)
        person = parent.sign_in(answer)
        children = [_start_child(redis_server.url, tmp_path / f"child{i}.sqlite3",
                                 server.base_url, person.user_id) for i in range(2)]
        try:
            for child in children:
                assert _read(child) == {"ready": True}
            rotating, holding = children
            # the first child process rotates the pair twice (the first pair's refresh token
            # is then dead at Pinterest)
            for turn in (1, 2):
                sim.expire_all_access_tokens()
                rotated = _ask(rotating)
                assert rotated["ok"] and rotated["refreshes"] == turn, rotated
            assert refresh_refused(sim, answer["refresh_token"])
            # the second child still holds the first pair; only its access token dies
            sim.expire_access_token(answer["access_token"])
            sim.stats.reset()
            outcome = _ask(holding)
            assert outcome["ok"], outcome
            assert outcome["refreshes"] == 0 and oauth_posts(sim) == 0
            assert outcome["accounts"] == truth and DEMO_ACCOUNT_ID in truth
            record = parent.store.load(person.user_id)
            assert record is not None and record.signed_in
        finally:
            for child in children:
                _stop(child)
    finally:
        server.stop()


def test_redis_down_keeps_sign_ins_working_in_each_process_and_says_so(
    sim: Simulator, tmp_path: Path, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    first = sim_people(sim, tmp_path, "a", redis_server.url)
    person = first.sign_in(token_answer(sim, DEMO_USER_ID))
    sid = first.start_session(person)
    redis_server.kill()
    # the first process goes on from its own copy; a new sign-in works too (kept locally)
    assert isinstance(first.session_state(sid), SignedIn)
    other = first.sign_in(token_answer(sim, OTHER_USER_ID))
    other_sid = first.start_session(other)
    assert isinstance(first.session_state(other_sid), SignedIn)
    client = first.client_for(person.user_id)
    assert client is not None and client.list_ad_accounts().data
    status = first.shared.status_text()
    assert status == (f"Shared store: in-process fallback: redis://127.0.0.1:{redis_server.port}/0"
                      " is unavailable (cannot connect); this process uses its own cache, its "
                      "own sign-in file and 1/2 of Pinterest's rate budget until it is back · 2 "
                      "app processes configured"), status
    assert sum("unavailable" in r.getMessage() for r in caplog.records) == 1  # said once
    # back: shared again, and what the first process saw on its own is not lost for it
    redis_server.restart()
    assert isinstance(first.session_state(sid), SignedIn)
    assert first.shared.status_text().startswith("Shared store: shared at redis://127.0.0.1:")


def test_redis_holds_only_sealed_values_under_hashed_keys(
    sim: Simulator, tmp_path: Path, redis_server: RedisServer
) -> None:
    first = sim_people(sim, tmp_path, "a", redis_server.url)
    answer = token_answer(sim, DEMO_USER_ID)
    person = first.sign_in(answer)
    sid = first.start_session(person)
    store = first.store
    assert isinstance(store, SharedTokenStore)
    raw = store.shared.redis
    keys = [str(k) for k in raw.keys(store.shared.key("tokens", "*"))]
    dump = "".join(k + str(raw.get(k)) for k in keys)
    assert dump  # something is there
    for secret in (answer["access_token"], answer["refresh_token"], sid, SECRET_KEY,
                   person.user_id, person.username):
        assert secret not in dump, secret[:4]
    assert "127.0.0.1" in repr(store) and answer["access_token"] not in repr(store)


def _start_child(url: str, sqlite: Path, base_url: str, user_id: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("PINTEREST_ACCESS_TOKEN", "PINTEREST_REFRESH_TOKEN"):
        env.pop(name, None)
    return subprocess.Popen(
        [sys.executable, "-m", "tests.dashboard.shared_support", url, str(sqlite), base_url,
         user_id],
        cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def _read(child: subprocess.Popen[str]) -> dict[str, object]:
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line, f"the child process ended (exit {child.poll()})"
    answer: dict[str, object] = json.loads(line)
    return answer


def _ask(child: subprocess.Popen[str]) -> dict[str, object]:
    assert child.stdin is not None
    child.stdin.write("go\n")
    child.stdin.flush()
    return _read(child)


def _stop(child: subprocess.Popen[str]) -> None:
    if child.stdin is not None:
        child.stdin.close()
    try:
        child.wait(timeout=20)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def test_the_app_keeps_team_tokens_in_redis_only_when_the_setting_is_there(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    from dashboard.token_store import TokenStore
    from web.auth import team_runtime

    shared = team_runtime(team_settings(tmp_path / "s.sqlite3",
                                        PINTEREST_DASHBOARD_REDIS_URL=redis_server.url,
                                        PINTEREST_DASHBOARD_PROCESSES="4"))
    assert isinstance(shared.people.store, SharedTokenStore)
    assert shared.people.shared.status_text() == (
        f"Shared store: shared at {redis_server.url} · 4 app processes configured")
    assert {"access_proofs", "cache", "report_jobs"} <= set(shared.people.shared.client_kwargs())
    alone = team_runtime(team_settings(tmp_path / "a.sqlite3"))
    assert type(alone.people.store) is TokenStore and alone.people.shared.client_kwargs() == {}


def test_a_rotation_made_while_cut_off_from_redis_reaches_it_when_back(
    sim: Simulator, tmp_path: Path, redis_server: RedisServer
) -> None:
    now = [0.0]
    cut_off = SharedStore(redis_server.url, retry_s=10.0, clock=lambda: now[0],
                          call_budget_s=CALL_BUDGET_S)
    settings = team_settings(tmp_path / "a.sqlite3")
    assert settings.team is not None
    first = People(settings, SharedTokenStore(tmp_path / "a.sqlite3", settings.team.secret_key,
                                              cut_off),
                   transport=sim.transport(), config=FAST, shared=backend(cut_off))
    second = sim_people(sim, tmp_path, "b", redis_server.url)
    answer = token_answer(sim, DEMO_USER_ID)
    person = first.sign_in(answer)
    sid = first.start_session(person)
    late, early = second.client_for(person.user_id), first.client_for(person.user_id)
    assert late is not None and early is not None
    cut_off.mark_down("a network partition")  # only the first process loses Redis
    for _ in range(2):
        sim.expire_all_access_tokens()
        early.list_ad_accounts()
        early.cache.clear()
    assert refresh_refused(sim, answer["refresh_token"])
    held = second.store.load(person.user_id)
    assert held is not None and held.refresh_token == answer["refresh_token"]  # Redis: old pair
    now[0] += 11  # the first process reaches Redis again; its next run reads the session
    assert isinstance(first.session_state(sid), SignedIn)
    fresh = second.store.load(person.user_id)
    assert fresh is not None and fresh == first.store.load(person.user_id)
    assert fresh.refresh_token != answer["refresh_token"]
    # so the second process, on the dead pair, takes the rotated one: nobody is signed out
    sim.expire_access_token(answer["access_token"])
    sim.stats.reset()
    assert late.list_campaigns(DEMO_ACCOUNT_ID).data
    assert oauth_posts(sim) == 0 and isinstance(second.session_state(sid), SignedIn)


def test_a_full_redis_evicts_cached_answers_never_a_persons_tokens(
    sim: Simulator, tmp_path: Path
) -> None:
    """With deploy/'s eviction policy (keys with a TTL only), a Redis filled past its bound by
    cached answers still holds every sign-in: another process, with an empty SQLite file of
    its own, reads the person's tokens from it."""
    import redis

    with RedisServer(maxmemory="4mb") as server:
        first = sim_people(sim, tmp_path, "first", server.url)
        person = first.sign_in(token_answer(sim, DEMO_USER_ID))
        filler = redis.Redis(port=server.port)
        answer = b"x" * 8192  # cached answers carry their TTL, as the shared cache writes them
        for number in range(2_000):  # 16 MB through a 4 MB Redis
            filler.set(f"pinterest:cache:filler:{number}", answer, px=600_000)
        assert int(filler.info("stats")["evicted_keys"]) > 1_000
        second = sim_people(sim, tmp_path, "second", server.url)
        kept = second.store.load(person.user_id)
        assert kept is not None and kept == first.store.load(person.user_id)
