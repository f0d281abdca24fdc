"""Pinterest Ads live dashboard: the entry point (`streamlit run app.py`).

Builds one Pinterest client per process, renders the sidebar filters shared by every page
(kept in the URL so a view can be shared as a link), then runs the chosen page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import streamlit as st

from dashboard import prefetch
from dashboard.connection import Connection, build_connection
from dashboard.errors import describe_error
from dashboard.filters import Filters, to_query, utc_today
from dashboard.loaders import AccountInfo, load_accounts, load_campaigns, load_overview
from dashboard.long_range import needs_reports
from dashboard.prefetch import Prefetch
from dashboard.settings import SettingsError, load_settings
from dashboard.text import md_escape
from ui.sidebar import URL_MESSAGES_KEY, init_filter_state, sidebar_filters
from views.common import CONTEXT_KEY, EXPECTED_ERRORS, PageContext

st.set_page_config(
    page_title="Pinterest Ads dashboard",
    # A local file (found from any working directory): a :material: icon loads from Google.
    page_icon=str(Path(__file__).resolve().parent / "static" / "page_icon.png"),
    layout="wide",
)

OVERVIEW = st.Page("views/overview.py", title="Overview", icon=":material/dashboard:",
                   default=True)
CAMPAIGNS = st.Page("views/campaigns.py", title="Campaigns", icon=":material/campaign:")
# The pages, in sidebar order. Add a page by appending an st.Page here.
PAGES: list[Any] = [
    OVERVIEW,
    CAMPAIGNS,
    st.Page("views/audience.py", title="Audience", icon=":material/groups:"),
    st.Page("views/targeting.py", title="Targeting", icon=":material/target:"),
    st.Page("views/report_builder.py", title="Report builder", icon=":material/summarize:"),
    st.Page("views/bulk_export.py", title="Bulk export", icon=":material/cloud_download:"),
    st.Page("views/glossary.py", title="Metrics glossary", icon=":material/menu_book:"),
    st.Page("views/api_status.py", title="API status", icon=":material/monitor_heart:"),
]

# Pages whose data starts while the sidebar lists the accounts (dashboard/prefetch.py): the
# loader each page calls with (client, account id, filters, today) through PageContext.load.
PREFETCHED: dict[str, Callable[..., object]] = {
    OVERVIEW.url_path: load_overview,
    CAMPAIGNS.url_path: load_campaigns,
}


def _secrets_section() -> Mapping[str, object]:
    """The [pinterest] section of .streamlit/secrets.toml, or {} when there is none."""
    try:
        section = st.secrets.get("pinterest", {})
    except Exception:  # no secrets file at all is normal (demo mode, env vars)
        return {}
    return dict(section) if isinstance(section, Mapping) else {}


@st.cache_resource(show_spinner=False)
def get_connection() -> Connection:
    """One client per process: its cache, rate-limit buckets and threads are shared by all."""
    return build_connection(load_settings(secrets=_secrets_section()))


def _pick_account(
    slot: Any, accounts: list[AccountInfo], messages: list[str]
) -> AccountInfo | None:
    if not accounts:
        return None
    ids = [a.id for a in accounts]
    wanted = st.session_state.get("f_account")
    if wanted not in ids:
        if wanted:
            messages.append(
                f"The link's ad account {md_escape(wanted)} is not one this Pinterest user can "
                f"see; showing {md_escape(accounts[0].name)}."
            )
        st.session_state["f_account"] = ids[0]
    by_id = {a.id: a for a in accounts}
    chosen = slot.selectbox(
        "Ad account",
        ids,
        format_func=lambda account_id: by_id[account_id].label,
        key="f_account",
    )
    return by_id.get(chosen, accounts[0])


def _sync_url(filters: Filters) -> None:
    wanted = to_query(filters)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def _start_prefetch(
    page: Any, connection: Connection, filters: Filters, today: date
) -> Prefetch | None:
    """Start the page's data now when its account is known and live analytics serve it."""
    loader = PREFETCHED.get(page.url_path)
    if loader is None or filters.account_id is None or needs_reports(filters.start, today):
        return None
    return prefetch.start(loader, connection.client, filters.account_id, filters, today)


def main() -> None:
    page = st.navigation(PAGES)
    today = utc_today()
    init_filter_state(today)
    messages: list[str] = list(st.session_state.pop(URL_MESSAGES_KEY, []))

    try:
        connection = get_connection()
    except SettingsError as exc:
        st.error(str(exc))
        st.stop()

    if connection.is_demo:
        st.sidebar.warning("**Demo data** from a built-in Pinterest simulator.",
                           icon=":material/science:")
        # The variable's name on a line of its own: inside the narrow warning it broke mid-word.
        st.sidebar.caption("To see your own account, set  \n`PINTEREST_ACCESS_TOKEN`  \n"
                           "(README: Connect a real Pinterest account).")
    else:
        st.sidebar.caption(f"Connected to {connection.target}")
    for note in connection.notes:
        st.sidebar.warning(note, icon=":material/key:")

    # The account picker goes on top, but is drawn last: the other filters and the page's
    # data (when the account is known) need not wait for the account list.
    account_slot = st.sidebar.container()
    known_account = st.session_state.get("f_account") or None
    filters = sidebar_filters(today, known_account)
    page_prefetch = _start_prefetch(page, connection, filters, today)
    accounts: list[AccountInfo] = []
    account_error: str | None = None
    try:
        accounts, _ = load_accounts(connection.client)
    except EXPECTED_ERRORS as exc:
        account_error = describe_error(exc)
    account = _pick_account(account_slot, accounts, messages)
    filters = replace(filters, account_id=account.id if account else None)
    _sync_url(filters)

    st.session_state[CONTEXT_KEY] = PageContext(
        connection=connection, account=account, filters=filters, today=today,
        prefetch=page_prefetch, account_error=account_error,
    )
    for message in messages:
        st.warning(message, icon=":material/link_off:")
    if account_error:
        st.error("Could not list your ad accounts. " + account_error)
    page.run()


main()
