"""Small readability promises: daily rows read as dates, audience charts line up."""

from __future__ import annotations

import json

import pytest

from tests.app.support import fresh_app, rerun


def test_daily_data_table_shows_dates_not_midnights(monkeypatch: pytest.MonkeyPatch) -> None:
    at = fresh_app(monkeypatch, {"granularity": "DAY"})
    rerun(at)
    table = at.dataframe[0].value
    assert "Date (UTC)" in table.columns and "Time (UTC)" not in table.columns
    assert len(table) == 7


def test_audience_share_charts_share_one_height_and_lie_down_when_labels_are_long(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = fresh_app(monkeypatch)
    at.switch_page("pages/audience.py")
    rerun(at)
    figures = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")][:3]
    heights = {f["layout"]["height"] for f in figures}
    assert len(heights) == 1
    orientations = [f["data"][0].get("orientation", "v") for f in figures]
    assert orientations == ["v", "h", "h"]  # age stands; gender and device lie down
    assert figures[0]["layout"]["xaxis"]["tickangle"] == 0
