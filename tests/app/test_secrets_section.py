"""ui.secrets.secrets_section: no secrets file is remembered for a few seconds, per store."""

from __future__ import annotations

from typing import Any

import pytest
import streamlit as st

from ui import secrets as ui_secrets


class FakeSecrets:
    """A secrets store that counts reads; `missing` raises like Streamlit with no file."""

    def __init__(self, section: dict[str, Any] | None) -> None:
        self.section = section
        self.reads = 0

    def get(self, name: str, default: Any) -> Any:
        self.reads += 1
        if self.section is None:
            raise FileNotFoundError("No secrets found")
        return self.section if name == "pinterest" else default


@pytest.fixture(autouse=True)
def forget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ui_secrets, "_absent", None)


def test_no_secrets_file_is_looked_for_once_per_few_seconds(
        monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(ui_secrets, "_clock", lambda: clock[0])
    store = FakeSecrets(None)
    monkeypatch.setattr(st, "secrets", store)
    assert [ui_secrets.secrets_section() for _ in range(50)] == [{}] * 50
    assert store.reads == 1
    clock[0] += ui_secrets.NO_SECRETS_RECHECK_S + 0.1
    store.section = {"access_token": "made-up"}  # a file created meanwhile
    assert ui_secrets.secrets_section() == {"access_token": "made-up"}
    assert store.reads == 2


def test_a_present_section_is_read_every_time_and_another_store_is_read_anew(
        monkeypatch: pytest.MonkeyPatch) -> None:
    missing = FakeSecrets(None)
    monkeypatch.setattr(st, "secrets", missing)
    assert ui_secrets.secrets_section() == {}
    present = FakeSecrets({"app_id": "1"})
    monkeypatch.setattr(st, "secrets", present)  # as AppTest swaps st.secrets
    assert ui_secrets.secrets_section() == {"app_id": "1"}
    assert ui_secrets.secrets_section() == {"app_id": "1"}
    assert present.reads == 2
