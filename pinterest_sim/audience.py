"""Audience insights: who an account reaches, against everyone on Pinterest.

Shapes follow the spec's ``AudienceInsightsResponse`` and ``AudienceDefinitionResponse``. The
numbers are fixed for a seed and account: interest ratios lean to the account's business (home,
food, fashion) with an ``index`` against Pinterest's total audience; demographics follow the
account's country. Sizes come from the account's expected monthly reach, rounded up to a
boundary (``size_is_upper_bound``) as Pinterest does for small audiences.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import numpy as np

from pinterest_sim import targeting_catalog as tc
from pinterest_sim.targeting import base_weights, stable_hash
from pinterest_sim.world import AdAccount

PINTEREST_MONTHLY_USERS = 553_000_000

# Share of all Pinterest users interested in each top-level interest.
_PINTEREST_INTEREST_RATIO = {
    name: min(0.6, 0.08 + w * 2.2) for name, w in tc.TOP_INTEREST_WEIGHTS.items()
}
# What each account's business leans to.
_ACCOUNT_LEAN: dict[str, tuple[str, ...]] = {
    "US": ("Home Decor", "DIY and Crafts", "Gardening", "Event Planning"),
    "DE": ("Women's Fashion", "Beauty", "Men's Fashion"),
    "GB": ("Food and Drinks", "Event Planning", "Home Decor"),
    "JP": ("Home Decor", "Design", "Architecture"),
}
_DEVICES = {"iphone": ("iPhone", 0.41), "android_mobile": ("Android mobile", 0.27),
            "web": ("Web", 0.17), "web_mobile": ("Mobile web", 0.08),
            "ipad": ("iPad", 0.05), "android_tablet": ("Android tablet", 0.02)}


def _rounded_up(size: int) -> int:
    """Round up to two significant digits (e.g. 123,456 -> 130,000)."""
    if size <= 0:
        return 0
    step = 10 ** max(0, int(math.log10(size)) - 1)
    return int(math.ceil(size / step) * step)


def _ratios(rng: np.random.Generator, weights: dict[str, float], spread: float) -> dict[str, float]:
    keys = list(weights)
    w = np.array([weights[k] for k in keys]) * rng.lognormal(0.0, spread, len(keys))
    w = w / w.sum()
    return {k: round(float(v), 4) for k, v in zip(keys, w, strict=True)}


def audience_insights(seed: int, account: AdAccount, insight_type: str, monthly_impressions: float,
                      today: date) -> dict[str, Any]:
    """The ``AudienceInsightsResponse`` for one account and audience type."""
    day = (today - timedelta(days=1)).isoformat()
    pinterest_wide = insight_type == "PINTEREST_TOTAL_AUDIENCE"
    if pinterest_wide:
        size, upper = PINTEREST_MONTHLY_USERS, False
    else:
        reach = monthly_impressions / 3.2  # about three impressions per person a month
        if insight_type == "YOUR_ENGAGED_AUDIENCE":
            reach *= 0.045
        size = _rounded_up(int(reach))
        upper = size > 0
    if size == 0:
        return {"type": insight_type, "date": day, "size": 0, "size_is_upper_bound": False,
                "categories": [], "demographics": {
                    "ages": [], "genders": [], "devices": [], "countries": [], "metros": []}}
    rng = np.random.default_rng([seed, account.index, stable_hash(insight_type)])
    lean = () if pinterest_wide else _ACCOUNT_LEAN.get(account.country, ())
    engaged = insight_type == "YOUR_ENGAGED_AUDIENCE"
    categories = []
    for name, subs in tc.INTEREST_TREE.items():
        base = _PINTEREST_INTEREST_RATIO[name]
        if pinterest_wide:
            ratio = base
        else:
            boost = (1.6 if name in lean else 0.85) * (1.1 if engaged and name in lean else 1.0)
            ratio = min(0.95, base * boost * float(rng.lognormal(0.0, 0.12)))
        sub_items = []
        for j, sub in enumerate(subs):
            sub_ratio = min(0.9, (0.55 / (j + 1)) * float(rng.lognormal(0.0, 0.15)))
            sub_index = 1.0 if pinterest_wide else sub_ratio / (0.55 / (j + 1)) * ratio / base
            sub_id = tc.interest_id(sub)
            sub_items.append({"id": sub_id, "key": sub_id, "name": sub,
                              "ratio": round(sub_ratio, 4), "index": round(sub_index, 2)})
        cat_id = tc.interest_id(name)
        categories.append({
            "id": cat_id, "key": cat_id, "name": name, "ratio": round(ratio, 4),
            "index": round(ratio / base, 2), "subcategories": sub_items,
        })
    categories.sort(key=_by_ratio)
    return {
        "type": insight_type,
        "date": day,
        "size": size,
        "size_is_upper_bound": upper,
        "categories": categories,
        "demographics": _demographics(rng, account, pinterest_wide),
    }


def _by_ratio(item: dict[str, Any]) -> float:
    return -float(item["ratio"])


def _demographics(rng: np.random.Generator, account: AdAccount, pinterest_wide: bool
                  ) -> dict[str, list[dict[str, Any]]]:
    spread = 0.05 if pinterest_wide else 0.15
    ages = _ratios(rng, {k: v for k, v in tc.AGE_WEIGHTS.items() if k != "unknown"}, spread)
    genders = _ratios(rng, {"female": 0.7, "male": 0.22, "unspecified": 0.08}, spread)
    devices = _ratios(rng, {k: w for k, (_, w) in _DEVICES.items()}, spread)
    if pinterest_wide:
        country_w = {"US": 0.18, "BR": 0.1, "MX": 0.06, "DE": 0.05, "GB": 0.05, "FR": 0.05,
                     "JP": 0.03, "CA": 0.03, "IT": 0.03, "ES": 0.03, "AU": 0.02, "IN": 0.06}
        metro_w = dict(tc.DMA_WEIGHTS)
        metro_names = tc.DMA_NAMES
    else:
        country_w = base_weights(account, "COUNTRY")
        if account.country == "US":
            metro_w, metro_names = dict(tc.DMA_WEIGHTS), tc.DMA_NAMES
        else:
            metro_w, metro_names = tc.region_weights(account.country), tc.REGION_NAMES
    countries = _ratios(rng, country_w, spread)
    metros = _ratios(rng, metro_w, spread)
    top_metros = sorted(metros.items(), key=lambda kv: -kv[1])[:20]
    return {
        "ages": [{"key": k, "name": k, "ratio": v} for k, v in ages.items()],
        "genders": [{"key": k, "name": k.capitalize(), "ratio": v} for k, v in genders.items()],
        "devices": [{"key": k, "name": _DEVICES[k][0], "ratio": v} for k, v in devices.items()],
        "countries": [{"key": k.lower(), "name": tc.COUNTRY_NAMES.get(k, k), "ratio": v}
                      for k, v in sorted(countries.items(), key=lambda kv: -kv[1])],
        "metros": [{"key": k, "name": metro_names.get(k, k), "ratio": v} for k, v in top_metros],
    }


def audience_scopes(today: date) -> dict[str, Any]:
    """``AudienceDefinitionResponse``: the audiences that can be asked about."""
    day = (today - timedelta(days=1)).isoformat()
    return {"items": [
        {"date": day, "scope": "PARTNER", "type": "IMPRESSION_PLUS_ENGAGEMENT"},
        {"date": day, "scope": "PARTNER", "type": "ENGAGEMENT"},
        {"date": day, "scope": "PINTEREST", "type": "IMPRESSION_PLUS_ENGAGEMENT"},
    ]}
