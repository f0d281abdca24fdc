"""What app.py's st.App is built with: the middleware stack, the sign-in routes (team mode),
and the pages-mode guard."""

from __future__ import annotations

import logging

from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from dashboard.settings import Settings
from web.auth import SignInRoutes, team_runtime
from web.headers import SecurityHeadersMiddleware, frame_ancestors
from web.loopback import LoopbackOnlyMiddleware
from web.pages_mode import disable_pages_directory_mode
from web.private_files import SignedInFilesMiddleware

__all__ = ["announce_mode", "disable_pages_directory_mode", "middleware", "routes"]
log = logging.getLogger("dashboard.startup")


def middleware(settings: Settings | None = None) -> list[Middleware]:
    stack = [Middleware(SecurityHeadersMiddleware, ancestors=frame_ancestors())]
    if settings is not None and settings.loopback_only:
        stack.append(Middleware(LoopbackOnlyMiddleware))
    if settings is not None and settings.team is not None:
        stack.append(Middleware(SignedInFilesMiddleware, runtime=team_runtime(settings)))
    return stack


def routes(settings: Settings | None) -> list[BaseRoute]:
    if settings is None or settings.team is None:
        return []
    return SignInRoutes(team_runtime(settings)).routes


def announce_mode(settings: Settings) -> None:
    """The mode in plain words in the server's log (a warning, so it shows by default)."""
    log.warning("%s", settings.startup_message())
