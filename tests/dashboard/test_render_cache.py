"""dashboard.render_cache: render work built once per content and shared by every session."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from dashboard import figures, render_cache
from dashboard.render_cache import RENDER_CACHE, RenderCache, shared


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    RENDER_CACHE.clear()
    yield
    RENDER_CACHE.clear()


def frame(spend: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"name": [f"c{i}" for i in range(len(spend))], "spend": spend})


def test_equal_content_is_built_once_whatever_frame_object_carries_it() -> None:
    calls: list[int] = []

    @shared
    def total(data: pd.DataFrame, *, scale: int) -> float:
        calls.append(1)
        return float(data["spend"].sum()) * scale

    assert total(frame([1.0, 2.0]), scale=2) == 6.0
    assert total(frame([1.0, 2.0]), scale=2) == 6.0  # another object, same content
    assert len(calls) == 1
    assert total(frame([1.0, 3.0]), scale=2) == 8.0  # new data: a new build
    assert total(frame([1.0, 2.0]), scale=3) == 9.0  # another argument: a new build
    assert total(frame([2.0, 1.0]), scale=2) == 6.0  # same values, other order
    assert len(calls) == 4
    assert (RENDER_CACHE.hits, RENDER_CACHE.misses) == (1, 4)


def test_dtype_and_column_names_are_part_of_the_key() -> None:
    calls: list[int] = []

    @shared
    def columns(data: pd.DataFrame) -> list[str]:
        calls.append(1)
        return [str(c) for c in data.columns]

    base = frame([1.0, 2.0])
    assert columns(base) == ["name", "spend"]
    assert columns(base.rename(columns={"spend": "cost"})) == ["name", "cost"]
    assert columns(base.astype({"spend": "float32"})) == ["name", "spend"]
    assert len(calls) == 3


def test_a_shared_frame_stays_intact_when_a_caller_changes_its_copy() -> None:
    @shared
    def doubled(data: pd.DataFrame) -> pd.DataFrame:
        return data.assign(spend=data["spend"] * 2)

    first = doubled(frame([1.0, 2.0]))
    first.loc[0, "spend"] = 999.0
    again = doubled(frame([1.0, 2.0]))
    assert again["spend"].tolist() == [2.0, 4.0]
    assert RENDER_CACHE.hits == 1


def test_arguments_that_cannot_be_keyed_are_built_every_time() -> None:
    calls: list[int] = []

    @shared
    def size(data: pd.DataFrame) -> int:
        calls.append(1)
        return len(data)

    with_lists = pd.DataFrame({"tags": [["a"], ["b"]]})
    assert size(with_lists) == 2 and size(with_lists) == 2
    assert len(calls) == 2
    assert len(RENDER_CACHE) == 0


def test_bounded_least_recently_used_first_out() -> None:
    cache = RenderCache(max_entries=2)
    assert cache.get_or_build("a", lambda: 1) == 1
    assert cache.get_or_build("b", lambda: 2) == 2
    assert cache.get_or_build("a", lambda: -1) == 1  # a is now the most recent
    assert cache.get_or_build("c", lambda: 3) == 3  # b goes
    assert len(cache) == 2
    assert cache.get_or_build("b", lambda: 22) == 22
    assert cache.get_or_build("c", lambda: -3) == 3


def test_figure_builders_share_one_figure_per_content() -> None:
    data = pd.DataFrame({"name": ["a", "b", "c"], "SPEND_IN_MICRO_DOLLAR": [3e6, 1e6, 2e6]})
    kwargs = {"value_column": "SPEND_IN_MICRO_DOLLAR", "label_column": "name",
              "kind": "money", "currency": "USD"}
    first = figures.top_n_bar(data, **kwargs)  # type: ignore[arg-type]
    second = figures.top_n_bar(data.copy(), **kwargs)  # type: ignore[arg-type]
    assert second is first
    other = figures.top_n_bar(data.assign(SPEND_IN_MICRO_DOLLAR=[1e6, 1e6, 1e6]),
                              **kwargs)  # type: ignore[arg-type]
    assert other is not first
    assert list(first.data[0].x) != list(other.data[0].x)


def test_text_columns_and_slices_are_keyed_by_their_values() -> None:
    calls: list[int] = []

    @shared
    def names(data: pd.DataFrame) -> list[str]:
        calls.append(1)
        return [str(v) for v in data["name"]]

    base = frame([1.0, 2.0, 3.0])
    assert names(base) == ["c0", "c1", "c2"]
    assert names(base.assign(name=["c0", "c1", "x"])) == ["c0", "c1", "x"]
    assert names(base.iloc[1:]) == ["c1", "c2"]  # a slice of the same buffers
    assert names(base.iloc[1:].copy()) == ["c1", "c2"]  # the same values again
    assert names(base.iloc[:2]) == ["c0", "c1"]
    assert len(calls) == 4


def test_bounded_in_bytes_too() -> None:
    cache = RenderCache(max_entries=100, max_bytes=10_000)
    for name in "abcd":
        cache.get_or_build(name, lambda: b"x" * 3000)
    assert len(cache) == 3 and cache.bytes == 9000  # a went
    assert cache.get_or_build("a", lambda: b"new") == b"new"
    assert cache.get_or_build("big", lambda: b"y" * 20_000) == b"y" * 20_000  # not kept
    assert cache.get_or_build("big", lambda: b"z") == b"z"
    assert cache.bytes <= 10_000


def test_a_hit_costs_no_size_estimate() -> None:
    cache = RenderCache()
    asked: list[int] = []

    def estimate() -> int:
        asked.append(1)
        return 2048

    for _ in range(5):
        assert cache.get_or_build("k", lambda: object.__new__(object), estimate) is not None
    assert len(asked) == 1 and cache.bytes == 2048


def test_a_sealed_frame_is_digested_once_while_it_lives(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    digests: list[int] = []
    real = render_cache._frame_digest

    def counted(value: pd.DataFrame | pd.Series) -> str:
        digests.append(1)
        return real(value)

    monkeypatch.setattr(render_cache, "_frame_digest", counted)
    data = frame([1.0, 2.0])
    loose = frame([1.0, 2.0])
    render_cache.seal({"series": data})  # a loader's result: frames inside containers
    first = render_cache.content_key(data)
    assert render_cache.content_key(data) == first
    assert len(digests) == 1
    # An unsealed frame of the same content is hashed each time, to the same key.
    assert render_cache.content_key(loose) == first
    assert render_cache.content_key(loose) == first
    assert len(digests) == 3


def test_a_sealed_frame_changed_in_place_is_caught_when_verifying(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(render_cache, "VERIFY_SEALED", True)
    data = frame([1.0, 2.0])
    render_cache.seal(data)
    render_cache.content_key(data)
    data.loc[0, "spend"] = 5.0
    with pytest.raises(render_cache.SealBroken):
        render_cache.content_key(data)


def test_a_handed_out_frame_is_keyed_by_what_it_was_built_from(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    @shared
    def doubled(data: pd.DataFrame) -> pd.DataFrame:
        return data.assign(spend=data["spend"] * 2)

    @shared
    def total(data: pd.DataFrame) -> float:
        return float(data["spend"].sum())

    out = doubled(frame([1.0, 2.0]))
    digests: list[int] = []
    real = render_cache._frame_digest
    monkeypatch.setattr(render_cache, "_frame_digest",
                        lambda value: digests.append(1) or real(value))
    assert total(out) == 6.0
    assert total(doubled(frame([1.0, 2.0]))) == 6.0
    assert digests == [1]  # the second input frame; the handed-out ones cost nothing
    monkeypatch.setattr(render_cache, "VERIFY_SEALED", True)
    checked = doubled(frame([1.0, 2.0]))
    checked.loc[0, "spend"] = 100.0  # a caller changing its copy is caught at the next lookup
    with pytest.raises(render_cache.SealBroken):
        total(checked)
    assert total(doubled(frame([1.0, 2.0]))) == 6.0  # the shared one stayed intact
