"""md_escape: outside text renders as written in Streamlit's Markdown (issue 13 items 1-2).

Checked with tests/markdown_support.py, a model of Streamlit's Markdown rules written apart from
the escaper: what a body would render live, and the text a reader sees.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.text import md_escape
from tests.markdown_support import live_markdown, visible_text

HOSTILE = [
    "[Sign in again](https://evil.example/x)",
    "![pixel](https://evil.example/p.png)",
    "<https://evil.example>",
    "https://evil.example/login",
    "HTTP://EVIL.EXAMPLE",
    "www.evil.example",
    "mail me: help@evil.example",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "<a href='https://evil.example'>Q3</a>",
    "**bold** _it_ ~~gone~~ `code`",
    ":red[alarm] :material/warning: :smile:",
    "$x^2$ and $$y$$",
    "&lt;b&gt; &#x3C;",
    "[ref]: https://evil.example",
    "# heading",
    "- item",
    "+ item",
    "> quote",
    "1. first",
    "2) second",
    "   - indented item",
    "[x]\\(https://evil.example)",
]
# Not live as they stand, but an escaper that mishandles them would make them so.
AWKWARD = ["| a | b |", "back\\slash \\[not an escape]", "C:\\Users\\ads", "50% & 2 < 3"]


def test_the_markdown_model_sees_every_hostile_text_as_live() -> None:
    """Guards the checker itself: a model that flags nothing would make every test pass."""
    for text in HOSTILE:
        assert live_markdown(text), text


@pytest.mark.parametrize("text", HOSTILE + AWKWARD)
def test_hostile_markdown_renders_as_written(text: str) -> None:
    escaped = md_escape(text)
    assert live_markdown(escaped) == []
    assert visible_text(escaped) == text


def test_the_phishing_link_of_issue_13_reads_literally() -> None:
    escaped = md_escape("[Sign in again](https://evil.example/x)")
    assert escaped == "\\[Sign in again\\]\\(https\\:\u2060//evil.example/x\\)"


def test_plain_values_are_left_alone() -> None:
    for text in ("2026-02-30", "last 1000 days", "Spring sale – 20% off", "日本語のキャンペーン"):
        assert md_escape(text) == text


def test_control_characters_and_line_breaks_never_reach_the_page() -> None:
    escaped = md_escape("a\nb\r\nc\td\x00e\u202egnp.exe\u2028f")
    assert escaped == "a b  c de" + "gnp.exe f"
    assert live_markdown(escaped) == []


def test_long_values_are_cut_with_an_ellipsis() -> None:
    assert md_escape("x" * 10_000, max_chars=40) == "x" * 40 + "…"
    assert md_escape("y" * 40, max_chars=40) == "y" * 40
    assert len(md_escape("z" * 10_000)) < 400


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=120))
def test_any_text_renders_as_written(text: str) -> None:
    escaped = md_escape(text)
    assert live_markdown(escaped) == []
    shown = "".join(" " if ch.isspace() else ch for ch in text if ch.isprintable() or ch.isspace())
    assert visible_text(escaped) == shown


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="[]()!<>:/.@w*_`$&\\#-+1 hts", max_size=60))
def test_markdown_punctuation_soup_renders_as_written(text: str) -> None:
    escaped = md_escape(text)
    assert live_markdown(escaped) == []
    assert visible_text(escaped) == text


def test_md_code_draws_an_address_literally_and_copyable() -> None:
    from dashboard.text import md_code

    for text in ("http://127.0.0.1:8765/v5", "a`b``c", "`edge`", "[x](https://evil.example)"):
        span = md_code(text)
        fence = span[: len(span) - len(span.lstrip("`"))]
        inner = span[len(fence):-len(fence)]
        assert span.endswith(fence) and "`" * len(fence) not in inner
        assert inner.strip(" ") == text or inner == f" {text} "
        assert "\u2060" not in span
    assert md_code("line\nbreak") == "`line break`"
