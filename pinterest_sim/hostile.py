"""A demo ad account whose names are hostile: what an attacker (or a careless colleague) can
type into a campaign, ad group or ad name in Ads Manager, and the dashboard must draw as inert
text everywhere (Markdown, charts, tables, files).

Every kind the security tests need: Markdown links and images, HTML (script, img onerror, a
href), spreadsheet formulas (=, +, -, @, leading tab / CR / LF, full-width =), right-to-left
text with an override character, emoji and CJK, Streamlit directives, and a 256-character name.
"""

from __future__ import annotations

from typing import Final

HOSTILE_ACCOUNT_ID: Final = "549764106905"
HOSTILE_ACCOUNT_NAME: Final = "Hostile names test <b>&amp;</b> [click](https://evil.example/a)"
HOSTILE_DOMAIN: Final = "hostile.example"

LONG_NAME: Final = ("Long name " * 26)[:255] + "Z"  # 256 characters, ends in a marker

HOSTILE_NAMES: Final[tuple[str, ...]] = (
    "[Sign in again](https://evil.example/login)",
    "![pixel](https://evil.example/pixel.png)",
    "<script>alert('xss')</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="https://evil.example/login">Q3</a>',
    '=HYPERLINK("https://evil.example","Click me")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\tTab first",
    "\rCarriage return first",
    "\nLine feed first",
    "＝1+1 full-width equals",
    "مرحبا بالعالم \u202etxt.exe",
    "🎉 Sale 春のセール 中文",
    ":material/warning: :red[alarm] $x^2$",
    "**bold** _italic_ `code` ~~gone~~",
    "https://evil.example/auto www.evil.example help@evil.example",
    LONG_NAME,
)


def hostile_name(index: int, offset: int = 0) -> str:
    """The names in turn; ad groups and ads start further along so every level holds each."""
    return HOSTILE_NAMES[(index + offset) % len(HOSTILE_NAMES)]
