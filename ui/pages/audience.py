"""Audience: who the account reaches, against Pinterest's total audience."""

from __future__ import annotations

import streamlit as st

from dashboard.figures import interest_index_bar, share_bar
from dashboard.formatting import format_count
from dashboard.loaders import AUDIENCE_INSIGHT_TYPES, AudienceView, load_audience, sorted_rows
from dashboard.text import md_escape
from ui.common import context, page_header, require_account, show_error, show_freshness, table

SHARE_KINDS = {"name": "text", "ratio": "percent"}
SHARE_LABELS = {"name": "Name", "ratio": "Share"}


SHARE_HEIGHT = 340


def _size_line(view: AudienceView) -> None:
    if view.size is None:
        return
    size = format_count(view.size, abbreviate=True)
    exact = format_count(view.size)
    prefix = "Up to " if view.size_is_upper_bound else ""
    st.metric(
        "Audience size",
        f"{prefix}{size}",
        help=(f"{prefix}{exact} people" + (
            " (Pinterest gives an upper bound for this audience)"
            if view.size_is_upper_bound else "")),
        border=True,
    )
    if view.date:
        st.caption(f"Audience as of {view.date}")


def _shares(view: AudienceView, title: str, attr: str, *, horizontal: bool, top: int | None,
            key: str, height: int | None = None) -> None:
    frame = getattr(view, attr)
    st.markdown(f"**{title}**")
    if frame.empty:
        st.caption("No data.")
        return
    st.plotly_chart(share_bar(frame, horizontal=horizontal, top=top, height=height),
                    key=f"{key}_{attr}")
    with st.expander(f"{title} table"):
        table(sorted_rows(frame, "ratio", ascending=False), SHARE_KINDS, "",
              key=f"{key}_{attr}_table", filename=f"audience_{attr}.csv", labels=SHARE_LABELS)


def _view(view: AudienceView, key: str) -> None:
    if view.is_empty:
        st.info("Pinterest has no insights for this audience yet (it needs enough people "
                "reached or engaged).", icon=":material/inbox:")
        return
    _size_line(view)
    # Age gets the widest column (seven level labels); genders and devices lie down (their
    # names overlapped standing); the three charts share one height so their tables line up.
    left, middle, right = st.columns([5, 3.5, 4])
    with left:
        _shares(view, "Age", "ages", horizontal=False, top=None, key=key, height=SHARE_HEIGHT)
    with middle:
        _shares(view, "Gender", "genders", horizontal=True, top=len(view.genders), key=key,
                height=SHARE_HEIGHT)
    with right:
        _shares(view, "Device", "devices", horizontal=True, top=len(view.devices), key=key,
                height=SHARE_HEIGHT)
    left, right = st.columns(2)
    with left:
        _shares(view, "Top countries", "countries", horizontal=True, top=10, key=key)
    with right:
        _shares(view, "Top metros", "metros", horizontal=True, top=10, key=key)
    st.subheader("Interests")
    if view.interests.empty:
        st.caption("No interest data.")
        return
    st.caption("Index against the Pinterest total audience: above 1 means this audience is "
               "more interested than Pinterest users at large.")
    st.plotly_chart(interest_index_bar(view.interests), key=f"{key}_interests")
    table(
        sorted_rows(view.interests, "index", ascending=False),
        {"name": "text", "index": "ratio", "ratio": "percent"},
        "",
        key=f"{key}_interests_table",
        filename="audience_interests.csv",
        labels={"name": "Interest", "index": "Index", "ratio": "Share of audience"},
    )


def main() -> None:
    ctx = context()
    page_header("Audience", ctx, show_range=False)
    account = require_account(ctx)
    try:
        data = ctx.load_shared(load_audience, account.id)
    except Exception as exc:
        show_error(exc)
        return
    show_freshness(data.freshness)
    kind = st.segmented_control(
        "Audience",
        list(AUDIENCE_INSIGHT_TYPES),
        format_func=lambda k: AUDIENCE_INSIGHT_TYPES[k],
        default="YOUR_TOTAL_AUDIENCE",
        required=True,
        key="audience_type",
    )
    kind = kind or "YOUR_TOTAL_AUDIENCE"
    if kind in data.errors:
        st.error(md_escape(data.errors[kind], 1000))
        return
    _view(data.views[kind], key=kind.lower())
