"""Send one request: rate-limit slot, auth header, refresh once on 401, retries, error mapping.

Retries: 429 (waiting for `Retry-After` / `X-RateLimit-Reset` seconds when given, else
exponential backoff with jitter), 5xx, timeouts, dropped connections and unreadable bodies, at
most `ClientConfig.max_retries` extra attempts. Other 4xx are never retried. A rate-limit wait
longer than `max_wait_s` fails at once with `RateLimitedError(reset_at=...)` and blocks the
category locally until the reset, so later calls fail fast instead of hammering Pinterest.
"""

from __future__ import annotations

import email.utils
import json as jsonlib
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from pinterest_client._auth import Credentials
from pinterest_client._config import ClientConfig, normalise_base_url
from pinterest_client._errors import (
    APIError,
    APITimeoutError,
    AuthError,
    BadRequestError,
    ForbiddenError,
    InvalidResponseError,
    NotFoundError,
    PinterestError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from pinterest_client._ratelimit import Limiter
from pinterest_client._retry import Budget, Failure, GiveUp, RefreshToken, decide
from pinterest_client._stats import HttpStats

log = logging.getLogger("pinterest_client")

OAUTH_CATEGORY = "oauth"
DOWNLOAD_CATEGORY = "download"


def parse_reset_seconds(headers: httpx.Headers, now: float) -> float | None:
    """Seconds to wait from `Retry-After` or `X-RateLimit-Reset`, when present and readable.

    Header names are not documented by Pinterest; both are read as seconds (an epoch value or an
    HTTP date is converted), and anything unreadable is ignored.
    """
    for name in ("Retry-After", "X-RateLimit-Reset"):
        raw = headers.get(name)
        if raw is None:
            continue
        raw = raw.strip()
        try:
            value = float(raw)
        except ValueError:
            try:
                parsed = email.utils.parsedate_to_datetime(raw)
            except (TypeError, ValueError):
                continue
            return max(0.0, parsed.timestamp() - now)
        if value != value or value < 0:  # NaN or negative
            continue
        if value > 1_000_000_000:  # an epoch timestamp, not a duration
            return max(0.0, value - now)
        return value
    return None


def _error_fields(body: bytes) -> tuple[int | None, str]:
    """Pinterest's `{"code": int, "message": str}`, tolerating anything else."""
    try:
        data = jsonlib.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None, ""
    if not isinstance(data, dict):
        return None, ""
    code = data.get("code")
    message = data.get("message")
    return (
        code if isinstance(code, int) and not isinstance(code, bool) else None,
        message if isinstance(message, str) else "",
    )


def _api_error(status: int, code: int | None, message: str) -> APIError:
    text = message or f"Pinterest answered HTTP {status}."
    if status == 400:
        return BadRequestError(status, code, text)
    if status == 401:
        return AuthError(status, code, text)
    if status == 403:
        return ForbiddenError(status, code, text)
    if status == 404:
        return NotFoundError(status, code, text)
    if status >= 500:
        return ServerError(status, code, text)
    return BadRequestError(status, code, text)


def _labelled(label: str, error: object) -> str:
    """'GET /path: what went wrong', once (transport errors already start with the label)."""
    text = str(error)
    return text if text.startswith(label) else f"{label}: {text}"


class HttpSession:
    """One httpx.Client plus everything that makes a single call safe. Thread-safe."""

    def __init__(
        self,
        credentials: Credentials,
        limiter: Limiter,
        *,
        base_url: str,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        max_wait_s: float = 30.0,
        config: ClientConfig | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.credentials = credentials
        self.limiter = limiter
        self.base_url = normalise_base_url(base_url)
        self.config = config or ClientConfig()
        self.max_wait_s = max_wait_s
        self.stats = HttpStats()
        self._sleep = sleep
        self._rng = rng
        self._wall = wall  # the client's clock (token expiry)
        self._refresh_lock = threading.Lock()
        self._client = httpx.Client(
            transport=transport,
            timeout=timeout,
            headers={"User-Agent": self.config.user_agent, "Accept": "application/json"},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"HttpSession(base_url={self.base_url!r})"

    def close(self) -> None:
        self._client.close()

    # -- public -------------------------------------------------------------------------------

    def request_json(
        self,
        method: str,
        path: str,
        *,
        category: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        auth: bool = True,
    ) -> Any:
        """Send `method path` (relative to base_url) and return the decoded JSON body."""
        return self.request_json_sized(method, path, category=category, params=params,
                                       json=json, data=data, auth=auth)[0]

    def request_json_sized(
        self,
        method: str,
        path: str,
        *,
        category: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        auth: bool = True,
    ) -> tuple[Any, int]:
        """Like `request_json`, plus the body's length in bytes (the cache's size estimate)."""
        url = self.base_url + (path if path.startswith("/") else "/" + path)
        body = self._send(method, url, category=category, params=params, json=json, data=data,
                          auth=auth)
        if not body.strip():
            return None, 0
        try:
            return jsonlib.loads(body), len(body)
        except (ValueError, UnicodeDecodeError) as exc:  # pragma: no cover - checked in _send
            raise InvalidResponseError(f"{method} {path}: the answer is not JSON.") from exc

    def download(self, url: str) -> bytes:
        """GET an absolute (pre-signed) URL with no auth header; retries transient failures.
        Only https, or the API's own scheme and host (a simulator on loopback): a link from an
        answer must not send the app to a plain-http or internal address."""
        if not _download_allowed(url, self.base_url):
            raise InvalidResponseError("The file link in Pinterest's answer is not an https "
                                       "address; it was not fetched.")
        return self._send("GET", url, category=DOWNLOAD_CATEGORY, params=None, json=None,
                          data=None, auth=False, expect_json=False, rate_limited=False)

    def refresh_access_token(self, seen_generation: int | None = None) -> None:
        """POST /oauth/token (grant_type=refresh_token) and keep the new tokens.

        With `seen_generation`, skip when another thread refreshed since that token was used.
        """
        self._renew(seen_generation)

    def _renew(self, seen_generation: int | None) -> bool:
        """`refresh_access_token`; True when it took the pair another process had already
        refreshed (kept by the credentials' owner) instead of calling Pinterest."""
        if not self.credentials.can_refresh:
            raise AuthError(401, None, "The access token was refused and no refresh token with "
                            "app id and secret is configured.")
        with self._refresh_lock:
            if seen_generation is not None and self.credentials.generation != seen_generation:
                return self.credentials.adopted  # another thread renewed (maybe by adopting)
            with self.credentials.refresh_guard():  # other processes' refreshes wait
                if self.credentials.adopt_stored():  # another process already rotated
                    log.info("pinterest_client: took the token pair another process "
                             "refreshed")
                    return True
                self._refresh_now()
                return False

    def _refresh_now(self) -> None:
        """POST /oauth/token and install the answer (under the refresh locks)."""
        try:
            answer = self._send(
                "POST", self.base_url + "/oauth/token", category=OAUTH_CATEGORY,
                params=None, json=None, data=self.credentials.refresh_form(), auth=False,
                basic_auth=True, allow_refresh=False,
            )
        except (BadRequestError, AuthError, ForbiddenError) as exc:
            # Refused (bad or revoked refresh token, wrong app secret). Transient failures
            # (5xx, 429, timeouts) propagate as they are, so callers may serve stale data.
            self.credentials.refresh_refused()
            raise AuthError(exc.status, exc.code, "Refreshing the access token failed: "
                            + exc.message) from None
        try:
            decoded = jsonlib.loads(answer)
        except (ValueError, UnicodeDecodeError):
            decoded = None
        if not isinstance(decoded, dict) or not isinstance(decoded.get("access_token"), str):
            raise InvalidResponseError("The token refresh answer has no access_token.")
        new_refresh = decoded.get("refresh_token")
        expires_in = decoded.get("expires_in")
        expires_at = (
            self._wall() + float(expires_in)
            if isinstance(expires_in, int | float) and not isinstance(expires_in, bool)
            else None
        )
        self.credentials.install(
            decoded["access_token"], new_refresh if isinstance(new_refresh, str) else None,
            expires_at,
        )
        self.stats.record_refresh()
        log.info("pinterest_client: access token refreshed")

    # -- the loop -------------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        *,
        category: str,
        params: Mapping[str, Any] | None,
        json: Any,
        data: Mapping[str, str] | None,
        auth: bool,
        expect_json: bool = True,
        rate_limited: bool = True,
        basic_auth: bool = False,
        allow_refresh: bool = True,
    ) -> bytes:
        """One request with its retries: `decide` says what each failure leads to."""
        label = f"{method} {_path_of(url, self.base_url)}"
        refreshed = auth and self._refresh_before_sending(allow_refresh)
        attempt = 0
        rate_wait_s = self.max_wait_s
        while True:
            if rate_limited:
                rate_wait_s -= self._acquire(category, rate_wait_s, label)
            generation = self.credentials.generation
            try:
                outcome = self._attempt(method, url, label, category, params, json, data,
                                        self._auth_headers(auth, basic_auth), expect_json)
            finally:
                if rate_limited:
                    self.limiter.release(category)
            if not isinstance(outcome, Failure):
                return outcome
            error = outcome.error
            can_refresh = (auth and allow_refresh and not refreshed
                           and self.credentials.can_refresh)
            decision = decide(outcome, Budget(attempt, self.config.max_retries, rate_wait_s,
                                              can_refresh), self._backoff(attempt))
            if isinstance(decision, RefreshToken):
                # A pair taken from another process may itself be refused: one real refresh
                # may follow it (the next time the stored pair is ours, so no loop).
                refreshed = not self._renew(generation)
                continue
            if decision.block_s is not None:
                self.limiter.block(category, min(decision.block_s, self.config.max_block_s),
                                   announced_s=decision.block_s)
            if isinstance(decision, GiveUp):
                raise self._given_up(label, error, decision.block_s)
            rate_wait_s = decision.rate_wait_s
            attempt += 1
            self.stats.record_retry()
            log.debug("pinterest_client: %s failed (%s); retry %d in %.2f s", label,
                      type(error).__name__, attempt, decision.seconds)
            if decision.sleep:
                self._sleep(decision.seconds)  # a known reset is waited for by the limiter

    def _given_up(self, label: str, error: PinterestError, block_s: float | None
                  ) -> PinterestError:
        """The error to raise, recorded; a known reset goes on it (when to come back)."""
        if block_s is not None and isinstance(error, RateLimitedError):
            error.retry_after = block_s
            error.reset_at = time.time() + block_s
        self.stats.record_error(_labelled(label, error))
        return error

    def _refresh_before_sending(self, allow_refresh: bool) -> bool:
        """Refresh a missing or about-to-expire token first; whether a refresh was spent."""
        can_refresh = allow_refresh and self.credentials.can_refresh
        if not self.credentials.has_access_token:
            if not can_refresh:
                raise AuthError(401, None, "No access token: pass access_token or set "
                                "PINTEREST_ACCESS_TOKEN.")
            # A refresh token with app id and secret is enough to start.
        elif not (can_refresh and self.credentials.expires_soon(self._wall())):
            return False
        # The token is missing or says it is about to expire: renew it before sending. A pair
        # taken from another process is not a refresh spent: a 401 on it may still refresh.
        return not self._renew(self.credentials.generation)

    def _acquire(self, category: str, budget_s: float, label: str) -> float:
        """A rate-limit slot, waiting at most `budget_s`; the seconds it took."""
        started = time.monotonic()
        try:
            self.limiter.acquire(category, max(0.0, budget_s))
        except RateLimitedError as exc:
            self.stats.record_error(_labelled(label, exc.message))
            raise
        return time.monotonic() - started

    def _auth_headers(self, auth: bool, basic_auth: bool) -> dict[str, str]:
        if basic_auth:
            return dict(self.credentials.basic_header())
        if auth:
            return dict(self.credentials.auth_header())
        return {}

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.config.backoff_cap_s, self.config.backoff_base_s * (2.0**attempt))
        return ceiling / 2 + self._rng() * ceiling / 2

    def _attempt(
        self,
        method: str,
        url: str,
        label: str,
        category: str,
        params: Mapping[str, Any] | None,
        json: Any,
        data: Mapping[str, str] | None,
        headers: dict[str, str],
        expect_json: bool,
    ) -> bytes | Failure:
        """One HTTP exchange: the body, a `Failure` worth deciding about (timeouts, network,
        unreadable answers, 401, 429, 5xx), or a raised error no retry can fix (other 4xx)."""
        started = time.monotonic()
        try:
            response = self._client.request(
                method, url, params=_encode_params(params), json=json, data=data,
                headers=headers,
            )
            body = response.content
        except httpx.TimeoutException:
            self.stats.record_call(category, time.monotonic() - started)
            return Failure(APITimeoutError(f"{label}: no answer within the timeout."))
        except httpx.RemoteProtocolError:
            self.stats.record_call(category, time.monotonic() - started)
            return Failure(InvalidResponseError(
                f"{label}: the connection closed before the whole answer arrived."))
        except httpx.TransportError as exc:
            self.stats.record_call(category, time.monotonic() - started)
            return Failure(TransportError(
                f"{label}: could not reach the server ({type(exc).__name__})."))
        latency = time.monotonic() - started
        self.stats.record_call(category, latency)
        status = response.status_code
        log.debug("pinterest_client: %s -> %d in %.0f ms", label, status, latency * 1000)
        if 200 <= status < 300:
            if expect_json and body.strip() and not _is_json(body):
                return Failure(InvalidResponseError(
                    f"{label}: the answer is not valid JSON (malformed or truncated).",
                    status=status))
            return body
        code, message = _error_fields(body)
        message = self.credentials.scrub(message)[:300]
        if status == 429:
            self.stats.record_429()
            delay = parse_reset_seconds(response.headers, time.time())
            error: APIError = RateLimitedError(
                status, code, message or "Rate limit exceeded.",
                reset_at=None if delay is None else time.time() + delay, retry_after=delay,
            )
            return Failure(error, delay)
        error = _api_error(status, code, message)
        if status >= 500 or status == 401:
            return Failure(error)
        self.stats.record_error(_labelled(label, error))
        raise error


def _is_json(body: bytes) -> bool:
    try:
        jsonlib.loads(body)
    except (ValueError, UnicodeDecodeError):
        return False
    return True


def _path_of(url: str, base_url: str) -> str:
    # Log/label the path only: a pre-signed download URL carries a signature in its query.
    path = url[len(base_url):] if url.startswith(base_url) else httpx.URL(url).path
    return path.split("?", 1)[0]


def _encode_params(params: Mapping[str, Any] | None) -> dict[str, str | list[str]] | None:
    """Lists as repeated keys (the OpenAPI default, explode=true, used for id lists and
    statuses); parameters Pinterest wants comma-separated (columns, targeting_types) are joined
    by the caller. Bools lowercase, None dropped."""
    if params is None:
        return None
    out: dict[str, str | list[str]] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, list | tuple):
            out[key] = [str(v) for v in value]
        else:
            out[key] = str(value)
    return out


def _download_allowed(url: str, base_url: str) -> bool:
    link, api = httpx.URL(url), httpx.URL(base_url)
    return link.scheme == "https" or (link.scheme == api.scheme and link.host == api.host
                                      and link.port == api.port)
