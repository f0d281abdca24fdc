"""`PinterestClient`: the one public face of the package."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import httpx

from pinterest_client._auth import Credentials, TokensCallback
from pinterest_client._config import PRODUCTION_BASE_URL, ClientConfig
from pinterest_client._http import HttpSession
from pinterest_client._ratelimit import RateLimits, shared_limiter

if TYPE_CHECKING:
    from pinterest_client.bulk import BulkAPI
    from pinterest_client.reports import ReportsAPI


class PinterestClient:
    """Pinterest API v5 (ads analytics and reporting surface)."""

    def __init__(
        self,
        access_token: str | None = None,
        *,
        refresh_token: str | None = None,
        app_id: str | None = None,
        app_secret: str | None = None,
        base_url: str = PRODUCTION_BASE_URL,
        transport: httpx.BaseTransport | None = None,
        rate_limits: RateLimits | None = None,
        timeout: float = 30.0,
        max_workers: int = 8,
        max_wait_s: float = 30.0,
        on_tokens_refreshed: TokensCallback | None = None,
        config: ClientConfig | None = None,
    ) -> None:
        self._credentials = Credentials(
            access_token,
            refresh_token=refresh_token,
            app_id=app_id,
            app_secret=app_secret,
            on_tokens_refreshed=on_tokens_refreshed,
        )
        self.config = config or ClientConfig()
        self.max_workers = max(1, max_workers)
        self._limiter = shared_limiter(self._credentials.identity, rate_limits)
        self._session = HttpSession(
            self._credentials,
            self._limiter,
            base_url=base_url,
            transport=transport,
            timeout=timeout,
            max_wait_s=max_wait_s,
            config=self.config,
        )
        self._lazy_lock = threading.Lock()
        self._reports: ReportsAPI | None = None
        self._bulk: BulkAPI | None = None

    def __repr__(self) -> str:
        return f"PinterestClient(base_url={self._session.base_url!r})"

    @property
    def base_url(self) -> str:
        return self._session.base_url

    @property
    def session(self) -> HttpSession:
        """The HTTP session (for extensions such as reports and bulk)."""
        return self._session

    @property
    def reports(self) -> ReportsAPI:
        with self._lazy_lock:
            if self._reports is None:
                from pinterest_client.reports import ReportsAPI

                self._reports = ReportsAPI(self._session)
            return self._reports

    @property
    def bulk(self) -> BulkAPI:
        with self._lazy_lock:
            if self._bulk is None:
                from pinterest_client.bulk import BulkAPI

                self._bulk = BulkAPI(self._session)
            return self._bulk

    def refresh_access_token(self) -> None:
        """Exchange the refresh token for a new access token now."""
        self._session.refresh_access_token()

    def close(self) -> None:
        self._session.close()
