"""A living world: the edits every account gets over time, fixed by the seed.

Real accounts are edited every week; a client that reads "what changed since" must find changes.
From ``EDITS_FROM`` to ``HORIZON`` every campaign, ad group and ad that is not archived gets
edits, drawn once per account from the stream ``(seed, account index, 0xED17)``:

- **Status**: ACTIVE and PAUSED alternate. An active spell lasts on average 75 days (campaigns),
  60 (ad groups) or 90 (ads); a pause 12 days; an entity the base world has PAUSED stays paused
  150 days on average before its first resume. ARCHIVED is final (no edits). The first three
  campaigns of each account, their first ad group and its first ad (the ones the base world
  keeps active "so a first look shows delivery") never change status.
- **Budget**: ad groups' ``budget_in_micro_currency`` every 28 days on average, campaigns'
  ``daily_spend_cap`` (where they have one) every 45 days: the base amount times a factor in
  [0.5, 2], rounded to whole currency units.
- **New ads**: created by ``world.py`` (``NEW_ADS_FROM`` on, see there); they are ACTIVE when
  created and then edited like any ad.

``updated_time`` is the time of the entity's last edit at or before the clock's now (its base
value before any). The API shows the state at the clock's now (``World.at``); delivery on a day
follows the state at 00:00 UTC that day (an edit takes effect on delivery from the next UTC day),
so closed days never change with the clock.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

EDITS_FROM = int(datetime(2026, 6, 1, tzinfo=UTC).timestamp())
HORIZON = int(datetime(2029, 1, 1, tzinfo=UTC).timestamp())
DAY_S = 86_400
MICRO = 1_000_000
_KEY = 1 << 40  # entity position * _KEY + epoch seconds: one sortable key per edit

ACTIVE_SPELL_DAYS = {"campaign": 75.0, "ad_group": 60.0, "ad": 90.0}
PAUSE_DAYS = 12.0
FIRST_RESUME_DAYS = 150.0
BUDGET_EDIT_DAYS = {"campaign": 45.0, "ad_group": 28.0}
_MAX_SPELLS = 48


@dataclass(frozen=True)
class _Edits:
    """Edits of one kind, sorted by (entity position, time)."""

    keys: IntArray  # entity * _KEY + time
    values: IntArray  # the amount set (budget edits); unused for status toggles

    def count_at(self, n_entities: int, when: int) -> IntArray:
        """Per entity: how many of its edits happened at or before ``when``."""
        base = np.arange(n_entities, dtype=np.int64) * _KEY
        return (np.searchsorted(self.keys, base + when, side="right")
                - np.searchsorted(self.keys, base, side="left")).astype(np.int64)

    def last_at(self, n_entities: int, when: int) -> tuple[IntArray, IntArray]:
        """Per entity: (time, value) of its last edit at or before ``when``; time -1 if none."""
        base = np.arange(n_entities, dtype=np.int64) * _KEY
        upto = np.searchsorted(self.keys, base + when, side="right")
        has = upto > np.searchsorted(self.keys, base, side="left")
        idx = np.maximum(upto - 1, 0)
        if not len(self.keys):
            return np.full(n_entities, -1, dtype=np.int64), np.zeros(n_entities, dtype=np.int64)
        times = np.where(has, self.keys[idx] - base, -1)
        values = np.where(has, self.values[idx], 0)
        return times.astype(np.int64), values.astype(np.int64)


class AccountHistory:
    """The edits of one account's entities. Positions: campaigns, then ad groups, then ads (in
    the account's world order)."""

    def __init__(self, seed: int, account_index: int, campaigns: Sequence[Any],
                 ad_groups: Sequence[Any], ads: Sequence[Any]) -> None:
        self.n_campaigns, self.n_groups, self.n_ads = len(campaigns), len(ad_groups), len(ads)
        entities: list[Any] = [*campaigns, *ad_groups, *ads]
        self.n = len(entities)
        self.ids = [e.id for e in entities]
        kinds = (["campaign"] * self.n_campaigns + ["ad_group"] * self.n_groups
                 + ["ad"] * self.n_ads)
        rng = np.random.default_rng([seed, account_index, 0xED17])
        self.base_active = np.array([e.status == "ACTIVE" for e in entities], dtype=bool)
        editable = np.array([e.status != "ARCHIVED" for e in entities], dtype=bool)
        pinned = _pinned(campaigns, ad_groups, ads)
        created = np.array([e.created_time for e in entities], dtype=np.int64)
        start = np.maximum(EDITS_FROM, created + DAY_S).astype(np.float64)
        start += rng.uniform(0, 30 * DAY_S, self.n)  # not everyone edits on the first day

        # Status toggles: alternate active and paused spells.
        active_days = np.array([ACTIVE_SPELL_DAYS[k] for k in kinds])
        toggles_e: list[IntArray] = []
        toggles_t: list[IntArray] = []
        state = self.base_active.copy()
        t = start.copy()
        first = True
        can_toggle = editable & ~pinned
        for _ in range(_MAX_SPELLS):
            mean = np.where(state, active_days, FIRST_RESUME_DAYS if first else PAUSE_DAYS)
            if first:
                mean = np.where(state, active_days * rng.uniform(0.2, 1.0, self.n), mean)
            t = t + rng.exponential(mean * DAY_S)
            ok = can_toggle & (t < HORIZON)
            toggles_e.append(np.flatnonzero(ok).astype(np.int64))
            toggles_t.append(t[ok].astype(np.int64))
            state = np.where(ok, ~state, state)
            first = False
        self.toggles = _edits(toggles_e, toggles_t, None)

        # Budget edits: ad groups' budgets, campaigns' daily caps.
        amounts = np.array(
            [getattr(e, "budget_in_micro_currency", None) or 0 if k == "ad_group"
             else getattr(e, "daily_spend_cap", None) or 0 if k == "campaign" else 0
             for e, k in zip(entities, kinds, strict=True)], dtype=np.float64)
        budget_days = np.array([BUDGET_EDIT_DAYS.get(k, 0.0) for k in kinds])
        budgeted = editable & (amounts > 0) & (budget_days > 0)
        span = np.maximum(HORIZON - start, 0) / DAY_S
        counts = rng.poisson(np.where(budgeted, span / np.maximum(budget_days, 1.0), 0.0))
        owner = np.repeat(np.arange(self.n, dtype=np.int64), counts)
        times = (start[owner] + rng.uniform(0, 1, len(owner)) * (HORIZON - start[owner]))
        factor = np.clip(rng.lognormal(0.0, 0.3, len(owner)), 0.5, 2.0)
        values = np.maximum(np.round(amounts[owner] * factor / MICRO), 1) * MICRO
        self.budgets = _edits([owner], [times.astype(np.int64)], [values.astype(np.int64)])
        self.base_amounts = amounts.astype(np.int64)
        self._all = np.sort(np.concatenate([self.toggles.keys % _KEY, self.budgets.keys % _KEY]))

    def events_at(self, when: int) -> int:
        """How many edits of the account happened at or before ``when`` (a cache key)."""
        return int(np.searchsorted(self._all, when, side="right"))

    def active_at(self, when: int) -> BoolArray:
        """Per entity: ACTIVE at ``when`` (ARCHIVED entities: False)."""
        flips = self.toggles.count_at(self.n, when) % 2 == 1
        result: BoolArray = self.base_active ^ flips
        return result

    def amounts_at(self, when: int) -> IntArray:
        """Per entity: the budget (ad groups) or daily cap (campaigns) at ``when``."""
        times, values = self.budgets.last_at(self.n, when)
        result: IntArray = np.where(times >= 0, values, self.base_amounts)
        return result

    def last_edit_at(self, when: int) -> IntArray:
        """Per entity: time of its last edit at or before ``when`` (-1: none)."""
        t1, _ = self.toggles.last_at(self.n, when)
        t2, _ = self.budgets.last_at(self.n, when)
        result: IntArray = np.maximum(t1, t2)
        return result


def _edits(entities: list[IntArray], times: list[IntArray],
           values: list[IntArray] | None) -> _Edits:
    e = np.concatenate(entities) if entities else np.zeros(0, dtype=np.int64)
    t = np.concatenate(times) if times else np.zeros(0, dtype=np.int64)
    v = np.concatenate(values) if values else np.zeros(len(e), dtype=np.int64)
    keys = e * _KEY + t
    order = np.argsort(keys, kind="stable")
    return _Edits(keys[order], v[order])


def _pinned(campaigns: Sequence[Any], ad_groups: Sequence[Any], ads: Sequence[Any]) -> BoolArray:
    """Entities that never change status: the first three campaigns, the first ad group of each
    and that group's first ad (world.py keeps them active)."""
    first_campaigns = {c.id for c in campaigns[:3]}
    first_groups: dict[str, str] = {}
    for g in ad_groups:
        if g.campaign_id in first_campaigns:
            first_groups.setdefault(g.campaign_id, g.id)
    first_ads: dict[str, str] = {}
    groups = set(first_groups.values())
    for a in ads:
        if a.ad_group_id in groups:
            first_ads.setdefault(a.ad_group_id, a.id)
    keep = first_campaigns | groups | set(first_ads.values())
    return np.array([e.id in keep for e in (*campaigns, *ad_groups, *ads)], dtype=bool)


class Histories:
    """Per-account histories of one world, built on first use (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._built: dict[str, AccountHistory] = {}

    def get(self, account_id: str, build: Any) -> AccountHistory:
        with self._lock:
            hit = self._built.get(account_id)
            if hit is None:
                hit = self._built[account_id] = build()
            return hit
