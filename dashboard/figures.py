"""Plotly figure builders: pure functions from frames to figures (no Streamlit, no I/O).

Money columns arrive in micro units and are drawn in currency units; hover labels use the
same formatting as the tiles and tables, so a chart never disagrees with a number beside it.
Names from Pinterest are escaped for Plotly (`text.plotly_escape`), which reads HTML in labels.

(About 500 lines: one builder per chart the pages draw, sharing the palette, layout and hover
helpers at the top.)

Each builder is `@shared` (dashboard/render_cache.py): built once per content and handed to
every session that draws the same chart, so callers never change a figure they get.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import pandas as pd
import plotly.graph_objects as go

from dashboard.countries import country_name, iso2_to_iso3
from dashboard.formatting import MICRO, currency_symbol, format_kpi
from dashboard.render_cache import shared
from dashboard.text import CHART_LABEL_CHARS, plotly_escape

# Pinterest red and a quiet neutral palette around it.
PRIMARY: Final = "#E60023"
SECONDARY: Final = "#111111"
MUTED: Final = "#9E9E9E"
GOOD: Final = "#0A8A4B"
WARN: Final = "#E6A100"
PALETTE: Final[tuple[str, ...]] = (
    PRIMARY,
    "#111111",
    "#767676",
    "#EFA6B0",
    "#0074E8",
    "#B8B8B8",
    "#7A0012",
    "#00A86B",
)
TEMPLATE: Final = "plotly_white"

SPEND_COLUMN: Final = "SPEND_IN_MICRO_DOLLAR"
CONVERSIONS_COLUMN: Final = "TOTAL_CONVERSIONS"

# plotly.js draws geo outlines from topojson it fetches at draw time, by default from
# cdn.plot.ly. The app serves plotly.js's own files itself (static/topojson/, Streamlit static
# serving), so the maps draw offline too. Relative to the page, so it also works under a
# server.baseUrlPath.
TOPOJSON_DIR: Final = "static/topojson"  # in the repository, beside app.py
TOPOJSON_URL: Final = "app/static/topojson/"  # where Streamlit serves that folder


def map_chart_config() -> dict[str, object]:
    """The plotly config (st.plotly_chart's `config`) for the choropleths: local outlines."""
    return {"topojsonURL": TOPOJSON_URL}


def _base_layout(fig: go.Figure, *, title: str | None = None, height: int = 380) -> go.Figure:
    fig.update_layout(
        template=TEMPLATE,
        title=title,
        height=height,
        margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        colorway=list(PALETTE),
        hoverlabel={"bgcolor": "white"},
    )
    return fig


def plot_values(values: pd.Series, kind: str) -> list[float | None]:
    """Values as drawn: money in currency units, percentages in percent, others as they are."""
    numbers = pd.to_numeric(values, errors="coerce")
    if kind == "money":
        numbers = numbers / MICRO
    elif kind == "percent":
        numbers = numbers * 100
    return [None if pd.isna(v) else float(v) for v in numbers]


def _hover_texts(values: pd.Series, kind: str, currency: str) -> list[str]:
    numbers = pd.to_numeric(values, errors="coerce")
    return [
        format_kpi(None if pd.isna(v) else float(v), kind, currency, abbreviate=False)
        for v in numbers
    ]


def _axis_title(label: str, kind: str, currency: str) -> str:
    if kind == "money":
        symbol = currency_symbol(currency).strip() or currency
        return f"{label} ({symbol})"
    if kind == "percent":
        return f"{label} (%)"
    return label


PERIOD_GRANULARITIES: Final = ("WEEK", "MONTH")
PARTIAL_OPACITY: Final = 0.35


def _partial_notes(frame: pd.DataFrame) -> list[str]:
    """" (partial: 1 of 31 days)" for each period the range cuts, "" for whole ones."""
    if "partial" not in frame:
        return [""] * len(frame)
    return [
        f" (partial: {int(days)} of {int(length)} days)" if bool(cut) else ""
        for cut, days, length in zip(
            frame["partial"], frame["days"], frame["period_days"], strict=True
        )
    ]


def drawn_by_period(frame: pd.DataFrame, granularity: str) -> bool:
    """Weeks and months are drawn as named categories ("Sep 2026"), one tick per bar."""
    return granularity in PERIOD_GRANULARITIES and "period" in frame


def previous_lines_up(
    frame: pd.DataFrame, previous: pd.DataFrame | None, granularity: str
) -> bool:
    """Whether the previous period can be drawn over this one, period by period.

    Days and hours line up by construction (the previous series is shifted onto this range).
    Weeks and months only when both ranges hold the same number of whole periods: "Last 90
    days" by month pits 1 day of August against 29 of June, which would mislead."""
    if previous is None or previous.empty:
        return False
    if not drawn_by_period(frame, granularity):
        return True
    cut_before = "partial" in previous and bool(previous["partial"].any())
    whole = not bool(frame["partial"].any()) and not cut_before
    return whole and len(previous) == len(frame)


@shared
def spend_conversions_over_time(
    frame: pd.DataFrame,
    currency: str,
    *,
    time_column: str = "time",
    show_conversions: bool = True,
    previous: pd.DataFrame | None = None,
    granularity: str = "DAY",
) -> go.Figure:
    """Spend (bars, left axis) and conversions (line, right axis) over time.

    `previous` (same columns, already shifted onto the current period's time axis) adds the
    previous period's spend as a dotted line, when it lines up (previous_lines_up). HOUR data
    has no conversions at Pinterest; pass show_conversions=False then and the right axis is
    left out. WEEK and MONTH (series_frame's `period` columns) are drawn one named bar per
    period; a period the range cuts is a lighter bar, its conversions an open marker off the
    line, and its hover says "(partial: n of m days)", so a 1-day month reads as what it is.
    """
    by_period = drawn_by_period(frame, granularity)
    x = list(frame["period"]) if by_period else list(frame[time_column])
    notes = _partial_notes(frame)
    cut = [bool(note) for note in notes]
    spend_texts = _hover_texts(frame[SPEND_COLUMN], "money", currency)
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            name="Spend",
            x=x,
            y=plot_values(frame[SPEND_COLUMN], "money"),
            marker={"color": PRIMARY, "opacity": [PARTIAL_OPACITY if c else 1.0 for c in cut]},
            customdata=spend_texts,
            hovertext=notes,
            hovertemplate="Spend %{customdata}%{hovertext}<extra></extra>",
        )
    )
    if previous is not None and previous_lines_up(frame, previous, granularity):
        fig.add_trace(
            go.Scatter(
                name="Spend, previous period",
                x=x if by_period else list(previous[time_column]),
                y=plot_values(previous[SPEND_COLUMN], "money"),
                mode="lines",
                line={"color": MUTED, "dash": "dot"},
                customdata=_hover_texts(previous[SPEND_COLUMN], "money", currency),
                hovertemplate="Previous period<br>Spend %{customdata}<extra></extra>",
            )
        )
    if show_conversions and CONVERSIONS_COLUMN in frame:
        conversions = plot_values(frame[CONVERSIONS_COLUMN], "count")
        fig.add_trace(
            go.Scatter(
                name="Conversions",
                x=x,
                # Partial periods leave the line: it would dive to them and read as a drop.
                y=[None if c else v for v, c in zip(conversions, cut, strict=True)],
                mode="lines+markers",
                line={"color": SECONDARY, "width": 2},
                yaxis="y2",
                hovertemplate="Conversions %{y:,.0f}<extra></extra>",
            )
        )
        if any(cut):
            fig.add_trace(
                go.Scatter(
                    name="Conversions, partial period",
                    x=[v for v, c in zip(x, cut, strict=True) if c],
                    y=[v for v, c in zip(conversions, cut, strict=True) if c],
                    mode="markers",
                    marker={"color": SECONDARY, "symbol": "circle-open", "size": 9},
                    customdata=[n for n in notes if n],
                    yaxis="y2",
                    hovertemplate="Conversions %{y:,.0f}%{customdata}<extra></extra>",
                )
            )
        fig.update_layout(
            yaxis2={
                "title": "Conversions",
                "overlaying": "y",
                "side": "right",
                "showgrid": False,
                "rangemode": "tozero",
                "tickformat": ",.0f",
                "tickmode": "auto",
                "nticks": 6,
            }
        )
    if by_period:
        # Categories: one tick per period, under its bar, named as a marketer would. Weeks
        # are ticked by their Monday ("7 Sep") under one axis title; the hover says it in full.
        xaxis: dict[str, object] = {"type": "category", "tickmode": "linear", "dtick": 1}
        if granularity == "WEEK":
            xaxis |= {"tickmode": "array", "tickvals": x,
                      "ticktext": [str(v).removeprefix("Week of ") for v in x],
                      "title": "Week of (Monday)"}
        fig.update_layout(xaxis=xaxis)
    fig.update_layout(
        yaxis={"title": _axis_title("Spend", "money", currency), "rangemode": "tozero"},
        bargap=0.25,
        hovermode="x unified",
    )
    return _base_layout(fig)


def _category_labels(values: pd.Series) -> tuple[list[str], dict[str, object]]:
    """Names from Pinterest as category labels: escaped for Plotly (its labels read HTML) and
    whole in the hover; the axis shows them cut to CHART_LABEL_CHARS. Returns the category
    values and the axis settings that draw the short form."""
    full = [plotly_escape(str(v)) for v in values]
    short = [plotly_escape(str(v), CHART_LABEL_CHARS) for v in values]
    return full, {"tickmode": "array", "tickvals": full, "ticktext": short}


@shared
def top_n_bar(
    frame: pd.DataFrame,
    *,
    value_column: str,
    label_column: str,
    kind: str,
    currency: str,
    n: int = 10,
    label: str | None = None,
    ascending: bool = False,
) -> go.Figure:
    """The n rows with the highest (or lowest) value, as horizontal bars, best on top."""
    data = frame[[label_column, value_column]].copy()
    data[value_column] = pd.to_numeric(data[value_column], errors="coerce")
    data = data.dropna(subset=[value_column])
    data = data.sort_values(value_column, ascending=ascending).head(n)
    # Plotly draws the first category at the bottom; reverse so the top one is on top.
    data = data.iloc[::-1]
    name = plotly_escape(label or value_column)
    labels, ticks = _category_labels(data[label_column])
    fig = go.Figure(
        go.Bar(
            name=name,
            orientation="h",
            x=plot_values(data[value_column], kind),
            y=labels,
            marker_color=PRIMARY,
            customdata=_hover_texts(data[value_column], kind, currency),
            hovertemplate="%{y}<br>" + name + " %{customdata}<extra></extra>",
        )
    )
    fig.update_layout(
        xaxis={"title": _axis_title(name, kind, currency)}, yaxis={"automargin": True, **ticks}
    )
    return _base_layout(fig, height=max(260, 32 * len(data) + 80))


@shared
def category_bar(
    frame: pd.DataFrame,
    *,
    value_column: str,
    label_column: str,
    kind: str,
    currency: str,
    label: str | None = None,
    title: str | None = None,
    horizontal: bool = False,
    sort: bool = False,
    height: int | None = None,
) -> go.Figure:
    """One bar per category (targeting values, age buckets, ...); frame order unless sorted.
    `height` fixes the figure's height (charts side by side line up)."""
    data = frame[[label_column, value_column]].copy()
    if sort:
        data = data.sort_values(value_column, ascending=horizontal)
    name = plotly_escape(label or value_column)
    labels, ticks = _category_labels(data[label_column])
    values = plot_values(data[value_column], kind)
    bar = go.Bar(
        name=name,
        orientation="h" if horizontal else "v",
        x=values if horizontal else labels,
        y=labels if horizontal else values,
        marker_color=PRIMARY,
        customdata=_hover_texts(data[value_column], kind, currency),
        hovertemplate=("%{y}" if horizontal else "%{x}")
        + "<br>"
        + name
        + " %{customdata}<extra></extra>",
    )
    fig = go.Figure(bar)
    value_axis = {"title": _axis_title(name, kind, currency)}
    if horizontal:
        fig.update_layout(xaxis=value_axis, yaxis={"automargin": True, **ticks})
    else:
        # Short category labels stay level: tilted ones were hard to read in a narrow column.
        fig.update_layout(yaxis=value_axis,
                          xaxis={"type": "category", "tickangle": 0, **ticks})
    if height is None:
        height = max(260, 28 * len(data) + 90) if horizontal else 340
    return _base_layout(fig, title=title, height=height)


@shared
def world_choropleth(
    frame: pd.DataFrame,
    *,
    code_column: str,
    value_column: str,
    kind: str,
    currency: str,
    label: str | None = None,
) -> go.Figure:
    """Countries shaded by a value; Pinterest's ISO-2 codes are mapped to plotly's ISO-3.

    Codes without an ISO-3 equivalent are left out of the map (they stay in the table).
    """
    codes = [str(c) for c in frame[code_column]]
    iso3 = [iso2_to_iso3(c) for c in codes]
    keep = [i for i, code in enumerate(iso3) if code is not None]
    values = frame[value_column].iloc[keep]
    name = plotly_escape(label or value_column)
    fig = go.Figure(
        go.Choropleth(
            locations=[iso3[i] for i in keep],
            locationmode="ISO-3",
            z=plot_values(values, kind),
            text=[country_name(codes[i]) for i in keep],
            customdata=_hover_texts(values, kind, currency),
            hovertemplate="%{text}<br>" + name + " %{customdata}<extra></extra>",
            colorscale=[[0.0, "#FDE8EB"], [1.0, PRIMARY]],
            marker_line_color="white",
            colorbar={"title": _axis_title(name, kind, currency)},
        )
    )
    # The whole world, every country outlined on light land: plotly.js 4 would otherwise zoom
    # to the shaded countries (fitbounds) and draw nothing around them.
    fig.update_geos(showframe=False, showcoastlines=False, projection_type="natural earth",
                    fitbounds=False, showcountries=True, countrycolor="#D0D0D0",
                    showland=True, landcolor="#F4F4F2")
    return _base_layout(fig, height=420)


@shared
def us_states_choropleth(
    frame: pd.DataFrame,
    *,
    region_column: str,
    value_column: str,
    kind: str,
    currency: str,
    label: str | None = None,
) -> go.Figure:
    """US states shaded by a value, from Pinterest REGION values such as "US-CA".

    Regions of other countries are left out.
    """
    regions = [str(r).strip().upper() for r in frame[region_column]]
    keep = [i for i, r in enumerate(regions) if r.startswith("US-") and len(r) == 5]
    values = frame[value_column].iloc[keep]
    name = plotly_escape(label or value_column)
    fig = go.Figure(
        go.Choropleth(
            locations=[regions[i][3:] for i in keep],
            locationmode="USA-states",
            z=plot_values(values, kind),
            customdata=_hover_texts(values, kind, currency),
            hovertemplate="%{location}<br>" + name + " %{customdata}<extra></extra>",
            colorscale=[[0.0, "#FDE8EB"], [1.0, PRIMARY]],
            marker_line_color="white",
            colorbar={"title": _axis_title(name, kind, currency)},
        )
    )
    fig.update_geos(scope="usa", showlakes=False)
    return _base_layout(fig, height=420)


@shared
def share_bar(
    frame: pd.DataFrame,
    *,
    label_column: str = "name",
    ratio_column: str = "ratio",
    title: str | None = None,
    horizontal: bool = False,
    top: int | None = None,
    height: int | None = None,
) -> go.Figure:
    """Audience shares (ratios 0-1) as percentage bars, largest first when `top` is given."""
    data = frame[[label_column, ratio_column]].copy()
    if top is not None:
        data = data.sort_values(ratio_column, ascending=False).head(top)
        if horizontal:
            data = data.iloc[::-1]
    return category_bar(
        data,
        value_column=ratio_column,
        label_column=label_column,
        kind="percent",
        currency="",
        label="Share",
        title=title,
        horizontal=horizontal,
        height=height,
    )


@shared
def interest_index_bar(
    frame: pd.DataFrame,
    *,
    label_column: str = "name",
    index_column: str = "index",
    top: int = 15,
    title: str | None = None,
) -> go.Figure:
    """Interest categories by affinity index against the Pinterest total audience.

    An index above 1 means the audience is more interested than Pinterest users at large;
    a dotted line marks 1.
    """
    data = frame[[label_column, index_column]].copy()
    data[index_column] = pd.to_numeric(data[index_column], errors="coerce")
    data = data.dropna().sort_values(index_column, ascending=False).head(top).iloc[::-1]
    colors = [PRIMARY if v >= 1 else MUTED for v in data[index_column]]
    labels, ticks = _category_labels(data[label_column])
    fig = go.Figure(
        go.Bar(
            name="Index",
            orientation="h",
            x=[float(v) for v in data[index_column]],
            y=labels,
            marker_color=colors,
            hovertemplate="%{y}<br>Index %{x:.2f}<extra></extra>",
        )
    )
    fig.add_vline(x=1.0, line_dash="dot", line_color=SECONDARY)
    fig.update_layout(
        xaxis={"title": "Index vs Pinterest total audience"}, yaxis={"automargin": True, **ticks}
    )
    return _base_layout(fig, title=title, height=max(300, 26 * len(data) + 90))


PACING_AXIS_CAP: Final = 200.0  # percent: the axis ends here; longer bars stop at it


def _percent_text(value: float) -> str:
    return f"{value:,.0f}%" if value >= 100 else f"{value:.1f}%"


@shared
def pacing_bar(
    frame: pd.DataFrame,
    *,
    label_column: str = "name",
    pacing_column: str = "pacing",
    top: int = 20,
    cap: float = PACING_AXIS_CAP,
) -> go.Figure:
    """Spend as a share of the period's budget per campaign, with a line at 100 %.

    Under 80 % is amber (under-delivering), 80-110 % green, above 110 % red. The axis stops
    at `cap` percent: one campaign at 2,400 % (a lifetime cap spread over a multi-year flight)
    would otherwise squash every other bar and the 100 % line into slivers. A bar beyond the
    cap ends at it with its true value written on it; the hover has it exactly.
    """
    data = frame[[label_column, pacing_column]].copy()
    data[pacing_column] = pd.to_numeric(data[pacing_column], errors="coerce")
    data = data.dropna().sort_values(pacing_column, ascending=False).head(top).iloc[::-1]
    values = [float(v) * 100 for v in data[pacing_column]]
    over = [v > cap for v in values]
    colors = [WARN if v < 80 else GOOD if v <= 110 else PRIMARY for v in values]
    labels, name_ticks = _category_labels(data[label_column])
    fig = go.Figure(
        go.Bar(
            name="Pacing",
            orientation="h",
            x=[min(v, cap) for v in values],
            y=labels,
            marker_color=colors,
            text=[f"<b>{_percent_text(v)} →</b>" if o else "" for v, o in zip(values, over,
                                                                              strict=True)],
            textposition="inside",
            insidetextanchor="end",
            textfont={"color": "white", "size": 12},
            customdata=[f"{v:,.1f}%" for v in values],
            hovertemplate="%{y}<br>%{customdata} of budget<extra></extra>",
        )
    )
    fig.add_vline(x=100, line_dash="dot", line_color=SECONDARY)
    title = "% of budget"
    xaxis: dict[str, object] = {"title": title, "ticksuffix": "%"}
    if any(over):
        ticks = [0.0, cap / 2, cap]  # few ticks: the chart often sits in half a page
        # Room past the cap so the written values and the axis end stay readable; the last
        # tick ("200%+") says the axis is cut (a longer title is clipped in half a page).
        xaxis |= {"range": [0, cap * 1.04],
                  "tickvals": ticks, "ticktext": [f"{t:,.0f}%" for t in ticks[:-1]]
                  + [f"{cap:,.0f}%+"]}
    fig = _base_layout(fig, height=max(260, 28 * len(data) + 90))
    # Right margin: the last tick ("200%+") is centred on the plot's edge.
    fig.update_layout(xaxis=xaxis, yaxis={"automargin": True, **name_ticks}, uniformtext_minsize=9,
                      uniformtext_mode="show", margin={"r": 30})
    return fig


def trace_names(fig: go.Figure) -> Sequence[str | None]:
    """The names of a figure's traces (a small helper for pages and tests)."""
    return [trace.name for trace in fig.data]
