"""Personal mode with a refresh token on several app processes sharing one real Redis: a rotation
by one process is taken by the others instead of spending the configured (rotated-away) refresh
token, which Pinterest would refuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.connection import Connection, build_connection
from dashboard.settings import load_settings
from pinterest_sim import DEMO_ACCOUNT_ID, DEMO_USER_ID, Simulator
from tests.dashboard.shared_support import (
    backend,
    oauth_posts,
    refresh_refused,
    shared_store,
)
from tests.dashboard.team_support import token_answer
from tests.redis_support import RedisServer


def _process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, answer: dict[str, str],
             base_url: str, url: str) -> Connection:
    """One app process in personal mode: its own token file, its own Redis connection."""
    monkeypatch.setenv("PINTEREST_DASHBOARD_TOKEN_STORE", str(tmp_path / f"{name}.sqlite3"))
    settings = load_settings(env={
        "PINTEREST_ACCESS_TOKEN": answer["access_token"],
        "PINTEREST_REFRESH_TOKEN": answer["refresh_token"],
        "PINTEREST_APP_ID": "sim-app", "PINTEREST_APP_SECRET": "sim-secret",
        "PINTEREST_API_BASE_URL": base_url, "PINTEREST_DASHBOARD_REDIS_URL": url,
        "PINTEREST_DASHBOARD_PROCESSES": "2"}, secrets={})
    return build_connection(settings, shared=backend(shared_store(url)))


def test_a_personal_token_rotated_by_one_process_is_taken_by_another(
    sim: Simulator, tmp_path: Path, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = token_answer(sim, DEMO_USER_ID)
    server = sim.serve("127.0.0.1", 0)
    try:
        first = _process(monkeypatch, tmp_path, "a", answer, server.base_url, redis_server.url)
        second = _process(monkeypatch, tmp_path, "b", answer, server.base_url, redis_server.url)
        try:
            for _ in range(2):  # the first process rotates twice: the configured one is dead
                sim.expire_all_access_tokens()
                first.client.list_ad_accounts()
                first.client.cache.clear()
            assert refresh_refused(sim, answer["refresh_token"])
            sim.expire_access_token(answer["access_token"])
            sim.stats.reset()
            assert second.client.list_campaigns(DEMO_ACCOUNT_ID).data
            assert oauth_posts(sim) == 0 and second.client.stats().token_refreshes == 0
            # a restarted third process continues from the shared line too
            third = _process(monkeypatch, tmp_path, "c", answer, server.base_url,
                             redis_server.url)
            try:
                assert third.client.list_campaigns(DEMO_ACCOUNT_ID, entity_statuses=["ACTIVE"])
                assert oauth_posts(sim) == 0
            finally:
                third.client.close()
        finally:
            first.client.close()
            second.client.close()
    finally:
        server.stop()
