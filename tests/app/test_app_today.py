"""The Today view in the app: spend-based tiles compared with the same hours of yesterday,
conversion tiles without a misleading delta, and a caption that says so."""

from __future__ import annotations

import pytest

from tests.app.support import fresh_app, rerun, texts


def test_today_tiles_compare_like_with_like(monkeypatch: pytest.MonkeyPatch) -> None:
    at = fresh_app(monkeypatch, {"preset": "today"})
    rerun(at)
    deltas = {m.label: m.delta for m in at.metric}
    for label in ("Spend", "Impressions", "Clicks", "CTR", "CPC", "CPM"):
        assert deltas[label], label
    for label in ("Conversions", "Conversion value", "ROAS", "CPA"):
        assert not deltas[label], label
    assert any("same hours before" in t for t in texts(at.caption))
