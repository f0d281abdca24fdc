"""API status's shared-store line in AppTest (demo mode): shared at the store's address with a
real Redis, the in-process fallback once Redis is killed (the page still works), a bad URL as a
note; never the password."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.app.support import fresh_app, rerun, texts
from tests.redis_support import RedisServer

PASSWORD = "app-test-redis-password"


@pytest.fixture
def protected_redis(redis_server: RedisServer) -> Iterator[RedisServer]:
    redis.Redis(port=redis_server.port).config_set("requirepass", PASSWORD)
    yield redis_server


def _api_status(monkeypatch: pytest.MonkeyPatch, url: str, processes: str = "2") -> AppTest:
    monkeypatch.setenv("PINTEREST_DASHBOARD_REDIS_URL", url)
    monkeypatch.setenv("PINTEREST_DASHBOARD_PROCESSES", processes)
    at = fresh_app(monkeypatch)
    rerun(at)
    at.switch_page("pages/api_status.py")
    return rerun(at)


def _all_text(at: AppTest) -> str:
    parts = [texts(at.caption), texts(at.markdown), texts(at.warning), texts(at.error),
             texts(at.sidebar.caption), texts(at.sidebar.warning)]
    return " ".join(" ".join(p) for p in parts)


def _shared_line(at: AppTest) -> str:
    lines = [t for t in texts(at.caption) if t.startswith("Shared store:")]
    assert len(lines) == 1, texts(at.caption)
    return lines[0]


def test_api_status_says_shared_then_fallback_without_the_password(
    monkeypatch: pytest.MonkeyPatch, protected_redis: RedisServer
) -> None:
    where = f"redis://127.0.0.1:{protected_redis.port}/0"
    try:
        at = _api_status(monkeypatch, f"redis://:{PASSWORD}@127.0.0.1:{protected_redis.port}/0")
        assert _shared_line(at) == f"Shared store: shared at {where} · 2 app processes configured"
        assert PASSWORD not in _all_text(at)
        protected_redis.kill()  # killed mid-run: the page still works and says so
        rerun(at)
        assert _shared_line(at).startswith(f"Shared store: in-process fallback: {where} is "
                                           "unavailable (cannot connect); this process uses")
        assert _shared_line(at).endswith("· 2 app processes configured")
        assert at.metric  # the page's figures are still drawn
        assert PASSWORD not in _all_text(at)
    finally:
        st.cache_resource.clear()


def test_a_bad_url_is_a_note_and_the_app_runs_in_process(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        at = _api_status(monkeypatch, f"http://:{PASSWORD}@cache.internal:6379/0", "1")
        assert _shared_line(at).startswith("Shared store: not used (PINTEREST_DASHBOARD_REDIS_URL "
                                           "(secrets: redis_url) is not usable")
        notes = [t for t in texts(at.sidebar.warning) if "REDIS_URL" in t]
        assert len(notes) == 1 and "redis://, rediss:// or unix://" in notes[0]
        assert at.metric and PASSWORD not in _all_text(at)
    finally:
        st.cache_resource.clear()
