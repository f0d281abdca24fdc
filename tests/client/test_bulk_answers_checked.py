"""A bulk answer's request id and file link are used only when they are what they should be:
the id becomes part of a URL path and a file name; the link is fetched without asking."""

from __future__ import annotations

import httpx
import pytest

from pinterest_client import InvalidResponseError
from pinterest_client.bulk import BulkAPI, BulkError, BulkRequest
from tests.client.support import make_session


@pytest.mark.parametrize("request_id", ["../../ad_accounts/1", "a b", "", "x" * 200, None])
def test_an_odd_request_id_is_refused(request_id: object) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"request_id": request_id})

    session, _ = make_session(handler)
    with pytest.raises(BulkError):
        BulkAPI(session).create(BulkRequest(ad_account_id="549764106778",
                                            entity_types=("CAMPAIGN",)))


def test_a_good_request_id_is_kept() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"request_id": "2680059592705"})

    session, _ = make_session(handler)
    job = BulkAPI(session).create(BulkRequest(ad_account_id="549764106778",
                                              entity_types=("CAMPAIGN",)))
    assert job.request_id == "2680059592705"


@pytest.mark.parametrize("url", ["http://evil.example/file.json", "http://169.254.169.254/x",
                                 "file:///etc/passwd"])
def test_a_file_link_that_is_not_https_is_not_fetched(url: str) -> None:
    fetched: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        fetched.append(str(request.url))
        return httpx.Response(200, content=b"{}")

    session, _ = make_session(handler)
    with pytest.raises(InvalidResponseError):
        session.download(url)
    assert fetched == []
    assert session.download("https://files.example/bulk.json") == b"{}"
