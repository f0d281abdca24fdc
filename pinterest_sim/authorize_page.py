"""Pinterest's authorize page (``https://www.pinterest.com/oauth/``), small: ``GET /oauth/``.

``GET /oauth/?client_id&redirect_uri&response_type=code&scope&state`` shows the app's name, the
scopes it asks for and the people of the world to sign in as, with Allow and Cancel. The form
posts back to ``POST /oauth/`` with a one-time ticket (the request itself stays on the server,
so the form cannot change the redirect URI); Allow answers 303 to ``redirect_uri?code=..&state=..``,
Cancel 303 to ``redirect_uri?error=access_denied&state=..``. A request that cannot be honoured
(unknown client_id, bad response_type or redirect_uri, unknown scope, expired ticket) gets an
HTML error page, never a redirect. Every value drawn is escaped; no external assets (inline
style allowed by its hash in the Content-Security-Policy, avatars are data: URIs).
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from urllib.parse import parse_qs, urlsplit

from pinterest_sim.models import SimulatorBackend
from pinterest_sim.oauth import SCOPES, ConsentError, ConsentRequest

_CSS = """
body{font-family:Helvetica,Arial,sans-serif;background:#f1f1f1;color:#111;margin:0}
main{max-width:30rem;margin:3rem auto;background:#fff;border-radius:1rem;padding:2rem}
h1{font-size:1.4rem;margin:0 0 1rem}.scopes li{margin:.3rem 0}
fieldset{border:1px solid #ddd;border-radius:.6rem;margin:1rem 0;padding:.5rem 1rem}
label{display:flex;align-items:center;gap:.7rem;padding:.4rem 0;cursor:pointer}
label img{width:2.5rem;height:2.5rem;border-radius:50%}.who small{display:block;color:#555}
.buttons{display:flex;gap:1rem;justify-content:flex-end}
button{font-size:1rem;border:0;border-radius:1.5rem;padding:.7rem 1.4rem;cursor:pointer}
button[value=allow]{background:#e60023;color:#fff}.error{color:#b00020}.note{color:#555}
"""
_CSS_HASH = base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()
# Nothing but the page's own style and data: images; no framing (a consent page must not be
# clickjacked), no referrer (the URL carries the state).
_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; "
                               "img-src data:; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class PageAnswer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class AuthorizePage:
    """The page's two routes over the backend's ``OAuthFlow``."""

    def __init__(self, backend: SimulatorBackend) -> None:
        self.backend = backend

    def get(self, query: Mapping[str, Sequence[str]]) -> PageAnswer:
        single = {k: vals[-1] for k, vals in query.items() if vals}
        try:
            ticket, request = self.backend.open_consent(single)
        except ConsentError as exc:
            return _error_page(str(exc))
        return self._consent_page(ticket, request)

    def post(self, content_type: str, body: bytes) -> PageAnswer:
        if "application/x-www-form-urlencoded" not in content_type:
            return _error_page("The sign-in form was not sent as a form.")
        try:
            form = {k: vals[-1] for k, vals in
                    parse_qs(body.decode(), keep_blank_values=True).items()}
        except UnicodeDecodeError:
            return _error_page("The sign-in form was not readable.")
        ticket = form.get("ticket", "")
        decision = form.get("decision")
        try:
            request = self.backend.consent(ticket)
            if decision == "cancel":
                return _redirect(self.backend.decide_consent(ticket, None))
            if decision != "allow":
                return _error_page("Choose Allow or Cancel.")
            user_id = form.get("user", "")
            if self.backend.world.user(user_id) is None:
                return self._consent_page(ticket, request, "Choose who signs in.")
            return _redirect(self.backend.decide_consent(ticket, user_id))
        except ConsentError as exc:
            return _error_page(str(exc))

    def _consent_page(self, ticket: str, request: ConsentRequest, problem: str = ""
                      ) -> PageAnswer:
        app = escape(self.backend.config.app_name)
        scopes = "".join(f"<li><strong>{escape(s)}</strong>: {escape(SCOPES[s])}</li>"
                         for s in request.scopes)
        people = "".join(self._person(user.id) for user in self.backend.world.users)
        target = escape(urlsplit(request.redirect_uri).netloc)
        problem_html = f'<p class="error" role="alert">{escape(problem)}</p>' if problem else ""
        content = f"""<h1>{app} wants to access your Pinterest account</h1>
<p>It asks to:</p><ul class="scopes">{scopes}</ul>
<form method="post" action="/oauth/">
<input type="hidden" name="ticket" value="{escape(ticket)}">
<fieldset><legend>Sign in as (simulated Pinterest users)</legend>{people}</fieldset>
{problem_html}<p class="note">You will be sent back to {target}.</p>
<div class="buttons">
<button type="submit" name="decision" value="cancel" formnovalidate>Cancel</button>
<button type="submit" name="decision" value="allow">Allow</button></div>
</form>"""
        return _page(400 if problem else 200, "Sign in with Pinterest (simulator)", content)

    def _person(self, user_id: str) -> str:
        world = self.backend.world
        user = world.user(user_id)
        assert user is not None
        roles: Counter[str] = Counter()
        for account in world.accounts_for_user(user_id):
            roles.update(world.roles(user_id, account.id))
        access = ", ".join(
            f"{role.replace('_', ' ').title()} on {n} ad account{'' if n == 1 else 's'}"
            for role, n in sorted(roles.items())) or "no ad accounts"
        name = f" – {user.business_name}" if user.business_name else ""
        return (f'<label><input type="radio" name="user" value="{escape(user.id)}" required>'
                f'<img alt="" src="{escape(user.as_api_dict()["profile_image"])}">'
                f'<span class="who">{escape(user.username)}{escape(name)}'
                f"<small>{escape(access)}</small></span></label>")


def _page(status: int, title: str, content: str) -> PageAnswer:
    html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
            f"<body><main>{content}</main></body></html>")
    return PageAnswer(status, dict(_HEADERS), html.encode())


def _error_page(message: str) -> PageAnswer:
    content = (f'<h1>Cannot sign in</h1><p class="error" role="alert">{escape(message)}</p>'
               "<p>Go back to the app and try again. If this keeps happening, the app's "
               "Pinterest settings (app id, redirect URI) need a look.</p>")
    return _page(400, "Cannot sign in", content)


def _redirect(location: str) -> PageAnswer:
    return PageAnswer(303, {"Location": location, "Cache-Control": "no-store",
                            "Referrer-Policy": "no-referrer"})
