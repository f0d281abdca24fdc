"""Reach (``TOTAL_IMPRESSION_USER``) and frequency (``TOTAL_IMPRESSION_FREQUENCY``).

Reach is the number of distinct people who saw an impression (paid or earned) during the row's
own period; frequency is ``TOTAL_IMPRESSION / TOTAL_IMPRESSION_USER`` over that same period.
Pinterest documents neither how it counts people nor how they overlap, so the simulator uses one
deterministic model, chosen so that the properties a reader relies on always hold:

- **An ad group's audience.** Ad group *g* (targeting lives there) can reach ``A_g`` people:
  ``H_g`` days' worth of its expected daily impressions (paid and earned), ``H_g`` drawn once
  in [20, 60] from the stream ``(seed, account index, 0x4EAC)``.
- **Saturation.** ``I`` impressions of ad group *g* over a period reach
  ``r = A_g * (1 - exp(-I / (F * A_g)))`` people, ``F = 1.12`` (a person who sees an ad at all
  sees it about 1.12 times at first). ``r`` is concave in ``I`` with ``r(0) = 0``, so the reach
  of a period is at most the sum of the reaches of its days (sub-additive) and at least the
  largest of them; ``r <= I / F < I``.
- **Ads** of an ad group share its audience: ``r = A_g * (1 - exp(-I_ad / (F * A_g)))``.
- **Several ad groups** (a campaign, the account, ``aggregate_report_rows``) overlap at random
  within the account's audience ``U = max(max A_g, 0.7 * sum A_g)``:
  ``reach = U * (1 - prod_g (1 - r_g / U))``, at most the sum and at least the largest of the
  parts. The same formula covers any set of ads: per ad group, the saturation of the selected
  ads' impressions; then the overlap across ad groups.
- **Targeting segments** (targeting analytics, ``*_TARGETING``, KEYWORD and product levels) share
  their entity's frequency: a segment with share ``s`` of the entity's impressions in the period
  reaches ``s`` of its people (exact for disjoint segments such as age or gender; interests and
  keywords overlap in reality, the simulator does not model that).

Counts are rounded up (``ceil``, which keeps sub-additivity) and never exceed the impressions.
DAY rows carry each day's own reach; WEEK, MONTH, TOTAL and HOUR rows the reach of their own
period, never a sum of days.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

FIRST_FREQUENCY = 1.12
AUDIENCE_DAYS = (20.0, 60.0)
ACCOUNT_OVERLAP = 0.7
_ROUNDING_SLACK = 1e-7  # float noise must not push a count over an integer


def group_audiences(seed: int, account_index: int, expected_daily_total: FloatArray,
                    group_of: npt.NDArray[np.intp], n_groups: int) -> tuple[FloatArray, float]:
    """(``A_g`` per ad group position, the account's audience ``U``) from the deliverable ads'
    expected daily impressions (paid and earned) and their ad group positions."""
    rng = np.random.default_rng([seed, account_index, 0x4EAC])
    days = rng.uniform(*AUDIENCE_DAYS, n_groups)
    daily = np.bincount(group_of, weights=expected_daily_total, minlength=n_groups) \
        if len(group_of) else np.zeros(n_groups)
    audiences: FloatArray = np.maximum(daily * days, 1.0)
    live = daily > 0
    total = float(audiences[live].sum()) if live.any() else 1.0
    biggest = float(audiences[live].max()) if live.any() else 1.0
    return audiences, max(biggest, ACCOUNT_OVERLAP * total)


def saturating_reach(audience: FloatArray, impressions: FloatArray) -> FloatArray:
    """People reached by ``impressions`` within ``audience`` (floats, concave in impressions)."""
    result: FloatArray = audience * -np.expm1(-impressions / (FIRST_FREQUENCY * audience))
    return result


class ReachPlan:
    """Which ads make up each output row, fixed for one request; ``reach(impressions)`` then
    gives each row's reach for one period from the ads' impressions in that period."""

    def __init__(self, row_of_ad: npt.NDArray[np.intp], group_of: npt.NDArray[np.intp],
                 audiences: FloatArray, universe: float, n_rows: int) -> None:
        self.selected = np.flatnonzero(row_of_ad >= 0)
        rows = row_of_ad[self.selected].astype(np.int64)
        groups = group_of[self.selected].astype(np.int64)
        keys = rows * (int(groups.max(initial=0)) + 1) + groups
        _, first, self.inverse = np.unique(keys, return_index=True, return_inverse=True)
        self.pair_row = rows[first] if len(keys) else np.zeros(0, dtype=np.int64)
        self.pair_audience = audiences[groups[first]] if len(keys) else np.zeros(0)
        self.universe = universe
        self.n_rows = n_rows

    def reach(self, ad_impressions: Any) -> IntArray:
        """Reach per row (int64, rounded up, at most the row's impressions)."""
        imps = np.asarray(ad_impressions, dtype=np.float64)[self.selected]
        if not len(imps):
            return np.zeros(self.n_rows, dtype=np.int64)
        per_pair = np.asarray(
            np.bincount(self.inverse, weights=imps, minlength=len(self.pair_row)),
            dtype=np.float64)
        r = saturating_reach(self.pair_audience, per_pair)
        log_miss = np.bincount(self.pair_row, weights=np.log1p(-r / self.universe),
                               minlength=self.n_rows)
        people = self.universe * -np.expm1(log_miss)
        row_imps = np.bincount(self.pair_row, weights=per_pair, minlength=self.n_rows)
        counted = np.ceil(people * (1.0 - _ROUNDING_SLACK))
        return np.minimum(counted, row_imps).astype(np.int64)


def segment_reach(entity_reach: Any, entity_impressions: Any,
                  segment_impressions: Any) -> IntArray:
    """Reach of segments that share their entity's frequency (rounded up, <= impressions)."""
    reach = np.asarray(entity_reach, dtype=np.float64)
    total = np.asarray(entity_impressions, dtype=np.float64)
    seg = np.asarray(segment_impressions, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, seg / np.maximum(total, 1.0), 0.0)
    counted = np.ceil(reach * share * (1.0 - _ROUNDING_SLACK))
    return np.minimum(counted, seg).astype(np.int64)
