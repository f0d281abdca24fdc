"""Local store of finished async report data (SQLite, one file), so closed days cost no new job.

Rows are kept per day under a key: a SHA-256 of the normalised request (account, level, columns,
granularity, windows, filters, format, ...; never a token or a credential, and without the dates,
so any range that overlaps stored days reuses them). A day also records whether it was final when
fetched; a day that was not (today, yesterday, the day before, or what metrics_ready_state still
calls open) is handed back as missing so it is fetched again.

Only whole results are written: `save` takes every day of a fully parsed download and writes them
in one transaction. Expired links, failed jobs and partial downloads raise before `save` is ever
called, so they cannot leave anything behind.

The file lives at $PINTEREST_DASHBOARD_STORE or ./data/reports.sqlite3 (git-ignored) and is
created on first use. One store object is safe to share between threads.

A broken disk never breaks a page: `try_load`/`try_save` turn every failure (a damaged file, a
full disk, a read-only file, a folder where the file should be, a failed COMMIT) into "fetch
without the store", and `problem` says what is wrong in one plain sentence the page can show
(`load`/`save` raise it as `StoreError`). A stored day that cannot be read is fetched again.

Retention: days more than REPORT_MAX_DAYS_BACK (914) days old are dropped (Pinterest cannot
report them any more, so no range can ask for them), and the space used by rows is kept under
$PINTEREST_DASHBOARD_STORE_MAX_MB (default 512) by dropping the least recently fetched days
first. Both run after each save.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final, Literal

from pinterest_client import REPORT_MAX_DAYS_BACK
from pinterest_client.reports import ReportRequest

log = logging.getLogger("dashboard.report_store")

STORE_ENV: Final = "PINTEREST_DASHBOARD_STORE"
DEFAULT_PATH: Final = Path("data") / "reports.sqlite3"
STORE_MAX_MB_ENV: Final = "PINTEREST_DASHBOARD_STORE_MAX_MB"
DEFAULT_MAX_MB: Final = 512
# Dropping down to this share of the cap leaves room for the next few saves.
_PRUNE_TO: Final = 0.9
# Days up to this many days before today are taken as final (conversions settle in 24-48 h).
OPEN_DAYS: Final = 2

# One row per (request key, day): the day's rows as one JSON array (one write and one parse per
# day, not per row: a year of a 600-campaign account is 365 blobs, not 200,000 rows).
_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS requests (
    key TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS report_days (
    key TEXT NOT NULL,
    day TEXT NOT NULL,
    final INTEGER NOT NULL,
    fetched_at REAL NOT NULL,
    row_count INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (key, day)
);
"""


def default_store_path() -> Path:
    configured = os.environ.get(STORE_ENV, "").strip()
    return Path(configured) if configured else DEFAULT_PATH


def default_max_bytes() -> int:
    """$PINTEREST_DASHBOARD_STORE_MAX_MB in bytes (whole MB, ASCII digits), else 512 MB."""
    configured = os.environ.get(STORE_MAX_MB_ENV, "").strip()
    if configured:
        if configured.isascii() and configured.isdigit() and 0 < int(configured) < 2**20:
            return int(configured) * 1024 * 1024
        log.warning("%s=%r is not a whole number of MB; using %d", STORE_MAX_MB_ENV,
                    configured[:20], DEFAULT_MAX_MB)
    return DEFAULT_MAX_MB * 1024 * 1024


StoreProblemKind = Literal[
    "not_a_file", "no_folder", "full", "read_only", "damaged", "locked", "unusable"
]

_REASONS: Final[dict[str, str]] = {
    "not_a_file": "its path is a folder, not a file",
    "no_folder": "a file stands where its folder should be",
    "full": "the disk is full",
    "read_only": "the file is read-only",
    "damaged": "the file is damaged (not a readable SQLite file; move it away to start anew)",
    "locked": "another program holds a lock on it",
    "unusable": "an unexpected file error (the server log has it)",
}


class StoreError(Exception):
    """The store file cannot be used. `str()` is one sentence for the page: the file's name
    and what is wrong, never the full path (that goes to the log) nor any row data."""

    def __init__(self, kind: StoreProblemKind, path: Path, action: str = "used") -> None:
        self.kind = kind
        self.path = path
        what = "cannot be used" if action == "used" else "was not written"
        super().__init__(
            f"The local report store ({path.name}) {what}: {_REASONS[kind]}. Reports are "
            "fetched from Pinterest instead, which takes longer."
        )


def _store_error(exc: BaseException, path: Path, action: str = "used") -> StoreError:
    """What a failure of the file means, for the page."""
    if isinstance(exc, StoreError):
        return exc
    kind: StoreProblemKind = "unusable"
    code = getattr(exc, "sqlite_errorcode", None)
    number = getattr(exc, "errno", None)
    if path.is_dir():
        kind = "not_a_file"
    elif isinstance(exc, FileExistsError | NotADirectoryError) or (
            path.parent.exists() and not path.parent.is_dir()):
        kind = "no_folder"
    elif code == sqlite3.SQLITE_FULL or number == errno.ENOSPC:
        kind = "full"
    elif code == sqlite3.SQLITE_READONLY or number in (errno.EROFS, errno.EACCES, errno.EPERM):
        kind = "read_only"
    elif code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        kind = "damaged"
    elif code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        kind = "locked"
    return StoreError(kind, path, action)


def is_final_day(day: date, today: date) -> bool:
    """The default rule: a day is final once it is more than OPEN_DAYS days old."""
    return day < today - timedelta(days=OPEN_DAYS)


def request_key(request: ReportRequest, *, per_day: bool = True) -> str:
    """The store key of a request: every field that changes the numbers, normalised.

    With `per_day` (DAY rows) the dates are left out, so overlapping ranges share days.
    """
    spec: dict[str, Any] = {
        "v": 1,
        "account": request.ad_account_id,
        "level": request.level,
        "columns": sorted(set(request.columns)),
        "granularity": request.granularity,
        "targeting_types": sorted(set(request.targeting_types)),
        "windows": [
            request.click_window_days,
            request.engagement_window_days,
            request.view_window_days,
        ],
        "conversion_report_time": request.conversion_report_time,
        "campaign_ids": sorted(set(request.campaign_ids)),
        "ad_group_ids": sorted(set(request.ad_group_ids)),
        "ad_ids": sorted(set(request.ad_ids)),
        "report_format": request.report_format,
    }
    if not per_day:
        spec["dates"] = [request.start_date.isoformat(), request.end_date.isoformat()]
    canonical = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredDays:
    """What the store holds for a range: final days, days to fetch, and open (stale) days."""

    rows: dict[date, list[dict[str, Any]]]
    missing: list[date]
    stale: dict[date, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.missing

    def missing_spans(self) -> list[tuple[date, date]]:
        """Missing days as consecutive (start, end) ranges, oldest first."""
        spans: list[tuple[date, date]] = []
        for day in sorted(self.missing):
            if spans and spans[-1][1] + timedelta(days=1) == day:
                spans[-1] = (spans[-1][0], day)
            else:
                spans.append((day, day))
        return spans


@dataclass(frozen=True)
class StoreStats:
    requests: int
    days: int
    rows: int
    path: str


class ReportStore:
    """SQLite file of report rows per (request key, day), each day one JSON array."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *,
                 max_bytes: int | None = None, today: Callable[[], date] | None = None) -> None:
        self._path = Path(path) if path is not None else default_store_path()
        self.max_bytes = max_bytes if max_bytes is not None else default_max_bytes()
        self._today = today or (lambda: datetime.now(UTC).date())  # retention's clock
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._read_problem: str | None = None
        self._write_problem: str | None = None

    def __repr__(self) -> str:
        return f"ReportStore({str(self._path)!r})"

    @property
    def path(self) -> Path:
        return self._path

    @property
    def problem(self) -> str | None:
        """Why the store is not being used right now (one sentence for the page), or None.
        Set by a failed `try_load`/`try_save` (or unreadable stored days), cleared by the next
        one that works."""
        return self._write_problem or self._read_problem

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                self._path, timeout=30.0, check_same_thread=False, isolation_level=None
            )
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(_SCHEMA)
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def _drop_connection(self) -> None:
        # A connection in an unknown state is closed; the next use opens a fresh one.
        if self._conn is not None:
            with suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                # Also when COMMIT itself failed (full disk, ...): never leave the connection
                # inside a transaction, or every later write would fail too.
                if conn.in_transaction:
                    try:
                        conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        self._drop_connection()
                raise

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def load(self, key: str, start: date, end: date) -> StoredDays:
        """Rows of the days start..end under `key`; days never fetched or not final are missing,
        and so are stored days that cannot be read (they are fetched again). StoreError when
        the file cannot be used."""
        try:
            with self._lock:
                conn = self._connection()
                found = conn.execute(
                    "SELECT day, final, data FROM report_days WHERE key = ? AND day BETWEEN ? "
                    "AND ?",
                    (key, start.isoformat(), end.isoformat()),
                ).fetchall()
        except (sqlite3.Error, OSError) as exc:
            raise _store_error(exc, self._path) from exc
        finals: dict[date, bool] = {}
        by_day: dict[date, list[dict[str, Any]]] = {}
        unreadable = 0
        for day_text, final, text in found:
            parsed = _parse_day(day_text, text)
            if parsed is None:
                unreadable += 1
                continue
            finals[parsed[0]] = bool(final)
            by_day[parsed[0]] = parsed[1]
        if unreadable:
            log.warning("report store %s: %d stored days unreadable; fetching them again",
                        self._path, unreadable)
        self._read_problem = (
            f"The local report store ({self._path.name}) held {unreadable} unreadable "
            "day(s); they are fetched from Pinterest again." if unreadable else None
        )
        rows: dict[date, list[dict[str, Any]]] = {}
        stale: dict[date, list[dict[str, Any]]] = {}
        missing: list[date] = []
        day = start
        while day <= end:
            if finals.get(day):
                rows[day] = by_day[day]
            else:
                missing.append(day)
                if day in finals:
                    stale[day] = by_day[day]
            day += timedelta(days=1)
        return StoredDays(rows=rows, missing=missing, stale=stale)

    def save(
        self,
        key: str,
        rows_by_day: Mapping[date, Sequence[Mapping[str, Any]]],
        *,
        final_days: Collection[date],
        description: str = "",
    ) -> None:
        """Write whole days (every day of the fetched range, empty ones too) in one transaction.

        A day already stored is replaced; `final_days` says which of them are final.
        """
        now = time.time()
        try:
            with self._transaction() as conn:
                conn.execute(
                    "INSERT OR IGNORE INTO requests (key, description, created_at) "
                    "VALUES (?, ?, ?)",
                    (key, description, now),
                )
                conn.executemany(
                    "INSERT OR REPLACE INTO report_days (key, day, final, fetched_at, "
                    "row_count, data) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (
                            key,
                            day.isoformat(),
                            int(day in final_days),
                            now,
                            len(rows),
                            json.dumps([dict(row) for row in rows], sort_keys=True),
                        )
                        for day, rows in rows_by_day.items()
                    ],
                )
        except (sqlite3.Error, OSError) as exc:
            raise _store_error(exc, self._path, "written") from exc
        try:
            self.prune()
        except (sqlite3.Error, OSError) as exc:  # the rows are written; pruning waits
            log.warning("report store %s not pruned (%s)", self._path, type(exc).__name__)

    def prune(self, today: date | None = None) -> int:
        """Retention: drop days older than Pinterest's report reach (REPORT_MAX_DAYS_BACK
        before `today`; by default the store's clock, UTC today), then the least recently
        fetched days while the rows' pages take more than `max_bytes`; forget requests left
        without days. Returns the number of days dropped."""
        today = today or self._today()
        oldest = (today - timedelta(days=REPORT_MAX_DAYS_BACK)).isoformat()
        with self._transaction() as conn:
            dropped = conn.execute("DELETE FROM report_days WHERE day < ?", (oldest,)).rowcount
        target = int(self.max_bytes * _PRUNE_TO)
        while self.used_bytes() > self.max_bytes:
            with self._transaction() as conn:
                total = conn.execute("SELECT COUNT(*) FROM report_days").fetchone()[0]
                # A tenth of the days at a time (at least one): few rounds, little overshoot.
                batch = max(1, int(total) // 10)
                dropped += conn.execute(
                    "DELETE FROM report_days WHERE rowid IN (SELECT rowid FROM report_days "
                    "ORDER BY fetched_at, day LIMIT ?)", (batch,)).rowcount
            if total <= 1 or self.used_bytes() <= target:
                break
        if dropped:
            with self._transaction() as conn:
                conn.execute("DELETE FROM requests WHERE key NOT IN "
                             "(SELECT DISTINCT key FROM report_days)")
            log.info("report store %s: %d days dropped (retention)", self._path, dropped)
        return int(dropped)

    def used_bytes(self) -> int:
        """Bytes of the file's pages in use (freed pages are reused, so the file stays near
        the cap)."""
        with self._lock:
            conn = self._connection()
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            free = conn.execute("PRAGMA freelist_count").fetchone()[0]
            size = conn.execute("PRAGMA page_size").fetchone()[0]
        return int((pages - free) * size)

    def try_load(self, key: str, start: date, end: date) -> StoredDays:
        """`load`, or every day missing when the file cannot be used (read-only disk, locked,
        corrupt): the data is then fetched again rather than the page failing (`problem`
        says why)."""
        try:
            return self.load(key, start, end)
        except StoreError as exc:
            self._read_problem = str(exc)
            log.warning("report store %s unusable (%s, %s); fetching without it", self._path,
                        exc.kind, type(exc.__cause__).__name__)
            days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
            return StoredDays(rows={}, missing=days)

    def try_save(
        self,
        key: str,
        rows_by_day: Mapping[date, Sequence[Mapping[str, Any]]],
        *,
        final_days: Collection[date],
        description: str = "",
    ) -> bool:
        """`save`; False (logged, `problem` set) when the file cannot be written: the rows are
        still used."""
        try:
            self.save(key, rows_by_day, final_days=final_days, description=description)
        except StoreError as exc:
            self._write_problem = str(exc)
            log.warning("report store %s not written (%s, %s)", self._path, exc.kind,
                        type(exc.__cause__).__name__)
            return False
        self._write_problem = None
        return True

    def forget(self, key: str) -> None:
        with self._transaction() as conn:
            for table in ("report_days", "requests"):
                conn.execute(f"DELETE FROM {table} WHERE key = ?", (key,))

    def stats(self) -> StoreStats:
        with self._lock:
            conn = self._connection()
            requests = int(conn.execute("SELECT COUNT(*) FROM requests").fetchone()[0])
            days, rows = conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(row_count), 0) FROM report_days"
            ).fetchone()
        return StoreStats(requests=requests, days=int(days), rows=int(rows), path=str(self._path))


def _parse_day(day_text: object, text: object) -> tuple[date, list[dict[str, Any]]] | None:
    """A stored day's date and rows, or None when either cannot be read."""
    try:
        day = date.fromisoformat(str(day_text))
        rows = json.loads(str(text))
    except ValueError:
        return None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        return None
    return day, rows


def group_by_day(
    rows: Sequence[Mapping[str, Any]], start: date, end: date, *, partition: date | None = None
) -> dict[date, list[dict[str, Any]]]:
    """Rows to {day: rows} over every day start..end (empty days kept, so they are stored too).

    With `partition` every row goes under that one day (whole-range results: TOTAL, WEEK, ...).
    """
    out: dict[date, list[dict[str, Any]]] = {}
    if partition is not None:
        out[partition] = [dict(r) for r in rows]
        return out
    day = start
    while day <= end:
        out[day] = []
        day += timedelta(days=1)
    for row in rows:
        text = str(row.get("DATE", ""))[:10]
        try:
            day = date.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"report row without a usable DATE: {text!r}") from exc
        if start <= day <= end:
            out[day].append(dict(row))
    return out
