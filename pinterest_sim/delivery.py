"""Ad-level daily delivery: the integers every number of the simulator is summed from.

For each account a ``DeliveryModel`` fixes, from the seed, each ad's daily budget, CPM, CTR and
conversion profile. ``full_day(day)`` then draws one day for every deliverable ad with a numpy
generator seeded by ``(seed, account index, day ordinal)``, so a day is the same whatever range is
asked and in whatever order. Higher levels are sums of these ad rows, so they add up exactly.

``split_cumulative`` slices a day (into hours, into the elapsed part of today, into targeting
values) with every column riding on its parent's slice: clicks never exceed impressions in a
slice, CPM stays steady and the slices always sum back to the whole.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime

import numpy as np
import numpy.typing as npt

from pinterest_sim.catalog import BASE_COLUMNS, BASE_INDEX, BASE_PARENTS, VIDEO_STAGES
from pinterest_sim.reach import group_audiences
from pinterest_sim.world import MICRO, AdAccount, World

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

N_BASE = len(BASE_COLUMNS)
I = BASE_INDEX  # noqa: E741 - short alias used in array indexing below

# CPM band per currency, in major units per 1,000 paid impressions.
CPM_BAND: Mapping[str, tuple[float, float]] = {
    "USD": (4.0, 12.0), "EUR": (3.5, 10.5), "GBP": (3.0, 9.5), "JPY": (600.0, 1500.0),
}
# Average order value per currency, major units.
AOV_BAND: Mapping[str, tuple[float, float]] = {
    "USD": (45.0, 140.0), "EUR": (40.0, 120.0), "GBP": (35.0, 110.0), "JPY": (6000.0, 18000.0),
}
# Monday .. Sunday: Pinterest delivery dips on Saturday, recovers on Sunday evening.
WEEKDAY_FACTOR = (1.0, 1.03, 1.04, 1.01, 0.94, 0.80, 0.90)

# Share of the day's delivery per local hour (0 = midnight): quiet nights, evening peak.
_LOCAL_HOURLY = np.array([
    1.2, 0.8, 0.6, 0.5, 0.5, 0.7, 1.3, 2.4, 3.4, 4.0, 4.3, 4.5,
    4.7, 4.8, 4.7, 4.7, 4.9, 5.3, 6.0, 6.8, 7.4, 7.1, 5.4, 3.0,
])


def hourly_cdf(utc_offset_hours: int) -> FloatArray:
    """Cumulative share of a UTC day's delivery at the end of each UTC hour (25 points, 0..1)."""
    local = np.roll(_LOCAL_HOURLY, -utc_offset_hours)  # UTC hour h is local hour h + offset
    share = local / local.sum()
    cdf = np.concatenate(([0.0], np.cumsum(share)))
    cdf[-1] = 1.0
    return cdf


def day_fraction_delivered(cdf: FloatArray, now: datetime) -> float:
    """Share of today's (UTC) delivery done at ``now``: linear within the hour, so continuous."""
    now = now.astimezone(UTC)
    seconds = now.hour * 3600 + now.minute * 60 + now.second + now.microsecond / 1e6
    hour = min(int(seconds // 3600), 23)
    within = (seconds - hour * 3600) / 3600.0
    return float(cdf[hour] + (cdf[hour + 1] - cdf[hour]) * within)


def seasonality(day: date, phase: float) -> float:
    doy = day.timetuple().tm_yday
    yearly = 1.0 + 0.10 * math.sin(2 * math.pi * (doy - 100) / 365.25)
    holidays = 0.45 * math.exp(-(((doy - 335) / 22.0) ** 2))  # late Nov - Dec
    valentine = 0.12 * math.exp(-(((doy - 42) / 6.0) ** 2))
    drift = 1.0 + 0.08 * math.sin(2 * math.pi * day.toordinal() / 173.0 + phase)
    return (yearly + holidays + valentine) * drift


class DeliveryModel:
    """Per-ad delivery parameters of one account, and its daily draws."""

    def __init__(self, world: World, account: AdAccount) -> None:
        self.account = account
        self.seed = world.seed
        ents = world.account_entities(account.id)
        self.campaigns = ents.campaigns
        self.ad_groups = ents.ad_groups
        self.ads = ents.ads
        campaign_pos = {c.id: i for i, c in enumerate(self.campaigns)}
        group_pos = {g.id: i for i, g in enumerate(self.ad_groups)}
        groups_by_id = {g.id: g for g in self.ad_groups}
        campaigns_by_id = {c.id: c for c in self.campaigns}

        # Every ad that may be live on some day: none of ad, ad group, campaign archived. Which
        # of them deliver on a day follows their statuses at 00:00 UTC that day (history.py).
        deliverable = [
            i for i, ad in enumerate(self.ads)
            if ad.status != "ARCHIVED" and groups_by_id[ad.ad_group_id].status != "ARCHIVED"
            and campaigns_by_id[ad.campaign_id].status != "ARCHIVED"
        ]
        # Positions (in the account's ad list) of the ads that can deliver, in world order, so
        # that their campaigns and ad groups form contiguous runs (np.add.reduceat works).
        self.ad_pos: npt.NDArray[np.intp] = np.array(deliverable, dtype=np.intp)
        n = len(deliverable)
        self.n = n
        self.campaign_of = np.array(
            [campaign_pos[self.ads[i].campaign_id] for i in deliverable], dtype=np.intp)
        self.group_of = np.array(
            [group_pos[self.ads[i].ad_group_id] for i in deliverable], dtype=np.intp)
        start_days: list[int] = []
        end_days: list[int] = []
        for i in deliverable:
            ad = self.ads[i]
            g = groups_by_id[ad.ad_group_id]
            c = campaigns_by_id[ad.campaign_id]
            start = max(ad.created_time, g.start_time, c.start_time)
            # Delivery starts on the first UTC day that begins after creation and start (like
            # an edit, history.py), so nothing is delivered before the ad exists.
            start_days.append(datetime.fromtimestamp(start - 1, UTC).date().toordinal() + 1)
            end = c.end_time if c.end_time is not None else g.end_time
            end_days.append(date.max.toordinal() if end is None
                            else datetime.fromtimestamp(end, UTC).date().toordinal())
        self.start_ord = np.array(start_days, dtype=np.int64)
        self.end_ord = np.array(end_days, dtype=np.int64)
        self.history = world.history(account.id)
        nc, ng = len(self.campaigns), len(self.ad_groups)
        # History positions (campaigns, then ad groups, then ads) of each deliverable ad's chain.
        self._chain = np.stack([
            np.array([campaign_pos[self.ads[i].campaign_id] for i in deliverable], dtype=np.intp),
            np.array([nc + group_pos[self.ads[i].ad_group_id] for i in deliverable],
                     dtype=np.intp),
            np.array([nc + ng + i for i in deliverable], dtype=np.intp),
        ]) if deliverable else np.zeros((3, 0), dtype=np.intp)

        rng = np.random.default_rng([self.seed, account.index, 0x5EED])
        cur = account.currency
        lo, hi = CPM_BAND[cur]
        objective = [campaigns_by_id[self.ads[i].campaign_id].objective_type for i in deliverable]
        obj_cpm = np.array([{"AWARENESS": 0.8, "VIDEO_COMPLETION": 0.9, "CONSIDERATION": 1.0,
                             "WEB_CONVERSION": 1.2, "CATALOG_SALES": 1.15}[o] for o in objective])
        cpm = math.sqrt(lo * hi) * obj_cpm * rng.lognormal(0.0, 0.25, n)
        # Keep room for the daily +-5% noise inside the currency band.
        self.cpm_micro = np.clip(cpm, lo * 1.06, hi * 0.94) * MICRO

        # Daily spend target: the ad group's budget shared among its live ads, paced 55-95%.
        live_in_group = np.bincount(self.group_of, minlength=len(self.ad_groups)) if n else \
            np.zeros(len(self.ad_groups), dtype=np.int64)
        budgets = np.array([
            (g.budget_in_micro_currency or 0) / (30.0 if g.budget_type == "LIFETIME" else 1.0)
            for g in self.ad_groups
        ])
        weight = rng.lognormal(0.0, 0.6, n)
        group_weight = np.bincount(self.group_of, weights=weight, minlength=len(self.ad_groups)) \
            if n else np.zeros(len(self.ad_groups))
        share = weight / np.maximum(group_weight[self.group_of], 1e-9) if n else weight
        pacing = rng.uniform(0.55, 0.95, n)
        spend_target = budgets[self.group_of] * share * pacing if n else np.zeros(0)
        del live_in_group
        # A typical day with every ad live (audiences, insights); a given day shares each ad
        # group's budget of that day among its ads live that day (full_day).
        self.expected_impressions = spend_target / self.cpm_micro * 1000.0
        self.spend_weight = weight
        self.pacing = pacing
        self.lifetime_group = np.array([g.budget_type == "LIFETIME" for g in self.ad_groups],
                                       dtype=bool)

        obj_ctr = np.array([{"AWARENESS": 0.6, "VIDEO_COMPLETION": 0.5, "CONSIDERATION": 1.2,
                             "WEB_CONVERSION": 1.0, "CATALOG_SALES": 1.3}[o] for o in objective])
        self.ctr = np.clip(0.008 * obj_ctr * rng.lognormal(0.0, 0.35, n), 0.0032, 0.018)
        self.earned_ratio = rng.uniform(0.08, 0.28, n)
        self.outbound_share = rng.uniform(0.35, 0.7, n)
        self.save_rate = rng.uniform(0.0015, 0.006, n)
        self.closeup_rate = rng.uniform(0.004, 0.012, n)
        obj_cvr = np.array([{"AWARENESS": 0.3, "VIDEO_COMPLETION": 0.25, "CONSIDERATION": 0.6,
                             "WEB_CONVERSION": 1.3, "CATALOG_SALES": 1.5}[o] for o in objective])
        checkout = 0.035 * obj_cvr * rng.lognormal(0.0, 0.3, n)
        # Per click: click / view / engagement checkouts, signups, leads, add-to-carts.
        self.conv_p = np.stack([
            checkout * 0.55, checkout * 0.32, checkout * 0.13,
            0.010 * obj_cvr, 0.005 * obj_cvr, 0.05 * obj_cvr,
        ], axis=1) if n else np.zeros((0, 6))
        alo, ahi = AOV_BAND[cur]
        self.aov_micro = rng.uniform(alo, ahi, n) * MICRO
        creative = [self.ads[i].creative_type for i in deliverable]
        self.is_video = np.array([c == "VIDEO" for c in creative], dtype=bool)
        # Columns added later draw from their own stream, so the earlier ones stay as they were.
        extra = np.random.default_rng([self.seed, account.index, 0xC01])
        self.invalid_rate = extra.uniform(0.01, 0.05, n)
        # Video length in seconds, as the ad's creative says ("Video 6s", "Video 15s"), and how
        # well each video holds its viewers.
        drawn = extra.choice([15.0, 20.0, 30.0], n)
        self.video_length = np.array([_video_seconds(self.ads[i].name, float(drawn[k]))
                                      for k, i in enumerate(deliverable)], dtype=np.float64)
        self.video_hold = extra.uniform(0.85, 1.1, n)
        self.phase = float(rng.uniform(0, 2 * math.pi))
        self.hour_cdf = hourly_cdf(account.utc_offset_hours)
        # Audiences for reach (reach.py), from their own random stream.
        self.group_audience, self.universe = group_audiences(
            self.seed, account.index, self.expected_impressions * (1.0 + self.earned_ratio),
            self.group_of, len(self.ad_groups))

    def full_day(self, day: date) -> IntArray:
        """The whole day's values, shape (N_BASE, n deliverable ads), int64."""
        n = self.n
        out = np.zeros((N_BASE, n), dtype=np.int64)
        if n == 0:
            return out
        ordinal = day.toordinal()
        rng = np.random.default_rng([self.seed, self.account.index, ordinal])
        factor = WEEKDAY_FACTOR[day.weekday()] * seasonality(day, self.phase)
        live = (self.start_ord <= ordinal) & (ordinal <= self.end_ord) & self._active_on(day)
        # The ad group's budget that day, shared among its ads live that day (a paused ad's
        # share goes to its siblings; a new ad takes part of theirs).
        weights = self.spend_weight * live
        group_weight = np.bincount(self.group_of, weights=weights, minlength=len(self.ad_groups))
        share = weights / np.maximum(group_weight[self.group_of], 1e-12)
        spend = self._group_budgets(day)[self.group_of] * share * self.pacing
        expected = (spend / self.cpm_micro * 1000.0 * factor
                    * rng.lognormal(0.0, 0.22, n) * live)
        imp1 = rng.poisson(expected).astype(np.int64)
        imp2 = rng.binomial(imp1, self.earned_ratio)
        ctr = self.ctr * rng.uniform(0.88, 1.12, n)
        c1 = _rare(rng, imp1, ctr)
        c2 = _rare(rng, imp2, ctr * 0.75)
        out[I["IMPRESSION_1"]] = imp1
        out[I["IMPRESSION_2"]] = imp2
        out[I["CLICKTHROUGH_1"]] = c1
        out[I["CLICKTHROUGH_2"]] = c2
        out[I["OUTBOUND_CLICK_1"]] = rng.binomial(c1, self.outbound_share)
        out[I["OUTBOUND_CLICK_2"]] = rng.binomial(c2, self.outbound_share)
        r1 = _rare(rng, imp1, self.save_rate)
        r2 = _rare(rng, imp2, self.save_rate * 1.3)
        out[I["REPIN_1"]] = r1
        out[I["REPIN_2"]] = r2
        out[I["ENGAGEMENT_1"]] = c1 + r1 + _rare(rng, imp1, self.closeup_rate)
        out[I["ENGAGEMENT_2"]] = c2 + r2 + _rare(rng, imp2, self.closeup_rate)
        cpm_today = self.cpm_micro * rng.uniform(0.95, 1.05, n)
        out[I["SPEND_IN_MICRO_DOLLAR"]] = np.floor(imp1 * cpm_today / 1000.0).astype(np.int64)
        # Conversions: a split of paid clicks drawn event by event from what is left, so their
        # total never exceeds paid clicks.
        extra = np.random.default_rng([self.seed, self.account.index, ordinal, 0xC01])
        conv = np.zeros((n, 6), dtype=np.int64)
        left = c1.copy()
        room = np.ones(n)
        for k, col in enumerate(("TOTAL_CLICK_CHECKOUT", "TOTAL_VIEW_CHECKOUT",
                                 "TOTAL_ENGAGEMENT_CHECKOUT", "TOTAL_SIGNUP", "TOTAL_LEAD",
                                 "TOTAL_CLICK_ADD_TO_CART")):
            p = np.clip(self.conv_p[:, k] / room, 0.0, 1.0)
            conv[:, k] = _rare(rng, left, p)
            left -= conv[:, k]
            room = np.maximum(room - self.conv_p[:, k], 1e-9)
            if col != "TOTAL_LEAD":
                out[I[col]] = conv[:, k]
        # Leads by the action that led to them (click / view / engagement), like checkouts.
        leads = extra.multinomial(conv[:, 4], [0.55, 0.32, 0.13]) if n else np.zeros((0, 3))
        for k, col in enumerate(("TOTAL_CLICK_LEAD", "TOTAL_VIEW_LEAD", "TOTAL_ENGAGEMENT_LEAD")):
            out[I[col]] = leads[:, k]
        aov = self.aov_micro * rng.lognormal(0.0, 0.15, n)
        for k, col in enumerate(("TOTAL_CLICK_CHECKOUT", "TOTAL_VIEW_CHECKOUT",
                                 "TOTAL_ENGAGEMENT_CHECKOUT")):
            out[I[f"{col}_VALUE_IN_MICRO_DOLLAR"]] = np.floor(conv[:, k] * aov).astype(np.int64)
        o1 = out[I["OUTBOUND_CLICK_1"]]
        page_visits = rng.binomial(o1, 0.78)
        out[I["TOTAL_PAGE_VISIT"]] = page_visits
        # Only a few page visits carry a value (advertisers rarely send one).
        out[I["PAGE_VISIT_VALUE_IN_MICRO_DOLLAR"]] = np.floor(
            rng.binomial(page_visits, 0.01) * aov * 0.3).astype(np.int64)
        o2 = out[I["OUTBOUND_CLICK_2"]]
        sessions = rng.binomial(o1 + o2, 0.9)
        paid_sessions = extra.hypergeometric(o1, o2, sessions) if n else sessions
        out[I["WEB_SESSIONS_1"]] = paid_sessions
        out[I["WEB_SESSIONS_2"]] = sessions - paid_sessions
        out[I["INVALID_IMPRESSION_1"]] = extra.binomial(imp1, self.invalid_rate)
        out[I["INVALID_CLICKTHROUGH_1"]] = extra.binomial(c1, self.invalid_rate * 1.5)
        self._video(rng, out, imp1, imp2)
        return out

    def _video(self, rng: np.random.Generator, out: IntArray, imp1: IntArray,
               imp2: IntArray) -> None:
        """Video ads' funnel, each stage a subset of the one before (quartiles decreasing)."""
        video = self.is_video
        out[I["VIDEO_IMPRESSION_1"]] = np.where(video, imp1, 0)
        out[I["VIDEO_SPEND_IN_MICRO_DOLLAR"]] = np.where(video, out[I["SPEND_IN_MICRO_DOLLAR"]], 0)
        hold = np.clip(self.video_hold[video], 0.0, 1.0 / 0.9)
        length = self.video_length[video]
        # In a short video the 3-second mark is past 25% (under 12 s) or 50% (6 s and less):
        # everyone past 3 s has reached them, and the simulator counts those quartiles as the
        # 3-second views (keeps the funnel order; a little low for P25 of a 6 s video).
        past_mark = {"P25_COMBINED": length < 12.0, "P50_COMBINED": length <= 6.0}
        # Share of the previous stage that reaches each stage (P0 = started playing in view).
        keep = (0.62, 0.78, 0.6, 0.7, 0.66, 0.72, 0.8, 0.9)
        # Seconds watched by the people who stop between a stage and the next one.
        stops = (1.5 * np.ones_like(length), 2.5 * np.ones_like(length), (3 + 0.25 * length) / 2,
                 0.375 * length, 0.625 * length, 0.85 * length, 0.975 * length)
        for side, imps in (("1", imp1), ("2", imp2)):
            prev = imps[video]
            stages = []
            for stage, p in zip(VIDEO_STAGES, keep, strict=True):
                share = np.clip(p * (hold if stage != "P0_COMBINED" else 1.0), 0.0, 1.0)
                if stage in past_mark:
                    share = np.where(past_mark[stage], 1.0, share)
                prev = rng.binomial(prev, share)
                stages.append(prev)
                out[I[f"VIDEO_{stage}_{side}"], video] = prev
            watched = stages[-1] * length
            for k, seconds in enumerate(stops):
                watched = watched + (stages[k] - stages[k + 1]) * seconds
            out[I[f"VIDEO_WATCH_SECONDS_{side}"], video] = np.floor(watched).astype(np.int64)


    def _day_start(self, day: date) -> int:
        return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())

    def _active_on(self, day: date) -> npt.NDArray[np.bool_]:
        """Per deliverable ad: its campaign, ad group and itself ACTIVE at 00:00 UTC."""
        active = self.history.active_at(self._day_start(day))
        result: npt.NDArray[np.bool_] = np.asarray(active[self._chain].all(axis=0), dtype=bool)
        return result

    def _group_budgets(self, day: date) -> FloatArray:
        """Per ad group: its daily budget at 00:00 UTC (a lifetime budget spread over 30 days)."""
        nc, ng = len(self.campaigns), len(self.ad_groups)
        amounts = self.history.amounts_at(self._day_start(day))[nc:nc + ng].astype(np.float64)
        result: FloatArray = np.where(self.lifetime_group, amounts / 30.0, amounts)
        return result

    def rounding_offsets(self, day: date, rows: int) -> FloatArray:
        """Fixed uniforms in [0, 1) per (row, ad) of a day: unbiased rounding when conversions are
        scaled by an attribution window, the same offsets for every window so that a shorter
        window never reports more than a longer one."""
        rng = np.random.default_rng([self.seed, self.account.index, day.toordinal(), 0xA77])
        return rng.random((rows, self.n))


def _video_seconds(name: str, default: float) -> float:
    """The length a creative's name gives ("Video 6s - v1"), else ``default``."""
    match = re.match(r"Video (\d+)s", name)
    return float(match.group(1)) if match else default


def _rare(rng: np.random.Generator, trials: IntArray, p: FloatArray | float) -> IntArray:
    """Successes of rare events (p below ~8%) among ``trials``: Poisson, capped at the trials.

    Indistinguishable from a binomial at these rates and about twice as fast, which matters
    for the 10,000-ad account."""
    drawn: IntArray = np.minimum(rng.poisson(trials * p), trials).astype(np.int64)
    return drawn


_PARENT_IDX: tuple[int, ...] = tuple(
    -1 if BASE_PARENTS[c] is None else BASE_INDEX[str(BASE_PARENTS[c])] for c in BASE_COLUMNS
)


def split_cumulative(values: IntArray, cum_shares: FloatArray,
                     columns: Sequence[int] | None = None,
                     row_offsets: FloatArray | None = None,
                     multipliers: Mapping[int, FloatArray] | None = None) -> IntArray:
    """Cumulative integer slices of ``values`` (N_BASE, n) at ``cum_shares`` (n, k) in [0, 1].

    Returns (N_BASE, n, k): the root column is ``floor(total * share + u)``; every other column
    follows its parent: ``floor(child * parent_cum / parent_total + u)`` (the root's share where
    the parent is zero). ``u`` is a fixed offset in [0, 1) per (column, row), from
    ``row_offsets`` (one number per row, default: the row position), so that small counts are
    not all pushed to the last slice. With
    ``cum_shares[:, -1] == 1`` the last point equals the totals, so the slices (differences
    along k) sum back exactly, and a child with total <= its parent's never exceeds the parent in
    any slice. Only ``columns`` (and their ancestors) are computed when given; others stay zero.

    ``multipliers`` (column index -> per-slice factors, shape (k,)) tilt a column against its
    parent: its slice shares become parent slice x factor, renormalised (a segment with a
    better CTR gets more clicks per impression). Only for complete splits (last share 1).
    """
    n, k = cum_shares.shape
    out = np.zeros((N_BASE, n, k), dtype=np.int64)
    wanted = set(range(N_BASE)) if columns is None else _with_ancestors(columns)
    if row_offsets is None:
        row_offsets = np.arange(1, n + 1, dtype=np.float64) * 0.6180339887498949
    for ci in range(N_BASE):
        if ci not in wanted:
            continue
        u = np.modf(row_offsets + (ci + 1) * 0.7548776662466927)[0]
        u = u[:, None]
        total = values[ci][:, None]
        by_share = np.floor(total * cum_shares + u).astype(np.int64)
        p = _PARENT_IDX[ci]
        if p < 0:
            out[ci] = by_share
            continue
        ptotal = values[p][:, None]
        safe = np.maximum(ptotal, 1)
        # Float ratio: exact integer products overflow int64 for JPY campaign-days; the last
        # point (ratio exactly 1.0) still returns the total exactly.
        tilt = None if multipliers is None else multipliers.get(ci)
        if tilt is not None:
            weights = np.diff(out[p], axis=1, prepend=0) * tilt[None, :]
            cum_w = np.cumsum(weights, axis=1)
            norm = cum_w[:, -1:]
            ratio = np.where(norm > 0, cum_w / np.maximum(norm, 1e-12), 0.0)
            ratio[:, -1] = 1.0
        else:
            ratio = out[p] / safe
        follow = np.floor(total * ratio + u).astype(np.int64)
        out[ci] = np.where(ptotal > 0, follow, by_share)
    return out


# Funnel constraints a slice must keep, in order (a later one may cap what an earlier one
# moved): (children, cap) means sum(children) <= cap in every slice.
_FUNNEL: tuple[tuple[tuple[int, ...], int], ...] = (
    ((BASE_INDEX["CLICKTHROUGH_1"],), BASE_INDEX["IMPRESSION_1"]),
    ((BASE_INDEX["CLICKTHROUGH_2"],), BASE_INDEX["IMPRESSION_2"]),
    ((BASE_INDEX["OUTBOUND_CLICK_1"],), BASE_INDEX["CLICKTHROUGH_1"]),
    ((BASE_INDEX["OUTBOUND_CLICK_2"],), BASE_INDEX["CLICKTHROUGH_2"]),
    ((BASE_INDEX["WEB_SESSIONS_1"],), BASE_INDEX["OUTBOUND_CLICK_1"]),
    ((BASE_INDEX["WEB_SESSIONS_2"],), BASE_INDEX["OUTBOUND_CLICK_2"]),
    (tuple(BASE_INDEX[c] for c in (
        "TOTAL_CLICK_CHECKOUT", "TOTAL_VIEW_CHECKOUT", "TOTAL_ENGAGEMENT_CHECKOUT",
        "TOTAL_SIGNUP", "TOTAL_CLICK_LEAD", "TOTAL_VIEW_LEAD", "TOTAL_ENGAGEMENT_LEAD",
        "TOTAL_CLICK_ADD_TO_CART")), BASE_INDEX["CLICKTHROUGH_1"]),
)


def enforce_funnel(slices: IntArray) -> IntArray:
    """Make every slice of (N_BASE, n, k) per-slice values keep impressions >= clicks >=
    outbound clicks and paid clicks >= conversions, in place, keeping each row's totals.

    Tilted splits (a segment's CTR or conversion rate above its parent's) and independent
    rounding of the six conversion columns can put, on small counts, one unit more in a slice
    than its cap. The excess units move, within the same row and column, to the slices of that
    row with the most room; a row whose totals keep the funnel (every row here: they are sums of
    ad-days drawn that way) always has that room. Only the few offending rows are looped over.
    """
    for children, cap_col in _FUNNEL:
        child = slices[list(children)].sum(axis=0)  # (n, k)
        excess = child - slices[cap_col]
        for r in np.flatnonzero((excess > 0).any(axis=1)).tolist():
            _move_excess(slices, r, children, excess[r].copy())
    return slices


def _move_excess(slices: IntArray, r: int, children: tuple[int, ...], excess: IntArray) -> None:
    room = np.maximum(-excess, 0)
    for j in np.flatnonzero(excess > 0).tolist():
        need = int(excess[j])
        for c in children:
            while need > 0 and slices[c, r, j] > 0 and room.any():
                dest = int(np.argmax(room))
                move = min(need, int(slices[c, r, j]), int(room[dest]))
                slices[c, r, j] -= move
                slices[c, r, dest] += move
                room[dest] -= move
                need -= move


def _with_ancestors(columns: Sequence[int]) -> set[int]:
    wanted: set[int] = set()
    for c in columns:
        while c >= 0 and c not in wanted:
            wanted.add(c)
            c = _PARENT_IDX[c]
    return wanted


def slices_from_cumulative(cum: IntArray) -> IntArray:
    """(N_BASE, n, k) cumulative -> per-slice values (differences along the last axis)."""
    return np.diff(cum, axis=2, prepend=0)
