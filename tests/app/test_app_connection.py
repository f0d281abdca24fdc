"""What the page says when the Pinterest connection itself is the problem: one clear
message, never a second one contradicting it."""

from __future__ import annotations

import socket

import pytest

from tests.app.support import fresh_app, texts


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_api_says_so_once(monkeypatch: pytest.MonkeyPatch) -> None:
    at = fresh_app(monkeypatch)
    monkeypatch.setenv("PINTEREST_ACCESS_TOKEN", "pina_unreachable_token_1")
    monkeypatch.setenv("PINTEREST_API_BASE_URL", f"http://127.0.0.1:{_closed_port()}/v5")
    at.run(timeout=120)
    assert not at.exception, [e.message for e in at.exception]
    errors = texts(at.error)
    assert len(errors) == 1 and errors[0].startswith("Could not list your ad accounts"), errors
    assert "Could not reach Pinterest" in errors[0]
    assert not any("No ad account to show" in t for t in texts(at.info))
    assert "pina_unreachable_token_1" not in " ".join(errors)


def test_a_placeholder_token_is_explained_not_tried(monkeypatch: pytest.MonkeyPatch) -> None:
    at = fresh_app(monkeypatch)
    monkeypatch.setenv("PINTEREST_ACCESS_TOKEN", "pina_...")
    at.run(timeout=60)
    assert not at.exception, [e.message for e in at.exception]
    errors = texts(at.error)
    assert len(errors) == 1 and "placeholder" in errors[0], errors


def test_a_refresh_token_without_app_credentials_is_pointed_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = fresh_app(monkeypatch)
    monkeypatch.setenv("PINTEREST_ACCESS_TOKEN", "pina_unreachable_token_2")
    monkeypatch.setenv("PINTEREST_REFRESH_TOKEN", "pinr_lonely_refresh_token")
    monkeypatch.setenv("PINTEREST_API_BASE_URL", f"http://127.0.0.1:{_closed_port()}/v5")
    at.run(timeout=120)
    notes = [t for t in texts(at.sidebar.warning) if "refresh token" in t]
    assert len(notes) == 1 and "PINTEREST_APP_ID" in notes[0]
    assert "pinr_lonely_refresh_token" not in notes[0]
