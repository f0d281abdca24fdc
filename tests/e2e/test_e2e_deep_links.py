"""A link to any page as the very first request after `streamlit run app.py` starts.

pages/ sits beside app.py, which would make Streamlit run a linked page script on its own (no
sidebar, no filters) until the first st.navigation call (web/pages_mode.py). Each page gets a
fresh server here, so the link is the first request that server sees. The same runs check the
security headers and that the page draws under its Content-Security-Policy without violations.
"""

from __future__ import annotations

import urllib.request

import pytest
from e2e_harness import AppLauncher, AppPage

from pinterest_sim.world import EUR_ACCOUNT_ID

pytestmark = pytest.mark.e2e

# url path -> the page's title (its sidebar link and its h1 start the same way)
PAGES: dict[str, str] = {
    "campaigns": "Campaigns",
    "audience": "Audience",
    "targeting": "Targeting",
    "report_builder": "Report builder",
    "bulk_export": "Bulk export",
    "glossary": "Metrics glossary",
    "api_status": "API status",
    "": "Overview",
}
LINK_QUERY = f"account={EUR_ACCOUNT_ID}&preset=last_14_days&compare=0"


def _csp_violations(page: AppPage) -> list[str]:
    found: list[str] = []
    page.raw.on(
        "console",
        lambda message: found.append(message.text)
        if "Content Security Policy" in message.text else None,
    )
    return found


@pytest.mark.parametrize("path", list(PAGES))
def test_a_link_as_the_first_request_shows_the_page_with_sidebar_and_filters(
    streamlit_app: AppLauncher, page: AppPage, path: str
) -> None:
    app = streamlit_app(label=f"deep-link-{path or 'root'}")
    violations = _csp_violations(page)
    page.goto(f"{app.url}{path}?{LINK_QUERY}")
    title = PAGES[path]
    page.raw.wait_for_function(
        """(label) => Array.from(document.querySelectorAll('[data-testid="stSidebarNav"] a'))
             .some((a) => a.getAttribute('aria-current') === 'page'
                          && a.textContent.includes(label))""",
        arg=title,
    )
    page.check_page(f"deep-link-{path or 'overview'}")
    assert page.raw.locator("h1").first.inner_text().strip().startswith(title.split()[0])
    # The shared sidebar ran (app.py, not the page script alone), with the link's filters.
    assert EUR_ACCOUNT_ID in page.selected("Ad account")
    assert page.selected("Date range") == "Last 14 days"
    query = page.query()
    assert query.get("account") == [EUR_ACCOUNT_ID]
    assert query.get("preset") == ["last_14_days"]
    # Filters survive moving to another page.
    other = "Overview" if title != "Overview" else "Campaigns"
    page.open_page(other)
    assert page.query().get("account") == [EUR_ACCOUNT_ID]
    assert page.query().get("preset") == ["last_14_days"]
    assert violations == []


def test_every_answer_carries_the_security_headers(streamlit_app: AppLauncher) -> None:
    app = streamlit_app(label="headers")
    for path in ("", "campaigns?account=1", "_stcore/health", "static/page_icon.png"):
        with urllib.request.urlopen(app.url + path, timeout=10) as response:
            headers = response.headers
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors 'self'" in policy, path
        assert "script-src 'self' 'sha256-" in policy, path
        assert "'unsafe-eval'" not in policy and "script-src 'self' 'unsafe-inline'" not in policy
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "no-referrer", path
        assert len(headers.get_all("Content-Security-Policy") or []) == 1, path


def test_frame_ancestors_can_be_set_by_the_operator(streamlit_app: AppLauncher) -> None:
    app = streamlit_app(
        {"PINTEREST_DASHBOARD_FRAME_ANCESTORS": "'self' https://intranet.example.com"},
        label="frame-ancestors",
    )
    with urllib.request.urlopen(app.url, timeout=10) as response:
        policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://intranet.example.com" in policy
