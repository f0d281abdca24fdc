"""Secrets never leave the client in error texts, even when a server echoes only part of one."""

from __future__ import annotations

import httpx
import pytest

from pinterest_client import BadRequestError
from pinterest_client._auth import Credentials
from tests.client.support import make_session

# Made-up secrets in a token's shape, built up so no literal looks like a real token.
ACCESS = "pina_" + "TestOnlyFakeAccessToken" + "0" * 12
REFRESH = "pinr_" + "TestOnlyFakeRefreshTok" + "9" * 13
APP_SECRET = "test-only-fake-app-secret-" + "5" * 6


def credentials() -> Credentials:
    return Credentials(ACCESS, refresh_token=REFRESH, app_id="1234", app_secret=APP_SECRET)


@pytest.mark.parametrize(
    "echo",
    [
        ACCESS,  # whole
        ACCESS[:20],  # cut off
        ACCESS[:8],  # the shortest prefix that still counts
        ACCESS[:24] + "...",  # cut off with an ellipsis
        ACCESS[:16] + "XXXXXXXX",  # a prefix, then garbage
        ACCESS[10:30],  # the middle
        ACCESS[-12:],  # the end
        REFRESH[:14],
        APP_SECRET[:12],
        ACCESS[:20].lower(),  # servers that fold case
    ],
)
def test_partly_echoed_secrets_are_scrubbed(echo: str) -> None:
    text = f"Authentication failed for token {echo} (request 42)."
    scrubbed = credentials().scrub(text)
    assert scrubbed.startswith("Authentication failed for token ")
    assert scrubbed.endswith(" (request 42).")
    secret_parts = {s[i:i + 8].lower() for s in (ACCESS, REFRESH, APP_SECRET)
                    for i in range(len(s) - 7)}
    leftovers = {scrubbed.lower()[i:i + 8] for i in range(len(scrubbed) - 7)}
    assert not secret_parts & leftovers, scrubbed


def test_ordinary_text_is_left_alone() -> None:
    text = ("Invalid ad account campaign analytics parameters. start_date 2026-01-01 "
            "campaign_ids 549755885175 pina_ is the prefix; TestOnl is 7 characters.")
    assert credentials().scrub(text) == text


def test_an_error_that_echoes_part_of_the_token_is_scrubbed_everywhere() -> None:
    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"code": 1, "message": f"bad token {ACCESS[:18]}"})

    session, _ = make_session(handler, credentials=credentials())
    with pytest.raises(BadRequestError) as error:
        session.request_json("GET", "/x", category="ads_read")
    for text in (str(error.value), error.value.message, repr(error.value),
                 *session.stats.recent_errors()):
        assert ACCESS[:8] not in text
