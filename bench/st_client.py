"""A small client of Streamlit's own browser protocol, for benchmarks: sessions without a browser.

Streamlit 1.67 serves each browser tab one websocket, `/_stcore/stream`, carrying protobufs:
the browser sends `BackMsg`s (`rerun_script` with a `ClientState`: the page's query string,
its page name from the URL path, widget states) and the server answers with `ForwardMsg`s
(`new_session`, `session_status_changed`, `delta`s, ..., `script_finished`). A connection
alone runs nothing: the browser asks for the first run, as `Session.run` does. This module
speaks that protocol as the browser does (see streamlit/web/server/starlette/
starlette_websocket.py and streamlit/runtime/app_session.py under site-packages):

- the subprotocol header carries "streamlit" (the browser's second and third entries, an XSRF
  token and a session id to resume, are only needed for signed-in cookies and reconnection);
- no `cached_message_hashes` are sent, so every element arrives in full (never a `ref_hash`
  to fetch separately);
- a first run sends the URL's query string and page name (the path without its leading
  slash; "" for the default page), like a page load; later runs of the same session send the
  page script hash the server announced, like the browser's reruns; an auto-refresh is a
  rerun of the fragment the server asked to rerun (`auto_rerun` messages), marked
  `is_auto_rerun`.

Usage (asyncio; many sessions at once are many tasks in one loop):

    from bench.st_client import wait_ready, view, Session

    wait_ready("http://127.0.0.1:8501")                      # health check, blocking
    result = await view("http://127.0.0.1:8501", "/campaigns?range=last_7_days")
    result.finished_s, result.first_element_s, result.exceptions, result.ok

    async with await Session.open("http://127.0.0.1:8501", "/") as session:
        first = await session.run()
        again = await session.run()                           # a rerun of the same session
        if session.auto_rerun_fragments:                      # as the browser's auto-refresh
            tick = await session.run(fragment_id=session.auto_rerun_fragments[0])

Times are seconds on the monotonic clock (`time.perf_counter`) from the moment the run was
asked for (for `view`: from before the connection was opened).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Final
from urllib.parse import urlsplit

import httpx
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

STREAM_PATH: Final = "_stcore/stream"
HEALTH_PATH: Final = "_stcore/health"
HOST_CONFIG_PATH: Final = "_stcore/host-config"
DEFAULT_RUN_TIMEOUT_S: Final = 120.0
MAX_MESSAGE_BYTES: Final = 256 * 1024 * 1024  # a large table arrives as one message

# Root containers of a delta's path (streamlit/proto/RootContainer.proto).
MAIN: Final = 0
SIDEBAR: Final = 1

_FINISHED_STATUS: Final = {
    value: name for name, value in ForwardMsg.ScriptFinishedStatus.items()
}
_RUN_OVER: Final = frozenset({
    "FINISHED_SUCCESSFULLY", "FINISHED_WITH_COMPILE_ERROR", "FINISHED_FRAGMENT_RUN_SUCCESSFULLY",
})
SUCCESS: Final = frozenset({"FINISHED_SUCCESSFULLY", "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"})


@dataclass(frozen=True)
class Element:
    """One element the run drew: when (s after the run was asked for), where (root container:
    MAIN, SIDEBAR...) and its kind (the `Element` proto's field: "markdown", "plotly_chart",
    "spinner", "exception"...)."""

    at_s: float
    container: int
    kind: str


@dataclass
class RunResult:
    """What one script run sent, as the browser would have received it.

    `status` is the script_finished status name ("FINISHED_SUCCESSFULLY"...) or, when the
    run did not finish, "timeout", "disconnected" or "page_not_found".
    """

    status: str = "timeout"
    finished_s: float | None = None
    first_message_s: float | None = None  # any message (new_session comes first)
    navigation_s: float | None = None  # the page links (st.navigation's sidebar) arrived
    elements: list[Element] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)  # "Type: message" of each shown
    messages: int = 0
    bytes_received: int = 0
    # With `run(record=True)`: every block and element delta, in order, as
    # (delta path, "block" or "element", the Block or Element proto serialized).
    recorded: list[tuple[tuple[int, ...], str, bytes]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Finished successfully with no exception element on the page."""
        return self.status in SUCCESS and not self.exceptions

    @property
    def first_element_s(self) -> float | None:
        """When the first element (anywhere) arrived."""
        return self.elements[0].at_s if self.elements else None

    def first_s(self, *, kind: str | None = None, container: int | None = None) -> float | None:
        """When the first element of this kind and/or in this root container arrived."""
        for element in self.elements:
            if ((kind is None or element.kind == kind)
                    and (container is None or element.container == container)):
                return element.at_s
        return None

    def count(self, kind: str) -> int:
        """How many elements of this kind the run drew."""
        return sum(1 for element in self.elements if element.kind == kind)


def _http_base(base_url: str) -> str:
    return base_url.rstrip("/") + "/"


def stream_url(base_url: str) -> str:
    """The websocket URL of the app served at `base_url` (http://host:port[/base])."""
    parts = urlsplit(_http_base(base_url))
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}{parts.path}{STREAM_PATH}"


def wait_ready(base_url: str, timeout_s: float = 90.0) -> float:
    """Block until the server's health check answers 200 and its host config is served (what
    the browser reads before it connects); the seconds it took. RuntimeError on timeout."""
    began = time.perf_counter()
    deadline = time.monotonic() + timeout_s
    base = _http_base(base_url)
    with httpx.Client(timeout=5.0) as http:
        while time.monotonic() < deadline:
            try:
                if (http.get(base + HEALTH_PATH).status_code == 200
                        and http.get(base + HOST_CONFIG_PATH).status_code == 200):
                    return time.perf_counter() - began
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
    raise RuntimeError(f"the Streamlit server at {base_url} did not become healthy")


def split_page(path: str) -> tuple[str, str]:
    """(page name, query string) of a page URL path such as "/campaigns?range=x": the page
    name is the path without its slashes ("" for the default page), as the browser sends."""
    parts = urlsplit(path)
    return parts.path.strip("/"), parts.query


class Session:
    """One browser tab: a websocket session on one page. Use `Session.open`, then `run`."""

    def __init__(self, connection: ClientConnection, page_name: str, query_string: str) -> None:
        self._connection = connection
        self.page_name = page_name
        self.query_string = query_string
        self.session_id = ""  # from the server's new_session message
        self.page_script_hash = ""  # the page the server ran last (sent on reruns)
        self.auto_rerun_fragments: list[str] = []  # fragments the server asked to rerun
        self.runs = 0

    @classmethod
    async def open(cls, base_url: str, path: str = "/", *, open_timeout_s: float = 60.0
                   ) -> Session:
        """Connect to the app at `base_url` as a tab on `path` (page path + query string)."""
        connection = await connect(
            stream_url(base_url), subprotocols=["streamlit"],  # type: ignore[list-item]
            max_size=MAX_MESSAGE_BYTES, open_timeout=open_timeout_s, ping_interval=None,
            compression=None,
        )
        page_name, query_string = split_page(path)
        return cls(connection, page_name, query_string)

    async def run(self, *, fragment_id: str = "", timeout_s: float = DEFAULT_RUN_TIMEOUT_S,
                  started: float | None = None, record: bool = False) -> RunResult:
        """Ask for a script run and read until it finishes (or `timeout_s` passes).

        The first run is a page load (the URL's page name and query string); later runs are
        reruns of the same page (the page script hash the server announced). With
        `fragment_id`, a rerun of that fragment only, as an auto-refresh
        (`is_auto_rerun`). `started` (perf_counter) dates the result's times; default: now.
        `record` keeps every block and element delta (`RunResult.recorded`).
        """
        began = time.perf_counter() if started is None else started
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query_string
        if self.runs == 0 or not self.page_script_hash:
            state.page_name = self.page_name
        else:
            state.page_script_hash = self.page_script_hash
        if fragment_id:
            state.fragment_id = fragment_id
            state.is_auto_rerun = True
        self.runs += 1
        result = RunResult()
        try:
            await self._connection.send(message.SerializeToString())
            await asyncio.wait_for(self._read_run(result, began, record), timeout_s)
        except TimeoutError:
            result.status = "timeout"
        except ConnectionClosed:
            result.status = "disconnected"
        return result

    async def _read_run(self, result: RunResult, began: float, record: bool) -> None:
        while True:
            raw = await self._connection.recv(decode=False)
            at = time.perf_counter() - began
            if result.first_message_s is None:
                result.first_message_s = at
            result.messages += 1
            result.bytes_received += len(raw)
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "delta":
                self._read_delta(msg, at, result, record)
            elif kind == "new_session":
                self.session_id = msg.new_session.initialize.session_id or self.session_id
                if msg.new_session.page_script_hash:
                    self.page_script_hash = msg.new_session.page_script_hash
            elif kind == "navigation":
                if result.navigation_s is None:
                    result.navigation_s = at
            elif kind == "auto_rerun":
                fragment = msg.auto_rerun.fragment_id
                if fragment and fragment not in self.auto_rerun_fragments:
                    self.auto_rerun_fragments.append(fragment)
            elif kind == "page_not_found":
                result.status = "page_not_found"
            elif kind == "script_finished":
                status = _FINISHED_STATUS.get(msg.script_finished, str(msg.script_finished))
                if status in _RUN_OVER:  # FINISHED_EARLY_FOR_RERUN: another run follows
                    if result.status != "page_not_found":
                        result.status = status
                    result.finished_s = at
                    return

    @staticmethod
    def _read_delta(msg: ForwardMsg, at: float, result: RunResult, record: bool) -> None:
        path = msg.metadata.delta_path
        container = path[0] if path else MAIN
        delta = msg.delta
        which = delta.WhichOneof("type")
        if record and which == "add_block":
            result.recorded.append((tuple(path), "block", delta.add_block.SerializeToString()))
        if record and which == "new_element":
            result.recorded.append((tuple(path), "element",
                                    delta.new_element.SerializeToString()))
        if which == "new_element":
            elements = [delta.new_element]
        elif which == "new_transient":
            elements = list(delta.new_transient.elements)
        else:
            return
        for element in elements:
            element_kind = element.WhichOneof("type") or ""
            result.elements.append(Element(at, container, element_kind))
            if element_kind == "exception":
                result.exceptions.append(
                    f"{element.exception.type}: {element.exception.message}"
                )

    async def close(self) -> None:
        await self._connection.close()

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()


async def view(base_url: str, path: str = "/", *,
               timeout_s: float = DEFAULT_RUN_TIMEOUT_S) -> RunResult:
    """One page view as a new tab: connect, run once, close. Times count from before the
    connection was opened; a refused or failed connection is status "disconnected"."""
    began = time.perf_counter()
    try:
        session = await Session.open(base_url, path, open_timeout_s=timeout_s)
    except (OSError, TimeoutError, ConnectionClosed):
        return RunResult(status="disconnected")
    async with session:
        return await session.run(timeout_s=timeout_s, started=began)


async def crowd(base_url: str, paths: list[str], *,
                timeout_s: float = DEFAULT_RUN_TIMEOUT_S) -> list[RunResult]:
    """Views of every path at once (one new session each), results in the same order."""
    return list(await asyncio.gather(*(view(base_url, p, timeout_s=timeout_s) for p in paths)))
