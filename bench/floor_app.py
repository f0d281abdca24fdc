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
end with). Widgets whose arguments the proto carries go through their own calls too
(selectbox, radio, checkbox, multiselect, text input, and download buttons with the same file
bytes, fetched from the app at recording), so widget registration and the download's file
storage count; the rest (date inputs, segmented controls, number inputs) are drawn as their
protos.

Served with the same `.streamlit/config.toml` as the app (run from the repository root).
"""

from __future__ import annotations

import json
import os
import pickle
from collections import Counter
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
from streamlit.proto.Metric_pb2 import Metric

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
    file: bytes | None = None
    reused: bool = False  # something else is drawn at this place later (a placeholder)


def _prepare(raw: list[tuple[tuple[int, ...], str, bytes]], files: dict[str, bytes]
             ) -> list[Step]:
    steps: list[Step] = []
    uses = Counter(path for path, _, _ in raw)
    for path, kind, data in raw:
        if uses[path] > 1:
            element = Element.FromString(data) if kind == "element" else None
            steps.append(Step(path, Block.FromString(data) if kind == "block" else None,
                              element, reused=True))
            continue
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
        elif which == "download_button" and element.download_button.url in files:
            steps.append(Step(path, None, element, file=files[element.download_button.url]))
        else:
            steps.append(Step(path, None, element))
    return steps


@st.cache_resource(show_spinner=False)
def _recording(path: str, mtime: float) -> list[Step]:
    """The page's recorded steps with their constant data, built once per recording."""
    with open(path, "rb") as handle:
        recording: dict[str, Any] = pickle.load(handle)
    return _prepare(recording["steps"], recording["files"])


def _widget(target: Any, element: Element, key: str) -> Any:
    """The element (a widget or a tile) through its own Streamlit call when its proto carries
    the arguments;
    None when it does not (drawn as its proto instead)."""
    kind = element.WhichOneof("type")
    if kind == "selectbox":
        box = element.selectbox
        options = list(box.options)
        index = int(box.default) if box.HasField("default") and options else None
        return target.selectbox(box.label, options, index=index, key=key)
    if kind == "radio":
        radio = element.radio
        options = list(radio.options)
        index = int(radio.default) if radio.HasField("default") and options else None
        return target.radio(radio.label, options, index=index, key=key,
                            horizontal=radio.horizontal)
    if kind == "checkbox":
        return target.checkbox(element.checkbox.label, value=element.checkbox.default, key=key)
    if kind == "multiselect":
        many = element.multiselect
        options = list(many.options)
        chosen = [options[i] for i in many.default if 0 <= i < len(options)]
        return target.multiselect(many.label, options, default=chosen, key=key)
    if kind == "metric":  # a tile: Streamlit's own work on its value, delta and sparkline
        tile = element.metric
        return target.metric(
            tile.label, tile.body, delta=tile.delta or None, help=tile.help or None,
            border=tile.show_border, chart_data=list(tile.chart_data) or None,
            chart_type=Metric.ChartType.Name(tile.chart_type).lower(),
        )
    if kind == "text_input":
        text = element.text_input
        value = text.default if text.HasField("default") else ""
        return target.text_input(text.label, value=value, key=key)
    return None


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
        elif step.file is not None:
            placed[step.path] = target.download_button(
                step.element.download_button.label, data=step.file, file_name="floor.csv",
                mime="text/csv", key=f"floor-download-{number}", on_click="ignore",
            )
        else:
            drawn = (None if step.reused
                     else _widget(target, step.element, f"floor-widget-{number}"))
            kind = step.element.WhichOneof("type")
            if drawn is not None:
                placed[step.path] = target  # a widget's call returns its value, not a place
            elif kind:
                placed[step.path] = target._enqueue(kind, getattr(step.element, kind))


def main() -> None:
    st.set_page_config(page_title="Floor", layout="wide")
    pages = [st.Page(partial(_draw, name), title=name or "overview",
                     url_path=name or "overview", default=not name) for name in PAGES]
    st.navigation(pages).run()


main()
