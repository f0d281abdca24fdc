"""A run's turn under a crowd (dashboard/admission.py, ui/admission.py), with the app's own
script: another session holds the turn. When it comes within FIRST_SIGHT_S the run waits
drawing nothing and then computes everything in its turn; when it takes longer, the run
draws its page links, the page's title and a spinner while it waits on; past MAX_WAIT_S it
goes on without a turn. Every way, the page ends complete and the turn is given back."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import ui.admission
from dashboard.admission import PAGE_RUNS
from tests.app.support import fresh_app

SIGHT_S = 0.3


class Seen:
    """The titles and spinners the run drew (st.title and st.spinner are patched for the
    whole of Streamlit: the page's own title is among them)."""

    def __init__(self) -> None:
        self.titles: list[str] = []
        self.spinners: list[str] = []


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> Seen:
    record = Seen()
    real_spinner, real_title = ui.admission.st.spinner, ui.admission.st.title

    @contextmanager
    def spinner(text: str, **kwargs: Any) -> Iterator[None]:
        record.spinners.append(text)
        with real_spinner(text, **kwargs):
            yield

    def title(body: str, **kwargs: Any) -> Any:
        record.titles.append(body)
        return real_title(body, **kwargs)

    monkeypatch.setattr(ui.admission, "FIRST_SIGHT_S", SIGHT_S)
    monkeypatch.setattr(ui.admission.st, "spinner", spinner)
    monkeypatch.setattr(ui.admission.st, "title", title)
    return record


def _warm(monkeypatch: pytest.MonkeyPatch, seen: Seen) -> tuple[AppTest, list[str]]:
    """A first run (the demo connection and the data cached: the waits below are the
    turn's); the titles a run draws when it does not wait."""
    at = fresh_app(monkeypatch)
    at.run()
    assert not at.exception
    alone = list(seen.titles)
    seen.titles.clear()
    seen.spinners.clear()
    return at, alone


def _run_while_another_holds_the_turn(at: AppTest, hold_s: float) -> None:
    assert PAGE_RUNS.try_enter()  # another session's turn, from this thread

    def give_back() -> None:
        PAGE_RUNS.leave()

    # leave() must run on the thread that entered: wait here while the app runs in its own.
    done = threading.Event()
    runner = threading.Thread(target=lambda: (at.run(), done.set()))
    runner.start()
    done.wait(hold_s)
    give_back()
    runner.join(60)
    assert done.is_set()


def _spend_tile_shown(at: AppTest) -> bool:
    return any(m.label == "Spend" for m in at.metric)


def test_a_turn_that_comes_soon_draws_nothing_while_waiting(
    monkeypatch: pytest.MonkeyPatch, seen: Seen
) -> None:
    at, alone = _warm(monkeypatch, seen)
    waited = PAGE_RUNS.waited
    _run_while_another_holds_the_turn(at, hold_s=SIGHT_S / 3)
    assert PAGE_RUNS.waited == waited + 1
    assert ui.admission.WAIT_MESSAGE not in seen.spinners
    assert seen.titles == alone
    assert not at.exception and _spend_tile_shown(at)
    assert PAGE_RUNS.running == 0 and PAGE_RUNS.waiting == 0


def test_a_longer_wait_shows_the_title_and_a_spinner_until_the_turn(
    monkeypatch: pytest.MonkeyPatch, seen: Seen
) -> None:
    at, alone = _warm(monkeypatch, seen)
    timed_out = PAGE_RUNS.timed_out
    _run_while_another_holds_the_turn(at, hold_s=SIGHT_S * 4)
    assert seen.titles == ["Overview", *alone]  # while waiting, then the page's own
    assert seen.spinners.count(ui.admission.WAIT_MESSAGE) == 1
    assert PAGE_RUNS.timed_out == timed_out  # it had its turn
    assert not at.exception and _spend_tile_shown(at)
    assert [t.value for t in at.title].count("Overview") == 1  # the waiting title cleared
    assert PAGE_RUNS.running == 0 and PAGE_RUNS.waiting == 0


def test_past_the_longest_wait_the_run_goes_on_without_a_turn(
    monkeypatch: pytest.MonkeyPatch, seen: Seen
) -> None:
    monkeypatch.setattr(ui.admission, "MAX_WAIT_S", SIGHT_S * 2)
    at, _ = _warm(monkeypatch, seen)
    timed_out = PAGE_RUNS.timed_out
    _run_while_another_holds_the_turn(at, hold_s=SIGHT_S * 6)
    assert PAGE_RUNS.timed_out == timed_out + 1
    assert seen.spinners.count(ui.admission.WAIT_MESSAGE) == 1
    assert not at.exception and _spend_tile_shown(at)
    assert PAGE_RUNS.running == 0 and PAGE_RUNS.waiting == 0
