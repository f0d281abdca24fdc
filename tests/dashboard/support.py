"""Constants shared by the dashboard tests (fixtures are in conftest.py; no test module
imports a conftest or another test module)."""

from __future__ import annotations

from datetime import UTC, datetime

from pinterest_client import ClientConfig

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
# Failing calls are retried once, quickly: the tests are about what the dashboard makes of them.
FAST_RETRIES = ClientConfig(max_retries=1, backoff_base_s=0.01, backoff_cap_s=0.02)
TODAY = NOW.date()

# Texts a spreadsheet would run as formulas (CSV injection), with the full-width forms.
HOSTILE_TEXTS = [
    "=HYPERLINK(\"https://evil.example\",\"Q3\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
    "\tx", "\rx", "\n=1+1", "\uff1d1+1", "\uff0bcmd", "\uff0d2+3", "\uff20SUM(A1)",
]
