"""Metrics glossary: every metric Pinterest reports, with its definition, searchable."""

from __future__ import annotations

import streamlit as st

from dashboard.loaders import glossary_frame, metric_definitions, search_glossary
from ui.common import context, page_header, show_error, table


def main() -> None:
    ctx = context()
    page_header("Metrics glossary", ctx, show_range=False)
    st.caption("Names and definitions come from Pinterest (resources/delivery_metrics); the "
               "same text explains the Overview tiles.")
    try:
        definitions = metric_definitions(ctx.client)
    except Exception as exc:
        show_error(exc)
        return
    frame = glossary_frame(definitions)
    query = st.text_input("Search metrics", key="glossary_search",
                          placeholder="e.g. click, checkout, video")
    found = search_glossary(frame, query)
    st.caption(f"{len(found):,} of {len(frame):,} metrics")
    if found.empty:
        st.info("No metric matches that search.")
        return
    table(
        found,
        {"Metric": "text", "Column": "text", "Definition": "longtext", "Category": "text"},
        "",
        key="glossary_table",
        filename="pinterest_metrics.csv",
        height=min(700, 38 + 35 * len(found)),
    )
