"""`ReportsAPI` (`client.reports`): create, poll, download; whole requests split into jobs
that run side by side (at most `max_parallel` alive), polled under one deadline, and merged.
Polling and link renewal are `pinterest_client._polling`'s, shared with bulk downloads.

With `jobs` (a `ReportJobs`, e.g. one kept in Redis by several app processes), a job is created
only when no other holder of the registry has one in flight for the same request: `create`
then polls that job's token once with this client's own token (Pinterest refuses a token that
may not read the account, and a job that failed or expired is not reused) and goes on with it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import Any, Final, Protocol

from pinterest_client._errors import APIError, PinterestError, ReportError
from pinterest_client._polling import (
    Session,
    default_sleep,
    fetch_renewing_links,
    poll_until,
    renewable_download_error,
    tolerating_transient,
    utc_now,
    wait_for,
)
from pinterest_client.reports.parsing import merge_rows, parse_report
from pinterest_client.reports.request import ReportRequest
from pinterest_client.reports.results import (
    FAILED_STATUSES,
    ReportBatch,
    ReportJob,
    ReportResult,
    ReportStatus,
    ReportStillRunning,
    _Chunk,
    failure_message,
)

ProgressCallback = Callable[[int, int, str], None]

DEFAULT_DEADLINE_S: Final = 600.0
DEFAULT_MAX_PARALLEL: Final = 3
# How often a dead link is re-polled, and an EXPIRED report re-created, before giving up.
MAX_LINK_RENEWALS: Final = 3
MAX_RECREATIONS: Final = 1
CATEGORY: Final = "ads_analytics"


class ReportJobs(Protocol):
    """Report jobs in flight shared by several clients (or processes)."""

    def token_for(self, request: ReportRequest, create: Callable[[], str],
                  usable: Callable[[str], bool]) -> str:
        """The token of a job for `request`: one in flight elsewhere that `usable` accepts
        (polled with the caller's own token), else `create()`'s (kept for the others)."""
        ...


class ReportsAPI:
    """Async reports over an HttpSession (`client.reports`)."""

    def __init__(
        self,
        session: Session,
        *,
        now: Callable[[], datetime] | None = None,
        sleep: Callable[[float], None] | None = None,
        max_parallel: int = DEFAULT_MAX_PARALLEL,
        deadline_s: float = DEFAULT_DEADLINE_S,
        jobs: ReportJobs | None = None,
    ) -> None:
        self._session = session
        self._jobs = jobs
        self._now = now or utc_now
        self._sleep = sleep or default_sleep
        self._max_parallel = max(1, max_parallel)
        self._deadline_s = deadline_s

    def __repr__(self) -> str:
        return f"ReportsAPI(max_parallel={self._max_parallel}, deadline_s={self._deadline_s})"

    def today(self) -> date:
        """Today in UTC, Pinterest's reporting day."""
        return self._now().astimezone(UTC).date()

    def _timeout(self, timeout_s: float | None) -> float:
        return self._deadline_s if timeout_s is None else timeout_s

    # -- one job ----------------------------------------------------------------------------

    def create(self, request: ReportRequest) -> ReportJob:
        """Start one job (the request must fit one job's range), or join the one another
        holder of `jobs` has in flight for the same request."""
        request.validate(self.today(), whole_range=False)
        if self._jobs is None:
            return self._create(request)

        def usable(token: str) -> bool:
            return not self.get(request.ad_account_id, token).failed

        token = self._jobs.token_for(request, lambda: self._create(request).token, usable)
        return ReportJob(request=request, token=token, created_at=self._now())

    def _create(self, request: ReportRequest) -> ReportJob:
        answer = self._session.request_json(
            "POST",
            f"/ad_accounts/{request.ad_account_id}/reports",
            category=CATEGORY,
            json=request.body(),
        )
        if not isinstance(answer, Mapping):
            raise ReportError("Async report: Pinterest's answer to the create call was not an "
                              "object.", status="UNKNOWN")
        status = str(answer.get("report_status") or "IN_PROGRESS")
        token = answer.get("token")
        if status in FAILED_STATUSES or not token:
            detail = str(answer.get("message") or "")
            raise ReportError(failure_message(status, request, detail), status=status)
        return ReportJob(request=request, token=str(token), created_at=self._now())

    def get(self, ad_account_id: str, token: str) -> ReportStatus:
        """Poll once."""
        answer = self._session.request_json(
            "GET",
            f"/ad_accounts/{ad_account_id}/reports",
            category=CATEGORY,
            params={"token": token},
        )
        if not isinstance(answer, Mapping) or "report_status" not in answer:
            raise ReportError("Async report: the poll answer had no report_status.",
                              status="UNKNOWN")
        size = answer.get("size")
        return ReportStatus(
            status=str(answer["report_status"]),
            url=str(answer["url"]) if answer.get("url") else None,
            size=int(size) if isinstance(size, int | float) and not isinstance(size, bool)
            else None,
        )

    def wait(
        self,
        job: ReportJob,
        *,
        timeout_s: float | None = None,
        on_status: Callable[[ReportStatus], None] | None = None,
    ) -> ReportStatus:
        """Poll with backoff 1, 2, 4, 8, 10, 10 … s until FINISHED (returned, with its URL).

        FAILED/CANCELLED/EXPIRED/DOES_NOT_EXIST raise ReportError; a timeout raises ReportError
        with status IN_PROGRESS (the job keeps running; `wait` again with the same job).
        """
        def ready(status: ReportStatus) -> bool:
            if status.finished:
                if not status.url:
                    raise ReportError(
                        failure_message("FINISHED", job.request, "no download link"),
                        status="FINISHED",
                    )
                return True
            if status.failed:
                raise ReportError(failure_message(status.status, job.request),
                                  status=status.status)
            return False

        return wait_for(
            lambda: self.get(job.request.ad_account_id, job.token),
            no_news=ReportStatus(status="IN_PROGRESS"), ready=ready, on_status=on_status,
            now=self._now, sleep=self._sleep, timeout_s=self._timeout(timeout_s),
            still_running=lambda: ReportError(
                f"Async report for the {job.request.describe()} is still running "
                "after the time limit; it can be picked up again later.",
                status="IN_PROGRESS",
            ),
        )

    def download(self, status: ReportStatus, request: ReportRequest) -> list[dict[str, Any]]:
        """Fetch and parse a FINISHED report's file (raises on a dead link or partial body)."""
        if not status.url:
            raise ReportError("Async report: no download link to fetch.", status=status.status)
        body = self._session.download(status.url)
        # `size` is taken as bytes (Pinterest does not say); only fewer bytes than announced
        # count as cut off, so another unit or a compressed size cannot fail a whole file.
        if status.size is not None and len(body) < status.size:
            raise ValueError(
                f"report file has {len(body)} bytes, Pinterest announced {status.size}"
            )
        return parse_report(body, request)

    def fetch(self, job: ReportJob, *, timeout_s: float | None = None) -> list[dict[str, Any]]:
        """wait + download, renewing a link that died before it was used."""
        return fetch_renewing_links(
            lambda: self.wait(job, timeout_s=timeout_s),
            lambda status: self.download(status, job.request),
            max_renewals=MAX_LINK_RENEWALS,
            failure=lambda exc: _download_failure(exc, job.request),
        )

    # -- whole requests ---------------------------------------------------------------------

    def submit(self, request: ReportRequest) -> ReportBatch:
        """Validate and plan a request: one chunk per allowed range (jobs start in collect)."""
        request.validate(self.today(), whole_range=True)
        chunks = [_Chunk(request=part) for part in request.split()]
        return ReportBatch(request=request, chunks=chunks, started_at=self._now())

    def run(
        self,
        request: ReportRequest,
        *,
        on_progress: ProgressCallback | None = None,
        timeout_s: float | None = None,
    ) -> ReportResult:
        """The whole request: split, jobs side by side, download, merge."""
        return self.collect(self.submit(request), on_progress=on_progress, timeout_s=timeout_s)

    def resume(
        self,
        batch: ReportBatch,
        *,
        on_progress: ProgressCallback | None = None,
        timeout_s: float | None = None,
    ) -> ReportResult:
        """Pick up a batch left by ReportStillRunning (tokens are polled, not re-created)."""
        return self.collect(batch, on_progress=on_progress, timeout_s=timeout_s)

    def resume_token(self, request: ReportRequest, token: str) -> ReportBatch:
        """A batch for one job created earlier (e.g. in another process) by its token."""
        request.validate(self.today(), whole_range=False)
        chunk = _Chunk(request=request, job=ReportJob(request, token, self._now()),
                       status="IN_PROGRESS")
        return ReportBatch(request=request, chunks=[chunk], started_at=self._now())

    def collect(
        self,
        batch: ReportBatch,
        *,
        on_progress: ProgressCallback | None = None,
        timeout_s: float | None = None,
    ) -> ReportResult:
        """Drive every chunk of `batch` to its rows: at most `max_parallel` jobs alive at once,
        all polled each round, backoff between rounds, one deadline for the lot."""
        report = _Progress(batch, on_progress)
        report("started")
        with ThreadPoolExecutor(max_workers=self._max_parallel) as pool:

            def one_round() -> bool | None:
                if batch.finished:
                    return True
                active = [c for c in batch.chunks if not c.done][: self._max_parallel]
                for _ in pool.map(self._advance, active):
                    pass
                for chunk in active:
                    report(f"{chunk.request.start_date}..{chunk.request.end_date}: {chunk.status}")
                return True if batch.finished else None

            poll_until(
                one_round, now=self._now, sleep=self._sleep, timeout_s=self._timeout(timeout_s),
                still_running=lambda: ReportStillRunning(
                    f"Async report for the {batch.request.describe()} is still running "
                    f"({batch.done} of {batch.total} jobs done); it can be picked up "
                    "again later.",
                    batch,
                ),
            )
        rows, notes = merge_rows([c.rows or [] for c in batch.chunks], batch.request)
        report("finished")
        return ReportResult(
            request=batch.request, rows=rows, jobs=batch.total, tokens=batch.tokens, notes=notes
        )

    def _advance(self, chunk: _Chunk) -> bool:
        """One step for one chunk; a transient failure (5xx, network, 429, unreadable answer)
        that outlasted the transport's own retries costs this round only, a few in a row
        end the run."""
        done, chunk.transient_errors = tolerating_transient(
            lambda: self._step(chunk), None, chunk.transient_errors
        )
        if done is None:
            chunk.status = "RETRYING"
            return False
        return done

    def _step(self, chunk: _Chunk) -> bool:
        """Create if needed, poll, download when FINISHED. Returns whether the chunk finished.
        Failures raise ReportError."""
        if chunk.job is None:
            chunk.job = self.create(chunk.request)
            chunk.status = "IN_PROGRESS"
        renewals = 0
        while True:
            status = self.get(chunk.request.ad_account_id, chunk.job.token)
            if not self._settle(chunk, status):
                return False
            try:
                chunk.rows = self.download(status, chunk.request)
                chunk.status = "DOWNLOADED"
                return True
            except (PinterestError, ValueError) as exc:
                # A dead link or cut-off file: poll again for a fresh link, a few times.
                if not renewable_download_error(exc) or renewals >= MAX_LINK_RENEWALS:
                    raise _download_failure(exc, chunk.request) from exc
                renewals += 1

    def _settle(self, chunk: _Chunk, status: ReportStatus) -> bool:
        """Take one poll's answer: whether the report can be downloaded now. A report that
        EXPIRED before it was fetched is created again (once); a failed one raises."""
        chunk.status = status.status
        if status.status == "EXPIRED" and chunk.recreations < MAX_RECREATIONS:
            # The report outlived its hour before we fetched it: ask for it again.
            chunk.recreations += 1
            chunk.job = self.create(chunk.request)
            chunk.status = "IN_PROGRESS"
            return False
        if status.failed:
            raise ReportError(failure_message(status.status, chunk.request), status=status.status)
        return status.finished


def _download_failure(exc: BaseException, request: ReportRequest) -> ReportError:
    reason = "the download link expired" if isinstance(exc, APIError) and exc.status == 403 \
        else "the report file could not be read whole"
    return ReportError(
        f"Async report for the {request.describe()}: {reason}; nothing was kept. Retry.",
        status="DOWNLOAD_FAILED",
    )


class _Progress:
    """Calls on_progress(done, total, text) without ever letting it break a run."""

    def __init__(self, batch: ReportBatch, callback: ProgressCallback | None) -> None:
        self._batch = batch
        self._callback = callback

    def __call__(self, text: str) -> None:
        if self._callback is not None:
            self._callback(self._batch.done, self._batch.total, text)
