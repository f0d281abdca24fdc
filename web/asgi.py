"""What app.py's st.App is built with: the middleware stack, and the pages-mode guard."""

from __future__ import annotations

from starlette.middleware import Middleware

from web.headers import SecurityHeadersMiddleware, frame_ancestors
from web.pages_mode import disable_pages_directory_mode

__all__ = ["disable_pages_directory_mode", "middleware"]


def middleware() -> list[Middleware]:
    return [Middleware(SecurityHeadersMiddleware, ancestors=frame_ancestors())]
