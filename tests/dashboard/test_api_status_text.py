"""The API status page's data-source line and latency tile read cleanly."""

from __future__ import annotations

import pytest

from dashboard.api_status import data_source_text, latency_text
from dashboard.settings import load_settings

LOCAL = "http://127.0.0.1:8123/v5"


@pytest.mark.parametrize(
    ("base_url", "name"),
    [
        ("production", "Pinterest"),
        ("sandbox", "Pinterest sandbox"),
        (LOCAL, "Pinterest API"),
    ],
)
def test_data_source_names_the_api_address_once(base_url: str, name: str) -> None:
    settings = load_settings(
        env={"PINTEREST_ACCESS_TOKEN": "t0ken-not-shown", "PINTEREST_API_BASE_URL": base_url}
    )
    text = data_source_text(settings.target, settings.base_url, is_demo=False)
    assert text.startswith(f"Data source: {name}")
    assert text.count(settings.base_url) == 1, text
    assert f"`{settings.base_url}`" in text  # as code: no link to an API root
    assert "t0ken" not in text


def test_demo_source_says_so_without_the_simulator_s_made_up_host() -> None:
    settings = load_settings(env={})
    assert settings.is_demo
    text = data_source_text(settings.target, "http://pinterest-sim.local/v5", is_demo=True)
    assert "demo data" in text.lower()
    assert "http" not in text


def test_latency_value_carries_its_unit() -> None:
    assert latency_text(50.2) == "50 ms"
    assert latency_text(1234.6) == "1,235 ms"
    assert latency_text(None) == "–"
