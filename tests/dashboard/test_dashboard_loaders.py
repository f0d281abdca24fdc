"""Loaders against the in-process simulator: every number equals a sum over the simulator's own
ad-level rows (computed here, independently of the dashboard), calls are batched, errors
are explained."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta

import pytest

from dashboard.errors import describe_error
from dashboard.filters import Filters
from dashboard.loaders import (
    TARGETING_TYPES,
    filter_entities,
    glossary_frame,
    load_audience,
    load_campaigns,
    load_overview,
    load_targeting,
    metric_definitions,
    search_glossary,
)
from pinterest_client import PinterestClient, PinterestError
from pinterest_client._cache import ResponseCache
from pinterest_sim import (
    DEMO_ACCOUNT_ID,
    EMPTY_ACCOUNT_ID,
    LARGE_ACCOUNT_ID,
    SIM_BASE_URL,
    Simulator,
    World,
)
from tests.dashboard.support import FAST_RETRIES, NOW, TODAY

SPEND = "SPEND_IN_MICRO_DOLLAR"
COLUMNS = [
    SPEND,
    "PAID_IMPRESSION",
    "CLICKTHROUGH_1",
    "TOTAL_CONVERSIONS",
    "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR",
]


def truth(sim: Simulator, account: str, start: date, end: date) -> dict[str, float]:
    """Column totals summed here from the simulator's ad-level rows."""
    totals: dict[str, float] = defaultdict(float)
    for row in sim.engine.rows(account, "AD", None, start, end, "TOTAL", COLUMNS):
        for column in COLUMNS:
            totals[column] += row.get(column, 0)
    return totals


def test_overview_totals_equal_simulator_ad_rows(sim: Simulator, client: PinterestClient) -> None:
    filters = Filters.default(TODAY).with_preset("last_7_days", TODAY)
    data = load_overview(client, DEMO_ACCOUNT_ID, filters, TODAY)
    expected = truth(sim, DEMO_ACCOUNT_ID, filters.start, filters.end)
    assert expected[SPEND] > 0
    assert data.kpis.spend_micro == expected[SPEND]
    assert data.kpis.impressions == expected["PAID_IMPRESSION"]
    assert data.kpis.clicks == expected["CLICKTHROUGH_1"]
    assert data.kpis.conversions == expected["TOTAL_CONVERSIONS"]
    assert data.kpis.conversion_value_micro == expected["TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR"]
    assert data.kpis.cpc_micro == pytest.approx(expected[SPEND] / expected["CLICKTHROUGH_1"])
    # The previous period is the 7 days before, summed the same way.
    prev_start, prev_end = filters.previous_period()
    previous = truth(sim, DEMO_ACCOUNT_ID, prev_start, prev_end)
    assert data.previous_kpis is not None
    assert data.previous_kpis.spend_micro == previous[SPEND]
    # One row per day, summing to the totals; the previous series sits on the same axis.
    assert data.granularity == "DAY"
    assert len(data.series) == 7
    assert data.series[SPEND].sum() == expected[SPEND]
    assert data.previous_series is not None
    assert list(data.previous_series["time"]) == list(data.series["time"])
    assert not data.freshness.stale


def test_overview_yesterday_is_hourly_without_conversions_in_the_series(
    sim: Simulator, client: PinterestClient
) -> None:
    filters = Filters.default(TODAY).with_preset("yesterday", TODAY)
    data = load_overview(client, DEMO_ACCOUNT_ID, filters, TODAY)
    assert data.granularity == "HOUR"
    assert len(data.series) == 24
    assert not data.has_conversion_series
    expected = truth(sim, DEMO_ACCOUNT_ID, filters.start, filters.end)
    assert data.series[SPEND].sum() == pytest.approx(expected[SPEND], abs=24)
    # Totals come from a TOTAL call, so the conversions tile still has its value.
    assert data.kpis.conversions == expected["TOTAL_CONVERSIONS"]
    assert data.ready is not None and data.ready.others_final


def test_today_is_not_final(client: PinterestClient) -> None:
    filters = Filters.default(TODAY).with_preset("today", TODAY)
    data = load_overview(client, DEMO_ACCOUNT_ID, filters, TODAY)
    assert data.ready is not None and not data.ready.final
    assert data.kpis.spend_micro > 0  # half the day has gone by on the frozen clock


def test_attribution_windows_reach_the_simulator(sim: Simulator, client: PinterestClient) -> None:
    base = Filters.default(TODAY)
    narrow = Filters(start=base.start, end=base.end, click_window_days=1,
                     engagement_window_days=1, view_window_days=0)
    wide = load_overview(client, DEMO_ACCOUNT_ID, base, TODAY).kpis.conversions
    short = load_overview(client, DEMO_ACCOUNT_ID, narrow, TODAY).kpis.conversions
    assert short < wide


def test_empty_account_has_no_delivery_and_no_campaigns(client: PinterestClient) -> None:
    filters = Filters.default(TODAY)
    overview = load_overview(client, EMPTY_ACCOUNT_ID, filters, TODAY)
    assert not overview.kpis.has_delivery
    assert load_campaigns(client, EMPTY_ACCOUNT_ID, filters, TODAY).is_empty


def test_campaign_table_per_campaign_spend(sim: Simulator, client: PinterestClient) -> None:
    filters = Filters.default(TODAY).with_preset("last_30_days", TODAY)
    table = load_campaigns(client, DEMO_ACCOUNT_ID, filters, TODAY)
    campaign_of = {ad.id: ad.campaign_id for ad in sim.world.ads(DEMO_ACCOUNT_ID)}
    expected: dict[str, float] = defaultdict(float)
    for row in sim.engine.rows(DEMO_ACCOUNT_ID, "AD", None, filters.start, filters.end,
                               "TOTAL", [SPEND]):
        expected[campaign_of[row["AD_ID"]]] += row.get(SPEND, 0)
    frame = table.frame.set_index("id")
    assert set(frame.index) == {c.id for c in sim.world.campaigns(DEMO_ACCOUNT_ID)}
    for campaign_id, spend in expected.items():
        assert frame.loc[campaign_id, SPEND] == spend
    # Sorted by spend, highest first; ratios from each row's sums.
    assert list(table.frame[SPEND]) == sorted(table.frame[SPEND], reverse=True)
    top = table.frame.iloc[0]
    assert top["cpm_micro"] == pytest.approx(top[SPEND] / top["PAID_IMPRESSION"] * 1000)


def test_large_account_is_batched(sim: Simulator, client: PinterestClient) -> None:
    filters = Filters.default(TODAY)
    sim.stats.reset()
    table = load_campaigns(client, LARGE_ACCOUNT_ID, filters, TODAY)
    campaigns = len(sim.world.campaigns(LARGE_ACCOUNT_ID))
    assert campaigns >= 600
    assert len(table.frame) == campaigns
    analytics_calls = sum(n for path, n in sim.stats.by_path.items() if "analytics" in path)
    assert analytics_calls == math.ceil(campaigns / 250)  # id batches of 250, one window
    expected = truth(sim, LARGE_ACCOUNT_ID, filters.start, filters.end)
    assert table.frame[SPEND].sum() == expected[SPEND]


def test_filter_entities_search_status_sort(client: PinterestClient) -> None:
    table = load_campaigns(client, DEMO_ACCOUNT_ID, Filters.default(TODAY), TODAY)
    frame = table.frame
    first_word = str(frame.iloc[0]["name"]).split()[0]
    found = filter_entities(frame, search=first_word.upper())
    assert len(found) >= 1
    assert all(first_word.lower() in n.lower() for n in found["name"])
    by_id = filter_entities(frame, search=str(frame.iloc[-1]["id"]))
    assert list(by_id["id"]) == [frame.iloc[-1]["id"]]
    status = str(frame.iloc[0]["status"])
    assert set(filter_entities(frame, statuses=[status])["status"]) == {status}
    ascending = filter_entities(frame, sort_by="ctr", descending=False)
    ctrs = [v for v in ascending["ctr"] if v == v]
    assert ctrs == sorted(ctrs)


def test_targeting_types_sum_to_account_total(sim: Simulator, client: PinterestClient) -> None:
    filters = Filters.default(TODAY)
    data = load_targeting(client, DEMO_ACCOUNT_ID, filters, TODAY)
    expected = truth(sim, DEMO_ACCOUNT_ID, filters.start, filters.end)[SPEND]
    for ttype in TARGETING_TYPES:
        part = data.of_type(ttype)
        assert not part.empty, ttype
        if ttype not in ("KEYWORD", "TARGETED_INTEREST"):  # not every ad targets these
            assert part[SPEND].sum() == expected, ttype
    locations = data.of_type("LOCATION")
    assert all(label.startswith("U.S.") or ":" in label for label in locations["label"])
    countries = data.of_type("COUNTRY")
    assert "United States" in set(countries["label"])


def test_targeting_for_chosen_campaigns(sim: Simulator, client: PinterestClient) -> None:
    filters = Filters.default(TODAY)
    chosen = [c.id for c in sim.world.campaigns(DEMO_ACCOUNT_ID)[:2]]
    data = load_targeting(client, DEMO_ACCOUNT_ID, filters, TODAY, chosen)
    campaign_rows = sim.engine.rows(DEMO_ACCOUNT_ID, "CAMPAIGN", chosen, filters.start,
                                    filters.end, "TOTAL", [SPEND])
    assert data.of_type("AGE_BUCKET")[SPEND].sum() == sum(r.get(SPEND, 0) for r in campaign_rows)


def test_audience_three_views(client: PinterestClient) -> None:
    data = load_audience(client, DEMO_ACCOUNT_ID)
    assert set(data.views) == {
        "YOUR_TOTAL_AUDIENCE", "YOUR_ENGAGED_AUDIENCE", "PINTEREST_TOTAL_AUDIENCE"
    }
    total = data.views["YOUR_TOTAL_AUDIENCE"]
    assert total.size and total.size > 0
    assert not total.ages.empty and total.ages["ratio"].sum() == pytest.approx(1.0, abs=0.02)
    assert not total.interests.empty and (total.interests["index"] > 0).all()


def test_glossary_has_every_kpi_column_and_searches(client: PinterestClient) -> None:
    definitions = metric_definitions(client)
    for column in COLUMNS:
        assert definitions[column].definition, column
    frame = glossary_frame(definitions)
    hits = search_glossary(frame, "checkout VALUE")
    assert "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR" in set(hits["Column"])
    assert all("checkout" in (r.Metric + r.Column + r.Definition).lower()
               for r in hits.itertuples())
    assert search_glossary(frame, "zzznothing").empty


def test_api_failure_raises_pinterest_error_with_clear_text(
    sim: Simulator, client: PinterestClient
) -> None:
    sim.faults.update({"error_rate": 1.0})
    with pytest.raises(PinterestError) as info:
        load_overview(client, DEMO_ACCOUNT_ID, Filters.default(TODAY), TODAY)
    text = describe_error(info.value)
    assert "Pinterest" in text and "Traceback" not in text


def test_stale_copy_is_marked_with_its_reason(sim: Simulator, world: World) -> None:
    clock_now = [1000.0]
    cache = ResponseCache(timer=lambda: clock_now[0])
    client = PinterestClient("demo-token", base_url=SIM_BASE_URL, transport=sim.transport(),
                             cache=cache, now=lambda: NOW, config=FAST_RETRIES)
    filters = Filters.default(TODAY)
    fresh = load_campaigns(client, DEMO_ACCOUNT_ID, filters, TODAY)
    assert not fresh.freshness.stale
    clock_now[0] += 7 * 24 * 3600  # every TTL has passed
    sim.faults.update({"error_rate": 1.0})
    stale = load_campaigns(client, DEMO_ACCOUNT_ID, filters, TODAY)
    assert stale.freshness.stale
    assert stale.freshness.reasons and "server error" in stale.freshness.reasons[0]
    assert stale.frame[SPEND].sum() == fresh.frame[SPEND].sum()
    client.close()


def test_previous_period_out_of_reach_is_explained_not_fatal(
    sim: Simulator, client: PinterestClient
) -> None:
    # Last 90 days: its previous period starts 180 days back, beyond live analytics; the
    # page still has its numbers (the comparison comes from the long-range path or a note).
    filters = Filters.default(TODAY).with_preset("last_90_days", TODAY)
    sim.config.report_delay_s = 0
    data = load_overview(client, DEMO_ACCOUNT_ID, filters, TODAY)
    expected = truth(sim, DEMO_ACCOUNT_ID, filters.start, filters.end)
    assert data.kpis.spend_micro == expected[SPEND]
    assert data.previous_kpis is not None or data.compare_note
    assert filters.start == TODAY - timedelta(days=90)
