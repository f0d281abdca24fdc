"""Pinterest's metric definitions: help text of tiles and charts, and the Glossary page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from dashboard.loaders.fetch import field_of
from pinterest_client import PinterestClient


@dataclass(frozen=True)
class MetricInfo:
    name: str
    display_name: str
    definition: str
    category: str


def metric_definitions(client: PinterestClient) -> dict[str, MetricInfo]:
    """Pinterest's delivery_metrics by column name (labels and help text for tiles and charts)."""
    fetched = client.delivery_metrics()
    out: dict[str, MetricInfo] = {}
    for item in fetched.data:
        name = str(field_of(item, "name", ""))
        if not name:
            continue
        out[name] = MetricInfo(
            name=name,
            display_name=str(field_of(item, "display_name", None) or name),
            definition=str(field_of(item, "definition", None) or ""),
            category=str(field_of(item, "category", None) or ""),
        )
    return out


def glossary_frame(definitions: Mapping[str, MetricInfo]) -> pd.DataFrame:
    """One row per metric, by name; no two rows read the same (see _distinct_names)."""
    frame = pd.DataFrame(
        [
            {
                "Metric": d.display_name,
                "Column": d.name,
                "Definition": d.definition,
                "Category": d.category,
            }
            for d in definitions.values()
        ],
        columns=["Metric", "Column", "Definition", "Category"],
    )
    frame["Metric"] = _distinct_names(frame["Metric"], frame["Column"])
    frame = frame.sort_values(["Metric", "Column"], key=lambda s: s.str.lower())
    return frame.reset_index(drop=True)


def _distinct_names(names: pd.Series, columns: pd.Series) -> pd.Series:
    """Display names made unique. Pinterest gives some metrics the same name (CAMPAIGN_STATUS
    and CAMPAIGN_ENTITY_STATUS are both "Campaign status"): each gets the words of its API
    column that the others of its name lack, "Campaign status (entity)"; the whole column when
    that is not enough."""
    names = names.str.strip()
    out = names.copy()
    for _, index in names.groupby(names.str.lower()).groups.items():
        if len(index) < 2:
            continue
        words = {i: str(columns[i]).lower().split("_") for i in index}
        common = set.intersection(*(set(w) for w in words.values()))
        for i in index:
            extra = " ".join(w for w in words[i] if w not in common)
            out[i] = f"{names[i]} ({extra})" if extra else names[i]
        if out[index].str.lower().duplicated().any():
            out[index] = names[index] + " (" + columns[index] + ")"
    return out


def search_glossary(frame: pd.DataFrame, text: str) -> pd.DataFrame:
    """Rows whose name, column or definition contain every word of `text` (any case)."""
    words = [w for w in text.lower().split() if w]
    if not words:
        return frame
    haystack = (frame["Metric"] + " " + frame["Column"] + " " + frame["Definition"]).str.lower()
    mask = pd.Series(True, index=frame.index)
    for word in words:
        mask &= haystack.str.contains(word, regex=False)
    return frame[mask]
