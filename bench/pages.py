"""The page data the benchmarks time: exactly what the app asks the loaders for.

- Overview: `load_overview` with the default filters (last 7 days, compared with the 7
  before), beside the account list (app.py's sidebar).
- Campaigns: `load_campaigns` for the large account over the last 90 closed days,
  granularity DAY (the page's table: every campaign with its period totals), beside the
  account list.

Opened from a link (the account in the URL) whose account the token has listed before (a
cached list: another tab, an earlier visit), app.py starts the page's loader before it lists
the accounts (dashboard.prefetch), so both go at once. An account not in a cached list is
checked against the list first (a tampered link costs no calls), as on a first visit with no
account in the URL, where the list must come first (its first account is the default).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Final, TypeVar

from dashboard import prefetch
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

T = TypeVar("T")

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


def from_link(client: PinterestClient, account_id: str, loader: Callable[..., T],
              filters: Filters, today: date) -> T:
    """As app.py opens a page whose account is in the URL: when the token's cached account
    list has it, the page's loader starts and the sidebar lists the accounts meanwhile;
    otherwise the list comes first. Then the page takes the loader's result."""
    if account_id not in (client.known_ad_account_ids() or ()):
        account_list(client, account_id)
        return loader(client, account_id, filters, today)
    started = prefetch.start(loader, client, account_id, filters, today)
    account_list(client, account_id)
    return started.load(loader, client, account_id, filters, today)


def overview_page(client: PinterestClient, today: date) -> OverviewData:
    """What opening the Overview from a link asks for: its calls beside the account list."""
    return from_link(client, OVERVIEW_ACCOUNT, load_overview, overview_filters(today), today)


def overview_first_visit(client: PinterestClient, today: date) -> OverviewData:
    """A first visit with no account in the URL: the account list, then the page's calls."""
    account_list(client, OVERVIEW_ACCOUNT)
    return overview_calls(client, today)


def overview_calls(client: PinterestClient, today: date) -> OverviewData:
    """The Overview's own calls (the account list already known)."""
    return load_overview(client, OVERVIEW_ACCOUNT, overview_filters(today), today)


def campaigns_page(client: PinterestClient, today: date, days: int = CAMPAIGNS_DAYS
                   ) -> EntityTable:
    """What opening the Campaigns page from a link asks for: its calls beside the account
    list."""
    return from_link(client, CAMPAIGNS_ACCOUNT, load_campaigns, campaigns_filters(today, days),
                     today)


def campaigns_calls(client: PinterestClient, today: date, days: int = CAMPAIGNS_DAYS
                    ) -> EntityTable:
    """The Campaigns page's own calls (the account list already known)."""
    return load_campaigns(client, CAMPAIGNS_ACCOUNT, campaigns_filters(today, days), today)
