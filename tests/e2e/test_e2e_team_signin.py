"""Team mode in a real browser: the app (`streamlit run app.py`) with sim-app / sim-secret against
`python -m pinterest_sim` as a separate process, people signing in on the simulator's own
authorize page, each in their own browser context.

One simulator and one team app serve the module; each test opens its own contexts.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from e2e_harness import (
    AppLauncher,
    AppPage,
    RunningApp,
    SimServerProcess,
    free_port,
    slug,
)
from playwright.sync_api import Browser

from dashboard.session_cookie import SESSION_COOKIE, CookieSigner
from dashboard.token_store import TokenStore
from pinterest_sim.world import (
    DEMO_ACCOUNT_ID,
    DEMO_USER_ID,
    FORBIDDEN_ACCOUNT_ID,
    OTHER_USER_ID,
)

OWNER_ACCOUNT = "Evergreen Home & Garden"
AGENCY_ACCOUNT = "Agency Client – Restricted"
SIGN_IN = "Sign in with Pinterest"


@dataclass(frozen=True)
class TeamApp:
    app: RunningApp
    store: TokenStore  # the app's own token store file, opened with its key

    @property
    def url(self) -> str:
        return self.app.url


@pytest.fixture(scope="module")
def team_app(sim_server: SimServerProcess, module_streamlit_app: AppLauncher,
             tmp_path_factory: pytest.TempPathFactory) -> TeamApp:
    port = free_port()
    store = tmp_path_factory.mktemp("team") / "tokens.sqlite3"
    key = secrets.token_urlsafe(48)
    app = module_streamlit_app({
        "PINTEREST_APP_ID": "sim-app",
        "PINTEREST_APP_SECRET": "sim-secret",
        "PINTEREST_API_BASE_URL": sim_server.base_url,
        "PINTEREST_DASHBOARD_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PINTEREST_DASHBOARD_SECRET_KEY": key,
        "PINTEREST_DASHBOARD_TOKEN_STORE": str(store),
    }, label="team", port=port)
    return TeamApp(app, TokenStore(store, key))


@pytest.fixture
def people(browser: Browser, request: pytest.FixtureRequest) -> Iterator[PeopleFactory]:
    factory = PeopleFactory(browser, Path("artifacts/e2e") / slug(
        f"test_e2e_team_signin__{request.node.name}"))
    try:
        yield factory
    finally:
        factory.close()


class PeopleFactory:
    """One browser context (its own cookies) per person."""

    def __init__(self, browser: Browser, shots: Path) -> None:
        self.browser = browser
        self.shots = shots
        self.contexts: list[object] = []

    def __call__(self, name: str) -> AppPage:
        context = self.browser.new_context(viewport={"width": 1440, "height": 1000})
        context.set_default_timeout(30_000)
        self.contexts.append(context)
        return AppPage(context.new_page(), self.shots / name)

    def close(self) -> None:
        for context in self.contexts:
            context.close()  # type: ignore[attr-defined]


def _sign_in_page_shown(page: AppPage) -> None:
    page.wait_settled()
    page.raw.get_by_role("link", name=SIGN_IN).wait_for()
    main = page.raw.locator('[data-testid="stMain"]').inner_text()
    assert OWNER_ACCOUNT not in main and AGENCY_ACCOUNT not in main
    assert page.raw.locator('[data-testid="stSidebarNav"]').count() == 0
    assert page.raw.locator('[data-testid="stMetric"]').count() == 0


def _authorize(page: AppPage, user_id: str, decision: str) -> None:
    """On the signed-out page: the sign-in link, then the simulator's authorize page."""
    page.raw.get_by_role("link", name=SIGN_IN).click()
    page.raw.wait_for_url(re.compile(r"/oauth/\?"))
    page.raw.locator(f'input[name="user"][value="{user_id}"]').check()
    page.raw.get_by_role("button", name=decision, exact=True).click()


def _sign_in(page: AppPage, app: TeamApp, path: str, user_id: str) -> None:
    page.goto(app.url + path)
    _sign_in_page_shown(page)
    _authorize(page, user_id, "Allow")
    page.raw.wait_for_url(re.compile(r"^" + re.escape(app.url.rstrip("/")) + r"/(?!auth/)"))
    page.wait_settled()
    page.assert_no_exception()


def _account_options(page: AppPage) -> list[str]:
    box = page.raw.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has=page.raw.get_by_role("combobox", name="Ad account", exact=True))
    box.get_by_role("button", name="Open").click()
    options = page.raw.get_by_role("option").all_inner_texts()
    page.raw.keyboard.press("Escape")
    return options


def _calls_for(sim: SimServerProcess, account_id: str) -> int:
    by_path: dict[str, int] = sim.stats()["by_path"]
    return sum(n for path, n in by_path.items() if account_id in path)


def _assert_no_token_shown(team: TeamApp, page: AppPage, user_id: str) -> None:
    """The person's tokens (read back from the store with the app's key) are in no page, no
    cookie, no line of the app's log and not in clear in the store file."""
    record = team.store.load(user_id)
    assert record is not None and record.access_token and record.refresh_token
    cookies = " ".join(c.get("value", "") for c in page.raw.context.cookies())
    shown = page.raw.content() + cookies + team.app.log_tail(100_000)
    raw = team.store.path.read_bytes()
    for token in (record.access_token, record.refresh_token):
        assert token not in shown and token.encode() not in raw


def _sidebar(page: AppPage) -> str:
    return page.raw.locator('[data-testid="stSidebar"]').inner_text()


def test_two_people_each_see_only_their_own_accounts(
    team_app: TeamApp, sim_server: SimServerProcess, people: PeopleFactory
) -> None:
    owner = people("owner")
    # a shared link, opened signed out: sign-in first, then the linked view, filters intact
    _sign_in(owner, team_app, "campaigns?preset=last_30_days", DEMO_USER_ID)
    assert "/campaigns" in owner.raw.url and owner.query()["preset"] == ["last_30_days"]
    assert "Signed in as evergreen_marketing" in _sidebar(owner)
    assert "Team mode" in _sidebar(owner)
    options = _account_options(owner)
    assert any(OWNER_ACCOUNT in o for o in options)
    assert not any(AGENCY_ACCOUNT in o for o in options)
    owner.snap("owner-signed-in")
    _assert_no_token_shown(team_app, owner, DEMO_USER_ID)
    # a reload keeps the session
    owner.raw.reload(wait_until="domcontentloaded")
    owner.wait_settled()
    assert "Signed in as evergreen_marketing" in _sidebar(owner)
    assert owner.query()["preset"] == ["last_30_days"]
    owner.raw.close()

    agency = people("agency")
    _sign_in(agency, team_app, "", OTHER_USER_ID)
    assert "Signed in as agency_partner" in _sidebar(agency)
    assert [o for o in _account_options(agency) if o.strip()] == [
        o for o in _account_options(agency) if AGENCY_ACCOUNT in o]
    # the owner's account by link: a clear refusal, and not one call or row for it
    before = _calls_for(sim_server, DEMO_ACCOUNT_ID)
    agency.goto(team_app.url + f"?account={DEMO_ACCOUNT_ID}&preset=last_7_days")
    agency.assert_no_exception()
    page_text = agency.raw.locator('[data-testid="stApp"]').inner_text()
    assert f"The link's ad account {DEMO_ACCOUNT_ID} is not one this Pinterest user can see" \
        in page_text
    assert OWNER_ACCOUNT not in page_text
    assert agency.query()["account"] == [FORBIDDEN_ACCOUNT_ID]
    assert _calls_for(sim_server, DEMO_ACCOUNT_ID) == before
    agency.snap("agency-refused-owner-link")


def test_sign_out_ends_every_tab_of_that_browser_only(
    team_app: TeamApp, people: PeopleFactory
) -> None:
    first = people("owner")
    _sign_in(first, team_app, "", DEMO_USER_ID)
    second = AppPage(first.raw.context.new_page(), first.shots_dir)  # same browser, new tab
    second.goto(team_app.url + "campaigns")
    assert "Signed in as evergreen_marketing" in _sidebar(second)
    other = people("agency")
    _sign_in(other, team_app, "", OTHER_USER_ID)

    first.raw.get_by_role("link", name="Sign out").click()
    first.raw.wait_for_url(re.compile(r"/auth/logout"))
    assert "Sign out?" in first.raw.locator("body").inner_text()  # a link only asks
    first.raw.get_by_role("button", name="Sign out").click()
    first.raw.wait_for_load_state()
    first.raw.get_by_text("You are signed out").wait_for()
    # the other tab, still open on its old connection: its next run shows the sign-in page
    second.choose("Date range", "Last 30 days")
    _sign_in_page_shown(second)
    second.raw.reload(wait_until="domcontentloaded")
    _sign_in_page_shown(second)
    # somebody else's browser stays signed in
    other.raw.reload(wait_until="domcontentloaded")
    other.wait_settled()
    assert "Signed in as agency_partner" in _sidebar(other)


def test_cancel_on_the_authorize_page_lands_on_a_friendly_page(
    team_app: TeamApp, people: PeopleFactory
) -> None:
    page = people("cancel")
    page.goto(team_app.url + "targeting")
    _sign_in_page_shown(page)
    _authorize(page, DEMO_USER_ID, "Cancel")
    page.raw.wait_for_url(re.compile(r"/auth/callback\?"))
    text = page.raw.locator("body").inner_text()
    assert "You chose Cancel" in text and "Traceback" not in text
    # and from there, signing in works and still lands on the page first asked for
    _authorize(page, DEMO_USER_ID, "Allow")
    page.raw.wait_for_url(re.compile(r"/targeting"))
    page.wait_settled()
    assert "Signed in as evergreen_marketing" in _sidebar(page)


def test_a_tampered_or_foreign_cookie_gets_the_sign_in_page(
    team_app: TeamApp, people: PeopleFactory
) -> None:
    owner = people("owner")
    _sign_in(owner, team_app, "", DEMO_USER_ID)
    real = next(c for c in owner.raw.context.cookies() if c.get("name") == SESSION_COOKIE)
    value = real.get("value", "")
    assert real.get("httpOnly") and real.get("sameSite") == "Lax"
    forged = {
        # another deployment's key, a well-formed session id
        "foreign": CookieSigner(secrets.token_urlsafe(48), 3600).session_value("x" * 43),
        # the owner's real cookie with one character of its signature changed
        "tampered": value[:-3] + ("A" if value[-3] != "A" else "B") + value[-2:],
    }
    for name, cookie in forged.items():
        visitor = people(name)
        visitor.raw.context.add_cookies([{"name": SESSION_COOKIE, "value": cookie,
                                          "url": team_app.url}])
        visitor.goto(team_app.url + "campaigns")
        _sign_in_page_shown(visitor)
