"""The shared store's settings (PINTEREST_DASHBOARD_REDIS_URL, PINTEREST_DASHBOARD_PROCESSES) and
its one line on API status: from the environment or the secrets, a bad URL is a note (the app
runs in process), the password is never shown."""

from __future__ import annotations

import logging

import pytest
import redis

from dashboard.api_status import shared_store_line
from dashboard.connection import build_connection
from dashboard.settings import SettingsError, load_settings
from dashboard.shared_backend import SharedBackend, connect_backend
from tests.redis_support import RedisServer

PASSWORD = "s3cret-redis-password"


def test_no_setting_changes_nothing() -> None:
    settings = load_settings(env={}, secrets={})
    assert settings.redis_url is None and settings.processes == 1 and settings.notes == []
    backend = connect_backend(settings)
    assert not backend.configured and backend.client_kwargs() == {}
    assert backend.status_text() == (
        "Shared store: none (PINTEREST_DASHBOARD_REDIS_URL is not set): this process keeps its "
        "own cache, rate budget and sign-ins · 1 app process configured")


@pytest.mark.parametrize("where", ["env", "secrets"])
def test_the_url_and_processes_from_env_or_secrets(where: str) -> None:
    url = f"redis://:{PASSWORD}@10.0.0.5:6380/2"
    if where == "env":
        settings = load_settings(env={"PINTEREST_DASHBOARD_REDIS_URL": url,
                                      "PINTEREST_DASHBOARD_PROCESSES": "3"}, secrets={})
    else:
        settings = load_settings(env={}, secrets={"redis_url": url, "processes": 3})
    assert settings.redis_url == url and settings.processes == 3 and settings.notes == []
    assert PASSWORD not in repr(settings) and PASSWORD not in str(settings)


def test_environment_wins_over_secrets() -> None:
    settings = load_settings(env={"PINTEREST_DASHBOARD_REDIS_URL": "redis://a:6379/0"},
                             secrets={"redis_url": "redis://b:6379/0", "processes": "2"})
    assert settings.redis_url == "redis://a:6379/0" and settings.processes == 2


@pytest.mark.parametrize("url, reason", [
    (f"http://:{PASSWORD}@cache:6379/0", "it must start with redis://, rediss:// or unix://"),
    (f"redis://:{PASSWORD}@cache:99999/0", "its port is not a number from 1 to 65535"),
    (f"redis://:{PASSWORD}@cache:port/0", "its port is not a number from 1 to 65535"),
    (f"redis://:{PASSWORD}@/0", "it has no host name"),
    (f"redis://:{PASSWORD}@cache:6379/zero", "the part after the host must be a database "
                                             "number such as /0"),
    (f"redis://:{PASSWORD}@cache :6379/0", "it contains a space"),
])
def test_a_bad_url_is_a_note_without_the_password_and_the_app_runs_in_process(
    url: str, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    settings = load_settings(env={"PINTEREST_DASHBOARD_REDIS_URL": url}, secrets={})
    assert settings.redis_url is None
    assert len(settings.notes) == 1
    note = settings.notes[0]
    assert note.startswith("PINTEREST_DASHBOARD_REDIS_URL (secrets: redis_url) is not usable: "
                           + reason + ". Each app process keeps its own cache"), note
    assert PASSWORD not in note and "cache:" not in note and "cache :" not in note
    # demo mode still builds its client, with no shared parts, and shows the note
    connection = build_connection(settings, shared=connect_backend(settings))
    try:
        assert connection.notes == (note,) and connection.shared.client_kwargs() == {}
        line = connection.shared.status_text()
        assert line.startswith("Shared store: not used (PINTEREST_DASHBOARD_REDIS_URL")
        assert PASSWORD not in line
        assert [r.getMessage() for r in caplog.records] == [note]  # said once in the log
    finally:
        connection.client.close()


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5", "1001"])
def test_a_bad_number_of_processes_is_refused_by_name(value: str) -> None:
    with pytest.raises(SettingsError, match=r"PINTEREST_DASHBOARD_PROCESSES \(secrets: "
                                            r"processes\) must be the number of app processes"):
        load_settings(env={"PINTEREST_DASHBOARD_PROCESSES": value}, secrets={})


def test_the_status_line_shared_then_fallback_then_back_never_the_password(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    redis.Redis(port=redis_server.port).config_set("requirepass", PASSWORD)
    url = f"redis://:{PASSWORD}@127.0.0.1:{redis_server.port}/0"
    settings = load_settings(env={"PINTEREST_DASHBOARD_REDIS_URL": url,
                                  "PINTEREST_DASHBOARD_PROCESSES": "3"}, secrets={})
    backend = connect_backend(settings)
    assert backend.configured and "report_jobs" in backend.client_kwargs()
    where = f"redis://127.0.0.1:{redis_server.port}/0"
    try:
        assert shared_store_line(backend) == (
            f"Shared store: shared at {where} · 3 app processes configured")
        redis_server.kill()
        down = shared_store_line(backend)
        assert down == (f"Shared store: in-process fallback: {where} is unavailable (cannot "
                        "connect); this process uses its own cache, its own sign-in file and 1/3 "
                        "of Pinterest's rate budget until it is back · 3 app processes "
                        "configured")
        texts = [down, repr(backend), repr(settings), caplog.text]
        assert all(PASSWORD not in text for text in texts)
    finally:
        assert backend.store is not None
        backend.store.close()


def test_a_wrong_password_is_a_fallback_not_an_error(redis_server: RedisServer) -> None:
    redis.Redis(port=redis_server.port).config_set("requirepass", PASSWORD)
    url = f"redis://:wrong-{PASSWORD}@127.0.0.1:{redis_server.port}/0"
    backend = connect_backend(load_settings(env={"PINTEREST_DASHBOARD_REDIS_URL": url},
                                            secrets={}))
    line = shared_store_line(backend)
    assert line.startswith("Shared store: in-process fallback: redis://127.0.0.1:"), line
    assert PASSWORD not in line


def test_an_unconfigured_backend_says_so() -> None:
    assert SharedBackend(processes=4).status_text().endswith("· 4 app processes configured")


@pytest.mark.parametrize(("policy", "warned"), [("volatile-lru", False), ("allkeys-lru", True)])
def test_the_status_line_warns_when_redis_may_evict_sign_ins(policy: str, warned: bool) -> None:
    """Sign-ins and token pairs are the only keys kept without a TTL: a Redis that evicts any
    key when full may drop them, and API status says so."""
    with RedisServer(policy=policy) as server:
        settings = load_settings(env={"PINTEREST_DASHBOARD_REDIS_URL": server.url}, secrets={})
        backend = connect_backend(settings)
        try:
            line = shared_store_line(backend)
            assert line.startswith(f"Shared store: shared at {server.url}")
            assert ("maxmemory-policy allkeys-lru" in line) is warned
            assert ("sign-ins may be lost; set volatile-lru" in line) is warned
        finally:
            assert backend.store is not None
            backend.store.close()
