"""The simulator's cache of generated days (pinterest_sim/metrics.py): a 90-day range of the
10,000-ad account is generated once, then served from the cache, with the same numbers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pytest

from pinterest_sim import LARGE_ACCOUNT_ID, Simulator, delivery, metrics

COLUMNS = ["SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION", "TOTAL_CONVERSIONS"]


def test_a_90_day_range_of_the_large_account_is_generated_once(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    generated: list[Any] = []
    real = delivery.DeliveryModel.full_day

    def counted(self: delivery.DeliveryModel, day: Any) -> Any:
        generated.append(day)
        return real(self, day)

    monkeypatch.setattr(delivery.DeliveryModel, "full_day", counted)
    campaigns = [c.id for c in sim.world.campaigns(LARGE_ACCOUNT_ID)]
    end = sim.clock.now().date() - timedelta(days=1)
    start = end - timedelta(days=89)

    def rows(campaign_id: str) -> list[dict[str, Any]]:
        return sim.engine.rows(LARGE_ACCOUNT_ID, "CAMPAIGN", [campaign_id], start, end, "DAY",
                               COLUMNS)

    first = rows(campaigns[0])
    assert len(first) == 90
    generated.clear()
    rows(campaigns[1])  # the same days, another campaign: all from the cache
    assert rows(campaigns[0]) == first
    assert generated == []


def test_days_are_kept_narrow_when_they_fit_and_read_back_exactly() -> None:
    cache = metrics._DayCache(10_000_000)
    fits = np.array([[0, 5, 2**31 - 1], [-(2**31), 7, 9]], dtype=np.int64)
    wide = np.array([[0, 2**40]], dtype=np.int64)
    cache.put(("fits",), fits.copy())
    cache.put(("wide",), wide.copy())
    assert cache._bytes == fits.size * 4 + wide.size * 8
    for key, values in ((("fits",), fits), (("wide",), wide)):
        back = cache.get(key)
        assert back is not None and back.dtype == np.int64
        assert np.array_equal(back, values) and not back.flags.writeable
