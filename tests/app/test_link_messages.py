"""A hostile link, opened in the app: every bad value is refused without a crash and echoed in
the page's warnings only as text (issue 13 items 1-2).

Streamlit sends an `st.warning` body to the browser as Markdown (the Alert element's `body`,
drawn by its Markdown renderer with HTML off but links, images and GFM autolinks on), so each
body is checked with tests/markdown_support.py, a model of that renderer.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.support import fresh_app, rerun
from tests.markdown_support import live_markdown, visible_text

HOSTILE_LINK = {
    "account": "`code` **bold**",
    "preset": "[Sign in again](https://evil.example/x)",
    "compare": ":red[alarm] $x$",
    "granularity": "![pixel](https://evil.example/p.png)",
    "click": "www.evil.example",
    "engagement": "help@evil.example",
    "view": "²",  # crashed the page: a digit to str.isdigit(), not to int()
    "conversion_time": "https://evil.example/login",
    "refresh": "<img src=x onerror=alert(1)>",
}


def _demo_app(monkeypatch: pytest.MonkeyPatch, query: dict[str, str]) -> AppTest:
    return rerun(fresh_app(monkeypatch, query))


def test_hostile_link_values_show_as_text_in_the_warnings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = _demo_app(monkeypatch, HOSTILE_LINK)
    bodies = [str(w.proto.body) for w in at.warning if "The link's" in str(w.proto.body)]
    assert len(bodies) == len(HOSTILE_LINK), bodies  # one message per bad value
    for body in bodies:
        assert live_markdown(body) == [], body
    shown = [visible_text(body) for body in bodies]
    for value in HOSTILE_LINK.values():
        assert any(value in text for text in shown), value
    # The phishing link of the issue, as the browser receives it: every bracket escaped and the
    # URL broken by an invisible word joiner so GFM cannot autolink it.
    assert any(
        "“\\[Sign in again\\]\\(https\\:\u2060//evil.example/x\\)”" in body for body in bodies
    )
    # Nothing of the link survives into the page's state or the next link.
    assert dict(at.query_params) == {"account": at.session_state["f_account"],
                                     "preset": "last_7_days"}


def test_an_unknown_account_in_a_link_is_named_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    at = _demo_app(monkeypatch, {"account": "549764106887"})  # exists, no access
    bodies = [str(w.proto.body) for w in at.warning if "not one this" in str(w.proto.body)]
    assert len(bodies) == 1 and live_markdown(bodies[0]) == [], bodies
    assert "The link's ad account 549764106887 is not one" in visible_text(bodies[0])
