"""Constants shared by the dashboard tests (fixtures are in conftest.py; no test module
imports a conftest or another test module)."""

from __future__ import annotations

from datetime import UTC, datetime

from pinterest_client import ClientConfig

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
# Failing calls are retried once, quickly: the tests are about what the dashboard makes of them.
FAST_RETRIES = ClientConfig(max_retries=1, backoff_base_s=0.01, backoff_cap_s=0.02)
TODAY = NOW.date()
