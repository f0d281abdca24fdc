"""Targeting breakdowns: which values a targeting type has for an account, with what shares.

Each (entity, day) total is split across a type's values by ``delivery.split_cumulative`` with
the account's fixed shares times a small per-(entity, day) noise. Splits happen at the campaign
level for account and campaign reports, at the ad group and ad level for theirs; the values of
one type therefore always sum exactly to the entity's total, and the account equals the sum of
its campaigns.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping

import numpy as np

from pinterest_sim import product_catalog
from pinterest_sim import targeting_catalog as tc
from pinterest_sim.catalog import BASE_INDEX
from pinterest_sim.delivery import FloatArray
from pinterest_sim.world import AdAccount

# Types valid for a level that this world has nothing to report for (no quiz ads, no audience
# multipliers, no creative enhancements): they return no rows, as Pinterest does then.
EMPTY_TYPES = frozenset({"QUIZ_RESULT", "AUDIENCE_MULTIPLIER", "CREATIVE_ENHANCEMENTS"})

_CREATIVE_TYPE_WEIGHTS: Mapping[str, float] = {
    "REGULAR": 0.45, "VIDEO": 0.25, "CAROUSEL": 0.1, "SHOPPING": 0.1, "IDEA": 0.05,
    "COLLECTION": 0.05,
}
# Countries an account's ads spill over to (besides its home country), with small shares.
_NEIGHBOURS: Mapping[str, tuple[str, ...]] = {
    "US": ("CA", "GB", "AU", "MX", "DE"),
    "DE": ("AT", "CH", "NL", "FR", "PL"),
    "GB": ("IE", "US", "FR", "NL", "AU"),
    "JP": ("KR", "US", "SG", "HK", "AU"),
}


PRODUCT_PAIR = "|"  # joins a product pseudo type (or id) and a targeting type (or value)


def audience_ids(account: AdAccount) -> list[str]:
    """The account's customer lists / visitor audiences (ids as Pinterest prints them)."""
    return tc.audience_ids_for(account.index)


def stable_hash(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def base_weights(account: AdAccount, targeting_type: str) -> dict[str, float]:
    """Population-like shares of each value of the type for this account's country."""
    country = account.country
    if targeting_type == "AGE_BUCKET":
        return dict(tc.AGE_WEIGHTS)
    if targeting_type == "GENDER":
        return dict(tc.GENDER_WEIGHTS)
    if targeting_type == "AGE_BUCKET_AND_GENDER":
        return {f"{g}_{a}": wa * wg for g, wg in tc.GENDER_WEIGHTS.items()
                for a, wa in tc.AGE_WEIGHTS.items()}
    if targeting_type == "APPTYPE":
        return dict(tc.APPTYPE_WEIGHTS)
    if targeting_type == "PLACEMENT":
        return dict(tc.PLACEMENT_WEIGHTS)
    if targeting_type == "LOCATION":
        # DMAs are a US notion; elsewhere Pinterest reports regions.
        return dict(tc.DMA_WEIGHTS) if country == "US" else tc.region_weights(country)
    if targeting_type == "REGION":
        return tc.region_weights(country)
    if targeting_type == "GEO":
        return tc.geo_weights(country)
    if targeting_type == "COUNTRY":
        out = {country: 0.9}
        for i, c in enumerate(_NEIGHBOURS.get(country, ())):
            out[c] = 0.04 / (i + 1)
        return out
    if targeting_type == "KEYWORD":
        return {k: 1.0 / (i + 1) for i, k in enumerate(tc.KEYWORDS)}
    if targeting_type == "TARGETED_INTEREST":
        return dict(tc.TOP_INTEREST_WEIGHTS)
    if targeting_type == "PINNER_INTEREST":
        return {sub: tc.TOP_INTEREST_WEIGHTS[top] / (j + 1)
                for top, subs in tc.INTEREST_TREE.items() for j, sub in enumerate(subs)}
    if targeting_type == "AUDIENCE_INCLUDE":
        return {a: w for a, w in zip(audience_ids(account), (0.45, 0.3, 0.15, 0.1), strict=True)}
    if targeting_type == "CREATIVE_TYPE":
        return dict(_CREATIVE_TYPE_WEIGHTS)
    if targeting_type in ("PRODUCT_GROUP", "PRODUCT_ITEM"):  # pseudo types, product levels
        return product_catalog.split_weights(account, targeting_type)
    if PRODUCT_PAIR in targeting_type:  # "PRODUCT_GROUP|GENDER": (group, value) pairs
        product, inner = targeting_type.split(PRODUCT_PAIR, 1)
        inner_weights = base_weights(account, inner)
        return {f"{pid}{PRODUCT_PAIR}{value}": wp * wv
                for pid, wp in product_catalog.split_weights(account, product).items()
                for value, wv in inner_weights.items()}
    return {}


def account_weights(seed: int, account: AdAccount, targeting_type: str
                    ) -> tuple[list[str], FloatArray]:
    """The account's own skew of the base shares (fixed for a seed): values and shares."""
    base = base_weights(account, targeting_type)
    values = list(base)
    if not values:
        return values, np.zeros(0)
    rng = np.random.default_rng([seed, account.index, stable_hash(targeting_type)])
    # Geography follows population closely; tastes (keywords, interests) vary more.
    spread = 0.1 if targeting_type in ("LOCATION", "REGION", "GEO", "COUNTRY") else 0.25
    w = np.array([base[v] for v in values]) * rng.lognormal(0.0, spread, len(values))
    if targeting_type == "KEYWORD":
        rng.shuffle(w)  # each advertiser has its own top keywords
    return values, w / w.sum()


def day_cum_shares(seed: int, account: AdAccount, targeting_type: str, level: str,
                   ordinal: int, weights: FloatArray, n_entities: int) -> FloatArray:
    """Cumulative shares per entity for one day: the account's shares with +-10% noise."""
    rng = np.random.default_rng(
        [seed, account.index, stable_hash(targeting_type), stable_hash(level), ordinal])
    noisy = weights[None, :] * rng.lognormal(0.0, 0.1, (n_entities, len(weights)))
    cum = np.cumsum(noisy / noisy.sum(axis=1, keepdims=True), axis=1)
    cum[:, -1] = 1.0
    return cum


# Known tendencies (relative to the segment's average) behind the per-account noise.
_CVR_BIAS: Mapping[str, Mapping[str, float]] = {
    "AGE_BUCKET": {"18-24": 0.7, "25-34": 1.15, "35-44": 1.2, "45-49": 1.1, "50-54": 1.0,
                   "55-64": 0.9, "65+": 0.8, "unknown": 0.6},
    "APPTYPE": {"web": 1.4, "web_mobile": 0.8, "iphone": 1.05, "ipad": 1.1,
                "android_mobile": 0.85, "android_tablet": 0.9},
    "PLACEMENT": {"SEARCH": 1.3, "BROWSE": 1.0, "OTHER": 0.8},
}
_CTR_BIAS: Mapping[str, Mapping[str, float]] = {
    "GENDER": {"female": 1.05, "male": 0.9, "unknown": 0.95},
    "PLACEMENT": {"SEARCH": 1.5, "BROWSE": 1.0, "OTHER": 0.8},
    "APPTYPE": {"web": 0.9, "iphone": 1.05},
}
_CPM_BIAS: Mapping[str, Mapping[str, float]] = {
    "APPTYPE": {"iphone": 1.12, "ipad": 1.08, "android_mobile": 0.85, "android_tablet": 0.85},
    "PLACEMENT": {"SEARCH": 1.15, "OTHER": 0.85},
    "LOCATION": {"501": 1.2, "803": 1.15, "807": 1.2, "511": 1.1, "506": 1.1},
}
_CLICK_COLUMNS = ("CLICKTHROUGH_1", "CLICKTHROUGH_2")
# (Checkout values ride on their checkout counts, so they follow the counts' tilt.)
_CONVERSION_COLUMNS = (
    "TOTAL_CLICK_CHECKOUT", "TOTAL_VIEW_CHECKOUT", "TOTAL_ENGAGEMENT_CHECKOUT",
    "TOTAL_SIGNUP", "TOTAL_CLICK_LEAD", "TOTAL_VIEW_LEAD", "TOTAL_ENGAGEMENT_LEAD",
    "TOTAL_CLICK_ADD_TO_CART", "TOTAL_PAGE_VISIT", "PAGE_VISIT_VALUE_IN_MICRO_DOLLAR",
)


def performance_tilts(seed: int, account: AdAccount, targeting_type: str,
                      values: list[str]) -> dict[int, FloatArray]:
    """Per base column, how each value's CTR, CPM and conversion rate differ from the average,
    so breakdowns show segments that work better than others (fixed for a seed)."""
    rng = np.random.default_rng([seed, account.index, stable_hash(targeting_type), 0x7117])
    k = len(values)

    def tilt(bias: Mapping[str, Mapping[str, float]], spread: float) -> FloatArray:
        known = bias.get(targeting_type, {})
        fixed = np.array([known.get(v, 1.0) for v in values])
        return fixed * rng.lognormal(0.0, spread, k)

    ctr, cpm, cvr = tilt(_CTR_BIAS, 0.08), tilt(_CPM_BIAS, 0.05), tilt(_CVR_BIAS, 0.15)
    out: dict[int, FloatArray] = {BASE_INDEX["SPEND_IN_MICRO_DOLLAR"]: cpm}
    out.update({BASE_INDEX[c]: ctr for c in _CLICK_COLUMNS})
    out.update({BASE_INDEX[c]: cvr for c in _CONVERSION_COLUMNS})
    return out
