"""Text from outside (link values, names from Pinterest, error texts) made inert for Markdown,
Plotly and table cells.

Streamlit draws `st.warning`, `st.error`, `st.caption` and `st.markdown` bodies as Markdown:
a link value echoed as-is can become a live link (`[Sign in again](https://evil.example)`), an
image the browser fetches, coloured text (`:red[...]`), maths or an emoji. `md_escape` returns
text that renders as exactly what was written (minus control characters), on one line.
"""

from __future__ import annotations

import re
from typing import Final

# Every ASCII character that can open inline Markdown, GFM or a Streamlit extension (and the
# backslash, so that a literal one cannot escape our escapes), escaped wherever it stands.
_ALWAYS_ESCAPED: Final = frozenset("\\`*_{}[]()<>#+!|~$:&")
# At the start of the text these open a block (list, numbered list); elsewhere they are text.
_LIST_MARKER: Final = re.compile(r"^ *(-|[0-9]+[.)])")
# Some rules match the text after escapes are resolved, so a backslash does not stop them: GFM
# autolinks ('https://', 'www.', 'name@host') and Streamlit's icons (':material/name:') and
# emoji (':smile:'). An invisible WORD JOINER (U+2060) after every ':' and '@' and inside 'www.'
# does.
WORD_JOINER: Final = "\u2060"
_SEAMS: Final = re.compile(r"(?<=[:@])|(?<=www)(?=\.)", re.IGNORECASE | re.ASCII)
# Long enough for any name Pinterest allows; a longer value is cut (the message stays readable).
MAX_CHARS: Final = 300


def one_line(text: str, max_chars: int | None = None) -> str:
    """`text` on one line (each space, tab or line break a space) without control or format
    characters (bidirectional overrides that reorder what follows, zero-width marks); cut to
    `max_chars` characters plus '…' when given. What every other function here starts from,
    and what a table cell shows."""
    line = "".join(" " if ch.isspace() else ch for ch in text if ch.isprintable()
                   or ch.isspace())
    if max_chars is not None and len(line) > max_chars:
        line = line[:max_chars] + "…"
    return line


def md_escape(text: str, max_chars: int = MAX_CHARS) -> str:
    """`text` as Markdown that Streamlit renders literally: one line, no links, images, HTML,
    emphasis, code, maths, directives or emoji; cut to `max_chars` characters plus '…'."""
    seamed = _SEAMS.sub(WORD_JOINER, one_line(text, max_chars))
    escaped = "".join("\\" + ch if ch in _ALWAYS_ESCAPED else ch for ch in seamed)
    return _LIST_MARKER.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], escaped)


# Plotly draws a subset of HTML in every label, tick and hover (<a href> becomes a live link,
# <b>, <br>, <span style>) and resolves the entities &lt; &gt; &amp; only after it has read the
# tags: so these three as entities show as themselves and open no tag.
_PLOTLY_ENTITIES: Final = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
CHART_LABEL_CHARS: Final = 48


def plotly_escape(text: str, max_chars: int | None = None) -> str:
    """`text` as Plotly draws it literally (labels, ticks, hover, legend), on one line; cut to
    `max_chars` characters plus '…' when given (a 256-character name would crush an axis)."""
    return one_line(text, max_chars).translate(_PLOTLY_ENTITIES)


def md_code(text: str, max_chars: int = MAX_CHARS) -> str:
    """`text` as a Markdown code span: drawn literally and copyable as it is (no invisible
    characters, unlike `md_escape`), for addresses and identifiers. The fence is one backtick
    longer than any run of backticks inside, as CommonMark requires."""
    line = one_line(text, max_chars)
    longest = max((len(run) for run in re.findall(r"`+", line)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if line.startswith("`") or line.endswith("`") else ""
    return f"{fence}{pad}{line}{pad}{fence}"
