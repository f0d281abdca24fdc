"""Team mode in the script: the sign-in page (all a visitor without a session sees) and the
signed-in person in the sidebar (avatar, name, "Sign out")."""

from __future__ import annotations

import base64
import binascii
import html
import re
from typing import Final

import streamlit as st

from dashboard.people import Person
from dashboard.text import md_escape

_BUTTON_STYLE: Final = ("display: inline-block; padding: .6rem 1.4rem; background: #e60023; "
                        "color: #fff; border-radius: 1.5rem; text-decoration: none;")
_SVG_DATA: Final = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)")


def _same_tab_link(label: str, href: str, style: str = "") -> None:
    """A link that opens in this tab (Streamlit's own links open a new one). Only our own
    label and path go into the HTML, escaped."""
    st.markdown(f'<a href="{html.escape(href, quote=True)}" target="_self" '
                f'style="{style}">{html.escape(label)}</a>', unsafe_allow_html=True)


def show_sign_in(login_link: str, reason: str | None) -> None:
    """The whole page for a visitor who is not signed in (the caller stops the run after)."""
    st.title("Pinterest Ads dashboard")
    if reason:
        st.warning(reason, icon=":material/logout:")
    st.write("Sign in with your Pinterest account. You will see the ad accounts that Pinterest "
             "lets your account see, and nothing else.")
    _same_tab_link("Sign in with Pinterest", login_link, _BUTTON_STYLE)


def sidebar_person(person: Person, logout_path: str) -> None:
    """Who is signed in, with their Pinterest avatar, and a way out."""
    with st.sidebar.container(key="signed_in_person"):
        avatar = _avatar(person.profile_image)
        if avatar is not None:
            st.image(avatar, width=40)
        st.markdown(f"Signed in as **{md_escape(person.username, 80)}**")
        _same_tab_link("Sign out", logout_path)


def _avatar(image: str | None) -> str | None:
    """An SVG avatar from a data: URI (the simulator's), or a Pinterest image URL; else None."""
    if not image:
        return None
    match = _SVG_DATA.fullmatch(image)
    if match:
        try:
            svg = base64.b64decode(match.group(1), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return svg if svg.lstrip().startswith("<svg") else None
    return image if image.startswith("https://i.pinimg.com/") else None
