"""Typed results: frozen dataclasses. Money stays `int` micro units of the account currency."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from pinterest_client._errors import PinterestError

T = TypeVar("T")

Level = Literal["AD_ACCOUNT", "CAMPAIGN", "AD_GROUP", "AD"]


@dataclass(frozen=True)
class Fetched(Generic[T]):
    """A result plus how fresh it is.

    `stale=True` means the refresh failed (`error` says why) and this is the last good copy.
    """

    data: T
    stale: bool = False
    fetched_at: float = 0.0  # epoch seconds of the upstream answer
    error: PinterestError | None = None

    @property
    def age_s(self) -> float:
        return max(0.0, time.time() - self.fetched_at)


@dataclass(frozen=True)
class Attribution:
    """Attribution windows of analytics calls (Pinterest's defaults: 30/30/1 days)."""

    click_window_days: int = 30
    engagement_window_days: int = 30
    view_window_days: int = 1
    conversion_report_time: str = "TIME_OF_AD_ACTION"
