"""The metrics glossary: no two rows read the same, and search still finds every metric."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from dashboard.loaders import MetricInfo, glossary_frame, metric_definitions, search_glossary
from pinterest_client import PinterestClient
from pinterest_client._cache import ResponseCache
from pinterest_sim import SIM_BASE_URL, SimConfig, Simulator


@pytest.fixture
def definitions() -> Iterator[dict[str, MetricInfo]]:
    sim = Simulator(SimConfig(seed=7))
    client = PinterestClient("demo-token", base_url=SIM_BASE_URL, transport=sim.transport(),
                             cache=ResponseCache())
    try:
        yield metric_definitions(client)
    finally:
        client.close()


def test_every_row_reads_differently(definitions: dict[str, MetricInfo]) -> None:
    frame = glossary_frame(definitions)
    assert len(frame) == len(definitions)  # still one row per metric
    assert frame["Metric"].str.lower().is_unique, frame["Metric"].tolist()
    # The names Pinterest gives to more than one metric (the simulator copies Pinterest's).
    shared = {name for name, n in Counter(d.display_name for d in definitions.values()).items()
              if n > 1}
    assert "Campaign status" in shared
    by_column = dict(zip(frame["Column"], frame["Metric"], strict=True))
    for info in definitions.values():
        if info.display_name in shared:
            assert by_column[info.name].startswith(info.display_name)
        else:
            assert by_column[info.name] == info.display_name
    # The words of the API column that tell them apart, not the whole (long) column name.
    assert by_column["CAMPAIGN_STATUS"] == "Campaign status"
    assert by_column["CAMPAIGN_ENTITY_STATUS"] == "Campaign status (entity)"


def test_search_finds_both_metrics_of_a_shared_name(definitions: dict[str, MetricInfo]) -> None:
    frame = glossary_frame(definitions)
    found = search_glossary(frame, "campaign status")
    assert {"CAMPAIGN_STATUS", "CAMPAIGN_ENTITY_STATUS"} <= set(found["Column"])
    assert set(search_glossary(frame, "entity_status")["Column"]) == {
        c for c in definitions if "ENTITY_STATUS" in c
    }


def test_names_that_differ_only_in_case_are_told_apart() -> None:
    definitions = {
        "A_X": MetricInfo("A_X", "Saves", "Times saved.", "ADS"),
        "B_X": MetricInfo("B_X", "saves ", "Times saved (organic).", "ADS"),
        "C_X": MetricInfo("C_X", "Clicks", "Clicks.", "ADS"),
    }
    frame = glossary_frame(definitions)
    assert frame["Metric"].tolist() == ["Clicks", "Saves (a)", "saves (b)"]


def test_the_whole_column_when_its_words_do_not_tell_them_apart() -> None:
    definitions = {
        "X_Y": MetricInfo("X_Y", "Reach", "One.", "ADS"),
        "Y_X": MetricInfo("Y_X", "Reach", "Two.", "ADS"),
    }
    frame = glossary_frame(definitions)
    assert frame["Metric"].tolist() == ["Reach (X_Y)", "Reach (Y_X)"]
