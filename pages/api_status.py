"""API status: how much of Pinterest's rate limit is left, cache use, latency, recent errors."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.loaders import stats_snapshot
from pages.common import context, page_header


def _scalar_rows(data: dict[str, object], prefix: str = "") -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for name, value in data.items():
        label = f"{prefix}{name}"
        if isinstance(value, dict):
            rows.extend(_scalar_rows(value, prefix=f"{label}."))
        elif isinstance(value, list):
            rows.append({"Figure": label, "Value": f"{len(value)} item(s)"})
        else:
            rows.append({"Figure": label, "Value": str(value)})
    return rows


def main() -> None:
    ctx = context()
    page_header("API status", ctx, show_range=False)
    st.caption(f"Data source: {ctx.connection.target}")
    if st.button("Refresh", icon=":material/refresh:"):
        st.rerun()
    snapshot = stats_snapshot(ctx.client.stats())
    st.dataframe(pd.DataFrame(_scalar_rows(snapshot)), hide_index=True, width="stretch")


main()
