"""KPI maths: ratios from sums, zero denominators, deltas, pacing; the KPI table, whose scalar
(tile) and vectorised (frame column) forms agree with each other and with formulas written here."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import get_args

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.kpis import (
    HOURLY_KPIS,
    KPI_COLUMNS,
    KPI_SPECS,
    KpiName,
    Kpis,
    KpiSpec,
    budget_pacing,
    kpi_deltas,
    kpis_from_rows,
    kpis_from_totals,
    metric_column_kinds,
    metric_column_labels,
    relative_change,
    safe_div,
    sum_columns,
)
from dashboard.loaders import add_kpi_columns

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


# --- The KPI table: each KPI defined once, tiles and frame columns both read from it ---------

BASE = {
    "spend": "SPEND_IN_MICRO_DOLLAR",
    "impressions": "PAID_IMPRESSION",
    "clicks": "CLICKTHROUGH_1",
    "conversions": "TOTAL_CONVERSIONS",
    "value": "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR",
}


def _over(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


# The ten KPIs written out here, independently of dashboard.kpis, from a row of base sums.
INDEPENDENT: dict[str, Callable[[dict[str, float]], float | None]] = {
    "spend": lambda t: t[BASE["spend"]],
    "impressions": lambda t: t[BASE["impressions"]],
    "clicks": lambda t: t[BASE["clicks"]],
    "ctr": lambda t: _over(t[BASE["clicks"]], t[BASE["impressions"]]),
    "cpc": lambda t: _over(t[BASE["spend"]], t[BASE["clicks"]]),
    "cpm": lambda t: _over(t[BASE["spend"]] * 1000, t[BASE["impressions"]]),
    "conversions": lambda t: t[BASE["conversions"]],
    "conversion_value": lambda t: t[BASE["value"]],
    "roas": lambda t: _over(t[BASE["value"]], t[BASE["spend"]]),
    "cpa": lambda t: _over(t[BASE["spend"]], t[BASE["conversions"]]),
}

# A base value: zero often (the denominators that matter), integers as Pinterest sends them,
# fractional sums, or absent (Pinterest leaves out metrics without a value).
_value = st.one_of(
    st.just(0),
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=10**14).map(lambda cents: cents / 100),
)
_row = st.dictionaries(st.sampled_from(list(BASE.values())), _value)


@settings(max_examples=150, deadline=None)
@given(st.lists(_row, min_size=1, max_size=12))
def test_tiles_and_frame_columns_agree_with_each_other_and_the_formulas(
    rows: list[dict[str, float]],
) -> None:
    frame = add_kpi_columns(pd.DataFrame(rows))
    for position, row in enumerate(rows):
        tile = kpis_from_totals(row)
        totals = {column: float(row.get(column, 0)) for column in BASE.values()}
        for spec in KPI_SPECS:
            scalar = tile.value(spec.name)
            vectorised = float(frame[KPI_COLUMNS[spec.name]].iloc[position])
            expected = INDEPENDENT[spec.name](totals)
            if expected is None:  # zero denominator: no value, not 0 and not infinity
                assert scalar is None and math.isnan(vectorised), spec.name
            else:
                assert scalar == pytest.approx(expected, rel=1e-12), spec.name
                assert vectorised == scalar, spec.name  # the same number, bit for bit


def test_the_table_covers_every_kpi_name_once_with_its_own_frame_column() -> None:
    names = [spec.name for spec in KPI_SPECS]
    assert names == list(get_args(KpiName)) == list(INDEPENDENT)
    assert list(KPI_COLUMNS) == names
    assert len(set(KPI_COLUMNS.values())) == len(names)
    # The five totals are their base columns; the five ratios get columns of their own.
    assert {KPI_COLUMNS[n] for n in ("spend", "impressions", "clicks", "conversions",
                                     "conversion_value")} == set(BASE.values())
    assert metric_column_labels()["cpm_micro"] == "CPM"
    assert metric_column_kinds()["ctr"] == "percent"


def test_costs_are_the_kpis_where_a_fall_is_good_news() -> None:
    assert {s.name for s in KPI_SPECS if not s.higher_is_better} == {"cpc", "cpm", "cpa"}


def test_hourly_kpis_are_those_without_conversion_columns() -> None:
    over_spend_impressions_clicks = {"spend", "impressions", "clicks", "ctr", "cpc", "cpm"}
    assert over_spend_impressions_clicks == HOURLY_KPIS


def test_a_new_row_is_a_new_kpi_in_tiles_and_frames_alike() -> None:
    """Adding a KPI is one row: its formula is evaluated by both forms without new code."""
    cvr = KpiSpec("cvr", "Conversion rate", "percent",  # type: ignore[arg-type]
                  numerator=BASE["conversions"], denominator=BASE["clicks"], column="cvr",
                  higher_is_better=True, metric_column="", formula="Conversions ÷ clicks.",
                  scale=100)
    totals = {BASE["conversions"]: 3.0, BASE["clicks"]: 12.0}
    assert cvr.value_of(totals) == pytest.approx(25.0)
    assert cvr.value_of({**totals, BASE["clicks"]: 0.0}) is None
    column = cvr.column_of({BASE["conversions"]: np.array([3.0, 1.0]),
                            BASE["clicks"]: np.array([12.0, 0.0])})
    assert column[0] == pytest.approx(25.0) and math.isnan(column[1])
