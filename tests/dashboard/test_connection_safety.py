"""build_connection re-checks the API address: settings made by hand cannot send a token in
clear text to another host, and the demo's in-process pseudo-host keeps working."""

from __future__ import annotations

import pytest

from dashboard.connection import build_connection
from dashboard.settings import Settings, SettingsError
from pinterest_client import default_cache
from pinterest_sim import SIM_BASE_URL


def test_connection_refuses_plain_http_to_another_host() -> None:
    settings = Settings(access_token="pina_SECRETSECRET", base_url="http://api.example.com/v5")
    with pytest.raises(SettingsError) as info:
        build_connection(settings)
    assert "SECRETSECRET" not in str(info.value)


def test_connection_refuses_credentials_in_the_url() -> None:
    settings = Settings(access_token="pina_x", base_url="https://u:PASSWORD@api.example.com/v5")
    with pytest.raises(SettingsError) as info:
        build_connection(settings)
    assert "PASSWORD" not in str(info.value)


def test_demo_mode_uses_the_simulators_pseudo_host() -> None:
    default_cache().clear()  # another test's account list would answer without a call
    connection = build_connection(Settings())
    assert connection.is_demo and connection.base_url == SIM_BASE_URL
    assert SIM_BASE_URL.startswith("http://")
    accounts = connection.client.list_ad_accounts().data
    assert accounts and connection.simulator.stats.total == 1
