"""Personal mode with a refresh token: a rotated pair survives a restart. Pinterest's refresh
tokens are continuous (the old one stops working once its replacement is used), so before this
the first refresh after a restart used the spent token and failed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.connection import build_connection
from dashboard.settings import Settings
from pinterest_client import ResponseCache
from pinterest_sim import DEMO_ACCOUNT_ID, SimConfig, SimServer, Simulator


@pytest.fixture
def served() -> Iterator[tuple[Simulator, SimServer]]:
    sim = Simulator(SimConfig(seed=7, token="personal-access-0"))
    server = sim.serve("127.0.0.1", 0)
    yield sim, server
    server.stop()


def _settings(sim: Simulator, server: SimServer, refresh: str) -> Settings:
    return Settings(access_token="personal-access-0", refresh_token=refresh, app_id="sim-app",
                    app_secret="sim-secret", base_url=server.base_url)


def _account_ids(settings: Settings) -> set[str]:
    connection = build_connection(settings)
    try:
        # Its own cache: a cached account list would hide the token in use.
        connection.client._cache = ResponseCache()
        return {a.id for a in connection.client.list_ad_accounts().data}
    finally:
        connection.client.close()


def test_a_rotated_refresh_token_is_kept_for_the_next_start(
    served: tuple[Simulator, SimServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim, server = served
    store = tmp_path / "personal.sqlite3"
    monkeypatch.setenv("PINTEREST_DASHBOARD_TOKEN_STORE", str(store))
    configured = sim.refresh_token
    settings = _settings(sim, server, configured)
    # First process: the access token has expired; the client refreshes (rotation).
    sim.expire_access_token()
    assert DEMO_ACCOUNT_ID in _account_ids(settings)
    assert sim.refresh_token != configured  # rotated: the configured one is spent
    # Restart with the same configuration; the new access token expires too.
    sim.expire_all_access_tokens()
    assert DEMO_ACCOUNT_ID in _account_ids(settings)
    # The store holds no token in clear text.
    data = store.read_bytes()
    for secret in (configured, sim.refresh_token, "personal-access-0", "sim-secret"):
        assert secret.encode() not in data
