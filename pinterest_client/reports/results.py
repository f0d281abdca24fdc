"""Where an async report stands: one poll's answer, a created job, the jobs of one run (kept to
resume after a deadline), the finished result, and the errors that end a run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, Literal

from pinterest_client._errors import ReportError
from pinterest_client.reports.request import ReportRequest

FAILED_STATUSES: Final[frozenset[str]] = frozenset(
    {"FAILED", "CANCELLED", "EXPIRED", "DOES_NOT_EXIST"}
)
ReportStatusName = Literal[
    "DOES_NOT_EXIST", "FINISHED", "IN_PROGRESS", "EXPIRED", "FAILED", "CANCELLED"
]
_STATUS_WORDS: Final[dict[str, str]] = {
    "FAILED": "Pinterest reports the job FAILED",
    "CANCELLED": "the job was CANCELLED",
    "EXPIRED": "the report EXPIRED (Pinterest keeps a finished report for one hour)",
    "DOES_NOT_EXIST": "Pinterest does not know this report (status DOES_NOT_EXIST)",
}


@dataclass(frozen=True)
class ReportStatus:
    """One poll's answer."""

    status: str
    url: str | None = None
    size: int | None = None

    @property
    def finished(self) -> bool:
        return self.status == "FINISHED"

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES


@dataclass(frozen=True)
class ReportJob:
    """A created job: what to poll (`token`) and for what (`request`)."""

    request: ReportRequest
    token: str
    created_at: datetime

    def __repr__(self) -> str:
        return f"ReportJob({self.request.describe()}, token=…{self.token[-6:]})"


@dataclass(frozen=True)
class ReportResult:
    """A finished report (every job of it), rows merged in date/id order."""

    request: ReportRequest
    rows: list[dict[str, Any]]
    jobs: int
    tokens: tuple[str, ...]
    notes: tuple[str, ...] = ()


def failure_message(status: str, request: ReportRequest | None = None, detail: str = "") -> str:
    """'Async report for the …: <what the status means> (detail).' for a job that ended badly."""
    what = f" for the {request.describe()}" if request is not None else ""
    words = _STATUS_WORDS.get(status, f"the job ended with status {status}")
    extra = f" ({detail})" if detail else ""
    return f"Async report{what}: {words}{extra}."


class ReportStillRunning(ReportError):
    """The deadline passed with jobs still running; `batch` resumes them later."""

    def __init__(self, message: str, batch: ReportBatch) -> None:
        super().__init__(message, status="IN_PROGRESS")
        self.batch = batch


@dataclass
class _Chunk:
    request: ReportRequest
    job: ReportJob | None = None
    status: str = "PENDING"
    rows: list[dict[str, Any]] | None = None
    recreations: int = 0
    transient_errors: int = 0

    @property
    def done(self) -> bool:
        return self.rows is not None


@dataclass
class ReportBatch:
    """The jobs of one `run`: kept (e.g. in st.session_state) to resume after a deadline.

    Holds tokens, never credentials; finished chunks keep their rows so resuming downloads
    nothing twice.
    """

    request: ReportRequest
    chunks: list[_Chunk]
    started_at: datetime

    @property
    def total(self) -> int:
        return len(self.chunks)

    @property
    def done(self) -> int:
        return sum(1 for c in self.chunks if c.done)

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(c.job.token for c in self.chunks if c.job is not None)

    @property
    def finished(self) -> bool:
        return all(c.done for c in self.chunks)

    def statuses(self) -> list[tuple[date, date, str]]:
        return [(c.request.start_date, c.request.end_date, c.status) for c in self.chunks]
