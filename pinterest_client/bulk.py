"""Bulk download: whole entity dumps (campaigns, ad groups, ads, ...), not metrics.

`POST /ad_accounts/{id}/bulk/download` answers a `request_id`; `GET /ad_accounts/{id}/bulk/{id}`
says RUNNING, SUCCEEDED (with `result_url`, a pre-signed link fetched without the auth header) or
FAILED. Polling backs off like async reports (1, 2, 4, 8, then 10 s) under a deadline. The file is
parsed into rows per entity type; nothing partial is returned.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from pinterest_client._errors import ReportError, ValidationError
from pinterest_client._polling import (
    Session,
    default_sleep,
    fetch_renewing_links,
    utc_now,
    wait_for,
)

BULK_ENTITY_TYPES: Final[tuple[str, ...]] = (
    "CAMPAIGN",
    "AD_GROUP",
    "PRODUCT_GROUP",
    "AD",
    "KEYWORD",
    "LABEL",
    "SCHEDULE",
)
BULK_OUTPUT_FORMATS: Final[tuple[str, ...]] = ("JSON", "CSV")
CAMPAIGN_STATUSES: Final[tuple[str, ...]] = (
    "RUNNING",
    "PAUSED",
    "NOT_STARTED",
    "COMPLETED",
    "ADVERTISER_DISABLED",
    "ARCHIVED",
    "DRAFT",
    "DELETED_DRAFT",
)
OBJECTIVE_TYPES: Final[tuple[str, ...]] = (
    "AWARENESS",
    "CONSIDERATION",
    "WEB_CONVERSION",
    "CATALOG_SALES",
    "VIDEO_COMPLETION",
)
BULK_STATUSES: Final[tuple[str, ...]] = ("RUNNING", "SUCCEEDED", "FAILED")
CATEGORY: Final = "ads_read"
DEFAULT_DEADLINE_S: Final = 300.0
MAX_LINK_RENEWALS: Final = 2

_DIGITS = re.compile(r"^\d+$")
# Where a file row says which entity type it is (JSON field or CSV column), by convention.
_TYPE_FIELDS: Final[tuple[str, ...]] = ("entity_type", "ENTITY_TYPE", "Entity Type", "type", "TYPE")
_TYPE_ALIASES: Final[dict[str, str]] = {
    "CAMPAIGNS": "CAMPAIGN",
    "AD_GROUPS": "AD_GROUP",
    "ADGROUP": "AD_GROUP",
    "ADS": "AD",
    "PIN_PROMOTION": "AD",
    "PRODUCT_GROUPS": "PRODUCT_GROUP",
    "KEYWORDS": "KEYWORD",
    "LABELS": "LABEL",
    "SCHEDULES": "SCHEDULE",
}


class BulkError(ReportError):
    """A bulk request that FAILED, ran past its deadline, or whose file could not be read."""


# Python's csv module refuses longer fields (its default field_size_limit).
MAX_FIELD_BYTES: Final = 128 * 1024


_REQUEST_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,128}")


class BulkFileError(BulkError):
    """The bulk file arrived whole but cannot be read (not UTF-8, a field over 128 KiB, which
    an unclosed quote also causes). `raw` is the file as downloaded, so it can still be
    offered; `request`/`request_id` say which run it came from (set by `fetch`). The message
    never quotes the file."""

    def __init__(self, message: str, raw: bytes) -> None:
        super().__init__(message, status="UNREADABLE")
        self.raw = raw
        self.request: BulkRequest | None = None
        self.request_id: str | None = None

    def __repr__(self) -> str:
        return f"BulkFileError({str(self)!r}, raw=<{len(self.raw)} bytes>)"


@dataclass(frozen=True)
class CampaignFilter:
    campaign_status: tuple[str, ...] = ()
    objective_type: tuple[str, ...] = ()
    name: str | None = None
    start_time: int | None = None  # unix seconds
    end_time: int | None = None

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.campaign_status:
            out["campaign_status"] = list(self.campaign_status)
        if self.objective_type:
            out["objective_type"] = list(self.objective_type)
        if self.name:
            out["name"] = self.name
        if self.start_time is not None:
            out["start_time"] = str(self.start_time)
        if self.end_time is not None:
            out["end_time"] = str(self.end_time)
        return out

    def validate(self) -> None:
        for s in self.campaign_status:
            if s not in CAMPAIGN_STATUSES:
                raise ValidationError(f"campaign_filter.campaign_status: {s!r} is not allowed.")
        for o in self.objective_type:
            if o not in OBJECTIVE_TYPES:
                raise ValidationError(f"campaign_filter.objective_type: {o!r} is not allowed.")
        for name in ("start_time", "end_time"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValidationError(f"campaign_filter.{name} must be unix seconds.")


@dataclass(frozen=True)
class BulkRequest:
    ad_account_id: str
    entity_types: tuple[str, ...] = ("CAMPAIGN", "AD_GROUP", "AD")
    entity_ids: tuple[str, ...] = ()
    campaign_filter: CampaignFilter | None = None
    output_format: str = "JSON"
    updated_since: int | None = None  # unix seconds

    def __post_init__(self) -> None:
        for name in ("entity_types", "entity_ids"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))

    def validate(self) -> None:
        if not _DIGITS.match(self.ad_account_id) or len(self.ad_account_id) > 18:
            raise ValidationError("ad_account_id must be a string of at most 18 digits.")
        if not 1 <= len(self.entity_types) <= 6:
            raise ValidationError("entity_types: choose 1 to 6 entity types.")
        for t in self.entity_types:
            if t not in BULK_ENTITY_TYPES:
                raise ValidationError(
                    f"entity_types: {t!r} is not one of {', '.join(BULK_ENTITY_TYPES)}."
                )
        bad = [i for i in self.entity_ids if not _DIGITS.match(str(i))]
        if bad:
            raise ValidationError(f"entity_ids must be digit strings (got {bad[0]!r}).")
        if self.output_format not in BULK_OUTPUT_FORMATS:
            raise ValidationError("output_format must be JSON or CSV.")
        if self.updated_since is not None and self.updated_since < 0:
            raise ValidationError("updated_since must be unix seconds.")
        if self.campaign_filter is not None:
            self.campaign_filter.validate()

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "entity_types": list(self.entity_types),
            "output_format": self.output_format,
        }
        if self.entity_ids:
            body["entity_ids"] = list(self.entity_ids)
        if self.updated_since is not None:
            body["updated_since"] = str(self.updated_since)
        if self.campaign_filter is not None:
            filt = self.campaign_filter.body()
            if filt:
                body["campaign_filter"] = filt
        return body


@dataclass(frozen=True)
class BulkJob:
    request: BulkRequest
    request_id: str
    created_at: datetime


@dataclass(frozen=True)
class BulkStatus:
    status: str
    result_url: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"

    @property
    def failed(self) -> bool:
        return self.status == "FAILED"


@dataclass(frozen=True)
class BulkResult:
    request: BulkRequest
    request_id: str
    rows: dict[str, list[dict[str, Any]]]  # entity type -> rows
    raw: bytes = field(repr=False)  # the file as downloaded (for "download the file")

    @property
    def counts(self) -> dict[str, int]:
        return {t: len(r) for t, r in self.rows.items()}

    @property
    def filename(self) -> str:
        ext = "csv" if self.request.output_format == "CSV" else "json"
        return f"pinterest-bulk-{self.request.ad_account_id}-{self.request_id}.{ext}"


def _canonical_type(value: Any) -> str:
    text = str(value).strip().upper().replace(" ", "_")
    return _TYPE_ALIASES.get(text, text)


def parse_bulk(body: bytes, request: BulkRequest) -> dict[str, list[dict[str, Any]]]:
    """A bulk file to rows per entity type (every requested type present, maybe empty).

    BulkFileError when it is not UTF-8 or holds a field over 128 KiB."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BulkFileError(
            f"Pinterest's bulk file is not UTF-8 text (unreadable bytes at byte {exc.start:,} "
            f"of {len(body):,}), so it cannot be shown as tables.", body) from None
    try:
        found = _parse_csv(text) if request.output_format == "CSV" else _parse_json(text)
    except csv.Error as exc:
        if "field larger than field limit" not in str(exc):
            raise ValueError(f"bulk CSV unreadable: {exc}") from None
        raise BulkFileError(
            "Pinterest's bulk file holds a field longer than 128 KiB (or a quote that is "
            "never closed), so it cannot be shown as tables.", body) from None
    out: dict[str, list[dict[str, Any]]] = {t: [] for t in request.entity_types}
    for entity_type, rows in found.items():
        out.setdefault(entity_type, []).extend(rows)
    return out


def _group(rows: Sequence[Mapping[str, Any]], default: str = "UNKNOWN") -> dict[
    str, list[dict[str, Any]]
]:
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        entity_type = default
        for name in _TYPE_FIELDS:
            if row.get(name):
                entity_type = _canonical_type(row[name])
                break
        out.setdefault(entity_type, []).append(dict(row))
    return out


def _parse_json(text: str) -> dict[str, list[dict[str, Any]]]:
    if not text.strip():
        return {}
    data = json.loads(text)
    if isinstance(data, list):
        if not all(isinstance(r, Mapping) for r in data):
            raise ValueError("bulk rows must be JSON objects")
        return _group(data)
    if not isinstance(data, Mapping):
        raise ValueError("a bulk JSON file must be an object or a list")
    out: dict[str, list[dict[str, Any]]] = {}
    for key, value in data.items():
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(r, Mapping) for r in items):
            raise ValueError(f"bulk rows under {key!r} must be JSON objects")
        entity_type = _canonical_type(key)
        out.setdefault(entity_type, []).extend(dict(r) for r in items)
    return out


def _parse_csv(text: str) -> dict[str, list[dict[str, Any]]]:
    if not text.strip():
        return {}
    if not text.endswith(("\n", "\r")):
        raise ValueError("bulk CSV does not end with a line break (cut off?)")
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[dict[str, Any]] = []
    for cells in reader:
        if not cells or all(c == "" for c in cells):
            header = None  # a blank line may separate per-type sections
            continue
        if header is None:
            header = cells
            continue
        if len(cells) != len(header):
            raise ValueError(f"bulk CSV row has {len(cells)} cells, header {len(header)}")
        rows.append(dict(zip(header, cells, strict=True)))
    return _group(rows)


class BulkAPI:
    """Bulk downloads over an HttpSession (`client.bulk`)."""

    def __init__(
        self,
        session: Session,
        *,
        now: Callable[[], datetime] | None = None,
        sleep: Callable[[float], None] | None = None,
        deadline_s: float = DEFAULT_DEADLINE_S,
    ) -> None:
        self._session = session
        self._now = now or utc_now
        self._sleep = sleep or default_sleep
        self._deadline_s = deadline_s

    def __repr__(self) -> str:
        return f"BulkAPI(deadline_s={self._deadline_s})"

    def create(self, request: BulkRequest) -> BulkJob:
        request.validate()
        answer = self._session.request_json(
            "POST",
            f"/ad_accounts/{request.ad_account_id}/bulk/download",
            category=CATEGORY,
            json=request.body(),
        )
        request_id = answer.get("request_id") if isinstance(answer, Mapping) else None
        if not isinstance(request_id, str | int) or not _REQUEST_ID.fullmatch(str(request_id)):
            # It becomes part of a URL path and a file name: letters, digits, - and _ only.
            raise BulkError("Bulk download: Pinterest's answer had no usable request_id.",
                            status="UNKNOWN")
        return BulkJob(request=request, request_id=str(request_id), created_at=self._now())

    def get(self, ad_account_id: str, request_id: str) -> BulkStatus:
        answer = self._session.request_json(
            "GET",
            f"/ad_accounts/{ad_account_id}/bulk/{request_id}",
            category=CATEGORY,
        )
        if not isinstance(answer, Mapping) or "status" not in answer:
            raise BulkError("Bulk download: the status answer had no status.", status="UNKNOWN")
        url = answer.get("result_url")
        return BulkStatus(status=str(answer["status"]), result_url=str(url) if url else None)

    def wait(
        self,
        job: BulkJob,
        *,
        timeout_s: float | None = None,
        on_status: Callable[[BulkStatus], None] | None = None,
    ) -> BulkStatus:
        """Poll until SUCCEEDED (returned); FAILED or the deadline raise BulkError."""
        def ready(status: BulkStatus) -> bool:
            if status.succeeded:
                if not status.result_url:
                    raise BulkError("Bulk download SUCCEEDED without a result link.",
                                    status="SUCCEEDED")
                return True
            if status.failed:
                raise BulkError(
                    f"Bulk download {job.request_id}: Pinterest reports the request FAILED.",
                    status="FAILED",
                )
            return False

        return wait_for(
            lambda: self.get(job.request.ad_account_id, job.request_id),
            no_news=BulkStatus(status="RUNNING"), ready=ready, on_status=on_status,
            now=self._now, sleep=self._sleep,
            timeout_s=self._deadline_s if timeout_s is None else timeout_s,
            still_running=lambda: BulkError(
                f"Bulk download {job.request_id} is still running after the time limit; "
                "it can be picked up again later.",
                status="RUNNING",
            ),
        )

    def download(self, status: BulkStatus, request: BulkRequest) -> tuple[
        bytes, dict[str, list[dict[str, Any]]]
    ]:
        if not status.result_url:
            raise BulkError("Bulk download: no result link to fetch.", status=status.status)
        body = self._session.download(status.result_url)
        return body, parse_bulk(body, request)

    def fetch(self, job: BulkJob, *, timeout_s: float | None = None,
              on_status: Callable[[BulkStatus], None] | None = None) -> BulkResult:
        """wait + download; a dead link or a cut-off file is fetched again with a fresh poll."""
        def whole(status: BulkStatus) -> BulkResult:
            try:
                raw, rows = self.download(status, job.request)
            except BulkFileError as exc:  # arrived whole: a fresh link brings the same bytes
                exc.request, exc.request_id = job.request, job.request_id
                raise
            return BulkResult(request=job.request, request_id=job.request_id, rows=rows, raw=raw)

        return fetch_renewing_links(
            lambda: self.wait(job, timeout_s=timeout_s, on_status=on_status),
            whole,
            max_renewals=MAX_LINK_RENEWALS,
            failure=lambda _exc: BulkError(
                f"Bulk download {job.request_id}: the file could not be downloaded whole; "
                "nothing was kept. Retry.",
                status="DOWNLOAD_FAILED",
            ),
            final=(BulkFileError,),
        )

    def run(self, request: BulkRequest, *, timeout_s: float | None = None,
            on_status: Callable[[BulkStatus], None] | None = None) -> BulkResult:
        """Create, wait, download and parse."""
        return self.fetch(self.create(request), timeout_s=timeout_s, on_status=on_status)

    def resume(self, request: BulkRequest, request_id: str, *, timeout_s: float | None = None,
               on_status: Callable[[BulkStatus], None] | None = None) -> BulkResult:
        """Pick up a request created earlier by its id."""
        job = BulkJob(request=request, request_id=request_id, created_at=self._now())
        return self.fetch(job, timeout_s=timeout_s, on_status=on_status)
