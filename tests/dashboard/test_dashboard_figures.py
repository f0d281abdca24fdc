"""Figure builders return figures with the right traces, values and map codes."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import figures


def _timeseries() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "time": pd.to_datetime(["2026-11-01", "2026-11-02", "2026-11-03"]),
            "SPEND_IN_MICRO_DOLLAR": [1_500_000, 2_000_000, 0],
            "TOTAL_CONVERSIONS": [3, 5, 0],
        }
    )


def test_spend_conversions_two_axes_values_in_currency_units() -> None:
    fig = figures.spend_conversions_over_time(_timeseries(), "USD")
    assert figures.trace_names(fig) == ["Spend", "Conversions"]
    spend, conversions = fig.data
    assert list(spend.y) == [1.5, 2.0, 0.0]
    assert list(conversions.y) == [3.0, 5.0, 0.0]
    assert conversions.yaxis == "y2"
    assert fig.layout.yaxis2.overlaying == "y"
    assert "$" in fig.layout.yaxis.title.text
    assert list(spend.customdata) == ["$1.50", "$2.00", "$0.00"]


def test_spend_chart_without_conversions_and_with_previous_period() -> None:
    previous = _timeseries().assign(SPEND_IN_MICRO_DOLLAR=[1_000_000, 1_000_000, 1_000_000])
    fig = figures.spend_conversions_over_time(
        _timeseries(), "JPY", show_conversions=False, previous=previous
    )
    assert figures.trace_names(fig) == ["Spend", "Spend, previous period"]
    assert list(fig.data[1].y) == [1.0, 1.0, 1.0]
    assert list(fig.data[0].customdata) == ["¥2", "¥2", "¥0"]  # JPY: no decimals, half up


def test_top_n_bar_keeps_n_largest_best_on_top() -> None:
    frame = pd.DataFrame(
        {"name": [f"c{i}" for i in range(20)], "spend": [i * 1_000_000 for i in range(20)]}
    )
    fig = figures.top_n_bar(
        frame, value_column="spend", label_column="name", kind="money", currency="USD", n=5
    )
    bar = fig.data[0]
    assert list(bar.y) == ["c15", "c16", "c17", "c18", "c19"]  # plotly draws bottom-up
    assert list(bar.x) == [15.0, 16.0, 17.0, 18.0, 19.0]
    assert bar.orientation == "h"


def test_top_n_bar_percent_values() -> None:
    frame = pd.DataFrame({"name": ["a", "b"], "ctr": [0.01, 0.025]})
    fig = figures.top_n_bar(
        frame, value_column="ctr", label_column="name", kind="percent", currency="USD", n=5
    )
    assert list(fig.data[0].x) == pytest.approx([1.0, 2.5])
    assert list(fig.data[0].customdata) == ["1.00%", "2.50%"]


def test_category_bar_vertical_in_frame_order() -> None:
    frame = pd.DataFrame({"value": ["18-24", "25-34", "35-44"], "m": [10, 30, 20]})
    fig = figures.category_bar(
        frame, value_column="m", label_column="value", kind="count", currency="USD"
    )
    assert list(fig.data[0].x) == ["18-24", "25-34", "35-44"]
    assert list(fig.data[0].y) == [10.0, 30.0, 20.0]


def test_world_choropleth_maps_iso2_to_iso3_and_drops_unknown() -> None:
    frame = pd.DataFrame(
        {"code": ["US", "de", "JP", "ZZ"], "spend": [5_000_000, 3_000_000, 1_000_000, 9]}
    )
    fig = figures.world_choropleth(
        frame, code_column="code", value_column="spend", kind="money", currency="EUR"
    )
    geo = fig.data[0]
    assert geo.locationmode == "ISO-3"
    assert list(geo.locations) == ["USA", "DEU", "JPN"]
    assert list(geo.z) == [5.0, 3.0, 1.0]
    assert list(geo.text) == ["United States", "Germany", "Japan"]


def test_us_states_choropleth_from_region_codes() -> None:
    frame = pd.DataFrame(
        {"region": ["US-CA", "US-NY", "CA-ON", "us-tx"], "clicks": [10, 20, 30, 40]}
    )
    fig = figures.us_states_choropleth(
        frame, region_column="region", value_column="clicks", kind="count", currency="USD"
    )
    geo = fig.data[0]
    assert geo.locationmode == "USA-states"
    assert list(geo.locations) == ["CA", "NY", "TX"]
    assert list(geo.z) == [10.0, 20.0, 40.0]
    assert fig.layout.geo.scope == "usa"


def test_share_bar_shows_percentages_top_first() -> None:
    frame = pd.DataFrame({"name": ["a", "b", "c"], "ratio": [0.2, 0.5, 0.3]})
    fig = figures.share_bar(frame, top=2)
    assert list(fig.data[0].x) == ["b", "c"]
    assert list(fig.data[0].y) == pytest.approx([50.0, 30.0])


def test_interest_index_bar_colours_over_index_and_marks_one() -> None:
    frame = pd.DataFrame({"name": ["Food", "Cars", "Home"], "index": [1.8, 0.6, 1.2]})
    fig = figures.interest_index_bar(frame)
    bar = fig.data[0]
    assert list(bar.y) == ["Cars", "Home", "Food"]
    assert list(bar.marker.color) == [figures.MUTED, figures.PRIMARY, figures.PRIMARY]
    assert any(shape.x0 == 1.0 for shape in fig.layout.shapes)


def test_pacing_bar_percent_and_colours() -> None:
    frame = pd.DataFrame({"name": ["under", "on", "over", "no cap"],
                          "pacing": [0.5, 1.0, 1.3, None]})
    fig = figures.pacing_bar(frame)
    bar = fig.data[0]
    assert list(bar.y) == ["under", "on", "over"]
    assert list(bar.x) == pytest.approx([50.0, 100.0, 130.0])
    assert list(bar.marker.color) == [figures.WARN, figures.GOOD, figures.PRIMARY]


def test_region_and_country_names() -> None:
    from dashboard.countries import country_name, iso2_to_iso3, region_name

    assert region_name("US-CA") == "California"
    assert region_name("us-dc") == "District of Columbia"
    assert region_name("CA-ON") == "CA-ON (Canada)"
    assert region_name("weird") == "weird"
    assert iso2_to_iso3("gb") == "GBR" and country_name("GB") == "United Kingdom"
    assert iso2_to_iso3("XX") is None and country_name("XX") == "XX"
