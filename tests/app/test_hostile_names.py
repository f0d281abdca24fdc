"""Every page on the simulator's hostile demo account (pinterest_sim/hostile.py): names from
Pinterest that are Markdown, HTML, formulas, right-to-left text or 256 characters long are
drawn as text, in Markdown and in charts alike (issue 13 item 2).

Markdown bodies are judged by tests/markdown_support.py (a model of Streamlit's renderer, not
dashboard.text); chart specs by Plotly's rule that '<' opens a tag in any label or hover.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from pinterest_sim import HOSTILE_ACCOUNT_ID
from pinterest_sim.hostile import HOSTILE_ACCOUNT_NAME, HOSTILE_NAMES, LONG_NAME
from tests.app.support import fresh_app, rerun
from tests.markdown_support import live_markdown, visible_text

PAGES = ["overview", "campaigns", "audience", "targeting", "report_builder", "bulk_export",
         "glossary", "api_status"]
# Tags the app itself writes into chart labels and hovers; anything else opening with '<' is
# a name Plotly would read as HTML.
OWN_TAGS = re.compile(r"<br>|<extra></extra>|</?b>|<extra>|</extra>")
# A trace of the hostile names in a text: only such texts are checked for live Markdown (the
# app's own texts use Markdown on purpose).
TRACES = ("evil", "Hostile names", "HYPERLINK", "calc", "script", "onerror", "Long name",
          "春のセール", "alarm", "italic")


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _bodies(at: AppTest) -> list[str]:
    found = []
    for kind in ("markdown", "caption", "warning", "error", "info", "success"):
        found += [str(element.value) for element in at.get(kind)]
    return found


def _hostile_open(monkeypatch: pytest.MonkeyPatch, page: str) -> AppTest:
    at = fresh_app(monkeypatch, {"account": HOSTILE_ACCOUNT_ID, "preset": "last_30_days"})
    rerun(at)
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
        rerun(at)
    assert at.session_state["f_account"] == HOSTILE_ACCOUNT_ID
    return at


def _assert_inert(at: AppTest) -> list[str]:
    """Every text carrying a hostile name renders as text; every chart string opens no tag."""
    carrying = [b for b in _bodies(at) if any(t in visible_text(b) for t in TRACES)]
    for body in carrying:
        assert live_markdown(body.replace("**", "")) == [], body
    chart_strings = []
    for chart in at.get("plotly_chart"):
        for text in _strings(json.loads(chart.proto.spec)):
            assert "<" not in OWN_TAGS.sub("", text), text
            chart_strings.append(text)
    return chart_strings


@pytest.mark.parametrize("page", PAGES)
def test_every_page_draws_hostile_names_as_text(
    monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    at = _hostile_open(monkeypatch, page)
    assert not at.exception
    _assert_inert(at)
    if page == "targeting":  # only the open tab is built: open each in turn
        for tab in [tab.label for tab in at.tabs][1:]:
            at.session_state["targeting_tab"] = tab
            rerun(at)
            assert not at.exception
            _assert_inert(at)
    header = [b for b in _bodies(at) if "Hostile names test" in visible_text(b)]
    assert header, "the page header names the account"
    assert HOSTILE_ACCOUNT_NAME in visible_text(header[0])


def test_campaign_charts_and_drill_down_show_the_names_escaped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = _hostile_open(monkeypatch, "campaigns")
    strings = _assert_inert(at)
    joined = "\n".join(strings)
    # The names are there, escaped for Plotly (entities), and long ones are cut on the axis.
    assert "&lt;script&gt;alert('xss')&lt;/script&gt;" in joined
    assert LONG_NAME not in strings or any(s.endswith("…") for s in strings)
    # Drill into every campaign in turn: the headings name it as text.
    campaign_ids = at.selectbox(key="drill_campaign").options
    assert len(campaign_ids) >= len(HOSTILE_NAMES)
    for index in range(len(HOSTILE_NAMES)):
        at.selectbox(key="drill_campaign").set_value(
            at.selectbox(key="drill_campaign").options[index])
        rerun(at)
        _assert_inert(at)
    headings = [visible_text(b) for b in _bodies(at) if b.startswith("**Ad groups of")]
    assert headings


def test_table_cells_draw_names_on_one_line_without_reordering(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A right-to-left override (U+202E) in a name would draw the rest of its cell backwards
    ("txt.exe" as "exe.txt"); tables show names without control or format characters."""
    at = _hostile_open(monkeypatch, "campaigns")
    cells = [value for table in at.dataframe for column in table.value.columns
             for value in table.value[column] if isinstance(value, str)]
    assert "مرحبا بالعالم txt.exe" in cells  # the name, minus its override
    assert [c for c in cells if not all(ch.isprintable() for ch in c)] == []
