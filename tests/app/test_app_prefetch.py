"""Opening a page from a link: when the token's account list is already known (another
visit listed it), the page's data is fetched while the sidebar lists the accounts, and no
call is made twice. The account list is held back until the page's analytics have reached
the simulator, so a page that waited for the list would fail this test. An account the
token has not listed is never fetched for before the list confirms it."""

from __future__ import annotations

import time
from typing import Any

import pytest

import app_shell
from dashboard.formatting import format_money
from pinterest_sim import DEMO_ACCOUNT_ID, FORBIDDEN_ACCOUNT_ID, LARGE_ACCOUNT_ID
from pinterest_sim.world import EUR_ACCOUNT_ID
from tests.app.support import (
    SPEND,
    another_session,
    app_simulator,
    fresh_app,
    last_7_days,
    rerun,
    tile,
    truth,
)

ANALYTICS = f"/v5/ad_accounts/{EUR_ACCOUNT_ID}/analytics"
HOLD_S = 20.0


def _hold_account_list_until(monkeypatch: pytest.MonkeyPatch, seen: Any) -> list[bool]:
    """load_accounts waits (up to HOLD_S) until `seen(client)` is true; records whether it
    was true before the wait ran out."""
    real = app_shell.load_accounts
    outcome: list[bool] = []

    def held(client: Any) -> Any:
        deadline = time.monotonic() + HOLD_S
        while not seen(client) and time.monotonic() < deadline:
            time.sleep(0.01)
        outcome.append(bool(seen(client)))
        return real(client)

    monkeypatch.setattr(app_shell, "load_accounts", held)
    return outcome


def _analytics_calls(client: Any) -> int:
    return int(client.stats().calls_by_category.get("ads_analytics", 0))


def _listed_by_an_earlier_visit(monkeypatch: pytest.MonkeyPatch) -> int:
    """A first visitor (no link) lists the token's accounts; returns the analytics calls so far."""
    first = fresh_app(monkeypatch)
    rerun(first)
    return _analytics_calls(first.session_state["page_context"].connection.client)


def test_overview_from_a_link_fetches_its_data_beside_the_account_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = _listed_by_an_earlier_visit(monkeypatch)
    outcome = _hold_account_list_until(monkeypatch, lambda c: _analytics_calls(c) >= before + 4)
    at = another_session({"account": EUR_ACCOUNT_ID, "preset": "last_7_days"})
    rerun(at)
    assert outcome[0] is True, "the Overview's calls waited for the account list"
    start, end = last_7_days(at)
    assert tile(at, "Spend") == format_money(truth(EUR_ACCOUNT_ID, start, end)[SPEND], "EUR",
                                             abbreviate=True)
    # Totals and series, now and before: four analytics calls, none of them twice.
    assert app_simulator(at).stats.by_path[ANALYTICS] == 4


def test_campaigns_from_a_link_fetch_beside_the_account_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = f"/v5/ad_accounts/{LARGE_ACCOUNT_ID}/campaigns/analytics"
    before = _listed_by_an_earlier_visit(monkeypatch)
    outcome = _hold_account_list_until(monkeypatch, lambda c: _analytics_calls(c) >= before + 1)
    at = another_session({"account": LARGE_ACCOUNT_ID, "preset": "last_7_days"})
    at.switch_page("pages/campaigns.py")
    rerun(at)
    assert outcome[-1] is True, "the Campaigns page's calls waited for the account list"
    sim = app_simulator(at)
    campaigns = [c for c in sim.world.campaigns(LARGE_ACCOUNT_ID)
                 if c.status in ("ACTIVE", "PAUSED", "ARCHIVED")]
    assert sim.stats.by_path[path] == -(-len(campaigns) // 250)  # 250 ids per call, once each


@pytest.mark.parametrize("account", ["999999999998", FORBIDDEN_ACCOUNT_ID])
def test_an_account_the_token_has_not_listed_costs_no_call(
    monkeypatch: pytest.MonkeyPatch, account: str
) -> None:
    """On a fresh process (nothing listed yet) and after a visit that listed the accounts."""
    for at in (fresh_app(monkeypatch, {"account": account}),
               another_session({"account": account, "preset": "last_7_days"})):
        rerun(at)
        touched = [path for path in app_simulator(at).stats.by_path if account in path]
        assert touched == []
        warnings = " ".join(str(w.value) for w in at.warning)
        assert "is not one this Pinterest user can see" in warnings
        assert at.query_params["account"] == DEMO_ACCOUNT_ID


def test_without_an_account_in_the_link_the_page_waits_for_the_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nothing to start early: the first account is the default, known from the list."""
    seen_before: list[int] = []
    real = app_shell.load_accounts

    def recording(client: Any) -> Any:
        seen_before.append(_analytics_calls(client))
        return real(client)

    monkeypatch.setattr(app_shell, "load_accounts", recording)
    at = fresh_app(monkeypatch)
    rerun(at)
    assert seen_before[0] == 0
    assert at.query_params["account"] == DEMO_ACCOUNT_ID
