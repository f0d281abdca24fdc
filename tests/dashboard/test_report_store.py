"""The local report store: keys, per-day rows, final/open days, one-transaction writes, threads."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from dashboard.report_store import (
    STORE_ENV,
    ReportStore,
    StoreError,
    default_store_path,
    group_by_day,
    is_final_day,
    request_key,
)
from pinterest_client.reports import ReportRequest

REQUEST = ReportRequest(
    ad_account_id="549755885175",
    level="CAMPAIGN",
    columns=("SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION"),
    start_date=date(2026, 1, 1),
    end_date=date(2026, 1, 10),
)


def _today() -> date:  # the stores' clock: fixed, so the dates here never age out
    return date(2026, 6, 1)


def _rows(day: date, n: int = 2) -> list[dict[str, object]]:
    return [
        {"CAMPAIGN_ID": str(1000 + i), "DATE": day.isoformat(), "SPEND_IN_MICRO_DOLLAR": 10 * i}
        for i in range(n)
    ]


def test_key_ignores_order_and_dates_but_not_what_changes_numbers() -> None:
    same = replace(REQUEST, columns=tuple(reversed(REQUEST.columns)),
                   start_date=date(2025, 6, 1))
    assert request_key(same) == request_key(REQUEST)
    assert request_key(same, per_day=False) != request_key(REQUEST, per_day=False)
    for changed in (
        replace(REQUEST, click_window_days=7),
        replace(REQUEST, conversion_report_time="TIME_OF_CONVERSION"),
        replace(REQUEST, level="AD_GROUP"),
        replace(REQUEST, campaign_ids=("1",)),
        replace(REQUEST, ad_account_id="549755885176"),
        replace(REQUEST, columns=("SPEND_IN_MICRO_DOLLAR",)),
    ):
        assert request_key(changed) != request_key(REQUEST)


def test_created_on_first_use_at_configured_path(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "nested" / "store.sqlite3"
    monkeypatch.setenv(STORE_ENV, str(target))
    assert default_store_path() == target
    store = ReportStore()
    assert not target.exists()  # nothing happens until it is used
    store.load("k", date(2026, 1, 1), date(2026, 1, 1))
    assert target.exists()
    monkeypatch.delenv(STORE_ENV)
    assert default_store_path() == Path("data") / "reports.sqlite3"


def test_round_trip_with_missing_and_open_days(tmp_path: Path) -> None:
    store = ReportStore(tmp_path / "s.sqlite3", today=_today)
    key = request_key(REQUEST)
    start = date(2026, 1, 1)
    days = {start + timedelta(days=i): _rows(start + timedelta(days=i)) for i in range(5)}
    days[start + timedelta(days=2)] = []  # a day without delivery is stored as empty
    open_day = start + timedelta(days=4)
    store.save(key, days, final_days=set(days) - {open_day})

    held = store.load(key, start, start + timedelta(days=6))
    assert sorted(held.rows) == [start + timedelta(days=i) for i in range(4)]
    assert held.rows[start] == _rows(start)
    assert held.rows[start + timedelta(days=2)] == []
    # The open day and the two never fetched are missing; the open one is kept as stale.
    assert held.missing == [start + timedelta(days=i) for i in (4, 5, 6)]
    assert held.stale == {open_day: _rows(open_day)}
    assert held.missing_spans() == [(open_day, start + timedelta(days=6))]

    # Refetching the open day (now final) replaces its rows.
    store.save(key, {open_day: _rows(open_day, 3)}, final_days={open_day})
    again = store.load(key, open_day, open_day)
    assert again.complete and len(again.rows[open_day]) == 3
    assert store.stats().rows == 2 * 3 + 0 + 3


def test_missing_spans_are_consecutive_runs(tmp_path: Path) -> None:
    store = ReportStore(tmp_path / "s.sqlite3", today=_today)
    key = request_key(REQUEST)
    d = date(2026, 3, 1)
    store.save(key, {d + timedelta(days=2): [], d + timedelta(days=3): []},
               final_days={d + timedelta(days=2), d + timedelta(days=3)})
    held = store.load(key, d, d + timedelta(days=6))
    assert held.missing_spans() == [(d, d + timedelta(days=1)),
                                    (d + timedelta(days=4), d + timedelta(days=6))]


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    store = ReportStore(tmp_path / "s.sqlite3", today=_today)
    key = request_key(REQUEST)
    d = date(2026, 2, 1)

    class Broken(dict[str, object]):
        def __iter__(self):  # type: ignore[no-untyped-def]
            raise RuntimeError("cannot serialise")

        def keys(self):  # type: ignore[no-untyped-def]
            raise RuntimeError("cannot serialise")

    with pytest.raises(RuntimeError):
        store.save(key, {d: _rows(d), d + timedelta(days=1): [Broken()]},
                   final_days={d, d + timedelta(days=1)})
    held = store.load(key, d, d + timedelta(days=1))
    assert held.rows == {} and len(held.missing) == 2
    assert store.stats().rows == 0 and store.stats().days == 0


def test_no_secret_or_token_in_the_file(tmp_path: Path) -> None:
    store = ReportStore(tmp_path / "s.sqlite3", today=_today)
    key = request_key(REQUEST)
    store.save(key, {date(2026, 1, 1): _rows(date(2026, 1, 1))},
               final_days={date(2026, 1, 1)}, description=REQUEST.describe())
    store.close()
    with sqlite3.connect(tmp_path / "s.sqlite3") as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        columns = {
            c[1] for t in ("requests", "report_days")
            for c in conn.execute(f"PRAGMA table_info({t})")
        }
        blob = " ".join(str(r) for r in conn.execute("SELECT * FROM report_days"))
    assert {"requests", "report_days"} <= tables
    assert not any("token" in c for c in columns)
    assert "demo-token" not in blob and "1000" in blob  # the rows, and nothing else


def test_threads_share_one_store(tmp_path: Path) -> None:
    store = ReportStore(tmp_path / "s.sqlite3", today=_today)
    key = request_key(REQUEST)
    base = date(2025, 1, 1)
    errors: list[BaseException] = []

    def write(offset: int) -> None:
        try:
            for i in range(10):
                day = base + timedelta(days=offset * 10 + i)
                store.save(key, {day: _rows(day)}, final_days={day})
                store.load(key, base, day)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    held = store.load(key, base, base + timedelta(days=59))
    assert held.complete and sum(len(r) for r in held.rows.values()) == 120


def test_final_day_rule_and_grouping() -> None:
    today = date(2026, 5, 10)
    assert is_final_day(date(2026, 5, 7), today)
    assert not is_final_day(date(2026, 5, 8), today)  # the day before yesterday is still open
    rows = [{"DATE": "2026-05-01", "X": 1}, {"DATE": "2026-05-03 05:00:00", "X": 2}]
    grouped = group_by_day(rows, date(2026, 5, 1), date(2026, 5, 3))
    assert grouped == {
        date(2026, 5, 1): [rows[0]],
        date(2026, 5, 2): [],
        date(2026, 5, 3): [rows[1]],
    }
    with pytest.raises(ValueError):
        group_by_day([{"X": 1}], date(2026, 5, 1), date(2026, 5, 1))


def test_an_unusable_file_degrades_to_fetching(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the store's folder should be")
    store = ReportStore(blocker / "reports.sqlite3")
    d = date(2026, 1, 1)
    held = store.try_load("k", d, d + timedelta(days=2))
    assert held.rows == {} and len(held.missing) == 3
    assert store.try_save("k", {d: _rows(d)}, final_days={d}) is False
    assert store.problem is not None and "folder" in store.problem
    with pytest.raises(StoreError) as error:
        store.load("k", d, d)
    assert error.value.kind == "no_folder"
