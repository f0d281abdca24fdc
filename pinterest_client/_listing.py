"""Reading a paginated list to the end: page after page, or from both ends at once.

Pinterest's lists hand out at most 250 items per page and the next page needs the previous
page's bookmark, so a list of n pages costs n round trips in a row. Lists ordered by id
(`order=ASCENDING|DESCENDING`) can be read from both ends at once: one reader walks up from
the lowest id, the other down from the highest, and the list is complete when they meet
(overlap by one item, or one reaches the end). Up to 499 items at 250 a page then take one
round trip instead of two; n items take ceil((n + 1) / 500).

The meeting test relies on the ids really being sorted as asked. Every page is checked;
if a page is out of order (or has items without a numeric id), the list is read again
page after page, without `order`, so a misbehaving server costs calls, never items.

Accepted risk: an entity that changes status (leaves this list) between two rounds of a list
longer than two pages can shift the descending reader's next page by one if the server's
bookmarks are offsets, so one item may be missed until the list's cache entry expires (5 min).
A plain ascending read has the same risk for removals below its position. Pinterest's
bookmarks are opaque: if they are cursors, nothing shifts.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import Any, Final

from pinterest_client._errors import InvalidResponseError

# (params) -> (the page's JSON, its size in bytes)
PageFetcher = Callable[[Mapping[str, Any]], tuple[Any, int]]
# Runs a callable in another thread and hands back its future.
Submit = Callable[[Callable[[], tuple[Any, int]]], "Future[tuple[Any, int]]"]

ASCENDING: Final = "ASCENDING"
DESCENDING: Final = "DESCENDING"


class _OutOfOrder(Exception):
    """A page of an ordered read was not sorted as asked."""


def _items_of(page: Any, path: str) -> list[Any]:
    if not isinstance(page, Mapping) or not isinstance(page.get("items"), list):
        raise InvalidResponseError(f"GET {path}: a page without an items list.")
    return list(page["items"])


def _next_bookmark(page: Mapping[str, Any], items: list[Any], seen: set[str], path: str
                   ) -> str | None:
    """The page's bookmark, or None when the list ends here; a repeated bookmark is an error
    (following it would loop forever)."""
    bookmark = page.get("bookmark") or None
    if not bookmark or not items:
        return None
    if str(bookmark) in seen:
        raise InvalidResponseError(f"GET {path}: the bookmark repeats.")
    seen.add(str(bookmark))
    return str(bookmark)


def read_in_sequence(fetch: PageFetcher, params: Mapping[str, Any], path: str
                     ) -> tuple[list[Any], int]:
    """Every item, one page after the other (for lists that cannot be ordered by id)."""
    items: list[Any] = []
    size = 0
    bookmark: str | None = None
    seen: set[str] = set()
    while True:
        page, nbytes = fetch({**params, "bookmark": bookmark} if bookmark else params)
        size += nbytes
        page_items = _items_of(page, path)
        items.extend(page_items)
        bookmark = _next_bookmark(page, page_items, seen, path)
        if bookmark is None:
            return items, size


def _id_key(item: Any) -> int:
    raw = item.get("id") if isinstance(item, Mapping) else None
    text = str(raw) if raw is not None else ""
    if not (text.isascii() and text.isdigit()):  # '²'.isdigit() is true
        raise _OutOfOrder
    return int(text)


class _End:
    """One reader: its direction, the items read so far, where to go on."""

    def __init__(self, order: str) -> None:
        self.order = order
        self.items: list[Any] = []
        self.keys: list[int] = []
        self.bookmark: str | None = None
        self.done = False
        self.seen: set[str] = set()

    def params(self, base: Mapping[str, Any]) -> dict[str, Any]:
        params = {**base, "order": self.order}
        if self.bookmark:
            params["bookmark"] = self.bookmark
        return params

    def take(self, page: Any, path: str) -> None:
        page_items = _items_of(page, path)
        keys = [_id_key(item) for item in page_items]
        previous = self.keys[-1:] + keys
        ascending = self.order == ASCENDING
        if any((b <= a) if ascending else (b >= a) for a, b in itertools.pairwise(previous)):
            raise _OutOfOrder
        self.items.extend(page_items)
        self.keys.extend(keys)
        self.bookmark = _next_bookmark(page, page_items, self.seen, path)
        self.done = self.bookmark is None


def _met(up: _End, down: _End) -> list[Any] | None:
    """The whole list once the readers have met (or one reached its end), else None."""
    if up.done:
        return up.items
    if down.done:
        return list(reversed(down.items))
    if up.keys and down.keys and down.keys[-1] <= up.keys[-1]:
        highest_up = up.keys[-1]
        rest = [item for item, key in zip(reversed(down.items), reversed(down.keys),
                                          strict=True) if key > highest_up]
        return up.items + rest
    return None


def read_from_both_ends(fetch: PageFetcher, submit: Submit, params: Mapping[str, Any],
                        path: str) -> tuple[list[Any], int]:
    """Every item of an id-ordered list, in ascending id order, read from both ends at once.

    `submit` runs the descending reader's page in another thread while this thread fetches
    the ascending one. Falls back to `read_in_sequence` if the server's order is not as
    asked.
    """
    up, down = _End(ASCENDING), _End(DESCENDING)
    size = 0
    try:
        while True:
            other = submit(functools.partial(fetch, down.params(params)))
            try:
                up_page, up_bytes = fetch(up.params(params))
            except BaseException:
                other.exception()  # let it finish: nothing runs on unobserved
                raise
            down_page, down_bytes = other.result()
            size += up_bytes + down_bytes
            up.take(up_page, path)
            down.take(down_page, path)
            whole = _met(up, down)
            if whole is not None:
                return whole, size
    except _OutOfOrder:
        items, more = read_in_sequence(fetch, params, path)
        return items, size + more
