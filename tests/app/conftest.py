"""Fixtures of the AppTest modules (helpers are in support.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest, app_test

from dashboard import render_cache
from dashboard.loader_memo import LOADER_MEMO
from dashboard.render_cache import RENDER_CACHE
from tests.app.support import ServedPagesManager, fresh_app
from ui import secrets as ui_secrets


@pytest.fixture(autouse=True)
def empty_render_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test builds its own data, figures and tables (the process-wide loader memo and
    render cache would hand a test what an earlier one built, past any function it patches),
    and reads its own secrets (an earlier test's "no secrets file" is not remembered). Every
    page run checks that no shared, sealed frame was changed in place (render_cache.SealBroken
    shows as the page's exception)."""
    RENDER_CACHE.clear()
    LOADER_MEMO.clear()
    monkeypatch.setattr(render_cache, "VERIFY_SEALED", True)
    monkeypatch.setattr(ui_secrets, "_absent", None)
    yield
    RENDER_CACHE.clear()
    LOADER_MEMO.clear()


@pytest.fixture(autouse=True)
def served_pages_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every AppTest run sees the pages-directory mode as a served app does (support.py)."""
    monkeypatch.setattr(app_test, "PagesManager", ServedPagesManager)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    at = fresh_app(monkeypatch)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    yield at
    st.cache_resource.clear()
