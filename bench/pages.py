"""The page data the benchmarks time: exactly what the app asks the loaders for.

- Overview: the account list (app.py's sidebar) then `load_overview` with the default
  filters (last 7 days, compared with the 7 before).
- Campaigns: the account list then `load_campaigns` for the large account over the last 90
  closed days, granularity DAY (the page's table: every campaign with its period totals).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Final

from dashboard.filters import Filters
from dashboard.loaders import (
    EntityTable,
    OverviewData,
    load_accounts,
    load_campaigns,
    load_overview,
)
from pinterest_client import PinterestClient
from pinterest_sim import DEMO_ACCOUNT_ID, LARGE_ACCOUNT_ID

OVERVIEW_ACCOUNT: Final = DEMO_ACCOUNT_ID
CAMPAIGNS_ACCOUNT: Final = LARGE_ACCOUNT_ID
CAMPAIGNS_DAYS: Final = 90
SMOKE_CAMPAIGNS_DAYS: Final = 7


def overview_filters(today: date) -> Filters:
    return replace(Filters.default(today), account_id=OVERVIEW_ACCOUNT)


def campaigns_filters(today: date, days: int = CAMPAIGNS_DAYS) -> Filters:
    """The last `days` closed days (like the "Last 90 days" preset), granularity DAY."""
    end = today - timedelta(days=1)
    filters = Filters.default(today).with_dates(end - timedelta(days=days - 1), end)
    return replace(filters, account_id=CAMPAIGNS_ACCOUNT, granularity="DAY")


def account_list(client: PinterestClient, wanted: str = OVERVIEW_ACCOUNT) -> None:
    """app.py lists the accounts (sidebar) before any page runs."""
    accounts, _ = load_accounts(client)
    if wanted not in {a.id for a in accounts}:
        raise RuntimeError(f"account {wanted} is missing from the account list")


def overview_page(client: PinterestClient, today: date) -> OverviewData:
    """What opening the Overview asks for: the account list first, then the page's calls."""
    account_list(client, OVERVIEW_ACCOUNT)
    return overview_calls(client, today)


def overview_calls(client: PinterestClient, today: date) -> OverviewData:
    """The Overview's own calls (the account list already known)."""
    return load_overview(client, OVERVIEW_ACCOUNT, overview_filters(today), today)


def campaigns_page(client: PinterestClient, today: date, days: int = CAMPAIGNS_DAYS
                   ) -> EntityTable:
    """What opening the Campaigns page asks for: the account list, then the page's calls."""
    account_list(client, CAMPAIGNS_ACCOUNT)
    return campaigns_calls(client, today, days)


def campaigns_calls(client: PinterestClient, today: date, days: int = CAMPAIGNS_DAYS
                    ) -> EntityTable:
    """The Campaigns page's own calls (the account list already known)."""
    return load_campaigns(client, CAMPAIGNS_ACCOUNT, campaigns_filters(today, days), today)
