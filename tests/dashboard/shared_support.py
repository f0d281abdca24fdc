"""Helpers for the shared-store (Redis) tests of team mode and report jobs: one "process" is a
People with its own SQLite file and its own SharedStore connection (the shared cache, proofs and
token store on it), on one test Redis; `python -m tests.dashboard.shared_support` is a real
second process."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx

from dashboard.people import People
from dashboard.settings import Settings
from dashboard.shared_backend import SharedBackend, client_state
from dashboard.shared_reports import InFlightReports
from dashboard.shared_tokens import SharedTokenStore
from pinterest_client.shared import SharedStore
from pinterest_sim import Simulator
from tests.dashboard.team_support import FAST, team_settings
from tests.sim.oauth_support import APP

# A generous per-call budget: on a loaded test machine a slow answer must not fake an outage.
CALL_BUDGET_S = 2.0


def shared_store(url: str) -> SharedStore:
    """A process's connection; retry at once after a failure (tests count, never wait)."""
    return SharedStore(url, retry_s=0.0, call_budget_s=CALL_BUDGET_S)


def backend(store: SharedStore, processes: int = 2) -> SharedBackend:
    """A process's backend as the app builds it: the shared cache and access proofs in Redis,
    report jobs in flight."""
    return SharedBackend(store=store, processes=processes, state=client_state(store),
                         report_jobs=InFlightReports(store))


def process_people(settings: Settings, sqlite: Path, url: str,
                   transport: httpx.BaseTransport | None) -> People:
    """One app process of team mode on the shared store at `url`."""
    assert settings.team is not None
    store = shared_store(url)
    tokens = SharedTokenStore(sqlite, settings.team.secret_key, store)
    return People(settings, tokens, transport=transport, config=FAST, shared=backend(store))


def sim_people(sim: Simulator, tmp_path: Path, name: str, url: str) -> People:
    return process_people(team_settings(tmp_path / f"{name}.sqlite3"),
                          tmp_path / f"{name}.sqlite3", url, sim.transport())


def oauth_posts(sim: Simulator) -> int:
    return sum(n for route, n in sim.stats.by_route.items() if route.endswith("/oauth/token"))


def accounts_of(sim: Simulator, user_id: str) -> list[str]:
    """The user's ad account ids, read with their personal token (not a client under test)."""
    from pinterest_sim import SIM_BASE_URL

    token = sim.personal_token(user_id)
    with httpx.Client(base_url=SIM_BASE_URL, transport=sim.transport()) as api:
        body = api.get("/ad_accounts", headers={"Authorization": f"Bearer {token}"}).json()
    return sorted(item["id"] for item in body["items"])


def refresh_refused(sim: Simulator, refresh_token: str) -> bool:
    """Whether Pinterest (the simulator) refuses this refresh token now (a refusal changes
    nothing on its side)."""
    from pinterest_sim import SIM_BASE_URL

    with httpx.Client(base_url=SIM_BASE_URL, transport=sim.transport(), auth=APP) as api:
        answer = api.post("/oauth/token", data={"grant_type": "refresh_token",
                                                "refresh_token": refresh_token})
    return answer.status_code == 400


def _child(argv: list[str]) -> int:
    """A second app process: `<redis url> <sqlite> <api base url> <user id>`. Builds the
    person's client from the shared store at once (holding that pair), says "ready", then on
    each line "go" lists the person's ad accounts and prints what happened as JSON."""
    url, sqlite, base_url, user_id = argv
    settings = team_settings(Path(sqlite), PINTEREST_API_BASE_URL=base_url)
    people = process_people(settings, Path(sqlite), url, None)
    client = people.client_for(user_id)
    print(json.dumps({"ready": client is not None}), flush=True)
    for line in sys.stdin:
        if line.strip() != "go" or client is None:
            break
        client.cache.clear()  # a new page load: the call reaches Pinterest
        try:
            ids = sorted(a.id for a in client.list_ad_accounts().data)
            outcome: dict[str, object] = {"ok": True, "accounts": ids,
                                          "refreshes": client.stats().token_refreshes}
        except Exception as exc:  # reported to the test, which fails on it
            outcome = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(outcome), flush=True)
    return 0


def _report_child(argv: list[str]) -> int:
    """A process asked for a report: `<redis url> <api base url> <token> <account> <start>
    <end>`; prints the job's token (created, or joined through the shared store)."""
    from datetime import date

    from pinterest_client import PinterestClient
    from pinterest_client.reports import ReportRequest

    url, base_url, token, account, start, end = argv
    client = PinterestClient(token, base_url=base_url,
                             report_jobs=InFlightReports(shared_store(url)))
    request = ReportRequest(ad_account_id=account, level="CAMPAIGN",
                            columns=("SPEND_IN_MICRO_DOLLAR",),
                            start_date=date.fromisoformat(start), end_date=date.fromisoformat(end))
    print(json.dumps({"token": client.reports.create(request).token}), flush=True)
    client.close()
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["report"]:
        raise SystemExit(_report_child(sys.argv[2:]))
    raise SystemExit(_child(sys.argv[1:]))
