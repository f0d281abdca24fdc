"""KPI maths: the ten Overview figures from summed API columns, and their change.

Ratios are always computed from sums (never averaged), and every ratio is None when its
denominator is zero: "no clicks" has no cost per click, it is not zero and not infinite.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

# The additive columns the KPIs are computed from (all summable across rows and entities).
SPEND: Final = "SPEND_IN_MICRO_DOLLAR"
IMPRESSIONS: Final = "PAID_IMPRESSION"
# Paid pin clicks: the basis of Pinterest's own CTR and CPC columns (ECTR/ECPC add earned).
CLICKS: Final = "CLICKTHROUGH_1"
CONVERSIONS: Final = "TOTAL_CONVERSIONS"
CONVERSION_VALUE: Final = "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR"

BASE_COLUMNS: Final[tuple[str, ...]] = (SPEND, IMPRESSIONS, CLICKS, CONVERSIONS, CONVERSION_VALUE)

KpiKind = Literal["money", "count", "percent", "ratio"]
KpiName = Literal[
    "spend",
    "impressions",
    "clicks",
    "ctr",
    "cpc",
    "cpm",
    "conversions",
    "conversion_value",
    "roas",
    "cpa",
]


@dataclass(frozen=True)
class KpiSpec:
    """How one KPI is labelled, formatted and judged."""

    name: KpiName
    label: str
    kind: KpiKind
    # The Pinterest column whose delivery_metrics definition explains this KPI (help text).
    metric_column: str
    # Whether a rise is good news (False for costs: CPC, CPM, CPA).
    higher_is_better: bool
    # Fallback help when Pinterest's definition is unavailable.
    formula: str


KPI_SPECS: Final[tuple[KpiSpec, ...]] = (
    KpiSpec("spend", "Spend", "money", SPEND, True, "Amount spent, in the account currency."),
    KpiSpec("impressions", "Impressions", "count", IMPRESSIONS, True, "Paid impressions."),
    KpiSpec("clicks", "Clicks", "count", CLICKS, True, "Paid pin clicks."),
    KpiSpec("ctr", "CTR", "percent", "CTR", True, "Clicks ÷ paid impressions."),
    KpiSpec("cpc", "CPC", "money", "CPC_IN_MICRO_DOLLAR", False, "Spend ÷ clicks."),
    KpiSpec("cpm", "CPM", "money", "CPM_IN_MICRO_DOLLAR", False, "Spend ÷ impressions × 1,000."),
    KpiSpec("conversions", "Conversions", "count", CONVERSIONS, True, "Total conversions."),
    KpiSpec(
        "conversion_value",
        "Conversion value",
        "money",
        CONVERSION_VALUE,
        True,
        "Checkout value attributed to your ads.",
    ),
    KpiSpec("roas", "ROAS", "ratio", "CHECKOUT_ROAS", True, "Conversion value ÷ spend."),
    # No Pinterest column is "spend per conversion of any kind": the formula is the help.
    KpiSpec("cpa", "CPA", "money", "", False, "Spend ÷ conversions (cost per action)."),
)
KPI_BY_NAME: Final[dict[KpiName, KpiSpec]] = {spec.name: spec for spec in KPI_SPECS}


@dataclass(frozen=True)
class Kpis:
    """The Overview figures. Money in micro units of the account currency (floats for ratios)."""

    spend_micro: float
    impressions: float
    clicks: float
    conversions: float
    conversion_value_micro: float

    @property
    def ctr(self) -> float | None:
        """Click-through rate as a fraction (0.0123 is 1.23 %)."""
        return safe_div(self.clicks, self.impressions)

    @property
    def cpc_micro(self) -> float | None:
        return safe_div(self.spend_micro, self.clicks)

    @property
    def cpm_micro(self) -> float | None:
        cost_per_impression = safe_div(self.spend_micro, self.impressions)
        return None if cost_per_impression is None else cost_per_impression * 1000

    @property
    def roas(self) -> float | None:
        """Conversion value per unit of spend (3.0 means 3x)."""
        return safe_div(self.conversion_value_micro, self.spend_micro)

    @property
    def cpa_micro(self) -> float | None:
        return safe_div(self.spend_micro, self.conversions)

    def value(self, name: KpiName) -> float | None:
        """A KPI by name (money in micro units)."""
        values: dict[KpiName, float | None] = {
            "spend": self.spend_micro,
            "impressions": self.impressions,
            "clicks": self.clicks,
            "ctr": self.ctr,
            "cpc": self.cpc_micro,
            "cpm": self.cpm_micro,
            "conversions": self.conversions,
            "conversion_value": self.conversion_value_micro,
            "roas": self.roas,
            "cpa": self.cpa_micro,
        }
        return values[name]

    @property
    def has_delivery(self) -> bool:
        return self.spend_micro > 0 or self.impressions > 0


def safe_div(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, or None when the denominator is zero (or not a number)."""
    if not denominator or denominator != denominator:  # zero or NaN
        return None
    return numerator / denominator


def _number(value: object) -> float:
    """A column value as a float; missing, empty or unparsable values count as zero.

    Pinterest omits metrics that have no value, so absence means zero for additive columns.
    """
    if value is None or isinstance(value, bool):
        return 0.0
    if isinstance(value, int | float):
        return 0.0 if value != value else float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return 0.0
    return 0.0


def sum_columns(rows: Iterable[Mapping[str, object]], columns: Iterable[str]) -> dict[str, float]:
    """Column totals over rows (absent values count as zero)."""
    wanted = tuple(columns)
    totals = dict.fromkeys(wanted, 0.0)
    for row in rows:
        for column in wanted:
            totals[column] += _number(row.get(column))
    return totals


def kpis_from_totals(totals: Mapping[str, object]) -> Kpis:
    return Kpis(
        spend_micro=_number(totals.get(SPEND)),
        impressions=_number(totals.get(IMPRESSIONS)),
        clicks=_number(totals.get(CLICKS)),
        conversions=_number(totals.get(CONVERSIONS)),
        conversion_value_micro=_number(totals.get(CONVERSION_VALUE)),
    )


def kpis_from_rows(rows: Iterable[Mapping[str, object]]) -> Kpis:
    """KPIs of a set of rows (e.g. the daily rows of a period, or one row per campaign)."""
    return kpis_from_totals(sum_columns(rows, BASE_COLUMNS))


def relative_change(current: float | None, previous: float | None) -> float | None:
    """(current - previous) / previous as a fraction; None when there is nothing to compare."""
    if current is None or previous is None:
        return None
    return safe_div(current - previous, abs(previous))


@dataclass(frozen=True)
class KpiDelta:
    """One tile: the value now, the value before, and how it moved."""

    spec: KpiSpec
    current: float | None
    previous: float | None

    @property
    def change(self) -> float | None:
        return relative_change(self.current, self.previous)

    @property
    def is_improvement(self) -> bool | None:
        """Whether the move is good news (None when there is no change to judge)."""
        change = self.change
        if change is None or change == 0:
            return None
        return (change > 0) == self.spec.higher_is_better


def kpi_deltas(
    current: Kpis, previous: Kpis | None, comparable: Collection[str] | None = None
) -> list[KpiDelta]:
    """The ten tiles in display order, each against the previous period when there is one
    (only the tiles named in `comparable`, when given: the others have no fair comparison)."""
    return [
        KpiDelta(
            spec=spec,
            current=current.value(spec.name),
            previous=(None if previous is None
                      or (comparable is not None and spec.name not in comparable)
                      else previous.value(spec.name)),
        )
        for spec in KPI_SPECS
    ]


def add_ratio_columns(
    frame_rows: list[dict[str, object]],
) -> list[dict[str, object]]:
    """Rows with CTR, CPC, CPM, ROAS and CPA computed from each row's own sums (new dicts)."""
    out: list[dict[str, object]] = []
    for row in frame_rows:
        kpis = kpis_from_totals(row)
        out.append(
            {
                **row,
                "CTR": kpis.ctr,
                "CPC": kpis.cpc_micro,
                "CPM": kpis.cpm_micro,
                "ROAS": kpis.roas,
                "CPA": kpis.cpa_micro,
            }
        )
    return out


@dataclass(frozen=True)
class Pacing:
    """Spend against the budget a campaign had for the period shown."""

    budget_type: Literal["daily", "lifetime", "none"]
    period_budget_micro: float | None
    spend_micro: float

    @property
    def ratio(self) -> float | None:
        """Spend / period budget (1.0 is exactly on budget); None without a budget."""
        if self.period_budget_micro is None:
            return None
        return safe_div(self.spend_micro, self.period_budget_micro)


def budget_pacing(
    spend_micro: float,
    *,
    daily_cap_micro: float | None,
    lifetime_cap_micro: float | None,
    period_days: float,
    flight_days: float | None = None,
    flight_days_in_period: float | None = None,
) -> Pacing:
    """How a campaign paces in a period of `period_days` (today counts as its elapsed share).

    Daily cap: the budget is cap x days. Lifetime cap: the share of the flight that falls in
    the period (pro rata), or the whole cap when the flight's length is unknown.
    """
    if daily_cap_micro:
        return Pacing("daily", daily_cap_micro * period_days, spend_micro)
    if lifetime_cap_micro:
        if flight_days and flight_days_in_period is not None:
            share = min(1.0, max(0.0, flight_days_in_period / flight_days))
            return Pacing("lifetime", lifetime_cap_micro * share, spend_micro)
        return Pacing("lifetime", lifetime_cap_micro, spend_micro)
    return Pacing("none", None, spend_micro)
