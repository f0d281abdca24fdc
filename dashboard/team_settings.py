"""Team mode's settings: who signs in where, with which app, and how long a session lasts.

Team mode is on when PINTEREST_DASHBOARD_PUBLIC_URL or PINTEREST_DASHBOARD_SECRET_KEY is set
and no access token is; it then needs PINTEREST_APP_ID, PINTEREST_APP_SECRET, the public URL
(the address people open; the OAuth redirect URI is derived from it) and the secret key (signs
session cookies, and the token store's encryption key is derived from it). Each is also read
from the `[pinterest]` secrets section (keys in TEAM_ENV_TO_SECRET). Streamlit-free.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

# environment variable -> key in the [pinterest] secrets section
TEAM_ENV_TO_SECRET: Final[dict[str, str]] = {
    "PINTEREST_DASHBOARD_PUBLIC_URL": "public_url",
    "PINTEREST_DASHBOARD_SECRET_KEY": "secret_key",
    "PINTEREST_DASHBOARD_ALLOWED_USERS": "allowed_users",
    "PINTEREST_OAUTH_AUTHORIZE_URL": "authorize_url",
    "PINTEREST_DASHBOARD_SESSION_HOURS": "session_hours",
    "PINTEREST_DASHBOARD_TOKEN_STORE": "token_store",
}
PINTEREST_AUTHORIZE_URL: Final = "https://www.pinterest.com/oauth/"
SCOPES: Final = ("ads:read", "user_accounts:read")
DEFAULT_SESSION_HOURS: Final = 12.0
MAX_SESSION_HOURS: Final = 24.0 * 30
DEFAULT_TOKEN_STORE: Final = "data/team_tokens.sqlite3"
MIN_SECRET_KEY_CHARS: Final = 32
CALLBACK_PATH: Final = "/auth/callback"


class TeamSettingsError(ValueError):
    """A setting is unusable. The message names the setting, never a secret value."""


def _name(env_name: str) -> str:
    return f"{env_name} (secrets: {TEAM_ENV_TO_SECRET.get(env_name, env_name.lower())})"


@dataclass(frozen=True)
class TeamSettings:
    app_id: str
    app_secret: str = field(repr=False)
    public_url: str  # no trailing slash, e.g. https://ads.example.com
    secret_key: str = field(repr=False)
    authorize_url: str = PINTEREST_AUTHORIZE_URL
    allowed_users: frozenset[str] = frozenset()  # lower-case Pinterest usernames; empty = all
    session_hours: float = DEFAULT_SESSION_HOURS
    token_store_path: str = DEFAULT_TOKEN_STORE

    @property
    def redirect_uri(self) -> str:
        return self.public_url + CALLBACK_PATH

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.lower().startswith("https://")

    def allows(self, username: str) -> bool:
        return not self.allowed_users or username.lower() in self.allowed_users


def is_loopback_host(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1 (hostname as urlsplit gives it: lower case, no [])."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_web_url(url: str, setting: str, *, path_allowed: bool) -> str:
    """An https URL (plain http only to this machine), no user, query or fragment."""
    parts = urlsplit(url)
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        host = None
    plain = parts.scheme.lower() == "http" and host is not None and is_loopback_host(host)
    if (parts.scheme.lower() != "https" and not plain) or not host or "@" in parts.netloc \
            or parts.query or parts.fragment or any(c.isspace() for c in url) \
            or (not path_allowed and parts.path not in {"", "/"}):
        what = "an address such as https://ads.example.com" if not path_allowed else \
            "a URL such as https://www.pinterest.com/oauth/"
        raise TeamSettingsError(
            f"{_name(setting)} must be {what}: https, with no user name, query or fragment "
            "(plain http only to 127.0.0.1, ::1 or localhost).")
    return url


def default_authorize_url(base_url: str) -> str:
    """Pinterest's authorize page, or a local simulator's own `/oauth/` page when the API
    base URL is `python -m pinterest_sim` on this machine (plain http to loopback, /v5)."""
    parts = urlsplit(base_url)
    if parts.scheme == "http" and is_loopback_host(parts.hostname or "") \
            and parts.path.rstrip("/").endswith("/v5"):
        return base_url.rstrip("/")[: -len("/v5")] + "/oauth/"
    return PINTEREST_AUTHORIZE_URL


def _hours(text: str | None) -> float:
    if text is None:
        return DEFAULT_SESSION_HOURS
    try:
        hours = float(text)
    except ValueError:
        hours = -1.0
    if not 0 < hours <= MAX_SESSION_HOURS:
        raise TeamSettingsError(f"{_name('PINTEREST_DASHBOARD_SESSION_HOURS')} must be a "
                                f"number of hours above 0 and at most {MAX_SESSION_HOURS:g}.")
    return hours


def read_team_settings(
    value: Callable[[str], str | None], app_id: str | None, app_secret: str | None,
    base_url: str,
) -> TeamSettings | None:
    """Team settings when team mode is asked for (public URL or secret key set), else None.
    `value(env_name)` reads one setting (environment first, then secrets)."""
    public_url = value("PINTEREST_DASHBOARD_PUBLIC_URL")
    secret_key = value("PINTEREST_DASHBOARD_SECRET_KEY")
    if public_url is None and secret_key is None:
        return None
    missing = [name for name, given in (
        ("PINTEREST_APP_ID", app_id), ("PINTEREST_APP_SECRET", app_secret),
        ("PINTEREST_DASHBOARD_PUBLIC_URL", public_url),
        ("PINTEREST_DASHBOARD_SECRET_KEY", secret_key)) if not given]
    if missing:
        raise TeamSettingsError(
            "Team mode (everyone signs in with Pinterest) needs PINTEREST_APP_ID, "
            "PINTEREST_APP_SECRET, PINTEREST_DASHBOARD_PUBLIC_URL and "
            "PINTEREST_DASHBOARD_SECRET_KEY; missing: " + ", ".join(missing)
            + ". Or set PINTEREST_ACCESS_TOKEN for personal mode, or nothing for the demo.")
    assert app_id and app_secret and public_url and secret_key
    if len(secret_key) < MIN_SECRET_KEY_CHARS:
        raise TeamSettingsError(
            f"{_name('PINTEREST_DASHBOARD_SECRET_KEY')} must be at least "
            f"{MIN_SECRET_KEY_CHARS} random characters, e.g. the output of "
            "python -c \"import secrets; print(secrets.token_urlsafe(48))\".")
    public = check_web_url(public_url.rstrip("/"), "PINTEREST_DASHBOARD_PUBLIC_URL",
                           path_allowed=False)
    authorize = value("PINTEREST_OAUTH_AUTHORIZE_URL")
    allowed = value("PINTEREST_DASHBOARD_ALLOWED_USERS") or ""
    return TeamSettings(
        app_id=app_id,
        app_secret=app_secret,
        public_url=public,
        secret_key=secret_key,
        authorize_url=(check_web_url(authorize, "PINTEREST_OAUTH_AUTHORIZE_URL",
                                     path_allowed=True)
                       if authorize else default_authorize_url(base_url)),
        allowed_users=frozenset(u.strip().lstrip("@").lower() for u in allowed.split(",")
                                if u.strip()),
        session_hours=_hours(value("PINTEREST_DASHBOARD_SESSION_HOURS")),
        token_store_path=value("PINTEREST_DASHBOARD_TOKEN_STORE") or DEFAULT_TOKEN_STORE,
    )
