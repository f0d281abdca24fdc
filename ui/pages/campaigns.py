"""Campaigns: one table of every campaign; drill into ad groups and ads; top-N; pacing."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from dashboard.figures import PACING_AXIS_CAP, pacing_bar, top_n_bar
from dashboard.formatting import format_money
from dashboard.kpis import KPI_BY_NAME, KPI_SPECS, REACH_SPECS
from dashboard.loaders import (
    KPI_COLUMNS,
    EntityTable,
    filter_entities,
    load_ad_groups,
    load_ads,
    load_campaigns,
    load_keywords,
    metric_column_kinds,
    metric_column_labels,
    pacing_rows,
    spending_rows,
)
from dashboard.render_cache import shared
from dashboard.text import md_escape
from ui.common import (
    PageContext,
    column_config_for,
    context,
    display_frame,
    download_csv,
    page_header,
    require_account,
    show_error,
    show_freshness,
)
from ui.long_range_notice import long_range_progress

LEVEL_WORDS = {"CAMPAIGN": "campaigns", "AD_GROUP": "ad groups", "AD": "ads"}
# Budgets that are often not set: shown as text, so "no cap" reads "–" rather than "None".
CAP_COLUMNS = ("daily_cap_micro", "lifetime_cap_micro", "budget_micro")


def _kinds(level: str) -> tuple[dict[str, str], dict[str, str]]:
    kinds: dict[str, str] = {"name": "text", "id": "text", "status": "text"}
    labels: dict[str, str] = {"name": "Name", "id": "ID", "status": "Status"}
    if level == "CAMPAIGN":
        kinds |= {"objective": "text", "daily_cap_micro": "money", "lifetime_cap_micro": "money"}
        labels |= {
            "objective": "Objective",
            "daily_cap_micro": "Daily cap",
            "lifetime_cap_micro": "Lifetime cap",
        }
    elif level == "AD_GROUP":
        kinds |= {"budget_type": "text", "budget_micro": "money"}
        labels |= {"budget_type": "Budget type", "budget_micro": "Budget"}
    else:
        kinds |= {"creative_type": "text"}
        labels |= {"creative_type": "Creative"}
    kinds |= metric_column_kinds()
    labels |= metric_column_labels()
    # The period's reach and frequency (shown when the range allows them, see the loader).
    kinds |= {spec.column: spec.kind for spec in REACH_SPECS}
    labels |= {spec.column: spec.label for spec in REACH_SPECS}
    if level == "CAMPAIGN":
        kinds["pacing"] = "progress"
        labels["pacing"] = "Pacing"
    return kinds, labels


def _entity_section(ctx: PageContext, data: EntityTable, key: str) -> None:
    """Search, status filter, sort, then the one table and its CSV."""
    frame = data.frame
    word = LEVEL_WORDS[data.level]
    controls = st.columns([3, 3, 2, 1.4], vertical_alignment="center")
    search = controls[0].text_input(
        "Search", key=f"{key}_search", placeholder="Name or id", label_visibility="collapsed"
    )
    statuses = sorted(s for s in frame["status"].dropna().unique() if s)
    chosen = controls[1].multiselect(
        "Status", statuses, key=f"{key}_status", placeholder="All statuses",
        label_visibility="collapsed",
    )
    sort_options = list(KPI_COLUMNS.values())
    labels = metric_column_labels()
    sort_by = controls[2].selectbox(
        "Sort by", sort_options, format_func=lambda c: f"Sort: {labels[c]}",
        key=f"{key}_sort", label_visibility="collapsed",
    )
    descending = controls[3].toggle("High first", value=True, key=f"{key}_desc")
    shown = filter_entities(
        frame, search=search, statuses=chosen, sort_by=sort_by, descending=descending
    )
    st.caption(f"{len(shown):,} of {len(frame):,} {word}")
    kinds, column_labels = _kinds(data.level)
    _entity_table(
        shown,
        kinds,
        column_labels,
        ctx.currency,
        key=f"{key}_table",
        filename=f"{word.replace(' ', '_')}_{ctx.filters.start}_{ctx.filters.end}.csv",
        height=min(600, 38 + 35 * max(1, len(shown))),
    )


def _entity_table(
    frame: pd.DataFrame,
    kinds: Mapping[str, str],
    labels: Mapping[str, str],
    currency: str,
    *,
    key: str,
    filename: str,
    height: int,
) -> None:
    """ui.common.table, except budget caps: st.dataframe draws a missing number as "None",
    so on screen they are money text, "–" when there is no cap. The CSV keeps them numbers
    (in currency units), an empty cell when there is no cap."""
    numbers = display_frame(frame, kinds, labels)
    shown = _caps_as_text(frame, numbers, labels, currency)
    shown_kinds = {labels.get(c, c): k for c, k in kinds.items() if c in frame}
    right = {}
    for column in CAP_COLUMNS:
        if column in frame:
            label = labels.get(column, column)
            shown_kinds[label] = "text"
            right[label] = st.column_config.TextColumn(label, alignment="right")
    st.dataframe(
        shown,
        column_config=column_config_for(shown_kinds, currency) | right | _readable(labels),
        hide_index=True,
        width="stretch",
        height=height,
        key=key,
    )
    download_csv(numbers, filename, key=f"{key}_csv")


@shared
def _caps_as_text(frame: pd.DataFrame, numbers: pd.DataFrame, labels: Mapping[str, str],
                  currency: str) -> pd.DataFrame:
    """The shown table: budget caps as money text ("–" without a cap), once per content."""
    shown = numbers.copy()
    for column in CAP_COLUMNS:
        if column in frame:
            micro = pd.to_numeric(frame[column], errors="coerce")
            shown[labels.get(column, column)] = [format_money(value, currency) for value in micro]
    return shown


def _readable(labels: Mapping[str, str]) -> dict[str, object]:
    """The name stays in view while the wide table scrolls sideways (at 1280 px it is cut
    after Spend), and pacing shows its number beside the bar, not a bare bar."""
    name = labels.get("name", labels.get("keyword", "name"))
    config: dict[str, object] = {name: st.column_config.TextColumn(name, pinned=True)}
    if "pacing" in labels:
        config[labels["pacing"]] = st.column_config.ProgressColumn(
            labels["pacing"], format="percent", min_value=0.0, max_value=1.5, width="medium",
            help="Spend in the period against its budget (100 % = on budget; bar full at 150 %)",
        )
    return config


def _top_n(ctx: PageContext, data: EntityTable) -> None:
    st.subheader("Top campaigns")
    left, right = st.columns([3, 1])
    metric = left.selectbox(
        "Metric",
        [spec.name for spec in KPI_SPECS],
        format_func=lambda n: KPI_BY_NAME[n].label,
        key="top_metric",
    )
    n = right.number_input("How many", min_value=3, max_value=50, value=10, key="top_n")
    spec = KPI_BY_NAME[metric]
    column = KPI_COLUMNS[metric]
    # "Top" by a cost means the cheapest.
    frame = spending_rows(data.frame)
    if frame.empty:
        st.info("No campaign spent anything in this period.")
        return
    st.plotly_chart(
        top_n_bar(
            frame,
            value_column=column,
            label_column="name",
            kind=spec.kind,
            currency=ctx.currency,
            n=int(n),
            label=spec.label,
            ascending=not spec.higher_is_better,
        ),
        key="top_chart",
    )


def _pacing(ctx: PageContext, data: EntityTable) -> None:
    st.subheader("Budget pacing")
    frame = pacing_rows(data.frame)
    if frame.empty:
        st.info("No active campaign has a daily or lifetime spend cap to pace against.")
        return
    st.caption(
        "Spend in the period against the budget for it: daily cap × days (today counts as "
        "the part elapsed), or the lifetime cap's share of the flight. Under 80 % is "
        "under-delivering; over 110 % is overspending. The axis stops at "
        f"{PACING_AXIS_CAP:,.0f} %: a campaign beyond it ends there with its value "
        "written on the bar."
    )
    st.plotly_chart(pacing_bar(frame), key="pacing_chart")


def _drill(ctx: PageContext, campaigns: EntityTable) -> None:
    st.subheader("Drill down")
    names = dict(zip(campaigns.frame["id"], campaigns.frame["name"], strict=False))
    campaign_id = st.selectbox(
        "Campaign",
        list(names),
        index=None,
        format_func=lambda i: f"{names[i]} ({i})",
        key="drill_campaign",
        placeholder="Choose a campaign to see its ad groups",
    )
    if campaign_id is None:
        return
    account_id = ctx.account.id if ctx.account else ""
    try:
        ad_groups = load_ad_groups(ctx.client, account_id, campaign_id, ctx.filters, ctx.today)
    except Exception as exc:
        show_error(exc)
        return
    st.markdown(f"**Ad groups of {md_escape(names[campaign_id])}**")
    if ad_groups.is_empty:
        st.info("This campaign has no ad groups.")
        return
    _entity_section(ctx, ad_groups, "ad_groups")
    group_names = dict(zip(ad_groups.frame["id"], ad_groups.frame["name"], strict=False))
    ad_group_id = st.selectbox(
        "Ad group",
        list(group_names),
        index=None,
        format_func=lambda i: f"{group_names[i]} ({i})",
        key="drill_ad_group",
        placeholder="Choose an ad group to see its ads",
    )
    if ad_group_id is None:
        return
    try:
        ads = load_ads(ctx.client, account_id, ad_group_id, ctx.filters, ctx.today)
    except Exception as exc:
        show_error(exc)
        return
    st.markdown(f"**Ads of {md_escape(group_names[ad_group_id])}**")
    if ads.is_empty:
        st.info("This ad group has no ads.")
    else:
        _entity_section(ctx, ads, "ads")
    _keywords(ctx, account_id, ad_group_id, group_names[ad_group_id])


def _keywords(ctx: PageContext, account_id: str, ad_group_id: str, group_name: str) -> None:
    """The ad group's keywords with their metrics (texts come from outside: the table draws
    them as data, the CSV keeps them from starting formulas)."""
    try:
        keywords = load_keywords(ctx.client, account_id, ad_group_id, ctx.filters, ctx.today)
    except Exception as exc:
        show_error(exc)
        return
    st.markdown(f"**Keywords of {md_escape(group_name)}**")
    if keywords.is_empty:
        st.info("This ad group targets no keywords.")
        return
    st.caption("Search keywords and the delivery each matched in the period (Pinterest's "
               "keyword breakdown of the ad group).")
    kinds = {"keyword": "text", "match_type": "text", "status": "text", "id": "text"}
    kinds |= metric_column_kinds()
    labels = {"keyword": "Keyword", "match_type": "Match type", "status": "Status", "id": "ID"}
    labels |= metric_column_labels()
    frame = keywords.frame
    _entity_table(frame, kinds, labels, ctx.currency, key="keywords_table",
                  filename=f"keywords_{ad_group_id}_{ctx.filters.start}_{ctx.filters.end}.csv",
                  height=min(600, 38 + 35 * max(1, len(frame))))


def main() -> None:
    ctx = context()
    page_header("Campaigns", ctx)
    account = require_account(ctx)
    try:
        with long_range_progress(ctx):
            campaigns = ctx.load(load_campaigns, account)
    except Exception as exc:
        show_error(exc)
        return
    show_freshness(campaigns.freshness)
    if campaigns.is_empty:
        st.info(
            "This ad account has no campaigns yet. Campaigns created in Pinterest Ads Manager "
            "appear here with their spend and results.",
            icon=":material/inbox:",
        )
        return
    _entity_section(ctx, campaigns, "campaigns")
    left, right = st.columns(2)
    with left:
        _top_n(ctx, campaigns)
    with right:
        _pacing(ctx, campaigns)
    _drill(ctx, campaigns)
