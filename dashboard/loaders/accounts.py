"""The account list of the sidebar."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.loaders.fetch import Freshness, field_of, freshness_of
from pinterest_client import PinterestClient


@dataclass(frozen=True)
class AccountInfo:
    id: str
    name: str
    currency: str
    country: str

    @property
    def label(self) -> str:
        return f"{self.name} · {self.id} · {self.currency}"


def account_info(account: object) -> AccountInfo:
    return AccountInfo(
        id=str(field_of(account, "id", "")),
        name=str(field_of(account, "name", "") or "Unnamed account"),
        currency=str(field_of(account, "currency", "") or "USD"),
        country=str(field_of(account, "country", "") or ""),
    )


def load_accounts(client: PinterestClient) -> tuple[list[AccountInfo], Freshness]:
    fetched = client.list_ad_accounts()
    return [account_info(a) for a in fetched.data], freshness_of([fetched])
