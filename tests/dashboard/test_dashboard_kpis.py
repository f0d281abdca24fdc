"""KPI maths: ratios from sums, zero denominators, deltas, pacing."""

from __future__ import annotations

import math

import pytest

from dashboard.kpis import (
    KPI_SPECS,
    Kpis,
    budget_pacing,
    kpi_deltas,
    kpis_from_rows,
    relative_change,
    safe_div,
    sum_columns,
)

ROWS = [
    {
        "SPEND_IN_MICRO_DOLLAR": 12_500_000,
        "PAID_IMPRESSION": 4_000,
        "CLICKTHROUGH_1": 80,
        "TOTAL_CONVERSIONS": 4,
        "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR": 50_000_000,
    },
    {
        "SPEND_IN_MICRO_DOLLAR": 7_500_000,
        "PAID_IMPRESSION": 1_000,
        "CLICKTHROUGH_1": 20,
        # conversions omitted: Pinterest leaves out metrics with no value
    },
]


def test_kpis_from_rows_are_ratios_of_sums() -> None:
    k = kpis_from_rows(ROWS)
    assert k.spend_micro == 20_000_000
    assert k.impressions == 5_000
    assert k.clicks == 100
    assert k.conversions == 4
    assert k.ctr == pytest.approx(100 / 5_000)
    assert k.cpc_micro == pytest.approx(20_000_000 / 100)
    assert k.cpm_micro == pytest.approx(20_000_000 / 5_000 * 1000)
    assert k.roas == pytest.approx(50_000_000 / 20_000_000)
    assert k.cpa_micro == pytest.approx(5_000_000)
    # Not the mean of the per-row CTRs (0.02 and 0.02 here happen to agree, CPM does not).
    per_row_cpm = [r["SPEND_IN_MICRO_DOLLAR"] / r["PAID_IMPRESSION"] * 1000 for r in ROWS]
    assert k.cpm_micro != pytest.approx(sum(per_row_cpm) / 2)


def test_zero_denominators_give_none_not_errors() -> None:
    k = Kpis(0, 0, 0, 0, 0)
    assert k.ctr is None and k.cpc_micro is None and k.cpm_micro is None
    assert k.roas is None and k.cpa_micro is None
    assert not k.has_delivery
    spend_no_clicks = Kpis(5_000_000, 100, 0, 0, 0)
    assert spend_no_clicks.cpc_micro is None
    assert spend_no_clicks.ctr == 0
    assert spend_no_clicks.cpm_micro == pytest.approx(50_000_000)


def test_safe_div_nan_and_zero() -> None:
    assert safe_div(1, 0) is None
    assert safe_div(1, math.nan) is None
    assert safe_div(3, 4) == 0.75


def test_sum_columns_ignores_missing_and_parses_strings() -> None:
    rows = [{"A": "1.5"}, {"A": None}, {"B": 2}, {"A": 2, "B": True}]
    assert sum_columns(rows, ["A", "B"]) == {"A": 3.5, "B": 2.0}


def test_relative_change() -> None:
    assert relative_change(110, 100) == pytest.approx(0.1)
    assert relative_change(90, 100) == pytest.approx(-0.1)
    assert relative_change(5, 0) is None
    assert relative_change(None, 4) is None
    assert relative_change(-5, -10) == pytest.approx(0.5)


def test_deltas_cover_ten_tiles_and_judge_costs_inversely() -> None:
    now = Kpis(20_000_000, 5_000, 100, 4, 50_000_000)
    before = Kpis(10_000_000, 5_000, 100, 4, 50_000_000)
    deltas = {d.spec.name: d for d in kpi_deltas(now, before)}
    assert len(deltas) == 10 == len(KPI_SPECS)
    assert deltas["spend"].change == pytest.approx(1.0)
    assert deltas["spend"].is_improvement is True
    assert deltas["cpc"].change == pytest.approx(1.0)
    assert deltas["cpc"].is_improvement is False  # paying more per click is bad news
    assert deltas["roas"].change == pytest.approx(-0.5)
    assert deltas["roas"].is_improvement is False
    assert deltas["clicks"].is_improvement is None  # no change


def test_deltas_without_previous_period() -> None:
    deltas = kpi_deltas(Kpis(1, 1, 1, 1, 1), None)
    assert all(d.previous is None and d.change is None for d in deltas)


def test_pacing_daily_lifetime_and_none() -> None:
    daily = budget_pacing(30_000_000, daily_cap_micro=10_000_000, lifetime_cap_micro=None,
                          period_days=4)
    assert daily.budget_type == "daily"
    assert daily.ratio == pytest.approx(0.75)
    prorated = budget_pacing(50_000_000, daily_cap_micro=None, lifetime_cap_micro=300_000_000,
                             period_days=7, flight_days=30, flight_days_in_period=7)
    assert prorated.period_budget_micro == pytest.approx(70_000_000)
    assert prorated.ratio == pytest.approx(50 / 70)
    whole = budget_pacing(50_000_000, daily_cap_micro=None, lifetime_cap_micro=200_000_000,
                          period_days=7)
    assert whole.ratio == pytest.approx(0.25)
    none = budget_pacing(5, daily_cap_micro=None, lifetime_cap_micro=None, period_days=7)
    assert none.budget_type == "none" and none.ratio is None
