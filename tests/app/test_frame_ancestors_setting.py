"""PINTEREST_DASHBOARD_FRAME_ANCESTORS is a source list only: it can never add a directive to
the Content-Security-Policy (web/headers.py promises "no ';' or ','")."""

from __future__ import annotations

import pytest

from web.headers import FRAME_ANCESTORS_ENV, HeaderSettingError, frame_ancestors


@pytest.mark.parametrize("value", [
    # A path may hold ';': the rest becomes a directive of the operator's choosing.
    "'self' https://intranet.example.com/;report-uri https://collector.example",
    "https://intranet.example.com/x;sandbox",
    # A ',' joins a second policy to the header.
    "https://intranet.example.com/x,'unsafe-inline'",
])
def test_a_setting_that_smuggles_a_directive_is_refused(value: str) -> None:
    with pytest.raises(HeaderSettingError):
        frame_ancestors({FRAME_ANCESTORS_ENV: value})


def test_a_plain_source_list_is_kept() -> None:
    value = "'self' https://intranet.example.com https://portal.example.com/apps/"
    assert frame_ancestors({FRAME_ANCESTORS_ENV: value}) == value
