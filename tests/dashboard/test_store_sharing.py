"""The report store and the report builder follow the sharing rule (docs/architecture.md):
days one person's reports stored are served to another only when Pinterest lets that person's
token read the account's analytics; a finance manager or a stranger gets no stored day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dashboard.jobs import ReportRequest, start_report
from dashboard.long_range import fetch_long_range_rows
from dashboard.report_store import ReportStore
from pinterest_client import PinterestClient, PinterestError
from pinterest_client._access import AccessProofs
from pinterest_client._cache import ResponseCache
from pinterest_sim import (
    AGENCY_TOKEN,
    ANALYST_TOKEN,
    DEMO_ACCOUNT_ID,
    FINANCE_TOKEN,
    SIM_BASE_URL,
    FrozenClock,
    SimConfig,
    Simulator,
)

NOW = datetime(2026, 11, 29, 15, 30, tzinfo=UTC)
TODAY = NOW.date()
COLUMNS = ("SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION")
START, END = TODAY - timedelta(days=200), TODAY - timedelta(days=120)


@pytest.fixture
def sim() -> Simulator:
    return Simulator(SimConfig(seed=7, report_delay_s=0), clock=FrozenClock(NOW))


@pytest.fixture
def people(sim: Simulator) -> Iterator[dict[str, PinterestClient]]:
    cache, proofs = ResponseCache(), AccessProofs()
    clients = {
        name: PinterestClient(token, base_url=SIM_BASE_URL, transport=sim.transport(),
                              now=sim.clock.now, cache=cache, access_proofs=proofs)
        for name, token in (("owner", "demo-token"), ("analyst", ANALYST_TOKEN),
                            ("finance", FINANCE_TOKEN), ("stranger", AGENCY_TOKEN))
    }
    yield clients
    for client in clients.values():
        client.close()


@pytest.fixture
def store(tmp_path: Path) -> ReportStore:
    return ReportStore(tmp_path / "reports.sqlite3", today=lambda: TODAY)


def _long_range(client: PinterestClient, store: ReportStore) -> list[dict[str, object]]:
    return fetch_long_range_rows(client, DEMO_ACCOUNT_ID, "CAMPAIGN", start=START, end=END,
                                 columns=COLUMNS, granularity="DAY", today=TODAY,
                                 store=store).data


def test_stored_days_are_shared_with_a_reader_and_refused_to_others(
    sim: Simulator, people: dict[str, PinterestClient], store: ReportStore
) -> None:
    owned = _long_range(people["owner"], store)
    assert owned
    jobs = len(sim.backend.reports)
    # The analyst may read the account: the owner's stored days, no new report job.
    assert _long_range(people["analyst"], store) == owned
    assert len(sim.backend.reports) == jobs
    # The finance manager (listed, no reporting) and a stranger: refused, not a stored row.
    for name in ("finance", "stranger"):
        with pytest.raises(PinterestError):
            _long_range(people[name], store)
    assert len(sim.backend.reports) == jobs


def test_the_report_builder_checks_before_reading_the_store(
    sim: Simulator, people: dict[str, PinterestClient], store: ReportStore
) -> None:
    request = ReportRequest(ad_account_id=DEMO_ACCOUNT_ID, level="CAMPAIGN", columns=COLUMNS,
                            start_date=START, end_date=END, granularity="DAY")
    start_report(people["owner"], store, request)
    with pytest.raises(PinterestError):
        start_report(people["finance"], store, request)
