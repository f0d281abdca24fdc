"""Reading whole lists: from both ends at once, one listing per status, and the fallback
when a server does not order as asked. Items are checked against the simulator's world."""

from __future__ import annotations

import math
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from pinterest_client import ClientConfig, InvalidResponseError, ResponseCache
from pinterest_client._listing import read_from_both_ends
from pinterest_sim import DEMO_ACCOUNT_ID, LARGE_ACCOUNT_ID
from tests.client.support import FakeTimer, MakeEnv


def _rounds(n: int, page_size: int) -> int:
    """Round trips in a row to read n items from both ends: two pages per round, and the
    readers must overlap by one item to know they met (or one must reach the end)."""
    return max(1, math.ceil((n + 1) / (2 * page_size)))


def test_a_long_status_list_is_read_from_both_ends_in_half_the_rounds(make_env: MakeEnv) -> None:
    env = make_env()
    truth = [a for a in env.sim.world.ads(LARGE_ACCOUNT_ID) if a.status == "ACTIVE"]
    assert len(truth) > 1000  # several rounds of two pages
    ads = env.client.list_ads(LARGE_ACCOUNT_ID, entity_statuses=["ACTIVE"]).data
    assert [a.id for a in ads] == sorted((a.id for a in truth), key=int)
    calls = env.sim.stats.by_path[f"/v5/ad_accounts/{LARGE_ACCOUNT_ID}/ads"]
    assert calls == 2 * _rounds(len(truth), 250)
    assert calls < math.ceil(len(truth) / 250) + 2  # never more than one page wasted


@pytest.mark.parametrize("page_size", [1, 2, 3, 7])
def test_every_meeting_point_gives_each_item_once(make_env: MakeEnv, page_size: int) -> None:
    """Odd and even page counts, readers meeting inside a page or at its edge."""
    env = make_env()
    client = env.new_client(config=ClientConfig(backoff_base_s=0.001, backoff_cap_s=0.01,
                                                page_size=page_size))
    for status in ("ACTIVE", "PAUSED", "ARCHIVED"):
        truth = [c.id for c in env.sim.world.campaigns(DEMO_ACCOUNT_ID) if c.status == status]
        got = [c.id for c in client.list_campaigns(DEMO_ACCOUNT_ID,
                                                   entity_statuses=[status]).data]
        assert got == sorted(truth, key=int), status


def test_all_statuses_are_listed_at_once_and_small_lists_need_one_call_once_known(
    make_env: MakeEnv,
) -> None:
    timer = FakeTimer()
    env = make_env(cache=ResponseCache(timer=timer))
    path = f"/v5/ad_accounts/{DEMO_ACCOUNT_ID}/campaigns"
    statuses = ["ACTIVE", "PAUSED", "ARCHIVED"]
    truth = [c for c in env.sim.world.campaigns(DEMO_ACCOUNT_ID) if c.status in statuses]
    assert len(truth) <= 250
    got = env.client.list_campaigns(DEMO_ACCOUNT_ID, entity_statuses=statuses).data
    assert sorted(c.id for c in got) == sorted(c.id for c in truth)
    present = {c.status for c in truth}
    # Unknown lengths: each status read from both ends (two calls in parallel).
    assert env.sim.stats.by_path[path] == 2 * len(statuses)
    timer.now += env.client.config.ttl_entities_s + 1
    again = env.client.list_campaigns(DEMO_ACCOUNT_ID, entity_statuses=statuses).data
    assert sorted(c.id for c in again) == sorted(c.id for c in truth)
    # Known to fit one page now: one call per status.
    assert env.sim.stats.by_path[path] == 2 * len(statuses) + len(statuses)
    assert present  # the demo account has campaigns in these statuses


# -- the strategy alone, against a scripted server ------------------------------------------


def _server(ids: list[int], page_size: int, *, misorder: bool = False):  # type: ignore[no-untyped-def]
    """A list endpoint over `ids`: pages, bookmarks, order; `misorder` ignores `order`."""
    calls: list[dict[str, Any]] = []

    def fetch(params: Mapping[str, Any]) -> tuple[Any, int]:
        calls.append(dict(params))
        order = params.get("order")
        items = list(ids)
        if not misorder and order == "ASCENDING":
            items.sort()
        elif not misorder and order == "DESCENDING":
            items.sort(reverse=True)
        start = int(params.get("bookmark") or 0)
        page = items[start:start + page_size]
        more = start + page_size < len(items)
        return {"items": [{"id": str(i)} for i in page],
                "bookmark": str(start + page_size) if more else None}, 10

    return fetch, calls


@pytest.fixture
def submit() -> Any:
    pool = ThreadPoolExecutor(max_workers=2)
    yield pool.submit
    pool.shutdown()


@pytest.mark.parametrize("count", [0, 1, 5, 9, 10, 11, 19, 20, 21, 50])
def test_both_ends_match_the_list_whatever_its_length(submit: Any, count: int) -> None:
    ids = [1000 + 7 * i for i in range(count)][::-1]  # served unsorted without `order`
    fetch, calls = _server(ids, page_size=5)
    items, size = read_from_both_ends(fetch, submit, {}, "/x")
    assert [int(i["id"]) for i in items] == sorted(ids)
    assert len(calls) == 2 * _rounds(count, 5)
    assert size == 10 * len(calls)


def test_a_server_that_ignores_order_costs_calls_not_items(submit: Any) -> None:
    ids = [5, 3, 9, 1, 7, 2, 8, 6, 4, 10, 12, 11]
    fetch, calls = _server(ids, page_size=3, misorder=True)
    items, _ = read_from_both_ends(fetch, submit, {}, "/x")
    assert sorted(int(i["id"]) for i in items) == sorted(ids)
    assert len(items) == len(ids)
    assert all("order" not in c for c in calls[2:])  # read again page after page


def test_items_without_numeric_ids_fall_back_to_plain_paging(submit: Any) -> None:
    pages = {None: {"items": [{"id": "a"}, {"id": "b"}], "bookmark": "p2"},
             "p2": {"items": [{"id": "c"}], "bookmark": None}}

    def fetch(params: Mapping[str, Any]) -> tuple[Any, int]:
        return pages[params.get("bookmark")], 1

    items, _ = read_from_both_ends(fetch, submit, {}, "/x")
    assert [i["id"] for i in items] == ["a", "b", "c"]


def test_an_error_in_the_other_reader_is_raised_after_both_finished(submit: Any) -> None:
    finished: list[str] = []

    def fetch(params: Mapping[str, Any]) -> tuple[Any, int]:
        finished.append(str(params["order"]))
        if params["order"] == "DESCENDING":
            raise InvalidResponseError("GET /x: broken page")
        return {"items": [{"id": "1"}], "bookmark": "more"}, 1

    with pytest.raises(InvalidResponseError):
        read_from_both_ends(fetch, submit, {}, "/x")
    assert sorted(finished) == ["ASCENDING", "DESCENDING"]


def test_a_repeating_bookmark_is_an_error_not_a_loop(submit: Any) -> None:
    def fetch(params: Mapping[str, Any]) -> tuple[Any, int]:
        up = params["order"] == "ASCENDING"
        n = 1 + len(str(params.get("bookmark") or ""))
        item = n if up else 10_000 - n
        return {"items": [{"id": str(item)}], "bookmark": "same"}, 1

    with pytest.raises(InvalidResponseError, match="bookmark repeats"):
        read_from_both_ends(fetch, submit, {}, "/x")


def test_lists_filtered_by_ids_cost_one_call_per_page(make_env: MakeEnv) -> None:
    """A campaign's ad groups, or campaigns by id, are read page by page: no second reader."""
    env = make_env()
    campaign = env.sim.world.campaigns(DEMO_ACCOUNT_ID)[0]
    groups = env.client.list_ad_groups(DEMO_ACCOUNT_ID, campaign_ids=[campaign.id]).data
    truth = [g.id for g in env.sim.world.ad_groups(DEMO_ACCOUNT_ID)
             if g.campaign_id == campaign.id and g.status in ("ACTIVE", "PAUSED")]
    assert sorted(g.id for g in groups) == sorted(truth) and truth
    assert env.sim.stats.by_path[f"/v5/ad_accounts/{DEMO_ACCOUNT_ID}/ad_groups"] == 1
    env.client.list_campaigns(DEMO_ACCOUNT_ID, campaign_ids=[campaign.id])
    assert env.sim.stats.by_path[f"/v5/ad_accounts/{DEMO_ACCOUNT_ID}/campaigns"] == 1


class RecordingTransport(httpx.BaseTransport):
    """Passes requests on and keeps their URLs."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.urls: list[httpx.URL] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(request.url)
        return self.inner.handle_request(request)


def test_a_list_asks_for_one_order_once_its_length_is_known(make_env: MakeEnv) -> None:
    """The plain read asks for ascending ids too, so rows keep one order across loads
    whatever the server's default order is."""
    env = make_env()
    timer = FakeTimer()
    recording = RecordingTransport(env.sim.transport() if env.server is None
                                   else httpx.HTTPTransport())
    client = env.new_client(transport=recording, cache=ResponseCache(timer=timer))
    first = [c.id for c in client.list_campaigns(DEMO_ACCOUNT_ID).data]
    timer.now += client.config.ttl_entities_s + 1
    recording.urls.clear()
    again = [c.id for c in client.list_campaigns(DEMO_ACCOUNT_ID).data]
    assert [u.params.get("order") for u in recording.urls] == ["ASCENDING"]
    assert again == first == sorted(first, key=int)


def test_a_list_read_from_the_shared_cache_teaches_its_length_too(make_env: MakeEnv) -> None:
    """A second process (here a second client on the same cache) that got a list from the
    cache, not from Pinterest, knows its length as well: when the entry expires and that one
    reads it again, one call per status, as the process that first read it would make (it
    cost one extra call on every later period in the 3-process replicas benchmark)."""
    timer = FakeTimer()
    cache = ResponseCache(timer=timer)
    env = make_env(cache=cache)
    path = f"/v5/ad_accounts/{DEMO_ACCOUNT_ID}/campaigns"
    statuses = ["ACTIVE", "PAUSED", "ARCHIVED"]
    first = env.client.list_campaigns(DEMO_ACCOUNT_ID, entity_statuses=statuses).data
    assert env.sim.stats.by_path[path] == 2 * len(statuses)  # unknown lengths: both ends
    other = env.new_client(cache=cache)
    assert other.list_campaigns(DEMO_ACCOUNT_ID, entity_statuses=statuses).data == first
    assert env.sim.stats.by_path[path] == 2 * len(statuses)  # from the cache
    timer.now += other.config.ttl_entities_s + 1
    again = other.list_campaigns(DEMO_ACCOUNT_ID, entity_statuses=statuses).data
    assert sorted(c.id for c in again) == sorted(c.id for c in first)
    assert env.sim.stats.by_path[path] == 2 * len(statuses) + len(statuses)
