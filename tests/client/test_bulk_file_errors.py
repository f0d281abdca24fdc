"""A bulk file that arrives whole but cannot be read (invalid UTF-8, a field over 128 KiB) is a
BulkFileError with a plain sentence and the file itself, so the page can still offer it."""

from __future__ import annotations

import pytest

from pinterest_client.bulk import BulkFileError, BulkRequest, parse_bulk
from pinterest_sim import DEMO_ACCOUNT_ID
from pinterest_sim.bulk import BulkRequest as SimBulkRequest
from tests.client.support import BulkEnv as Env

CSV = BulkRequest(DEMO_ACCOUNT_ID, output_format="CSV")
JSON = BulkRequest(DEMO_ACCOUNT_ID, output_format="JSON")
BAD_UTF8 = b"entity_type,id,name\nCAMPAIGN,1,Caf\xe9 sale\n"  # Latin-1, not UTF-8
HUGE = b"entity_type,id,name\nCAMPAIGN,1," + b"x" * (128 * 1024 + 1) + b"\n"
UNCLOSED = b'entity_type,id,name\nCAMPAIGN,1,"Summer\n' + b"CAMPAIGN,2,y\n" * 12_000


@pytest.mark.parametrize(
    ("body", "request_", "words"),
    [
        (BAD_UTF8, CSV, "not UTF-8 text"),
        (b'{"campaigns": [{"name": "Caf\xe9"}]}', JSON, "not UTF-8 text"),
        (HUGE, CSV, "longer than 128 KiB"),
        (UNCLOSED, CSV, "longer than 128 KiB"),
    ],
)
def test_unreadable_files_name_the_problem_and_keep_the_file(
    body: bytes, request_: BulkRequest, words: str,
) -> None:
    with pytest.raises(BulkFileError) as error:
        parse_bulk(body, request_)
    assert words in str(error.value)
    assert error.value.raw == body
    assert "x" * 100 not in str(error.value) and "Caf" not in str(error.value)


def test_an_unreadable_file_from_pinterest_is_given_back_once(
    env: Env, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(SimBulkRequest, "render", lambda *_args: BAD_UTF8)
    with pytest.raises(BulkFileError) as error:
        env.bulk.run(CSV)
    assert error.value.raw == BAD_UTF8
    assert error.value.request == CSV and error.value.request_id
    assert "not UTF-8 text" in str(error.value)
    # Arrived whole: a fresh link would bring the same bytes, so it is not fetched again.
    # (Each renewal would poll the status once more, with no sleep before it.)
    polls = sum(n for path, n in env.sim.stats.by_path.items()
                if "/bulk/" in path and not path.endswith("/bulk/download"))
    assert polls == len(env.sleeps) + 1
