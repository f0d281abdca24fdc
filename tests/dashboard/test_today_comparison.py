"""Today so far is compared with the same hours of the previous period, not with all of it;
conversions (daily only at Pinterest) get no comparison while the day runs."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from dashboard.filters import Filters
from dashboard.kpis import KPI_SPECS, kpi_deltas
from dashboard.loaders import HOURLY_KPIS, load_overview
from pinterest_client import PinterestClient
from pinterest_sim import DEMO_ACCOUNT_ID, Simulator
from tests.dashboard.support import NOW, TODAY

HOURLY = ["SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION", "CLICKTHROUGH_1"]


def _yesterday_until(sim: Simulator, until: datetime) -> dict[str, float]:
    """Ground truth: the simulator's own ad-level hourly rows of yesterday before `until`
    (the hour it falls in pro rata), summed here."""
    yesterday = TODAY - timedelta(days=1)
    totals = dict.fromkeys(HOURLY, 0.0)
    for row in sim.engine.rows(DEMO_ACCOUNT_ID, "AD", None, yesterday, yesterday, "HOUR",
                               HOURLY):
        start = datetime.fromisoformat(str(row["DATE"])).replace(tzinfo=until.tzinfo)
        share = min(1.0, max(0.0, (until - start).total_seconds() / 3600))
        for column in HOURLY:
            totals[column] += float(row.get(column, 0)) * share
    return totals


def _today() -> Filters:
    return replace(Filters.default(TODAY).with_preset("today", TODAY), compare=True)


@pytest.mark.parametrize("minutes", [0, 30])
def test_today_is_compared_with_yesterday_until_the_same_time(
    client: PinterestClient, sim: Simulator, minutes: int
) -> None:
    now = NOW + timedelta(minutes=minutes)  # 12:00 and 12:30 UTC
    data = load_overview(client, DEMO_ACCOUNT_ID, _today(), TODAY, now=now)
    assert data.granularity == "HOUR" and data.same_hours
    assert data.comparable == HOURLY_KPIS
    truth = _yesterday_until(sim, now - timedelta(days=1))
    assert data.previous_kpis is not None
    assert data.previous_kpis.spend_micro == pytest.approx(truth[HOURLY[0]])
    assert data.previous_kpis.impressions == pytest.approx(truth[HOURLY[1]])
    assert data.previous_kpis.clicks == pytest.approx(truth[HOURLY[2]])
    whole_day = _yesterday_until(sim, NOW.replace(hour=0, minute=0))  # up to midnight
    assert data.previous_kpis.spend_micro < whole_day[HOURLY[0]]  # not the whole of yesterday


def test_closed_ranges_keep_the_whole_previous_period(client: PinterestClient) -> None:
    data = load_overview(client, DEMO_ACCOUNT_ID, Filters.default(TODAY), TODAY, now=NOW)
    assert not data.same_hours and data.comparable is None


def test_only_comparable_tiles_get_a_delta(client: PinterestClient) -> None:
    data = load_overview(client, DEMO_ACCOUNT_ID, _today(), TODAY, now=NOW)
    deltas = {d.spec.name: d for d in kpi_deltas(data.kpis, data.previous_kpis, data.comparable)}
    assert {name for name, d in deltas.items() if d.previous is not None} == HOURLY_KPIS
    assert deltas["conversions"].change is None and deltas["roas"].change is None
    assert deltas["spend"].change is not None
    assert len(deltas) == len(KPI_SPECS)


def test_without_yesterdays_hours_there_is_no_comparison_rather_than_a_wrong_one(
    client: PinterestClient, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the previous period's hourly rows fail, today is not set against all of yesterday."""
    import dashboard.loaders.overview as loaders  # where load_overview looks the name up
    from pinterest_client import PinterestError

    real = loaders.fetch_analytics_rows

    def failing_previous_hours(*args: object, **kwargs: object) -> object:
        if kwargs.get("granularity") == "HOUR" and kwargs.get("end") != TODAY:
            raise PinterestError("GET /analytics: the hours are unavailable.")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(loaders, "fetch_analytics_rows", failing_previous_hours)
    data = load_overview(client, DEMO_ACCOUNT_ID, _today(), TODAY, now=NOW)
    assert data.previous_kpis is None
    assert data.compare_note and data.compare_note.startswith("No comparison")
