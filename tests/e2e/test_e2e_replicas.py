"""Two replicas of the dashboard behind the deploy nginx configuration, sharing one Redis.

One simulator (a separate process: both replicas call the same upstream, which counts every
call), one test Redis, two `streamlit run app.py` replicas in personal mode with
PINTEREST_DASHBOARD_REDIS_URL, and Debian's nginx rendered from deploy/ for the test's ports.
A first browser is pinned by the sticky cookie to replica 1 and loads the Overview; a second
browser, pinned to replica 2, opens the same view: replica 2 answers it from the shared cache
with no upstream call. The access log proves which replica served each websocket.
"""

from __future__ import annotations

import http.client
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from email.message import Message

import pytest
from e2e_harness import (
    ARTIFACTS_DIR,
    AppLauncher,
    AppPage,
    RunningApp,
    SimServerProcess,
    assert_spend_matches_simulator,
    server_mode_env,
    slug,
    utc_today,
)
from playwright.sync_api import Browser
from replicas_support import REPLICA_COOKIE, NginxProcess, non_loopback_address, start_nginx

from pinterest_sim.world import DEMO_ACCOUNT_ID
from tests.redis_support import RedisServer

pytestmark = pytest.mark.e2e

# A week of closed days well before the last two (the client keeps closed days for hours, the
# last two days for 25 s): the second browser's load never meets an expired entry.
CLOSED_END_DAYS_AGO = 10
QUIET_S = 3.0  # upstream calls must stop for this long before the second browser opens
STREAM = "GET /_stcore/stream"


@pytest.fixture(scope="module")
def shared_redis() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture(scope="module")
def replicas(sim_server: SimServerProcess, shared_redis: RedisServer,
             module_streamlit_app: AppLauncher) -> list[RunningApp]:
    env = {**server_mode_env(sim_server),
           "PINTEREST_DASHBOARD_REDIS_URL": shared_redis.url,
           "PINTEREST_DASHBOARD_PROCESSES": "2"}
    return [module_streamlit_app(env, label=f"replica-{n}") for n in (1, 2)]


@pytest.fixture(scope="module")
def proxy(replicas: list[RunningApp]) -> Iterator[NginxProcess]:
    nginx = start_nginx([f"127.0.0.1:{app.port}" for app in replicas])
    try:
        yield nginx
    finally:
        nginx.stop()


def _upstream_calls(sim: SimServerProcess) -> int:
    return int(sim.stats()["total"])


def _wait_upstream_quiet(sim: SimServerProcess, timeout_s: float = 60.0) -> int:
    """The simulator's call count once it has not moved for QUIET_S (background work done)."""
    deadline = time.monotonic() + timeout_s
    last, since = _upstream_calls(sim), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = _upstream_calls(sim)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= QUIET_S:
            return now
    raise AssertionError("the replicas kept calling the simulator")


def _open_pinned(browser: Browser, proxy: NginxProcess, cookie: str, name: str) -> AppPage:
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(30_000)
    context.add_cookies([{"name": REPLICA_COOKIE, "value": cookie, "url": proxy.url}])
    return AppPage(context.new_page(), ARTIFACTS_DIR / slug(f"test_e2e_replicas__{name}"))


def _streams_served_by(proxy: NginxProcess, replica: str) -> int:
    return sum(1 for r in proxy.requests() if r.request == STREAM and r.replica == replica)


def _wait_stream_logged(proxy: NginxProcess, replica: str, at_least: int) -> None:
    """A websocket is logged when it closes (the browser context was just closed)."""
    deadline = time.monotonic() + 15
    while _streams_served_by(proxy, replica) < at_least:
        if time.monotonic() > deadline:
            raise AssertionError(f"no websocket through {replica} in the access log:\n"
                                 + "\n".join(map(str, proxy.requests()[-20:])))
        time.sleep(0.1)


def test_second_replica_answers_a_page_the_first_loaded_with_no_upstream_call(
    proxy: NginxProcess, replicas: list[RunningApp], sim_server: SimServerProcess,
    browser: Browser,
) -> None:
    first, second = (f"127.0.0.1:{app.port}" for app in replicas)
    cookie_first, cookie_second = proxy.cookie_for(first), proxy.cookie_for(second)
    end = utc_today() - timedelta(days=CLOSED_END_DAYS_AGO)
    start = end - timedelta(days=6)
    view = f"?preset=custom&start={start.isoformat()}&end={end.isoformat()}"

    before = _upstream_calls(sim_server)
    page = _open_pinned(browser, proxy, cookie_first, "replica-1")
    try:
        page.goto(proxy.url + view)
        page.check_page("overview-through-replica-1", charts=1)
        assert_spend_matches_simulator(page, DEMO_ACCOUNT_ID, start, end)
    finally:
        page.raw.context.close()
    _wait_stream_logged(proxy, first, 1)
    loaded = _wait_upstream_quiet(sim_server)
    assert loaded > before, "replica 1 drew the page without calling the simulator"

    streams_second = _streams_served_by(proxy, second)
    page = _open_pinned(browser, proxy, cookie_second, "replica-2")
    try:
        page.goto(proxy.url + view)
        page.check_page("overview-through-replica-2", charts=1)
        assert page.query().get("account") == [DEMO_ACCOUNT_ID]
        assert_spend_matches_simulator(page, DEMO_ACCOUNT_ID, start, end)
    finally:
        page.raw.context.close()
    _wait_stream_logged(proxy, second, streams_second + 1)
    assert _upstream_calls(sim_server) == loaded, (
        f"replica 2 called the simulator {_upstream_calls(sim_server) - loaded} times for a "
        f"page replica 1 had loaded ({loaded - before} calls)")


def _get(url: str, *, cookie: str | None = None) -> tuple[int, Message]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def _announce_body(proxy: NginxProcess, path: str, length: int) -> tuple[int, Message]:
    """POST headers announcing `length` bytes of body, and the answer (no body is sent)."""
    parts = urllib.parse.urlsplit(proxy.url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        connection.putrequest("POST", path)
        connection.putheader("Content-Length", str(length))
        connection.endheaders()
        response = connection.getresponse()
        response.read()
        return response.status, response.headers
    finally:
        connection.close()


def test_the_proxy_sends_the_security_headers_once_and_a_sticky_cookie(
    proxy: NginxProcess, replicas: list[RunningApp],
) -> None:
    status, headers = _get(proxy.url)
    assert status == 200
    policies = headers.get_all("Content-Security-Policy") or []
    assert len(policies) == 1, policies
    directives = dict(d.strip().split(" ", 1) for d in policies[0].split(";"))
    assert directives["frame-ancestors"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert headers.get_all("X-Content-Type-Options") == ["nosniff"]
    assert headers.get_all("Referrer-Policy") == ["no-referrer"]
    assert headers["Server"] == "nginx", "the proxy names its version"

    cookies = headers.get_all("Set-Cookie") or []
    sticky = [c for c in cookies if c.startswith(f"{REPLICA_COOKIE}=")]
    assert len(sticky) == 1, cookies
    assert re.match(rf"{REPLICA_COOKIE}=[0-9a-f]{{32}};", sticky[0])
    assert "HttpOnly" in sticky[0] and "SameSite=Lax" in sticky[0]
    # A browser that has the cookie keeps it: no new one.
    _, again = _get(proxy.url, cookie=sticky[0].split(";", 1)[0])
    assert not [c for c in again.get_all("Set-Cookie") or [] if REPLICA_COOKIE in c]

    # The proxy's own answers carry the headers too: a body over the limit (announced by its
    # length, so nginx refuses it before reading it) is refused there.
    status, refused = _announce_body(proxy, "/_stcore/upload_file/x/y", 3 << 20)
    assert status == 413
    assert refused.get_all("X-Content-Type-Options") == ["nosniff"]
    assert len(refused.get_all("Content-Security-Policy") or []) == 1


def test_personal_mode_behind_the_proxy_still_refuses_other_machines(
    replicas: list[RunningApp],
) -> None:
    """nginx replaces X-Forwarded-For with the visitor's address and the app's server trusts
    it from loopback: a visitor from another machine gets personal mode's refusal through the
    proxy, even when it names this computer in its Host header."""
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no address but loopback")
    outside = start_nginx([f"127.0.0.1:{app.port}" for app in replicas], host=address)
    try:
        port = urllib.parse.urlsplit(outside.url).port
        request = urllib.request.Request(outside.url, headers={"Host": f"127.0.0.1:{port}"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 403
        assert "Not shared" in refused.value.read().decode()
    finally:
        outside.stop()
