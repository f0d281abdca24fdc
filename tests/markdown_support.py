"""What Streamlit's Markdown renderer would make *live* in a text, for tests of inert echoes.

Streamlit 1.67 draws `st.warning`/`st.error`/`st.markdown` bodies with react-markdown: CommonMark
plus GFM (whose autolink-literal step rewrites `https://…`, `www.…` and `name@host.tld` found in
*text nodes*, i.e. after backslash escapes are resolved), Streamlit's directives (`:red[…]`),
icons (`:material/…:`, drawn even when its colons are escaped), emoji shortcodes (`:smile:`)
and `$…$` maths; raw HTML is not rendered but a `<` can still open an autolink. This module
models those rules independently of `dashboard.text` so a test can say what a body would
render, not what the escaper wrote. (Checked against Chromium drawing Streamlit 1.67 warnings.)

``live_markdown(body)`` lists every construct found (empty when the body renders as plain
text); ``visible_text(body)`` is the text a reader sees (escapes resolved, word joiners gone).
"""

from __future__ import annotations

import re
import string

# Characters that open inline Markdown when not escaped: links/images/footnotes, HTML and
# autolinks, code, emphasis, strikethrough, maths, entities.
_OPENERS = frozenset("[<`*_~$&")
_BLOCK_START = re.compile(r"^ {0,3}(?:[-+*>#]|[0-9]+[.)])")
_DIRECTIVE_OR_EMOJI = re.compile(r":(?:material/|[\w+-]+[:\[])")
# Matched in text nodes, escapes resolved (seen drawn in Chromium: '\:material/warning\:' is an
# icon); emoji only when the body's source has a shortcode, but any text may be beside one.
_ICON_OR_EMOJI_TEXT = re.compile(r":material[/_]|:[\w+-][\w+-]*:")
_AUTOLINK_LITERALS = (
    re.compile(r"https?://", re.IGNORECASE | re.ASCII),
    re.compile(r"www\.", re.IGNORECASE | re.ASCII),
    re.compile(r"[-.\w+]@[-\w]", re.ASCII),
)
WORD_JOINER = "\u2060"


def _resolve(body: str) -> tuple[str, list[bool]]:
    """The text after backslash escapes, and for each character whether it was escaped."""
    chars: list[str] = []
    escaped: list[bool] = []
    i = 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body) and body[i + 1] in string.punctuation:
            chars.append(body[i + 1])
            escaped.append(True)
            i += 2
        else:
            chars.append(body[i])
            escaped.append(False)
            i += 1
    return "".join(chars), escaped


def visible_text(body: str) -> str:
    text, _ = _resolve(body)
    return text.replace(WORD_JOINER, "")


def live_markdown(body: str) -> list[str]:
    """Every piece of `body` that would render as something other than its own text."""
    found: list[str] = []
    text, escaped = _resolve(body)
    for index, char in enumerate(text):
        if char in _OPENERS and not escaped[index]:
            found.append(f"unescaped {char!r} at {index}: {text[index:index + 30]!r}")
        if not char.isprintable() and char != WORD_JOINER:
            found.append(f"control, format or line-breaking character {char!r} at {index}")
    raw_colons = "".join(c if not e else "\0" for c, e in zip(text, escaped, strict=True))
    found += [f"directive or emoji {m.group()!r}" for m in _DIRECTIVE_OR_EMOJI.finditer(raw_colons)]
    found += [f"icon or emoji {m.group()!r}" for m in _ICON_OR_EMOJI_TEXT.finditer(text)]
    start = _BLOCK_START.match(body)
    if start:
        found.append(f"block marker {start.group()!r} at the start")
    found += [
        f"autolink {m.group()!r}" for pattern in _AUTOLINK_LITERALS for m in pattern.finditer(text)
    ]
    return found
