"""KPI maths: the ten Overview figures from summed API columns, and their change.

Each KPI is defined once, in KPI_SPECS (formula over the base columns, frame column, format,
better direction); the tiles (`Kpis.value`) and the frames' columns (`kpi_columns`) are both
read from that table, so a new KPI is one more row there.

Ratios are always computed from sums (never averaged), and every ratio is None (NaN in a frame)
when its denominator is zero: "no clicks" has no cost per click, it is not zero and not infinite.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np

# The additive columns the KPIs are computed from (all summable across rows and entities).
SPEND: Final = "SPEND_IN_MICRO_DOLLAR"
IMPRESSIONS: Final = "PAID_IMPRESSION"
# Paid pin clicks: the basis of Pinterest's own CTR and CPC columns (ECTR/ECPC add earned).
CLICKS: Final = "CLICKTHROUGH_1"
CONVERSIONS: Final = "TOTAL_CONVERSIONS"
CONVERSION_VALUE: Final = "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR"

BASE_COLUMNS: Final[tuple[str, ...]] = (SPEND, IMPRESSIONS, CLICKS, CONVERSIONS, CONVERSION_VALUE)

KpiKind = Literal["money", "count", "percent", "ratio"]
# The KPI names as a type (mypy checks every use); a test holds it equal to KPI_SPECS' names.
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
    """One KPI, defined once: its formula over the base columns, the frame column holding it,
    how it is labelled and formatted, and which way is good news.

    The formula is `numerator` (a base column) alone, or numerator ÷ `denominator` × `scale`.
    Both the scalar tiles (`value_of`) and the frame columns (`column_of`) are read from it.
    """

    name: KpiName
    label: str
    kind: KpiKind
    numerator: str
    denominator: str | None
    # Frame column of the KPI: the base column itself for a total, a name of its own for a ratio.
    column: str
    # Whether a rise is good news (False for costs: CPC, CPM, CPA).
    higher_is_better: bool
    # The Pinterest column whose delivery_metrics definition explains this KPI (help text).
    metric_column: str
    # Fallback help when Pinterest's definition is unavailable: the formula in words.
    formula: str
    scale: float = 1.0

    @property
    def inputs(self) -> frozenset[str]:
        """The base columns the KPI is computed from."""
        return frozenset(c for c in (self.numerator, self.denominator) if c is not None)

    def value_of(self, totals: Mapping[str, float]) -> float | None:
        """The KPI of one set of summed base columns; None when its denominator is zero."""
        if self.denominator is None:
            return totals[self.numerator]
        ratio = safe_div(totals[self.numerator], totals[self.denominator])
        return None if ratio is None else ratio * self.scale

    def column_of(self, base: Mapping[str, np.ndarray]) -> np.ndarray:
        """The KPI of each row of summed base columns; NaN where its denominator is zero."""
        if self.denominator is None:
            return base[self.numerator]
        return _ratio_array(base[self.numerator], base[self.denominator]) * self.scale


def _total(name: KpiName, label: str, kind: KpiKind, column: str, formula: str) -> KpiSpec:
    """A KPI that is a base column's own sum (a rise is good news)."""
    return KpiSpec(name, label, kind, numerator=column, denominator=None, column=column,
                   higher_is_better=True, metric_column=column, formula=formula)


KPI_SPECS: Final[tuple[KpiSpec, ...]] = (
    _total("spend", "Spend", "money", SPEND, "Amount spent, in the account currency."),
    _total("impressions", "Impressions", "count", IMPRESSIONS, "Paid impressions."),
    _total("clicks", "Clicks", "count", CLICKS, "Paid pin clicks."),
    KpiSpec("ctr", "CTR", "percent", numerator=CLICKS, denominator=IMPRESSIONS, column="ctr",
            higher_is_better=True, metric_column="CTR", formula="Clicks ÷ paid impressions."),
    KpiSpec("cpc", "CPC", "money", numerator=SPEND, denominator=CLICKS, column="cpc_micro",
            higher_is_better=False, metric_column="CPC_IN_MICRO_DOLLAR",
            formula="Spend ÷ clicks."),
    KpiSpec("cpm", "CPM", "money", numerator=SPEND, denominator=IMPRESSIONS, scale=1000,
            column="cpm_micro", higher_is_better=False, metric_column="CPM_IN_MICRO_DOLLAR",
            formula="Spend ÷ impressions × 1,000."),
    _total("conversions", "Conversions", "count", CONVERSIONS, "Total conversions."),
    _total("conversion_value", "Conversion value", "money", CONVERSION_VALUE,
           "Checkout value attributed to your ads."),
    KpiSpec("roas", "ROAS", "ratio", numerator=CONVERSION_VALUE, denominator=SPEND,
            column="roas", higher_is_better=True, metric_column="CHECKOUT_ROAS",
            formula="Conversion value ÷ spend."),
    # No Pinterest column is "spend per conversion of any kind": the formula is the help.
    KpiSpec("cpa", "CPA", "money", numerator=SPEND, denominator=CONVERSIONS, column="cpa_micro",
            higher_is_better=False, metric_column="",
            formula="Spend ÷ conversions (cost per action)."),
)
KPI_BY_NAME: Final[dict[KpiName, KpiSpec]] = {spec.name: spec for spec in KPI_SPECS}
# KPI name -> frame column (money in micro units), in tile order.
KPI_COLUMNS: Final[dict[str, str]] = {spec.name: spec.column for spec in KPI_SPECS}
# What hourly rows can show and compare: the KPIs computed from spend, impressions and clicks
# alone (Pinterest serves no conversion metrics by the hour).
HOURLY_COLUMNS: Final[tuple[str, ...]] = (SPEND, IMPRESSIONS, CLICKS)
HOURLY_KPIS: Final[frozenset[str]] = frozenset(
    spec.name for spec in KPI_SPECS if spec.inputs <= set(HOURLY_COLUMNS)
)


def metric_column_kinds() -> dict[str, str]:
    """Frame column -> display kind for the ten KPI columns, in tile order."""
    return {spec.column: spec.kind for spec in KPI_SPECS}


def metric_column_labels() -> dict[str, str]:
    """Frame column -> label ("Spend", "CTR", ...) for the ten KPI columns."""
    return {spec.column: spec.label for spec in KPI_SPECS}


def kpi_columns(base: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The computed KPI columns (those that are not a base column) from each row's sums."""
    return {spec.column: spec.column_of(base) for spec in KPI_SPECS
            if spec.denominator is not None}


@dataclass(frozen=True)
class Kpis:
    """The Overview figures. Money in micro units of the account currency (floats for ratios)."""

    spend_micro: float
    impressions: float
    clicks: float
    conversions: float
    conversion_value_micro: float

    def totals(self) -> dict[str, float]:
        """The summed base columns, by API column name."""
        return {
            SPEND: self.spend_micro,
            IMPRESSIONS: self.impressions,
            CLICKS: self.clicks,
            CONVERSIONS: self.conversions,
            CONVERSION_VALUE: self.conversion_value_micro,
        }

    def value(self, name: KpiName) -> float | None:
        """A KPI by name (money in micro units)."""
        return KPI_BY_NAME[name].value_of(self.totals())

    @property
    def ctr(self) -> float | None:
        """Click-through rate as a fraction (0.0123 is 1.23 %)."""
        return self.value("ctr")

    @property
    def cpc_micro(self) -> float | None:
        return self.value("cpc")

    @property
    def cpm_micro(self) -> float | None:
        return self.value("cpm")

    @property
    def roas(self) -> float | None:
        """Conversion value per unit of spend (3.0 means 3x)."""
        return self.value("roas")

    @property
    def cpa_micro(self) -> float | None:
        return self.value("cpa")

    @property
    def has_delivery(self) -> bool:
        return self.spend_micro > 0 or self.impressions > 0


def safe_div(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, or None when the denominator is zero (or not a number)."""
    if not denominator or denominator != denominator:  # zero or NaN
        return None
    return numerator / denominator


def _ratio_array(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Element-wise numerator / denominator, NaN where the denominator is zero (safe_div's None).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator != 0, numerator / denominator, np.nan)


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


# ---------------------------------------------------------------------------------------------
# Reach and frequency: people, not sums
# ---------------------------------------------------------------------------------------------

# People who saw an ad (paid or earned) in the row's own period, and all impressions (paid and
# earned) over the same period: Pinterest's frequency is TOTAL_IMPRESSION / TOTAL_IMPRESSION_USER.
REACH: Final = "TOTAL_IMPRESSION_USER"
TOTAL_IMPRESSIONS: Final = "TOTAL_IMPRESSION"
REACH_COLUMNS: Final[tuple[str, ...]] = (TOTAL_IMPRESSIONS, REACH)
ReachName = Literal["reach", "frequency"]


@dataclass(frozen=True)
class ReachSpec:
    """A reach tile or column: like KpiSpec, but read from one TOTAL row of the period (the
    people of two days overlap, so reach is never a sum of days or of entities)."""

    name: ReachName
    label: str
    kind: KpiKind
    column: str  # frame column
    metric_column: str  # the Pinterest column whose definition is the help
    formula: str
    higher_is_better: bool = True


REACH_SPECS: Final[tuple[ReachSpec, ...]] = (
    ReachSpec("reach", "Reach", "count", "reach", REACH,
              "People who saw your ads (paid or earned) at least once in the period, counted "
              "over the whole period: someone seen on two days counts once."),
    ReachSpec("frequency", "Frequency", "ratio", "frequency", "TOTAL_IMPRESSION_FREQUENCY",
              "How often each person reached saw your ads in the period: impressions (paid "
              "and earned) ÷ reach."),
)


@dataclass(frozen=True)
class PeriodReach:
    """Reach and frequency of one period. `people` is None when Pinterest gave no reach for a
    period with impressions (the column is not served, or the range needed several calls)."""

    people: float | None
    total_impressions: float

    @property
    def frequency(self) -> float | None:
        """Impressions (paid and earned) per person reached; None without reach."""
        return None if self.people is None else safe_div(self.total_impressions, self.people)

    def value(self, name: ReachName) -> float | None:
        return self.people if name == "reach" else self.frequency


def reach_of_row(row: Mapping[str, object] | None) -> PeriodReach:
    """The reach of one TOTAL row (never of daily rows). Pinterest leaves a column out when it
    has no value: no impressions means nobody reached; impressions without reach, unknown."""
    if row is None:
        return PeriodReach(people=0.0, total_impressions=0.0)
    total = _number(row.get(TOTAL_IMPRESSIONS))
    raw = row.get(REACH)
    if raw is None:
        return PeriodReach(people=0.0 if total == 0 else None, total_impressions=total)
    return PeriodReach(people=_number(raw), total_impressions=total)


def reach_of_rows(rows: Iterable[Mapping[str, object]]) -> PeriodReach | None:
    """The period's reach from the answer of one TOTAL request for one entity (the account):
    its single row, or nobody when there is no row. None when there are several rows: they
    would have to be summed, which reach cannot be."""
    listed = list(rows)
    if len(listed) > 1:
        return None
    return reach_of_row(listed[0] if listed else None)


def reach_deltas(current: PeriodReach | None, previous: PeriodReach | None
                 ) -> list[tuple[ReachSpec, float | None, float | None]]:
    """(spec, now, before) for the reach tiles, in display order."""
    return [
        (spec, None if current is None else current.value(spec.name),
         None if previous is None else previous.value(spec.name))
        for spec in REACH_SPECS
    ]


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
