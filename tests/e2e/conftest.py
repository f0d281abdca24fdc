"""Fixtures for the real-browser tests: the loopback simulator, `streamlit run` processes and
headless Debian Chromium driven by Playwright (the machinery is in e2e_harness.py).

Every process a fixture starts is stopped in its teardown, ports come from the OS, and when a
test fails its report gets a screenshot of the page and the tails of the Streamlit logs.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_harness import (
    ARTIFACTS_DIR,
    CHROMIUM,
    CHROMIUM_ARGS,
    RUNNING_APPS,
    AppLauncher,
    AppPage,
    RunningApp,
    SimServerProcess,
    slug,
    start_sim_server,
)
from playwright.sync_api import Browser, Playwright, sync_playwright


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/e2e is an e2e test, marked or not."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def e2e_log_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="e2e-logs-") as folder:
        yield Path(folder)


@pytest.fixture(scope="module")
def sim_server(e2e_log_dir: Path) -> Iterator[SimServerProcess]:
    """The simulator as a separate loopback HTTP server (one per test module)."""
    sim = start_sim_server(e2e_log_dir)
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def streamlit_app(e2e_log_dir: Path) -> Iterator[AppLauncher]:
    """Factory: `streamlit_app(env)` starts an app for this test; all stop at its end."""
    launcher = AppLauncher(e2e_log_dir)
    try:
        yield launcher
    finally:
        launcher.close()


@pytest.fixture(scope="module")
def module_streamlit_app(e2e_log_dir: Path) -> Iterator[AppLauncher]:
    """Factory like `streamlit_app`, for apps shared by the tests of one module."""
    launcher = AppLauncher(e2e_log_dir)
    try:
        yield launcher
    finally:
        launcher.close()


@pytest.fixture(scope="session")
def demo_app(e2e_log_dir: Path) -> Iterator[RunningApp]:
    """`streamlit run app.py` on demo data (no token), shared by every test that only reads."""
    launcher = AppLauncher(e2e_log_dir)
    try:
        yield launcher(label="demo")
    finally:
        launcher.close()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: scripts/test.sh installs Debian's chromium")
    instance = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield instance
    finally:
        instance.close()


# A phone held upright: Playwright's touch viewport in Chromium (the size of an iPhone 14).
PHONE_CONTEXT: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[AppPage]:
    """A fresh browser context and page; screenshots go to artifacts/e2e/<module>__<test>/."""
    yield from _app_page(browser, request, viewport={"width": 1440, "height": 1000})


@pytest.fixture
def phone_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[AppPage]:
    """Like `page`, on a phone (PHONE_CONTEXT): touch, 390 x 844 CSS pixels."""
    yield from _app_page(browser, request, **PHONE_CONTEXT)


def _app_page(
    browser: Browser, request: pytest.FixtureRequest, **context_options: Any
) -> Iterator[AppPage]:
    module = Path(str(request.node.path)).stem
    shots_dir = ARTIFACTS_DIR / slug(f"{module}__{request.node.name}")
    for old in shots_dir.glob("*.png"):
        old.unlink()
    context = browser.new_context(**context_options)
    context.set_default_timeout(30_000)
    raw = context.new_page()
    app_page = AppPage(raw, shots_dir)
    request.node.stash[_PAGE_KEY] = app_page
    try:
        yield app_page
    finally:
        context.close()


_PAGE_KEY = pytest.StashKey[AppPage]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On a failure: a screenshot of the page as it was, and the Streamlit log tails."""
    outcome: Any = yield
    report: pytest.TestReport = outcome.get_result()
    if report.passed or report.skipped or report.when == "teardown":
        return
    app_page = item.stash.get(_PAGE_KEY, None)
    if app_page is not None and not app_page.raw.is_closed():
        try:
            shot = app_page.snap("failure")
            report.sections.append(("e2e failure screenshot", str(shot)))
        except Exception as exc:  # a screenshot must never hide the real failure
            report.sections.append(("e2e failure screenshot", f"not taken: {exc!r}"))
    for app in list(RUNNING_APPS):
        report.sections.append((f"streamlit log ({app.label}, {app.url})", app.log_tail()))
