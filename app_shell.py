"""The app's shell, run by app.py on every rerun: the Pinterest client (one per process; in
team mode one per signed-in person, and a visitor without a session sees only the sign-in
page), the sidebar filters shared by every page (kept in the URL so a view can be shared as a
link), then the chosen page from pages/.

It lives here rather than in app.py because Streamlit compiles the script again whenever the
last session has left (its script cache is cleared then): a module is compiled once per
process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from dashboard import prefetch
from dashboard.connection import Connection, build_connection
from dashboard.errors import describe_error
from dashboard.filters import Filters, to_query, utc_today
from dashboard.loaders import AccountInfo, load_accounts, load_campaigns, load_overview
from dashboard.long_range import needs_reports
from dashboard.people import NeedsSignIn, Person, SignedIn
from dashboard.prefetch import PageLoader, PageRequest, Prefetch
from dashboard.session_cookie import SESSION_COOKIE
from dashboard.settings import Settings, SettingsError, load_settings
from dashboard.text import md_code, md_escape
from dashboard.token_store import TokenStoreError
from ui.admission import PageTurn, page_turn
from ui.common import CONTEXT_KEY, EXPECTED_ERRORS, PageContext
from ui.narrow import narrow_layout_css
from ui.secrets import secrets_section
from ui.sidebar import URL_MESSAGES_KEY, init_filter_state, sidebar_filters
from ui.signin import show_sign_in, sidebar_person
from web.auth import LOGOUT_PATH, login_link, team_runtime

ROOT = Path(__file__).resolve().parent  # the repository: pages/ and static/ are here


def _page(script: str, title: str, icon: str, *, default: bool = False) -> Any:
    return st.Page(ROOT / "pages" / script, title=title, icon=icon, default=default)


def _pages() -> tuple[list[Any], dict[str, PageLoader[object]]]:
    """The pages in sidebar order (add a page by adding a line here), and the loader of each page
    whose data starts while the sidebar lists the accounts (dashboard/prefetch.py)."""
    overview = _page("overview.py", "Overview", ":material/dashboard:", default=True)
    campaigns = _page("campaigns.py", "Campaigns", ":material/campaign:")
    pages = [
        overview,
        campaigns,
        _page("audience.py", "Audience", ":material/groups:"),
        _page("targeting.py", "Targeting", ":material/target:"),
        _page("report_builder.py", "Report builder", ":material/summarize:"),
        _page("bulk_export.py", "Bulk export", ":material/cloud_download:"),
        _page("glossary.py", "Metrics glossary", ":material/menu_book:"),
        _page("api_status.py", "API status", ":material/monitor_heart:"),
    ]
    prefetched: dict[str, PageLoader[object]] = {
        overview.url_path: load_overview,
        campaigns.url_path: load_campaigns,
    }
    return pages, prefetched



@st.cache_resource(show_spinner=False)
def get_connection() -> Connection:
    """One client per process: its cache, rate-limit buckets and threads are shared by all."""
    return build_connection(load_settings(secrets=secrets_section()))


def _team_session(settings: Settings) -> tuple[Person, Connection] | NeedsSignIn:
    """Team mode: this browser's signed-in person and their own connection, or why not."""
    runtime = team_runtime(settings)
    sid = runtime.signer.read_session(st.context.cookies.get(SESSION_COOKIE))
    state = runtime.people.session_state(sid)
    if isinstance(state, SignedIn):
        connection = runtime.people.connection_for(state.person)
        if connection is not None:
            return state.person, connection
        state = runtime.people.session_state(sid)  # signed out meanwhile: say why
        if isinstance(state, SignedIn):
            return NeedsSignIn()
    return state


def _current_link(page: Any) -> str:
    """This page's path and query, to come back to after sign-in."""
    query = urlencode(st.query_params.to_dict())
    return "/" + str(page.url_path) + (f"?{query}" if query else "")


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
    loader: PageLoader[object] | None, connection: Connection, filters: Filters, today: date
) -> Prefetch[object] | None:
    """Start the page's data now when live analytics serve it and its account is one the
    token has listed before (a cached list, no call): an account id from a link is never
    fetched for before the token's own list confirms it (a tampered link costs no calls)."""
    if loader is None or filters.account_id is None or needs_reports(filters.start, today):
        return None
    if filters.account_id not in (connection.client.known_ad_account_ids() or ()):
        return None
    request = PageRequest(connection.client, filters.account_id, filters, today)
    return prefetch.start_page(loader, request)


def main() -> None:
    # A crowd takes turns (dashboard/admission.py): a run whose turn comes soon computes all
    # of it in that turn; one that waits longer shows the page links, its title and a spinner.
    with page_turn() as turn:
        _shell(turn)


def _shell(turn: PageTurn) -> None:
    st.set_page_config(
        page_title="Pinterest Ads dashboard",
        # A local file (found from any working directory): a :material: icon loads from Google.
        page_icon=str(ROOT / "static" / "page_icon.png"),
        layout="wide",
    )
    narrow_layout_css()
    pages, prefetched = _pages()
    try:
        settings = load_settings(secrets=secrets_section())
        session = _team_session(settings) if settings.team is not None else None
        connection = get_connection() if session is None else None
    except (SettingsError, TokenStoreError) as exc:
        st.navigation(pages, position="hidden")
        st.error(md_escape(str(exc), 1000))
        st.stop()
    if isinstance(session, NeedsSignIn):  # team mode, nobody signed in: nothing else shows
        page = st.navigation(pages, position="hidden")
        show_sign_in(login_link(_current_link(page)), session.reason)
        st.stop()
    page = st.navigation(pages)
    turn.when_drawn(str(page.title))
    _sidebar_and_page(page, prefetched, settings, session, connection)


def _sidebar_and_page(page: Any, prefetched: Mapping[str, PageLoader[object]],
                      settings: Settings, session: tuple[Person, Connection] | None,
                      connection: Connection | None) -> None:
    """The sidebar's filters and account, then the page (in the session's turn)."""
    if session is not None:
        person, connection = session
        sidebar_person(person, LOGOUT_PATH)
    assert connection is not None
    today = utc_today()
    init_filter_state(today)
    messages: list[str] = list(st.session_state.pop(URL_MESSAGES_KEY, []))

    if connection.is_demo:
        st.sidebar.warning(f"{connection.mode_name}: **Demo data** from a built-in Pinterest "
                           "simulator.",
                           icon=":material/science:")
        # The variable's name on a line of its own: inside the narrow warning it broke mid-word.
        st.sidebar.caption("To see your own account, set  \n`PINTEREST_ACCESS_TOKEN`  \n"
                           "(README: Connect a real Pinterest account).")
    else:
        st.sidebar.caption(f"{connection.mode_name} · connected to "
                           f"{md_code(connection.target)}")
    for note in connection.notes:
        st.sidebar.warning(note, icon=":material/key:")

    # The account picker goes on top, but is drawn last: the other filters and the page's
    # data (when the account is known) need not wait for the account list.
    account_slot = st.sidebar.container()
    known_account = st.session_state.get("f_account") or None
    filters = sidebar_filters(today, known_account)
    page_prefetch = _start_prefetch(prefetched.get(page.url_path), connection, filters,
                                    today)
    accounts: list[AccountInfo] = []
    account_error: str | None = None
    try:
        accounts, _ = load_accounts(connection.client)
    except EXPECTED_ERRORS as exc:
        account_error = describe_error(exc)
        if session is not None and not isinstance(_team_session(settings), tuple):
            st.rerun()  # Pinterest refused this person's refresh token: the sign-in page says so
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
        st.error("Could not list your ad accounts. " + md_escape(account_error, 1000))
    page.run()
