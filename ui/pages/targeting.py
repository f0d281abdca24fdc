"""Targeting: which ages, genders, devices, places, placements, keywords and interests work."""

from __future__ import annotations

import streamlit as st

from dashboard.figures import (
    category_bar,
    map_chart_config,
    top_n_bar,
    us_states_choropleth,
    world_choropleth,
)
from dashboard.kpis import KPI_BY_NAME, KPI_SPECS
from dashboard.loaders import (
    KPI_COLUMNS,
    TargetingData,
    load_campaigns,
    load_targeting,
    metric_column_kinds,
    metric_column_labels,
    sorted_rows,
)
from dashboard.text import md_escape
from ui.common import (
    PageContext,
    context,
    page_header,
    require_account,
    show_error,
    show_freshness,
    table,
)
from ui.long_range_notice import long_range_progress

TAB_KEY = "targeting_tab"
SECTIONS = [
    ("AGE_BUCKET", "Age"),
    ("GENDER", "Gender"),
    ("APPTYPE", "Device"),
    ("LOCATION", "Metro areas (DMA)"),
    ("COUNTRY", "Countries"),
    ("REGION", "US states"),
    ("PLACEMENT", "Placement"),
    ("KEYWORD", "Keywords"),
    ("TARGETED_INTEREST", "Targeted interests"),
]


def _section(ctx: PageContext, data: TargetingData, ttype: str, title: str, metric: str) -> None:
    spec = KPI_BY_NAME[metric]  # type: ignore[index]
    column = KPI_COLUMNS[metric]
    frame = data.of_type(ttype)
    st.subheader(title)
    if frame.empty:
        st.caption("No delivery broken down this way in this period.")
        return
    kind, currency, label = spec.kind, ctx.currency, spec.label
    if ttype == "COUNTRY":
        figure = world_choropleth(frame, code_column="value", value_column=column, kind=kind,
                                  currency=currency, label=label)
    elif ttype == "REGION":
        figure = us_states_choropleth(frame, region_column="value", value_column=column,
                                      kind=kind, currency=currency, label=label)
    elif ttype in ("AGE_BUCKET", "GENDER", "APPTYPE", "PLACEMENT"):
        ordered = sorted_rows(frame, "value") if ttype == "AGE_BUCKET" else frame
        figure = category_bar(ordered, label_column="label", value_column=column, kind=kind,
                              currency=currency, label=label)
    else:
        figure = top_n_bar(frame, label_column="label", value_column=column, kind=kind,
                           currency=currency, label=label, n=15,
                           ascending=not spec.higher_is_better)
    is_map = ttype in ("COUNTRY", "REGION")
    # The maps draw their outlines from the app's own topojson files (no CDN).
    st.plotly_chart(figure, key=f"targeting_{ttype}",
                    config=map_chart_config() if is_map else None)
    if is_map:
        # Exact comparison, which a shaded map does not give.
        st.plotly_chart(
            top_n_bar(frame, label_column="label", value_column=column, kind=kind,
                      currency=currency, label=label, n=15, ascending=not spec.higher_is_better),
            key=f"targeting_{ttype}_bar",
        )
    kinds = {"label": "text", "value": "text", **metric_column_kinds()}
    labels = {"label": title, "value": "Pinterest value", **metric_column_labels()}
    with st.expander(f"{title} table"):
        table(frame, kinds, ctx.currency, key=f"targeting_{ttype}_table",
              filename=f"targeting_{ttype.lower()}.csv", labels=labels)


def _campaign_choice(ctx: PageContext) -> list[str] | None:
    scope = st.radio("Scope", ["Whole account", "Chosen campaigns"], horizontal=True,
                     key="targeting_scope")
    if scope == "Whole account" or ctx.account is None:
        return None
    try:
        campaigns = load_campaigns(ctx.client, ctx.account.id, ctx.filters, ctx.today).frame
    except Exception as exc:
        # Stop here: going on would draw the whole account under "Chosen campaigns", or a
        # second message for the same fault.
        show_error(exc)
        st.stop()
    names = dict(zip(campaigns["id"], campaigns["name"], strict=False))
    chosen = st.multiselect(
        "Campaigns", list(names), format_func=lambda i: f"{names[i]} ({i})",
        key="targeting_campaigns", max_selections=250,
    )
    if not chosen:
        st.info("Choose one or more campaigns.")
        st.stop()
    return list(chosen)


def main() -> None:
    ctx = context()
    page_header("Targeting", ctx)
    account = require_account(ctx)
    top = st.columns([1, 2])
    with top[0]:
        metric = st.selectbox(
            "Metric",
            [spec.name for spec in KPI_SPECS],
            format_func=lambda n: KPI_BY_NAME[n].label,
            key="targeting_metric",
        )
    with top[1]:
        campaign_ids = _campaign_choice(ctx)
    try:
        with long_range_progress(ctx):
            data = ctx.load_shared(load_targeting, account.id, ctx.filters, ctx.today,
                                   None if campaign_ids is None else tuple(campaign_ids))
    except Exception as exc:
        show_error(exc)
        return
    show_freshness(data.freshness)
    for note in data.notes:
        st.caption(md_escape(note, 1000))
    if not data.has_delivery:
        st.info("No delivery in this period, so there is nothing to break down. Try a longer "
                "range.", icon=":material/inbox:")
        return
    # Only the open tab is built (opening another reruns the page): nine sections of charts
    # and tables were most of this page's work, for one shown at a time.
    tabs = st.tabs([title for _, title in SECTIONS], on_change="rerun", key=TAB_KEY)
    for tab, (ttype, title) in zip(tabs, SECTIONS, strict=True):
        if tab.open is not False:
            with tab:
                _section(ctx, data, ttype, title, metric)
