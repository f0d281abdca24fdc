"""The floor pages of bench/server_load.py: what Streamlit itself costs to draw a page.

    BENCH_FLOOR_DIR=/path/to/recordings streamlit run bench/floor_app.py

Each page (same URL path as the app's: "", "campaigns", "audience", "targeting") replays the
elements one warm run of the app's page drew, recorded by bench/server_load.py with
bench/st_client.py: the same blocks (columns, tabs, containers) in the same places, the same
number of charts, tiles and tables. The constant data is built once per recording (Plotly
figures from the recorded figure JSON, tables from the recorded Arrow data); every run then
draws them with Streamlit's own calls: `st.plotly_chart` for each figure and `st.dataframe`
for each table (their serialization is Streamlit's work), every other element and block as
its recorded protobuf (`DeltaGenerator._enqueue`/`_block`, what Streamlit's own element calls
end with). Widgets are drawn as their protos, so no widget state is kept.

Served with the same `.streamlit/config.toml` as the app (run from the repository root).
"""

from __future__ import annotations

import json
import os
import pickle
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.proto.Block_pb2 import Block
from streamlit.proto.Element_pb2 import Element

FLOOR_DIR_ENV = "BENCH_FLOOR_DIR"
PAGES = ("", "campaigns", "audience", "targeting")


@dataclass(frozen=True)
class Step:
    """One recorded delta: its path, and either a block, or an element with its prebuilt data."""

    path: tuple[int, ...]
    block: Block | None
    element: Element | None
    figure: go.Figure | None = None
    figure_config: dict[str, Any] | None = None
    table: pd.DataFrame | None = None


def _prepare(raw: list[tuple[tuple[int, ...], str, bytes]]) -> list[Step]:
    steps: list[Step] = []
    for path, kind, data in raw:
        if kind == "block":
            steps.append(Step(path, Block.FromString(data), None))
            continue
        element = Element.FromString(data)
        which = element.WhichOneof("type")
        if which == "plotly_chart":
            chart = element.plotly_chart
            config = json.loads(chart.config) if chart.config else {}
            figure = go.Figure(json.loads(chart.spec))
            steps.append(Step(path, None, element, figure=figure, figure_config=config))
        elif which == "dataframe":
            table = convert_arrow_bytes_to_pandas_df(element.dataframe.arrow_data.data)
            steps.append(Step(path, None, element, table=table))
        else:
            steps.append(Step(path, None, element))
    return steps


@st.cache_resource(show_spinner=False)
def _recording(path: str, mtime: float) -> list[Step]:
    """The page's recorded steps with their constant data, built once per recording."""
    with open(path, "rb") as handle:
        raw: list[tuple[tuple[int, ...], str, bytes]] = pickle.load(handle)
    return _prepare(raw)


def _draw(page: str) -> None:
    folder = Path(os.environ.get(FLOOR_DIR_ENV, "."))
    path = folder / f"{page or 'overview'}.pickle"
    if not path.exists():
        st.error(f"No recording for this page: {path.name}")
        return
    roots: dict[tuple[int, ...], Any] = {(0,): st._main, (1,): st.sidebar, (2,): st._event}
    placed: dict[tuple[int, ...], Any] = {}
    for number, step in enumerate(_recording(str(path), path.stat().st_mtime)):
        parent = placed.get(step.path[:-1]) or roots.get(step.path[:-1])
        if parent is None:
            continue  # under a block this replay does not know (none expected)
        if step.block is not None:
            placed[step.path] = parent._block(step.block)
            continue
        assert step.element is not None
        target = placed.get(step.path, parent)  # the same place again: replace it
        if step.figure is not None:
            placed[step.path] = target.plotly_chart(
                step.figure, config=step.figure_config, key=f"floor-chart-{number}",
                theme="streamlit" if step.element.plotly_chart.theme else None,
            )
        elif step.table is not None:
            placed[step.path] = target.dataframe(step.table, hide_index=True)
        else:
            kind = step.element.WhichOneof("type")
            if kind:
                placed[step.path] = target._enqueue(kind, getattr(step.element, kind))


def main() -> None:
    st.set_page_config(page_title="Floor", layout="wide")
    pages = [st.Page(partial(_draw, name), title=name or "overview",
                     url_path=name or "overview", default=not name) for name in PAGES]
    st.navigation(pages).run()


main()
