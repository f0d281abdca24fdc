"""Settings: environment first, then the [pinterest] secrets; demo without a token; no leaks."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from dashboard.settings import (
    PRODUCTION_BASE_URL,
    SANDBOX_BASE_URL,
    SettingsError,
    load_settings,
    resolve_base_url,
)

TOKEN = "pina_SECRET_access_123"
REFRESH = "pinr_SECRET_refresh_456"
APP_SECRET = "SECRET_app_789"


def test_no_token_anywhere_is_demo_mode() -> None:
    settings = load_settings(env={}, secrets={})
    assert settings.is_demo
    assert settings.target == "Demo data"


def test_environment_wins_over_secrets() -> None:
    settings = load_settings(
        env={"PINTEREST_ACCESS_TOKEN": TOKEN, "PINTEREST_API_BASE_URL": "sandbox"},
        secrets={"access_token": "other", "base_url": "production", "app_id": "123"},
    )
    assert settings.access_token == TOKEN
    assert settings.base_url == SANDBOX_BASE_URL
    assert settings.app_id == "123"  # not in env: taken from secrets
    assert not settings.is_demo
    assert settings.target == "Pinterest sandbox"


def test_secrets_section_alone() -> None:
    settings = load_settings(
        env={},
        secrets={
            "access_token": TOKEN,
            "refresh_token": REFRESH,
            "app_id": "1234",
            "app_secret": APP_SECRET,
        },
    )
    assert (settings.access_token, settings.refresh_token) == (TOKEN, REFRESH)
    assert settings.app_secret == APP_SECRET
    assert settings.base_url == PRODUCTION_BASE_URL
    assert settings.target == "Pinterest"


def test_blank_values_count_as_absent() -> None:
    settings = load_settings(env={"PINTEREST_ACCESS_TOKEN": "  "}, secrets={"access_token": ""})
    assert settings.is_demo


def test_repr_and_str_never_show_secrets() -> None:
    settings = load_settings(
        env={
            "PINTEREST_ACCESS_TOKEN": TOKEN,
            "PINTEREST_REFRESH_TOKEN": REFRESH,
            "PINTEREST_APP_SECRET": APP_SECRET,
        }
    )
    for text in (repr(settings), str(settings), f"{settings}"):
        assert "SECRET" not in text
        assert "access_token=set" in text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, PRODUCTION_BASE_URL),
        ("", PRODUCTION_BASE_URL),
        ("Production", PRODUCTION_BASE_URL),
        ("sandbox", SANDBOX_BASE_URL),
        ("http://127.0.0.1:8765/v5/", "http://127.0.0.1:8765/v5"),
    ],
)
def test_base_url_aliases(value: str | None, expected: str) -> None:
    assert resolve_base_url(value) == expected


@pytest.mark.parametrize("value", ["ftp://x", "api.pinterest.com", "https://a b"])
def test_bad_base_url_is_refused_without_echoing_secrets(value: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(env={"PINTEREST_API_BASE_URL": value, "PINTEREST_ACCESS_TOKEN": TOKEN})
    assert "SECRET" not in str(info.value)


def test_custom_base_url_target() -> None:
    settings = load_settings(
        env={"PINTEREST_ACCESS_TOKEN": TOKEN, "PINTEREST_API_BASE_URL": "http://127.0.0.1:9/v5"}
    )
    assert settings.target == "Pinterest API at http://127.0.0.1:9/v5"


def test_the_example_secrets_file_copied_unedited_stays_on_demo_data() -> None:
    example = Path(__file__).resolve().parents[2] / ".streamlit" / "secrets.toml.example"
    section = tomllib.loads(example.read_text("utf-8"))["pinterest"]
    settings = load_settings(env={}, secrets=section)
    assert settings.is_demo
    assert settings.notes == []


@pytest.mark.parametrize("placeholder", ["pina_...", "<your token>", "pina_abc def"])
@pytest.mark.parametrize("where", ["env", "secrets"])
def test_a_placeholder_credential_is_refused_by_name(placeholder: str, where: str) -> None:
    env = {"PINTEREST_ACCESS_TOKEN": placeholder} if where == "env" else {}
    secrets = {"access_token": placeholder} if where == "secrets" else {}
    with pytest.raises(SettingsError) as err:
        load_settings(env=env, secrets=secrets)
    message = str(err.value)
    assert "PINTEREST_ACCESS_TOKEN" in message and "placeholder" in message
    assert placeholder not in message


def test_a_refresh_token_without_the_app_credentials_is_noted() -> None:
    lone = load_settings(env={}, secrets={"access_token": TOKEN, "refresh_token": REFRESH})
    assert len(lone.notes) == 1 and "PINTEREST_APP_SECRET" in lone.notes[0]
    assert REFRESH not in lone.notes[0]
    full = load_settings(env={}, secrets={"access_token": TOKEN, "refresh_token": REFRESH,
                                          "app_id": "1234", "app_secret": APP_SECRET})
    assert full.notes == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8765/v5",
        "http://127.3.4.5/v5",
        "http://[::1]:8080/v5",
        "http://localhost:8080/v5",
        "HTTP://LOCALHOST/v5",
        "https://api.example.com/v5",
    ],
)
def test_plain_http_is_accepted_only_on_loopback(url: str) -> None:
    settings = load_settings(env={"PINTEREST_ACCESS_TOKEN": TOKEN, "PINTEREST_API_BASE_URL": url})
    assert settings.base_url == url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    [
        "http://api.pinterest.com/v5",
        "http://10.0.0.5/v5",
        "http://128.0.0.1/v5",
        "http://localhost.evil.example/v5",
        "http://127.0.0.1.evil.example/v5",
        "http://pinterest-sim.local/v5",  # the demo's pseudo-host is for the in-process sim only
        "http://[::ffff:8.8.8.8]/v5",
    ],
)
def test_plain_http_to_another_host_is_refused(url: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(env={"PINTEREST_ACCESS_TOKEN": TOKEN, "PINTEREST_API_BASE_URL": url})
    message = str(info.value)
    assert "PINTEREST_API_BASE_URL" in message and "https://" in message
    assert "clear text" in message


@pytest.mark.parametrize(
    "url",
    [
        "https://admin:hunter2-PASSWORD@api.example.com/v5",
        "https://hunter2-PASSWORD@api.example.com/v5",
        "http://user:hunter2-PASSWORD@127.0.0.1:9/v5",
        "https://:hunter2-PASSWORD@api.example.com/v5",
    ],
)
@pytest.mark.parametrize("where", ["env", "secrets"])
def test_user_and_password_in_the_url_are_refused_without_echo(url: str, where: str) -> None:
    env = {"PINTEREST_ACCESS_TOKEN": TOKEN}
    secrets: dict[str, object] = {}
    if where == "env":
        env["PINTEREST_API_BASE_URL"] = url
    else:
        secrets["base_url"] = url
    with pytest.raises(SettingsError) as info:
        load_settings(env=env, secrets=secrets)
    message = str(info.value)
    assert "user name or password" in message
    assert "hunter2" not in message and "PASSWORD" not in message and "admin" not in message


@pytest.mark.parametrize("url", ["https://api.example.com/v5?token=abc",
                                 "https://api.example.com/v5#x", "https://api.example.com:x/v5",
                                 "https:///v5"])
def test_a_query_fragment_bad_port_or_missing_host_is_refused(url: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(env={"PINTEREST_ACCESS_TOKEN": TOKEN, "PINTEREST_API_BASE_URL": url})
    assert "abc" not in str(info.value)
