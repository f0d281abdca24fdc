"""Drive the simulator's authorize page like a browser would, with httpx (no JavaScript needed):
``sign_in(page_client, user_id=..., redirect_uri=...)`` opens ``/oauth/``, reads the form's
ticket and presses Allow (or Cancel); ``redirect_query(answer)`` reads the 303's Location.

``page_client`` is an ``httpx.Client`` whose base URL is the simulator's origin (no ``/v5``):
``server.origin`` over loopback, or ``SIM_ORIGIN`` with ``transport=sim.transport()``.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import httpx

APP = ("sim-app", "sim-secret")
SCOPE = "ads:read,user_accounts:read"
REDIRECT_URI = "http://127.0.0.1:8501/oauth/callback"


class PageReader(HTMLParser):
    """Every start tag with its attributes, and the text, of an HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def inputs(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for tag, attrs in self.tags:
            if tag == "input" and "name" in attrs:
                found.setdefault(attrs["name"], []).append(attrs.get("value", ""))
        return found

    @property
    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def authorize_params(redirect_uri: str = REDIRECT_URI, state: str | None = "state-123",
                     scope: str = SCOPE, client_id: str = "sim-app",
                     response_type: str = "code") -> dict[str, str]:
    params = {"client_id": client_id, "redirect_uri": redirect_uri,
              "response_type": response_type, "scope": scope}
    if state is not None:
        params["state"] = state
    return params


def open_page(page_client: httpx.Client, **params: str | None) -> tuple[httpx.Response, str]:
    """GET /oauth/ -> (answer, the form's ticket)."""
    answer = page_client.get("/oauth/", params=authorize_params(**params))  # type: ignore[arg-type]
    assert answer.status_code == 200, answer.text
    return answer, PageReader(answer.text).inputs()["ticket"][0]


def sign_in(page_client: httpx.Client, *, user_id: str, decision: str = "allow",
            **params: str | None) -> httpx.Response:
    """Open the page and press Allow as ``user_id`` (or Cancel): the 303 answer."""
    _, ticket = open_page(page_client, **params)
    return page_client.post("/oauth/", data={"ticket": ticket, "user": user_id,
                                             "decision": decision})


def redirect_query(answer: httpx.Response) -> dict[str, str]:
    assert answer.status_code == 303, answer.text
    return {k: v[-1] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}


def exchange(api: httpx.Client, code: str, redirect_uri: str = REDIRECT_URI,
             app: tuple[str, str] = APP) -> httpx.Response:
    """POST /v5/oauth/token with grant_type=authorization_code (``api``: base URL with /v5)."""
    return api.post("/oauth/token", auth=app, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})


def refresh(api: httpx.Client, refresh_token: str, app: tuple[str, str] = APP) -> httpx.Response:
    return api.post("/oauth/token", auth=app,
                    data={"grant_type": "refresh_token", "refresh_token": refresh_token})
