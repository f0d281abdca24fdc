"""The maps' outlines come from the app itself: plotly's topojson vendored under static/topojson/,
served by Streamlit's static serving at the URL the map charts' plotly config names."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.offline
import pytest

from dashboard import figures
from dashboard.countries import US_STATES

ROOT = Path(__file__).resolve().parents[2]
# The layers plotly.js reads from a geo topojson: locations of choropleths ("countries" for
# ISO-3 and country names, "subunits" for USA-states), fills and lines of the base map.
PLOTLY_LAYERS = {"countries", "subunits", "land", "ocean", "lakes", "coastlines", "rivers"}


def _served_dir() -> Path:
    """The folder Streamlit serves at the charts' topojsonURL (app/static/* -> ./static/*)."""
    url = figures.map_chart_config()["topojsonURL"]
    assert isinstance(url, str)
    assert not url.startswith(("http:", "https:", "//")), "must not need the internet"
    assert url.startswith("app/static/") and url.endswith("/")
    return ROOT / "static" / url.removeprefix("app/static/")


def _topojson(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((_served_dir() / f"{name}.json").read_text("utf-8"))
    return data


def _arc_indexes(rings: Any) -> list[int]:
    """The arc indexes of a geometry's nested ring lists, flattened."""
    if isinstance(rings, int):
        return [rings]
    return [i for ring in rings for i in _arc_indexes(ring)]


def _ids(topology: dict[str, Any], layer: str) -> set[str]:
    return {str(g.get("id")) for g in topology["objects"][layer]["geometries"]}


def test_static_serving_is_on() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["server"]["enableStaticServing"] is True


def test_config_url_is_the_vendored_folder() -> None:
    assert _served_dir() == ROOT / figures.TOPOJSON_DIR
    assert (_served_dir() / "LICENSE").is_file()


@pytest.mark.parametrize("name", ["world_110m", "usa_110m"])
def test_files_are_topologies_with_the_layers_plotly_draws(name: str) -> None:
    topology = _topojson(name)
    assert topology["type"] == "Topology"
    assert set(topology["objects"]) >= PLOTLY_LAYERS
    arcs = topology["arcs"]
    assert len(arcs) > 100
    # Every arc a shape refers to exists (a negative index ~i is arc i reversed).
    for layer in ("countries", "subunits", "land"):
        for geometry in topology["objects"][layer]["geometries"]:
            flat = _arc_indexes(geometry.get("arcs", []))
            assert flat, (name, layer, geometry.get("id"))
            assert all(-len(arcs) <= (~i if i < 0 else i) < len(arcs) for i in flat)


def test_us_map_has_every_state_the_region_map_shades() -> None:
    assert _ids(_topojson("usa_110m"), "subunits") == set(US_STATES)


def test_world_map_has_the_countries_pinterest_reports() -> None:
    frame = pd.DataFrame({"value": ["US", "CA", "GB", "DE", "FR", "MX", "AU", "BR", "JP", "IN"],
                          "SPEND_IN_MICRO_DOLLAR": range(10)})
    fig = figures.world_choropleth(frame, code_column="value", value_column="SPEND_IN_MICRO_DOLLAR",
                                   kind="money", currency="USD")
    locations = set(fig.data[0].locations)
    assert len(locations) == 10
    assert locations <= _ids(_topojson("world_110m"), "countries")


def test_files_are_from_the_plotly_js_this_plotly_bundles() -> None:
    note = (_served_dir() / "LICENSE").read_text("utf-8")
    assert f"plotly.js v{plotly.offline.get_plotlyjs_version()}" in note
    assert "MIT" in note


def test_world_map_shows_the_whole_world_outlined() -> None:
    frame = pd.DataFrame({"value": ["US", "AU"], "SPEND_IN_MICRO_DOLLAR": [5, 1]})
    geo = figures.world_choropleth(frame, code_column="value", value_column="SPEND_IN_MICRO_DOLLAR",
                                   kind="money", currency="USD").layout.geo
    # plotly.js 4 defaults fitbounds to "locations": it would zoom to the US and Australia.
    assert geo.fitbounds is False
    assert geo.showcountries and geo.showland  # unshaded countries are drawn too
