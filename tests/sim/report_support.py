"""Create several async reports at one clock time (one snapshot of today), then fetch them."""

from __future__ import annotations

import json
from typing import Any

import httpx

from pinterest_sim import DEMO_ACCOUNT_ID, Simulator

REPORTS = f"/ad_accounts/{DEMO_ACCOUNT_ID}/reports"
ADDITIVE = ["SPEND_IN_MICRO_DOLLAR", "TOTAL_CLICKTHROUGH", "TOTAL_IMPRESSION"]  # columns that sum


def finished_reports(api: httpx.Client, sim: Simulator, bodies: list[dict[str, Any]]
                     ) -> list[Any]:
    tokens = []
    for body in bodies:
        response = api.post(REPORTS, json=body)
        assert response.status_code == 200, response.text
        tokens.append(response.json()["token"])
    sim.clock.advance(sim.config.report_delay_s)  # type: ignore[attr-defined]
    out = []
    with httpx.Client(transport=sim.transport()) as files:
        for token in tokens:
            polled = api.get(REPORTS, params={"token": token}).json()
            assert polled["report_status"] == "FINISHED", polled
            out.append(json.loads(files.get(polled["url"]).content))
    return out
