"""MetricsEngine: the simulator's ground truth for every number the API returns.

(Longer than 500 lines on purpose: one engine whose stages below are one computation over the
same arrays; the per-ad draws, targeting tilts and audience data already live in delivery.py,
targeting.py and audience.py.)

Pipeline for one account and day (all integer numpy arrays, one column per deliverable ad):

    full day (delivery.py, cached)  ->  attribution windows (floor per ad)
    ->  today: the elapsed share of the day (continuous in the clock's seconds); future: nothing
    ->  TIME_OF_CONVERSION: conversions moved to the days they happened on (up to 4 days later)
    ->  sums per campaign / ad group / account  ->  derived ratios from those sums.

Choices where Pinterest is silent (documented in docs/architecture.md too):
- A row exists only for an entity and date bucket with some delivery; a metric that is 0 or has
  no value (ratio over zero) is omitted from its row ("a metric with no value may be omitted").
- WEEK rows carry the Monday of the week and MONTH rows the first of the month, even when the
  requested range starts later (the label names the calendar bucket; values cover only the
  requested days).
- HOUR rows carry no conversion columns (as Pinterest documents), DATE "YYYY-MM-DD HH:00:00".
- Rows come in date order, then in the world's entity order.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final, Literal

import numpy as np

from pinterest_sim.audience import audience_insights, audience_scopes
from pinterest_sim.catalog import (
    ATTRIBUTE_COLUMNS,
    BASE_INDEX,
    CONVERSION_BASE_COLUMNS,
    CONVERSION_COLUMNS,
    INTERNAL_COLUMNS,
    PERIOD_COLUMNS,
    RATIO_COLUMNS,
    SCALED_COLUMNS,
    SUM_COLUMNS,
)
from pinterest_sim.clock import Clock
from pinterest_sim.delivery import (
    N_BASE,
    DeliveryModel,
    FloatArray,
    IntArray,
    day_fraction_delivered,
    enforce_funnel,
    slices_from_cumulative,
    split_cumulative,
)
from pinterest_sim.reach import ReachPlan, segment_reach
from pinterest_sim.targeting import (
    EMPTY_TYPES,
    account_weights,
    day_cum_shares,
    performance_tilts,
)
from pinterest_sim.world import World

Level = Literal["AD_ACCOUNT", "CAMPAIGN", "AD_GROUP", "AD"]
LEVELS: tuple[Level, ...] = ("AD_ACCOUNT", "CAMPAIGN", "AD_GROUP", "AD")
ID_COLUMN: Mapping[str, str] = {
    "AD_ACCOUNT": "AD_ACCOUNT_ID", "CAMPAIGN": "CAMPAIGN_ID", "AD_GROUP": "AD_GROUP_ID",
    "AD": "AD_ID",
}


@dataclass(frozen=True)
class Attribution:
    click_window_days: int = 30
    engagement_window_days: int = 30
    view_window_days: int = 1
    conversion_report_time: str = "TIME_OF_AD_ACTION"


# Share of the conversions of the longest window (60 days) that a window captures.
_CLICK_WINDOW = {0: 0.0, 1: 0.58, 7: 0.86, 14: 0.93, 30: 0.97, 60: 1.0}
_ENGAGEMENT_WINDOW = {0: 0.0, 1: 0.62, 7: 0.88, 14: 0.94, 30: 0.98, 60: 1.0}
_VIEW_WINDOW = {0: 0.0, 1: 0.70, 7: 0.90, 14: 0.95, 30: 0.98, 60: 1.0}
# TIME_OF_CONVERSION: cumulative share of an ad action's conversions reported 0..4 days later.
_LAG_CDF = (0.72, 0.87, 0.94, 0.98, 1.0)

# Rows x values per numpy pass of a targeting split (bounds the temporary arrays to ~30 MB).
_TARGETING_CHUNK = 160_000

_CONV_IDX = tuple(BASE_INDEX[c] for c in CONVERSION_BASE_COLUMNS)
_NON_CONV_IDX = tuple(i for i in range(N_BASE) if i not in _CONV_IDX)
_I = BASE_INDEX


def _window(table: Mapping[int, float], days: int) -> float:
    if days in table:
        return table[days]
    # Between the published windows: the next smaller one (never more than asked).
    return table[max((d for d in table if d <= days), default=0)]


@dataclass(frozen=True)
class _LevelIndex:
    """Runs of deliverable ads per entity of one level (ads are grouped in world order)."""

    starts: np.ndarray[Any, np.dtype[np.intp]]  # first ad of each run
    entity_pos: list[int]  # position of each run's entity in the level's entity list


StoredDay = np.ndarray[Any, np.dtype[np.int32 | np.int64]]  # a day as the cache keeps it


class _DayCache:
    """Bounded LRU of generated days, shared by every engine of the process.

    A day depends only on (seed, account, day, attribution windows) because the world is a
    function of the seed, so simulators built again and again (tests, reruns) reuse the work.
    Days whose values fit in 32 bits (all of them so far) are kept at half the size and
    widened back when read: 90 days of the 10,000-ad account (48 base rows) are 328 MB as
    int64, more than the bound, and a 90-day call then pushed out the very days it needed
    next (every call regenerated all of them: 2 s instead of 0.1 s).
    """

    def __init__(self, max_bytes: int) -> None:
        self._lock = threading.Lock()
        self._days: OrderedDict[tuple[Any, ...], StoredDay] = OrderedDict()
        self._bytes = 0
        self.max_bytes = max_bytes

    def get(self, key: tuple[Any, ...]) -> IntArray | None:
        with self._lock:
            hit = self._days.get(key)
            if hit is not None:
                self._days.move_to_end(key)
        return None if hit is None else _widened(hit)

    def put(self, key: tuple[Any, ...], arr: IntArray) -> IntArray:
        arr.setflags(write=False)
        kept = _narrowed(arr)
        with self._lock:
            if key not in self._days:
                self._days[key] = kept
                self._bytes += kept.nbytes
                while self._bytes > self.max_bytes and len(self._days) > 1:
                    _, old = self._days.popitem(last=False)
                    self._bytes -= old.nbytes
        return arr


_INT32: Final = np.iinfo(np.int32)


def _narrowed(arr: IntArray) -> StoredDay:
    """`arr` as int32 when every value fits (read-only), else as it is."""
    if arr.dtype == np.int64 and arr.size and (
            int(arr.min()) >= _INT32.min and int(arr.max()) <= _INT32.max):
        small = arr.astype(np.int32)
        small.setflags(write=False)
        return small
    return arr


def _widened(arr: StoredDay) -> IntArray:
    if arr.dtype == np.int64:
        return arr  # type: ignore[return-value]  # int64 checked just above
    wide = arr.astype(np.int64)
    wide.setflags(write=False)
    return wide


_SHARED_DAYS = _DayCache(256_000_000)
# Days missing from the cache are generated two at a time: numpy's generators release the GIL,
# so a cold 90-day range of the 10,000-ad account takes ~0.6 of the time on two cores, with the
# very same numbers (a day depends only on its own seed).
_DAY_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sim-days")
_PREFETCH_MIN_DAYS = 4
_SHARED_MODELS: dict[tuple[int, str], DeliveryModel] = {}
_MODELS_LOCK = threading.Lock()


class MetricsEngine:
    """Thread-safe; every public method may be called from many threads."""

    def __init__(self, world: World, clock: Clock) -> None:
        self.world = world
        self.clock = clock
        self._lock = threading.Lock()
        self._levels: dict[tuple[str, str], _LevelIndex] = {}
        self._days = _SHARED_DAYS

    # ----- building blocks -------------------------------------------------------------------

    def model(self, account_id: str) -> DeliveryModel:
        key = (self.world.seed, account_id)
        with _MODELS_LOCK:
            m = _SHARED_MODELS.get(key)
        if m is not None:
            return m
        account = self.world.account(account_id)
        if account is None:
            raise KeyError(f"unknown ad account {account_id}")
        built = DeliveryModel(self.world, account)
        with _MODELS_LOCK:
            return _SHARED_MODELS.setdefault(key, built)

    def _full_day(self, m: DeliveryModel, day: date) -> IntArray:
        key = (m.seed, m.account.index, day.toordinal())
        hit = self._days.get(key)
        if hit is not None:
            return hit
        return self._days.put(key, m.full_day(day))

    def _closed_day(self, m: DeliveryModel, day: date, attribution: Attribution) -> IntArray:
        """A past day under the attribution windows (cached: closed days never change)."""
        windows = (attribution.click_window_days, attribution.engagement_window_days,
                   attribution.view_window_days)
        key = (m.seed, m.account.index, day.toordinal(), windows)
        hit = self._days.get(key)
        if hit is not None:
            return hit
        # The full day itself is not kept for closed days: only the attributed copy is reused.
        offsets = m.rounding_offsets(day, N_OFFSET_ROWS)
        return self._days.put(key, _apply_windows(m.full_day(day), attribution, offsets))

    def _prefetch_closed_days(self, m: DeliveryModel, start: date, last: date,
                              attribution: Attribution) -> None:
        """Generate the uncached closed days of [start, last] in parallel (see _DAY_POOL)."""
        today = self.clock.now().date()
        windows = (attribution.click_window_days, attribution.engagement_window_days,
                   attribution.view_window_days)
        stop = min(last + timedelta(days=1), today)  # closed days only
        missing = [start + timedelta(days=i) for i in range((stop - start).days)]
        missing = [d for d in missing if self._days.get(
            (m.seed, m.account.index, d.toordinal(), windows)) is None]
        if len(missing) >= _PREFETCH_MIN_DAYS and m.n:
            list(_DAY_POOL.map(lambda d: self._closed_day(m, d, attribution), missing))

    def _attributed_day(self, m: DeliveryModel, day: date, attribution: Attribution) -> IntArray:
        """The day's values under ``attribution`` as known at the clock's now (future: zeros)."""
        now = self.clock.now()
        today = now.date()
        if day > today:
            return np.zeros((N_BASE, m.n), dtype=np.int64)
        if day < today:
            return self._closed_day(m, day, attribution)
        vals = _apply_windows(self._full_day(m, day), attribution,
                              m.rounding_offsets(day, N_OFFSET_ROWS))
        if day == today:
            fraction = day_fraction_delivered(m.hour_cdf, now)
            shares = np.full((m.n, 1), fraction)
            vals = split_cumulative(vals, shares)[:, :, 0]
        return vals

    def day_values(self, account_id: str, day: date,
                   attribution: Attribution = Attribution()) -> IntArray:
        """Ad-level values reported for ``day`` (N_BASE, deliverable ads); read-only use."""
        m = self.model(account_id)
        vals = self._attributed_day(m, day, attribution)
        if attribution.conversion_report_time != "TIME_OF_CONVERSION":
            return vals
        # Conversions show on the day they happened: a share of each of the last 5 days' ad
        # actions, so the day's own conversions are only partly on it.
        out = vals.copy()
        conv = list(_CONV_IDX)
        out[conv] = 0
        for lag in range(len(_LAG_CDF)):
            src_day = day - timedelta(days=lag)
            source = vals if lag == 0 else self._attributed_day(m, src_day, attribution)
            src = source[conv].astype(np.float64)
            offset = m.rounding_offsets(src_day, N_OFFSET_ROWS)[N_OFFSET_ROWS - 1]
            hi = np.floor(src * _LAG_CDF[lag] + offset)
            lo = np.floor(src * _LAG_CDF[lag - 1] + offset) if lag else np.floor(offset)
            out[conv] += (hi - lo).astype(np.int64)
        return out

    def _level_index(self, m: DeliveryModel, level: str) -> _LevelIndex:
        key = (m.account.id, level)
        with self._lock:
            hit = self._levels.get(key)
        if hit is not None:
            return hit
        owner = {
            "AD_ACCOUNT": np.zeros(m.n, dtype=np.intp),
            "CAMPAIGN": m.campaign_of,
            "AD_GROUP": m.group_of,
            "AD": m.ad_pos,
        }[level]
        if m.n:
            change = np.flatnonzero(np.diff(owner)) + 1
            starts = np.concatenate(([0], change)).astype(np.intp)
            entity_pos = owner[starts].tolist()
        else:
            starts = np.zeros(0, dtype=np.intp)
            entity_pos = []
        built = _LevelIndex(starts, entity_pos)
        with self._lock:
            self._levels[key] = built
        return built

    def _entities(self, m: DeliveryModel, level: str) -> Sequence[Any]:
        if level == "AD_ACCOUNT":
            return (m.account,)
        return {"CAMPAIGN": m.campaigns, "AD_GROUP": m.ad_groups, "AD": m.ads}[level]

    # ----- sync analytics --------------------------------------------------------------------

    def rows(self, account_id: str, level: Level, entity_ids: Sequence[str] | None,
             start: date, end: date, granularity: str, columns: Sequence[str],
             attribution: Attribution = Attribution(), *, aggregate: bool = False
             ) -> list[dict[str, Any]]:
        """Exactly the rows the sync analytics endpoints return (see module docstring).

        ``aggregate`` (``aggregate_report_rows=true``): one row per time bucket summed over the
        selected entities, ratios from those sums; no id column, and only the attribute
        columns whose value is the same for every selected entity (AD_ACCOUNT_ID, ...)."""
        m = self.model(account_id)
        idx = self._level_index(m, level)
        entities = self._entities(m, level)
        keep = _selected_runs(idx, entities, level, entity_ids)
        hourly = granularity == "HOUR"
        cols = _output_columns(columns, hourly)
        id_col = ID_COLUMN[level]
        out: list[dict[str, Any]] = []
        if not len(keep):
            return out
        kept_entities = [entities[idx.entity_pos[k]] for k in keep]
        attrs = _attribute_rows(kept_entities, level, cols, id_col, m.account.id,
                               self.world.at(self.clock.now()))
        if aggregate:
            attrs = [{k: val for k, val in attrs[0].items()
                      if k != id_col and all(a.get(k) == val for a in attrs)}]
        plan = _reach_plan(m, idx, keep, aggregate) if _wants_reach(cols) else None
        for label, ad_values in self._buckets(m, start, end, granularity, attribution):
            agg = np.add.reduceat(ad_values, idx.starts, axis=1)[:, keep]
            if aggregate:
                agg = agg.sum(axis=1, keepdims=True)
            present = _has_delivery(agg, hourly)
            if present.any():
                reach = None if plan is None else plan.reach(_total_impressions(ad_values))
                out.extend(_format_rows(agg, present, attrs, label, cols, reach))
        return out

    def _buckets(self, m: DeliveryModel, start: date, end: date, granularity: str,
                 attribution: Attribution) -> Iterator[tuple[str | None, IntArray]]:
        """(DATE label, ad-level values) per time bucket, in date order."""
        today = self.clock.now().date()
        last = min(end, today)
        if granularity == "HOUR":
            yield from self._hour_buckets(m, start, last, attribution)
            return
        self._prefetch_closed_days(m, start, last, attribution)
        current: str | None = None
        acc: IntArray | None = None
        for label, day in _day_labels(start, last, granularity):
            vals = self.day_values(m.account.id, day, attribution)
            if acc is not None and label != current:
                yield current, acc
                acc = None
            acc = vals if acc is None else acc + vals  # never mutated in place
            current = label
        if acc is not None:
            yield current, acc

    def _hour_buckets(self, m: DeliveryModel, start: date, last: date,
                      attribution: Attribution) -> Iterator[tuple[str | None, IntArray]]:
        now = self.clock.now()
        day = start
        while day <= last:
            vals = self._attributed_day(m, day, attribution)
            shares = hour_shares(m.hour_cdf, day, now)
            if shares is not None and m.n:
                cum = split_cumulative(vals, np.broadcast_to(shares, (m.n, 24)).copy(),
                                       _NON_CONV_IDX)
                per_hour = slices_from_cumulative(cum)
                per_hour[list(_CONV_IDX)] = 0
                for h in range(24):
                    yield f"{day.isoformat()} {h:02d}:00:00", per_hour[:, :, h]
            day += timedelta(days=1)

    # ----- targeting analytics ---------------------------------------------------------------

    def targeting_rows(self, account_id: str, level: Level, entity_ids: Sequence[str] | None,
                       targeting_types: Sequence[str], start: date, end: date, granularity: str,
                       columns: Sequence[str], attribution: Attribution = Attribution()
                       ) -> list[dict[str, Any]]:
        """``[{"targeting_type", "targeting_value", "metrics": {...}}]``; per type and entity
        the values sum exactly to the entity's total (see targeting.py)."""
        m = self.model(account_id)
        split_level = "CAMPAIGN" if level == "AD_ACCOUNT" else level
        split_idx = self._level_index(m, split_level)
        split_entities = self._entities(m, split_level)
        # At AD_ACCOUNT, ids are campaign ids (the product levels' catalog campaigns).
        keep = _selected_runs(split_idx, split_entities, split_level, entity_ids)
        hourly = granularity == "HOUR"
        cols = _output_columns(columns, hourly)
        needed = _base_needed(cols)
        id_col = ID_COLUMN[level]
        out: list[dict[str, Any]] = []
        if not len(keep) or not needed:
            return out
        if level == "AD_ACCOUNT":
            out_entities: list[Any] = [m.account]
        else:
            out_entities = [split_entities[split_idx.entity_pos[k]] for k in keep]
        attrs = _attribute_rows(out_entities, level, cols, id_col, m.account.id,
                               self.world.at(self.clock.now()))
        n_runs = len(split_idx.entity_pos)
        # Segments share their entity's frequency over the bucket (reach.py).
        plan = (_reach_plan(m, split_idx, keep, level == "AD_ACCOUNT") if _wants_reach(cols)
                else None)
        for ttype in dict.fromkeys(targeting_types):
            if ttype in EMPTY_TYPES:
                continue
            values, weights = account_weights(self.world.seed, m.account, ttype)
            if not values:
                continue
            tilts = performance_tilts(self.world.seed, m.account, ttype, values)
            shares_of_day: dict[int, FloatArray] = {}
            for label, buckets in self._targeting_buckets(m, start, end, granularity,
                                                         attribution):
                acc: IntArray | None = None
                # Days are split together in chunks (one numpy pass instead of one per day);
                # each row keeps its own offsets, so the result equals day-by-day splitting.
                per_chunk = max(1, _TARGETING_CHUNK // max(1, len(keep) * len(values)))
                for first in range(0, len(buckets), per_chunk):
                    chunk = buckets[first:first + per_chunk]
                    runs, shares, offsets = [], [], []
                    for ordinal, ad_values in chunk:
                        if ordinal not in shares_of_day:
                            shares_of_day[ordinal] = day_cum_shares(
                                self.world.seed, m.account, ttype, split_level, ordinal,
                                weights, n_runs)
                        runs.append(np.add.reduceat(ad_values, split_idx.starts, axis=1)[:, keep])
                        shares.append(shares_of_day[ordinal][keep])
                        offsets.append((keep + 1) * 0.6180339887498949
                                       + (ordinal % 1000) * 0.381966)
                    cum = split_cumulative(np.concatenate(runs, axis=1), np.concatenate(shares),
                                           needed, row_offsets=np.concatenate(offsets),
                                           multipliers=tilts)
                    # (N_BASE, days x runs, values); a tilted segment must not show more
                    # clicks than impressions, nor more conversions than clicks.
                    part = enforce_funnel(slices_from_cumulative(cum))
                    part = part.reshape(N_BASE, len(chunk), len(keep), len(values)).sum(axis=1)
                    if level == "AD_ACCOUNT":
                        part = part.sum(axis=1, keepdims=True)
                    acc = part if acc is None else acc + part
                if acc is None:
                    continue
                n_ent, k = acc.shape[1], acc.shape[2]
                flat = acc.reshape(N_BASE, n_ent * k)
                present = _has_delivery(flat, hourly)
                if not present.any():
                    continue
                reach = None
                if plan is not None:
                    period = _total_impressions(buckets[0][1])
                    for _, more in buckets[1:]:
                        period = period + _total_impressions(more)
                    segments = _total_impressions(acc)  # (entities, values)
                    reach = segment_reach(
                        plan.reach(period)[:, None],
                        segments.sum(axis=1, keepdims=True), segments).reshape(n_ent * k)
                flat_attrs = [attrs[j] for j in range(n_ent) for _ in range(k)]
                rows = _format_rows(flat, present, flat_attrs, label, cols, reach)
                flat_values = [v for _ in range(n_ent) for v in values]
                for j, row in zip(np.flatnonzero(present).tolist(), rows, strict=True):
                    out.append({"targeting_type": ttype, "targeting_value": flat_values[j],
                                "metrics": row})
        return out

    def _targeting_buckets(self, m: DeliveryModel, start: date, end: date, granularity: str,
                           attribution: Attribution
                           ) -> Iterator[tuple[str | None, list[tuple[int, IntArray]]]]:
        """(label, [(day ordinal, ad-level values of that day or hour)]) per time bucket."""
        if granularity == "HOUR":
            today = self.clock.now().date()
            for label, values in self._hour_buckets(m, start, min(end, today), attribution):
                ordinal = date.fromisoformat(str(label)[:10]).toordinal()
                yield label, [(ordinal, values)]
            return
        self._prefetch_closed_days(m, start, min(end, self.clock.now().date()), attribution)
        current: str | None = None
        parts: list[tuple[int, IntArray]] = []
        for label, day in _day_labels(start, min(end, self.clock.now().date()), granularity):
            if parts and label != current:
                yield current, parts
                parts = []
            parts.append((day.toordinal(), self.day_values(m.account.id, day, attribution)))
            current = label
        if parts:
            yield current, parts

    # ----- resources -------------------------------------------------------------------------

    def audience_insights(self, account_id: str, insight_type: str) -> dict[str, Any]:
        """``AudienceInsightsResponse`` for YOUR_TOTAL_AUDIENCE, YOUR_ENGAGED_AUDIENCE or
        PINTEREST_TOTAL_AUDIENCE."""
        m = self.model(account_id)
        monthly = float(m.expected_impressions.sum()) * 30.0 * 1.15  # paid + earned
        return audience_insights(self.world.seed, m.account, insight_type, monthly,
                                 self.clock.now().date())

    def audience_scopes(self, account_id: str) -> dict[str, Any]:
        """``AudienceDefinitionResponse`` (the same audiences for every account)."""
        self.model(account_id)  # unknown accounts raise KeyError like elsewhere
        return audience_scopes(self.clock.now().date())

    def metrics_ready_state(self, day: date) -> dict[str, bool]:
        """Conversions settle two days after the day; other metrics once the day has closed."""
        today = self.clock.now().date()
        return {
            "conversion_metrics_ready": day <= today - timedelta(days=2),
            "non_conversion_metrics_ready": day < today,
        }


def _day_labels(start: date, last: date, granularity: str) -> Iterator[tuple[str | None, date]]:
    """Each day from start to last with the DATE label of its bucket."""
    label_of: Callable[[date], str | None] = {
        "TOTAL": lambda d: None,
        "DAY": lambda d: d.isoformat(),
        "WEEK": lambda d: (d - timedelta(days=d.weekday())).isoformat(),
        "MONTH": lambda d: d.replace(day=1).isoformat(),
    }[granularity]
    day = start
    while day <= last:
        yield label_of(day), day
        day += timedelta(days=1)


def _wants_reach(cols: Sequence[str]) -> bool:
    return any(c in PERIOD_COLUMNS for c in cols)


def _total_impressions(values: IntArray) -> IntArray:
    """Paid plus earned impressions of (N_BASE, ...) values."""
    total: IntArray = values[BASE_INDEX["IMPRESSION_1"]] + values[BASE_INDEX["IMPRESSION_2"]]
    return total


def _reach_plan(m: DeliveryModel, idx: _LevelIndex, keep: np.ndarray[Any, np.dtype[np.intp]],
                one_row: bool) -> ReachPlan:
    """Reach of each kept run of ``idx`` (or of all of them together when ``one_row``)."""
    lengths = np.diff(idx.starts, append=m.n)
    run_of_ad = np.repeat(np.arange(len(idx.starts), dtype=np.intp), lengths)
    row_of_run = np.full(len(idx.starts), -1, dtype=np.intp)
    row_of_run[keep] = 0 if one_row else np.arange(len(keep), dtype=np.intp)
    return ReachPlan(row_of_run[run_of_ad], m.group_of, m.group_audience, m.universe,
                     1 if one_row else len(keep))


def _base_needed(cols: Sequence[str]) -> list[int]:
    """Base column indices that the requested metric columns are computed from."""
    needed: set[int] = set()

    def add(col: str) -> None:
        if col in BASE_INDEX:
            needed.add(BASE_INDEX[col])
        elif col in SUM_COLUMNS:
            for p in SUM_COLUMNS[col]:
                add(p)
        elif col in SCALED_COLUMNS:
            add(SCALED_COLUMNS[col][0])
        elif col in RATIO_COLUMNS:
            add(RATIO_COLUMNS[col][0])
            add(RATIO_COLUMNS[col][1])
        elif col in PERIOD_COLUMNS:
            for p in PERIOD_COLUMNS[col]:
                add(p)

    for c in cols:
        add(c)
    return sorted(needed)


def hour_shares(cdf: FloatArray, day: date, now: Any) -> FloatArray | None:
    """Cumulative share of the day's (already elapsed) values at the end of each UTC hour."""
    today = now.date()
    if day > today:
        return None
    ends = cdf[1:].copy()
    if day < today:
        return ends
    fraction = day_fraction_delivered(cdf, now)
    if fraction <= 0:
        return None
    return np.minimum(ends, fraction) / fraction


def _apply_windows(full: IntArray, a: Attribution, offsets: FloatArray) -> IntArray:
    """Conversions as counted by the windows of ``a`` (the full day is the 60-day count).

    Each ad's count is scaled and rounded with a fixed offset (``offsets``, one row per scaled
    column): unbiased, never above the full count, and monotone in the window."""
    click = _window(_CLICK_WINDOW, a.click_window_days)
    eng = _window(_ENGAGEMENT_WINDOW, a.engagement_window_days)
    view = _window(_VIEW_WINDOW, a.view_window_days)
    blend = 0.7 * click + 0.2 * eng + 0.1 * view
    factors = {
        "TOTAL_CLICK_CHECKOUT": click, "TOTAL_VIEW_CHECKOUT": view,
        "TOTAL_ENGAGEMENT_CHECKOUT": eng, "TOTAL_SIGNUP": blend, "TOTAL_CLICK_LEAD": click,
        "TOTAL_CLICK_ADD_TO_CART": blend, "TOTAL_PAGE_VISIT": blend, "TOTAL_VIEW_LEAD": view,
        "TOTAL_ENGAGEMENT_LEAD": eng,
    }
    vals = full.copy()
    for k, (col, factor) in enumerate(factors.items()):
        src = full[_I[col]].astype(np.float64)
        vals[_I[col]] = np.floor(src * factor + offsets[k]) if factor > 0 else 0
    # Values follow the conversions that remain.
    for value_col, count_col in (
        ("TOTAL_CLICK_CHECKOUT_VALUE_IN_MICRO_DOLLAR", "TOTAL_CLICK_CHECKOUT"),
        ("TOTAL_VIEW_CHECKOUT_VALUE_IN_MICRO_DOLLAR", "TOTAL_VIEW_CHECKOUT"),
        ("TOTAL_ENGAGEMENT_CHECKOUT_VALUE_IN_MICRO_DOLLAR", "TOTAL_ENGAGEMENT_CHECKOUT"),
        ("PAGE_VISIT_VALUE_IN_MICRO_DOLLAR", "TOTAL_PAGE_VISIT"),
    ):
        before = full[_I[count_col]].astype(np.float64)
        after = vals[_I[count_col]].astype(np.float64)
        value = full[_I[value_col]].astype(np.float64)
        vals[_I[value_col]] = np.where(
            before > 0, np.floor(value * (after / np.maximum(before, 1.0))), 0)
    return vals


N_OFFSET_ROWS = 10  # 9 scaled conversion columns + the TIME_OF_CONVERSION lag


def _selected_runs(idx: _LevelIndex, entities: Sequence[Any], level: str,
                   entity_ids: Sequence[str] | None) -> np.ndarray[Any, np.dtype[np.intp]]:
    """Indices of the runs (delivering entities) to report, in world order."""
    if entity_ids is None or level == "AD_ACCOUNT":
        return np.arange(len(idx.entity_pos), dtype=np.intp)
    wanted = set(entity_ids)
    return np.array([k for k, p in enumerate(idx.entity_pos) if entities[p].id in wanted],
                    dtype=np.intp)


def _has_delivery(agg: IntArray, hourly: bool) -> np.ndarray[Any, np.dtype[np.bool_]]:
    rows = agg[list(_NON_CONV_IDX)] if hourly else agg
    result: np.ndarray[Any, np.dtype[np.bool_]] = (rows != 0).any(axis=0)
    return result


def _output_columns(columns: Sequence[str], hourly: bool) -> list[str]:
    seen: list[str] = []
    for c in columns:
        if c in seen or c in INTERNAL_COLUMNS:
            continue
        if hourly and c in CONVERSION_COLUMNS:
            continue
        seen.append(c)
    return seen


def column_values(agg: IntArray, col: str) -> list[Any] | None:
    """Values of metric ``col`` for each column of ``agg`` (None: not a served metric)."""
    if col in BASE_INDEX and col not in INTERNAL_COLUMNS:
        return agg[BASE_INDEX[col]].tolist()  # type: ignore[no-any-return]
    if col in SUM_COLUMNS:
        return _sum(agg, col).tolist()  # type: ignore[no-any-return]
    if col in SCALED_COLUMNS:
        src, divisor = SCALED_COLUMNS[col]
        return (_metric(agg, src) / divisor).tolist()  # type: ignore[no-any-return]
    if col in RATIO_COLUMNS:
        num, den, factor = RATIO_COLUMNS[col]
        n = _metric(agg, num).astype(np.float64)
        d = _metric(agg, den).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(d > 0, n / np.maximum(d, 1) * factor, np.nan)
        return [None if v != v else v for v in r.tolist()]
    return None


def _sum(agg: IntArray, col: str) -> IntArray:
    parts = SUM_COLUMNS[col]
    total: IntArray = agg[BASE_INDEX[parts[0]]].copy()
    for p in parts[1:]:
        total += agg[BASE_INDEX[p]]
    return total


def _metric(agg: IntArray, col: str) -> IntArray:
    return agg[BASE_INDEX[col]] if col in BASE_INDEX else _sum(agg, col)


def attribute_value(entity: Any, level: str, col: str, lookups: Mapping[str, Any],
                    account_id: str) -> Any:
    """The value of an attribute column for an entity of ``level`` (None when it has none);
    ``lookups``: the account's campaigns and ad groups by id."""
    if col in ("AD_ACCOUNT_ID", "ADVERTISER_ID"):
        return account_id
    campaign = entity if level == "CAMPAIGN" else lookups.get(getattr(entity, "campaign_id", ""))
    group = entity if level == "AD_GROUP" else lookups.get(getattr(entity, "ad_group_id", ""))
    ad = entity if level == "AD" else None
    if col.startswith("CAMPAIGN_") and campaign is not None:
        return {
            "CAMPAIGN_ID": campaign.id, "CAMPAIGN_NAME": campaign.name,
            "CAMPAIGN_ENTITY_STATUS": campaign.status, "CAMPAIGN_STATUS": campaign.status,
            "CAMPAIGN_OBJECTIVE_TYPE": campaign.objective_type,
            "CAMPAIGN_DAILY_SPEND_CAP": campaign.daily_spend_cap,
            "CAMPAIGN_LIFETIME_SPEND_CAP": campaign.lifetime_spend_cap,
        }.get(col)
    if col.startswith("AD_GROUP_") and group is not None:
        return {
            "AD_GROUP_ID": group.id, "AD_GROUP_NAME": group.name,
            "AD_GROUP_ENTITY_STATUS": group.status, "AD_GROUP_STATUS": group.status,
            "AD_GROUP_BUDGET_TYPE": group.budget_type,
        }.get(col)
    if ad is not None:
        return {"AD_ID": ad.id, "PIN_PROMOTION_ID": ad.id, "AD_NAME": ad.name,
                "PIN_ID": ad.pin_id, "AD_STATUS": ad.status,
                "PIN_PROMOTION_STATUS": ad.status}.get(col)
    return None


def _attribute_rows(entities: Sequence[Any], level: str, cols: Sequence[str], id_col: str,
                    account_id: str, world: World) -> list[dict[str, Any]]:
    """Per entity: its id column and the requested attribute columns (the start of each row).
    ``world``: the world at the clock's now, so statuses, caps and budgets are today's."""
    attr_cols = [c for c in cols if c in ATTRIBUTE_COLUMNS and c != id_col]
    rows = []
    current: dict[str, Any] = {}
    if attr_cols and level != "AD_ACCOUNT":
        ents = world.account_entities(account_id)
        every: tuple[Any, ...] = (*ents.campaigns, *ents.ad_groups, *ents.ads)
        current = {e.id: e for e in every}
    for ent in entities:
        ent = current.get(ent.id, ent)
        row: dict[str, Any] = {id_col: ent.id}
        for c in attr_cols:
            v = attribute_value(ent, level, c, current, account_id)
            if v is not None:
                row[c] = v
        rows.append(row)
    return rows


def _format_rows(agg: IntArray, present: np.ndarray[Any, np.dtype[np.bool_]],
                 attrs: Sequence[dict[str, Any]], label: str | None,
                 cols: Sequence[str], reach: IntArray | None = None) -> list[dict[str, Any]]:
    """``reach``: people reached per column of ``agg`` over the bucket (reach.py), needed when
    a PERIOD_COLUMNS column is asked."""
    metric_values: list[tuple[str, list[Any]]] = []
    for c in cols:
        vals = column_values(agg, c) if c not in PERIOD_COLUMNS else \
            _period_values(agg, c, reach)
        if vals is not None:
            metric_values.append((c, vals))
    rows: list[dict[str, Any]] = []
    for j in np.flatnonzero(present).tolist():
        row = dict(attrs[j])
        if label is not None:
            row["DATE"] = label
        for c, vals in metric_values:
            v = vals[j]
            if v:  # 0 and None are omitted
                row[c] = v
        rows.append(row)
    return rows


def _period_values(agg: IntArray, col: str, reach: IntArray | None) -> list[Any] | None:
    if reach is None:
        return None
    if col == "TOTAL_IMPRESSION_USER":
        return reach.tolist()  # type: ignore[no-any-return]
    impressions = _total_impressions(agg).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        freq = np.where(reach > 0, impressions / np.maximum(reach, 1), np.nan)
    return [None if v != v else v for v in freq.tolist()]
