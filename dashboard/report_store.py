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
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

from pinterest_client.reports import ReportRequest

log = logging.getLogger("dashboard.report_store")

STORE_ENV: Final = "PINTEREST_DASHBOARD_STORE"
DEFAULT_PATH: Final = Path("data") / "reports.sqlite3"
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

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self._path = Path(path) if path is not None else default_store_path()
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None

    def __repr__(self) -> str:
        return f"ReportStore({str(self._path)!r})"

    @property
    def path(self) -> Path:
        return self._path

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                self._path, timeout=30.0, check_same_thread=False, isolation_level=None
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)
            self._conn = conn
        return self._conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def load(self, key: str, start: date, end: date) -> StoredDays:
        """Rows of the days start..end under `key`; days never fetched or not final are missing."""
        with self._lock:
            conn = self._connection()
            found = conn.execute(
                "SELECT day, final, data FROM report_days WHERE key = ? AND day BETWEEN ? AND ?",
                (key, start.isoformat(), end.isoformat()),
            ).fetchall()
        finals = {date.fromisoformat(d): bool(f) for d, f, _ in found}
        by_day: dict[date, list[dict[str, Any]]] = {
            date.fromisoformat(d): json.loads(text) for d, _, text in found
        }
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
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO requests (key, description, created_at) VALUES (?, ?, ?)",
                (key, description, now),
            )
            conn.executemany(
                "INSERT OR REPLACE INTO report_days (key, day, final, fetched_at, row_count, "
                "data) VALUES (?, ?, ?, ?, ?, ?)",
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

    def try_load(self, key: str, start: date, end: date) -> StoredDays:
        """`load`, or every day missing when the file cannot be used (read-only disk, locked,
        corrupt): the data is then fetched again rather than the page failing."""
        try:
            return self.load(key, start, end)
        except (sqlite3.Error, OSError) as exc:
            log.warning("report store %s unusable (%s); fetching without it", self._path,
                        type(exc).__name__)
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
        """`save`; False (logged) when the file cannot be written: the rows are still used."""
        try:
            self.save(key, rows_by_day, final_days=final_days, description=description)
        except (sqlite3.Error, OSError) as exc:
            log.warning("report store %s not written (%s)", self._path, type(exc).__name__)
            return False
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
