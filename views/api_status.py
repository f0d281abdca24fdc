"""API status: how much of Pinterest's rate limit is left, cache use, latency, recent errors."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.api_status import ApiStatusView, api_status_view
from dashboard.formatting import format_count, format_percent
from views.common import context, download_csv, page_header


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _summary(view: ApiStatusView) -> None:
    columns = st.columns(5)
    columns[0].metric("Upstream calls", format_count(view.total_calls), border=True,
                      help="Requests sent to Pinterest by this dashboard since it started.")
    columns[1].metric("Cache hit rate", format_percent(view.cache_hit_rate, 1), border=True,
                      help=f"{view.cache_hits:,} hits, {view.cache_misses:,} misses.")
    columns[2].metric("Latency p50 / p95 (ms)",
                      f"{_ms(view.latency_p50_ms)} / {_ms(view.latency_p95_ms)}", border=True,
                      help="Time Pinterest took to answer, over recent calls (milliseconds).")
    columns[3].metric("429 answers", format_count(view.rate_limited_429s), border=True,
                      help="Times Pinterest said the rate limit was exceeded.")
    columns[4].metric("Retries", format_count(view.retries), border=True,
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
    st.dataframe(frame, hide_index=True, width="stretch")
    download_csv(frame, "api_cache.csv", key="api_cache_csv")


def main() -> None:
    ctx = context()
    page_header("API status", ctx, show_range=False)
    st.caption(f"Data source: {ctx.connection.target} · {ctx.connection.base_url}")
    if st.button("Refresh", icon=":material/refresh:"):
        st.rerun()
    view = api_status_view(ctx.client.stats())
    _summary(view)
    left, right = st.columns(2)
    with left:
        _budgets(view)
        st.subheader("Calls by category")
        st.dataframe(view.calls_frame(), hide_index=True, width="stretch")
        download_csv(view.calls_frame(), "api_calls.csv", key="api_calls_csv")
    with right:
        _cache(view)
        st.subheader("Recent errors")
        if view.recent_errors:
            for message in reversed(view.recent_errors):
                st.caption(message)
        else:
            st.caption("No errors from Pinterest so far.")
        st.caption(f"Token refreshes: {view.token_refreshes} · waits for the rate limit: "
                   f"{view.limiter_waits}")


main()
