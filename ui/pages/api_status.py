"""API status: how much of Pinterest's rate limit is left, cache use, latency, recent errors."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.api_status import (
    ApiStatusView,
    api_status_view,
    data_source_text,
    latency_text,
    shared_store_line,
)
from dashboard.formatting import format_count, format_percent
from dashboard.text import md_escape
from ui.common import column_config_for, context, download_csv, page_header


def _summary(view: ApiStatusView) -> None:
    # Two rows of three: five or six tiles in one row cut labels and values off on a laptop.
    first, second = st.columns(3), st.columns(3)
    first[0].metric("Upstream calls", format_count(view.total_calls), border=True,
                    help="Requests sent to Pinterest by this dashboard since it started.")
    first[1].metric("Cache hit rate", format_percent(view.cache_hit_rate, 1), border=True,
                    help=f"{view.cache_hits:,} hits, {view.cache_misses:,} misses.")
    first[2].metric("429 answers", format_count(view.rate_limited_429s), border=True,
                    help="Times Pinterest said the rate limit was exceeded.")
    second[0].metric("Latency p50", latency_text(view.latency_p50_ms), border=True,
                     help="Median time Pinterest took to answer, over recent calls.")
    second[1].metric("Latency p95", latency_text(view.latency_p95_ms), border=True,
                     help="95 % of recent calls were answered within this time.")
    second[2].metric("Retries", format_count(view.retries), border=True,
                     help="Calls sent again after a 429, a 5xx or a timeout.")


def _budgets(view: ApiStatusView) -> None:
    st.subheader("Rate-limit budget left")
    st.caption("Pinterest limits each user and app per category per minute, and all requests "
               "per second. The dashboard waits rather than exceed them.")
    for line in view.budgets:
        st.progress(
            line.share_left,
            text=f"**{line.category}**: {line.left:,} of {line.limit:,} left this {line.per}",
        )


def _cache(view: ApiStatusView) -> None:
    st.subheader("Cache")
    frame = pd.DataFrame(
        [
            ("Hits", view.cache_hits),
            ("Misses", view.cache_misses),
            ("Stale copies served (Pinterest failing)", view.cache_stale_served),
            ("Requests that joined one already in flight", view.cache_joined_in_flight),
            ("Entries", view.cache_entries),
            ("Size (bytes)", view.cache_bytes),
        ],
        columns=["Figure", "Value"],
    )
    st.dataframe(frame, hide_index=True, width="stretch",
                 column_config=column_config_for({"Figure": "text", "Value": "count"}, ""))
    download_csv(frame, "api_cache.csv", key="api_cache_csv")


def main() -> None:
    ctx = context()
    page_header("API status", ctx, show_range=False)
    connection = ctx.connection
    st.caption(f"{connection.mode_name} · " + data_source_text(
        connection.target, connection.base_url, is_demo=connection.is_demo))
    st.caption(md_escape(shared_store_line(connection.shared), 1000))
    if st.button("Refresh", icon=":material/refresh:"):
        st.rerun()
    view = api_status_view(ctx.client.stats())
    _summary(view)
    left, right = st.columns(2)
    with left:
        _budgets(view)
        st.subheader("Calls by category")
        st.dataframe(view.calls_frame(), hide_index=True, width="stretch",
                     column_config=column_config_for(
                         {"Category": "text", "Upstream calls": "count"}, ""))
        download_csv(view.calls_frame(), "api_calls.csv", key="api_calls_csv")
    with right:
        _cache(view)
        st.subheader("Recent errors")
        if view.recent_errors:
            for message in reversed(view.recent_errors):
                st.caption(md_escape(message, 1000))
        else:
            st.caption("No errors from Pinterest so far.")
        st.caption(f"Token refreshes: {view.token_refreshes} · waits for the rate limit: "
                   f"{view.limiter_waits}")
