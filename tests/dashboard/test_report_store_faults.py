"""The report store under a broken disk: corrupt rows, a failed COMMIT, a full disk, a
read-only file, a folder in place of the file. Each gives a plain sentence (`problem`) and
the rows are fetched without the store; retention drops days beyond Pinterest's reach and
keeps the file under its size cap."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from dashboard.report_store import (
    STORE_MAX_MB_ENV,
    ReportStore,
    StoreError,
    default_max_bytes,
)
from pinterest_client import REPORT_MAX_DAYS_BACK

D = date(2026, 1, 1)
KEY = "k" * 64


def _today() -> date:  # the stores' clock: fixed, so the dates here never age out
    return date(2026, 6, 1)


def _rows(day: date, n: int = 2, pad: int = 0) -> list[dict[str, object]]:
    return [{"CAMPAIGN_ID": str(1000 + i), "DATE": day.isoformat(), "X": i, "PAD": "p" * pad}
            for i in range(n)]


def _days(start: date, n: int, **kwargs: int) -> dict[date, list[dict[str, object]]]:
    return {start + timedelta(days=i): _rows(start + timedelta(days=i), **kwargs)
            for i in range(n)}


def _connection(store: ReportStore) -> sqlite3.Connection:
    # The store's own connection, to break it the way a disk would.
    return store._connection()


def test_a_corrupt_row_is_fetched_again_not_raised(tmp_path: Path) -> None:
    store = ReportStore(tmp_path / "s.sqlite3", today=_today)
    days = _days(D, 4)
    store.save(KEY, days, final_days=set(days))
    conn = _connection(store)
    conn.execute("UPDATE report_days SET data = '[{\"CAMPAIGN_ID\": ' WHERE day = ?",
                 ((D + timedelta(days=1)).isoformat(),))
    conn.execute("UPDATE report_days SET data = '{\"not\": \"a list\"}' WHERE day = ?",
                 ((D + timedelta(days=2)).isoformat(),))
    conn.execute("UPDATE report_days SET day = 'yesterday' WHERE day = ?",
                 ((D + timedelta(days=3)).isoformat(),))

    held = store.try_load(KEY, D, D + timedelta(days=3))
    assert held.rows == {D: days[D]}
    assert held.missing == [D + timedelta(days=i) for i in (1, 2, 3)]
    assert store.problem is not None and "unreadable" in store.problem
    # Fetched again and saved: the store is whole again and says so.
    store.save(KEY, {d: days[d] for d in held.missing}, final_days=set(held.missing))
    assert store.try_load(KEY, D, D + timedelta(days=2)).rows == {
        d: days[d] for d in (D, D + timedelta(days=1), D + timedelta(days=2))}
    assert store.problem is None


def test_a_failed_commit_rolls_back_and_the_next_write_works(tmp_path: Path) -> None:
    store = ReportStore(tmp_path / "s.sqlite3", today=_today)
    conn = _connection(store)

    def deny_commit(action: int, arg1: str | None, *_: object) -> int:
        if action == sqlite3.SQLITE_TRANSACTION and arg1 == "COMMIT":
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    conn.set_authorizer(deny_commit)
    assert store.try_save(KEY, _days(D, 2), final_days={D, D + timedelta(days=1)}) is False
    assert store.problem is not None and "not written" in store.problem
    conn.set_authorizer(None)
    assert not conn.in_transaction  # rolled back, not left open
    assert store.try_load(KEY, D, D + timedelta(days=1)).rows == {}  # nothing half-written
    assert store.try_save(KEY, _days(D, 2), final_days={D, D + timedelta(days=1)}) is True
    assert store.try_load(KEY, D, D + timedelta(days=1)).complete
    assert store.problem is None


def test_a_full_disk_keeps_reads_working(tmp_path: Path) -> None:
    store = ReportStore(tmp_path / "s.sqlite3", today=_today)
    store.save(KEY, _days(D, 1), final_days={D})
    conn = _connection(store)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk has no room left
    later = D + timedelta(days=10)
    big = _days(later, 5, pad=20_000)
    assert store.try_save(KEY, big, final_days=set(big)) is False
    assert store.problem is not None and "full" in store.problem
    assert store.try_load(KEY, D, D).rows == {D: _rows(D)}  # what it held is still served
    held = store.try_load(KEY, later, later + timedelta(days=4))
    assert held.rows == {} and len(held.missing) == 5


def test_a_read_only_file_is_named_as_such(tmp_path: Path) -> None:
    store = ReportStore(tmp_path / "s.sqlite3", today=_today)
    store.save(KEY, _days(D, 1), final_days={D})
    # What SQLite answers for a file it may not write (root ignores chmod, so ask SQLite).
    _connection(store).execute("PRAGMA query_only = ON")
    assert store.try_save(KEY, _days(D, 2), final_days={D}) is False
    assert store.problem is not None and "read-only" in store.problem
    assert store.try_load(KEY, D, D).rows == {D: _rows(D)}


def test_a_folder_in_place_of_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "reports.sqlite3"
    folder.mkdir()
    store = ReportStore(folder)
    held = store.try_load(KEY, D, D + timedelta(days=1))
    assert held.rows == {} and len(held.missing) == 2
    assert store.try_save(KEY, _days(D, 1), final_days={D}) is False
    problem = store.problem
    assert problem is not None and "folder" in problem
    assert str(tmp_path) not in problem  # the page gets the file's name, the log the path
    with pytest.raises(StoreError) as error:
        store.load(KEY, D, D)
    assert error.value.kind == "not_a_file" and "folder" in str(error.value)


def test_a_damaged_file_is_named_and_never_raises(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    store = ReportStore(path)
    assert store.try_load(KEY, D, D).missing == [D]
    assert store.problem is not None and "damaged" in store.problem


def test_closed_days_beyond_the_report_reach_are_dropped(tmp_path: Path) -> None:
    today = _today()
    store = ReportStore(tmp_path / "s.sqlite3", today=_today)
    edge = today - timedelta(days=REPORT_MAX_DAYS_BACK)
    days = _days(edge - timedelta(days=3), 6)  # 3 days beyond the reach, 3 within
    store.save("old", days, final_days=set(days))  # the save itself drops the 3 beyond
    kept = store.load("old", edge - timedelta(days=3), edge + timedelta(days=2))
    assert sorted(kept.rows) == [edge, edge + timedelta(days=1), edge + timedelta(days=2)]
    assert store.prune(today + timedelta(days=2)) == 2  # two days on, two more are beyond
    assert store.prune(today + timedelta(days=2)) == 0
    # A save prunes as well; a request left without days is forgotten.
    store.save("older", _days(edge - timedelta(days=30), 2), final_days=set())
    store.save("new", _days(today - timedelta(days=10), 1), final_days=set())
    assert store.stats().requests == 2 and store.stats().days == 2


def test_the_size_cap_drops_the_least_recently_fetched_days(tmp_path: Path) -> None:
    cap = 256 * 1024
    store = ReportStore(tmp_path / "s.sqlite3", max_bytes=cap, today=_today)
    start = date(2026, 1, 1)
    for i in range(40):  # ~40 KB a day: far more than the cap in all
        day = start + timedelta(days=i)
        assert store.try_save(KEY, {day: _rows(day, n=4, pad=10_000)}, final_days={day})
        assert store.used_bytes() <= cap
    held = store.load(KEY, start, start + timedelta(days=39))
    assert start + timedelta(days=39) in held.rows  # the newest stays
    assert start in held.missing  # the oldest went first
    assert 0 < len(held.rows) < 40
    assert (tmp_path / "s.sqlite3").stat().st_size <= 2 * cap  # freed pages are reused


def test_size_cap_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STORE_MAX_MB_ENV, raising=False)
    assert default_max_bytes() == 512 * 1024 * 1024
    monkeypatch.setenv(STORE_MAX_MB_ENV, "64")
    assert default_max_bytes() == 64 * 1024 * 1024
    for bad in ("lots", "-1", "0", "1e9", "９"):
        monkeypatch.setenv(STORE_MAX_MB_ENV, bad)
        assert default_max_bytes() == 512 * 1024 * 1024  # unusable: the default (logged)
