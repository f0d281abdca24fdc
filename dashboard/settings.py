"""Configuration: where the dashboard gets its Pinterest credentials and API address.

Environment variables win; otherwise the `[pinterest]` section of Streamlit's secrets (the page
passes it in as a plain mapping, so this module stays Streamlit-free). Three modes:
- demo (nothing configured): the in-process simulator, configured by its own PINTEREST_SIM_*
  variables (seed, faults, rate limits; see pinterest_sim.SimConfig.from_env);
- personal (an access token): one token for everyone who reaches the app, so loopback only
  unless PINTEREST_DASHBOARD_SHARE_TOKEN=1 (web/loopback.py enforces it);
- team (app id, app secret, public URL and secret key, no token): everyone signs in with
  Pinterest (web/auth.py); the team settings are in dashboard/team_settings.py.
Secrets never appear in reprs, messages or logs.

Several processes (replicas behind one address) share state through Redis when
PINTEREST_DASHBOARD_REDIS_URL (secrets: redis_url) is set; PINTEREST_DASHBOARD_PROCESSES
(secrets: processes) says how many there are, so each takes 1/N of Pinterest's budget while the
store is down. A URL that cannot be a Redis address is a note (the app runs in process), never
fatal; its password never appears anywhere.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal
from urllib.parse import urlsplit

from dashboard.team_settings import (
    TEAM_ENV_TO_SECRET,
    TeamSettings,
    TeamSettingsError,
    is_loopback_host,
    read_team_settings,
)
from pinterest_client import PRODUCTION_BASE_URL, SANDBOX_BASE_URL

Mode = Literal["demo", "personal", "team"]
MODE_NAMES: Final[dict[str, str]] = {
    "demo": "Demo mode", "personal": "Personal mode", "team": "Team mode"}

# environment variable -> key in the [pinterest] secrets section
ENV_TO_SECRET: Final[dict[str, str]] = {
    "PINTEREST_ACCESS_TOKEN": "access_token",
    "PINTEREST_REFRESH_TOKEN": "refresh_token",
    "PINTEREST_APP_ID": "app_id",
    "PINTEREST_APP_SECRET": "app_secret",
    "PINTEREST_API_BASE_URL": "base_url",
    "PINTEREST_DASHBOARD_SHARE_TOKEN": "share_token",
    "PINTEREST_DASHBOARD_REDIS_URL": "redis_url",
    "PINTEREST_DASHBOARD_PROCESSES": "processes",
    **TEAM_ENV_TO_SECRET,
}
# Seconds one Pinterest request may take (each retry again): PINTEREST_API_TIMEOUT_S.
TIMEOUT_ENV: Final = "PINTEREST_API_TIMEOUT_S"
DEFAULT_TIMEOUT_S: Final = 30.0
TIMEOUT_RANGE_S: Final = (1.0, 120.0)
BASE_URL_ALIASES: Final[dict[str, str]] = {
    "production": PRODUCTION_BASE_URL,
    "sandbox": SANDBOX_BASE_URL,
}


_BASE_URL_SETTING: Final = "PINTEREST_API_BASE_URL (secrets: base_url)"
# Settings that hold a credential: a placeholder or a space in them is refused.
REDIS_URL_SETTING: Final = "PINTEREST_DASHBOARD_REDIS_URL (secrets: redis_url)"
PROCESSES_SETTING: Final = "PINTEREST_DASHBOARD_PROCESSES (secrets: processes)"
REDIS_SCHEMES: Final = ("redis", "rediss", "unix")
MAX_PROCESSES: Final = 1000
_CREDENTIALS: Final = frozenset({
    "PINTEREST_ACCESS_TOKEN", "PINTEREST_REFRESH_TOKEN", "PINTEREST_APP_ID",
    "PINTEREST_APP_SECRET", "PINTEREST_DASHBOARD_SECRET_KEY"})


SettingsError = TeamSettingsError  # one error type for every unusable setting


@dataclass(frozen=True)
class Settings:
    access_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    app_id: str | None = None
    app_secret: str | None = field(default=None, repr=False)
    base_url: str = PRODUCTION_BASE_URL
    timeout_s: float = DEFAULT_TIMEOUT_S
    share_token: bool = False  # personal mode served beyond loopback (operator's opt-in)
    team: TeamSettings | None = None  # set in team mode only
    # The shared store (None: every process keeps its own state); may hold a password.
    redis_url: str | None = field(default=None, repr=False)
    processes: int = 1  # app processes sharing Pinterest's budget (the fallback's divisor)
    shared_store_problem: str | None = None  # why a configured URL is not used (no secret)

    @property
    def is_demo(self) -> bool:
        return not self.access_token and self.team is None

    @property
    def mode(self) -> Mode:
        if self.team is not None:
            return "team"
        return "demo" if self.is_demo else "personal"

    @property
    def mode_name(self) -> str:
        return MODE_NAMES[self.mode]

    @property
    def loopback_only(self) -> bool:
        """A shared token with no sign-in in front: this machine only, unless opted in."""
        return self.mode == "personal" and not self.share_token

    def startup_message(self) -> str:
        """What the app says in its log at start-up, in plain words."""
        if self.mode == "demo":
            return ("Demo mode: showing made-up data from the built-in Pinterest simulator. "
                    "Nobody signs in and no Pinterest account is used.")
        if self.mode == "team":
            assert self.team is not None
            allowed = ", ".join(sorted(self.team.allowed_users))
            who = (f"only these Pinterest users may sign in: {allowed}" if allowed
                   else "any Pinterest user may sign in")
            return (f"Team mode: everyone signs in with Pinterest at {self.team.public_url} and "
                    f"sees only the ad accounts Pinterest lets them see; {who}.")
        if self.share_token:
            return ("Personal mode, shared: PINTEREST_DASHBOARD_SHARE_TOKEN=1, so anyone who "
                    "can reach this server sees every ad account of the configured Pinterest "
                    "token, without signing in.")
        return ("Personal mode: the configured Pinterest token is served to this computer only "
                "(127.0.0.1 / ::1); other machines get a refusal page. To let others open it, "
                "set up team mode (everyone signs in), or set PINTEREST_DASHBOARD_SHARE_TOKEN=1 "
                "to share this token's data with anyone who can reach the server.")

    @property
    def target(self) -> str:
        """Where the data comes from, for the sidebar ("Demo data", "Pinterest sandbox", ...)."""
        if self.is_demo:
            return "Demo data"
        if self.base_url == PRODUCTION_BASE_URL:
            return "Pinterest"
        if self.base_url == SANDBOX_BASE_URL:
            return "Pinterest sandbox"
        return f"Pinterest API at {self.base_url}"

    @property
    def notes(self) -> list[str]:
        """Settings that work but not as the user probably meant (shown, never fatal)."""
        notes: list[str] = []
        if self.refresh_token and not (self.app_id and self.app_secret):
            notes.append("A refresh token is set without PINTEREST_APP_ID and "
                         "PINTEREST_APP_SECRET (secrets: app_id, app_secret): the dashboard "
                         "cannot renew an expired access token without all three.")
        if self.shared_store_problem:
            notes.append(self.shared_store_problem)
        return notes

    def __repr__(self) -> str:
        token = "set" if self.access_token else "none"
        refresh = "set" if self.refresh_token else "none"
        return (
            f"Settings(access_token={token}, refresh_token={refresh}, app_id={self.app_id!r}, "
            f"base_url={self.base_url!r}, mode={self.mode!r}, "
            f"shared_store={'set' if self.redis_url else 'none'}, processes={self.processes})"
        )


def resolve_base_url(value: str | None) -> str:
    """'production', 'sandbox' or an http(s) URL (trailing slash dropped); empty -> production."""
    if value is None or not value.strip():
        return PRODUCTION_BASE_URL
    text = value.strip()
    alias = BASE_URL_ALIASES.get(text.lower())
    if alias:
        return alias
    return check_base_url(text.rstrip("/"))


def check_base_url(url: str) -> str:
    """`url` when it is safe to send the token to; else SettingsError. Messages never repeat
    the URL (it may hold a password).

    Refused: anything but http(s); user:password (or a user) in the URL; a query or fragment;
    plain http to anything but a loopback address (127.0.0.0/8, ::1, localhost), since the
    bearer token would travel in clear text."""
    if not url.lower().startswith(("https://", "http://")) or any(c.isspace() for c in url):
        raise SettingsError(f"{_BASE_URL_SETTING} must be 'production', 'sandbox' or an "
                            "http(s) URL such as https://api.pinterest.com/v5.")
    parts = urlsplit(url)
    if "@" in parts.netloc:
        raise SettingsError(
            f"{_BASE_URL_SETTING} must not contain a user name or password (the part before "
            "'@'): the dashboard sends its own bearer token. Remove it from the URL.")
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        host = None
    if not host or parts.query or parts.fragment or url.endswith(("?", "#")):
        raise SettingsError(f"{_BASE_URL_SETTING} must be a plain http(s) URL with a host and "
                            "no query or fragment, such as https://api.pinterest.com/v5.")
    if parts.scheme.lower() == "http" and not is_loopback_host(host):
        raise SettingsError(
            f"{_BASE_URL_SETTING} uses plain http:// to a host that is not this machine: the "
            "access token would travel in clear text. Use an https:// URL (plain http is "
            "allowed only for 127.0.0.1, ::1 or localhost, e.g. the local simulator).")
    return url


def _value(
    env: Mapping[str, str], secrets: Mapping[str, object], env_name: str
) -> str | None:
    from_env = env.get(env_name)
    if from_env is not None and from_env.strip():
        return _checked(from_env.strip(), env_name)
    from_secrets = secrets.get(ENV_TO_SECRET[env_name])
    if from_secrets is None:
        return None
    text = str(from_secrets).strip()
    return _checked(text, env_name) if text else None


def _checked(value: str, env_name: str) -> str:
    """Refuses credentials that cannot be real: a placeholder copied from an example
    ("pina_...", "<token>") or text with spaces. The message names the setting only."""
    if env_name not in _CREDENTIALS:
        return value
    if "..." in value or "<" in value or ">" in value or any(c.isspace() for c in value):
        raise SettingsError(
            f"{env_name} (secrets: {ENV_TO_SECRET[env_name]}) looks like a placeholder, not a "
            "real value. Paste the real one, or leave it empty to run on demo data."
        )
    return value


def load_settings(
    env: Mapping[str, str] | None = None, secrets: Mapping[str, object] | None = None
) -> Settings:
    """Settings from the environment, then from the `[pinterest]` secrets mapping."""
    env = os.environ if env is None else env
    secrets = secrets or {}

    def value(env_name: str) -> str | None:
        return _value(env, secrets, env_name)

    access_token = value("PINTEREST_ACCESS_TOKEN")
    app_id, app_secret = value("PINTEREST_APP_ID"), value("PINTEREST_APP_SECRET")
    base_url = resolve_base_url(value("PINTEREST_API_BASE_URL"))
    share = (value("PINTEREST_DASHBOARD_SHARE_TOKEN") or "0").lower()
    if share not in {"0", "1", "true", "false", "yes", "no"}:
        raise SettingsError("PINTEREST_DASHBOARD_SHARE_TOKEN (secrets: share_token) must be 1 "
                            "(share the token beyond this computer) or 0.")
    refresh_token = value("PINTEREST_REFRESH_TOKEN")
    team = None if access_token else read_team_settings(value, app_id, app_secret, base_url)
    if team is not None and refresh_token:
        # The client falls back to PINTEREST_REFRESH_TOKEN when a person's own is missing:
        # in team mode that would renew someone's session as the operator's Pinterest user.
        raise SettingsError("PINTEREST_REFRESH_TOKEN (secrets: refresh_token) is for personal "
                            "mode; in team mode everyone signs in with their own Pinterest "
                            "account. Remove it.")
    redis_url, problem = resolve_redis_url(value("PINTEREST_DASHBOARD_REDIS_URL"))
    return Settings(
        redis_url=redis_url,
        shared_store_problem=problem,
        processes=resolve_processes(value("PINTEREST_DASHBOARD_PROCESSES")),
        access_token=access_token,
        refresh_token=refresh_token,
        app_id=app_id,
        app_secret=app_secret,
        base_url=base_url,
        timeout_s=resolve_timeout(env.get(TIMEOUT_ENV) or secrets.get("timeout_s")),
        share_token=share in {"1", "true", "yes"},
        team=team,
    )


def resolve_timeout(value: object) -> float:
    """Seconds per request, from 1 to 120; unset -> 30 (the client's default)."""
    if value is None or not str(value).strip():
        return DEFAULT_TIMEOUT_S
    low, high = TIMEOUT_RANGE_S
    try:
        seconds = float(str(value).strip())
    except ValueError:
        seconds = float("nan")
    if not low <= seconds <= high:  # NaN fails too
        raise SettingsError(
            f"{TIMEOUT_ENV} (secrets: timeout_s) must be a number of seconds from {low:g} to "
            f"{high:g}."
        )
    return seconds


def resolve_redis_url(value: str | None) -> tuple[str | None, str | None]:
    """(the URL to use, or None; a problem to show, or None). A URL that cannot be a Redis
    address is not used (the app keeps its state in process) and the message says why without
    repeating the URL (it may hold a password)."""
    if value is None or not value.strip():
        return None, None
    url = value.strip()
    problem = _redis_url_problem(url)
    if problem is None:
        return url, None
    return None, (f"{REDIS_URL_SETTING} is not usable: {problem}. Each app process keeps its "
                  "own cache, rate budget and sign-ins until it is fixed (for example "
                  "redis://redis.internal:6379/0 or rediss://:password@host:6380/0).")


def _redis_url_problem(url: str) -> str | None:
    if any(c.isspace() for c in url):
        return "it contains a space"
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in REDIS_SCHEMES:
        return "it must start with redis://, rediss:// or unix://"
    if scheme == "unix":
        return None if parts.path else "a unix:// address needs the socket's path"
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        return "its port is not a number from 1 to 65535"
    if not host:
        return "it has no host name"
    if port == 0:
        return "its port is not a number from 1 to 65535"
    db = parts.path.strip("/")
    if db and not db.isdigit():
        return "the part after the host must be a database number such as /0"
    return None


def resolve_processes(value: str | None) -> int:
    """How many app processes share the budget: a whole number from 1; unset -> 1."""
    if value is None or not value.strip():
        return 1
    text = value.strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_PROCESSES:
        raise SettingsError(f"{PROCESSES_SETTING} must be the number of app processes "
                            f"(replicas) sharing this dashboard, a whole number from 1 to "
                            f"{MAX_PROCESSES}.")
    return int(text)
