"""Async reports: create, poll, download, parse; long ranges split into several jobs and merged.

Pinterest's async reports reach 914 days back with ranges of at most 186 days (HOUR: 8 days back,
3-day range). A job is created with `POST /ad_accounts/{id}/reports` (a token comes back), polled
with `GET /ad_accounts/{id}/reports?token=` until it is FINISHED, and its file is fetched from a
pre-signed URL that lives only 5 minutes (the report itself lives an hour). So:

- FINISHED is downloaded at once; a link that died before the download (403) is re-polled for a
  fresh one, and a report that EXPIRED meanwhile is created again (`run`/`collect` only);
- FAILED, CANCELLED, EXPIRED and DOES_NOT_EXIST end in `ReportError` naming the status (the
  official samples poll forever on these);
- polling backs off 1, 2, 4, 8 s, then every 10 s, under an overall deadline; a deadline that
  passes raises `ReportStillRunning`, which carries the `ReportBatch` to resume later;
- nothing partial is ever returned: a body shorter than the announced size, or that does not
  parse whole, is fetched again or fails.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, Literal, Protocol

from pinterest_client._errors import (
    APIError,
    InvalidResponseError,
    PinterestError,
    RateLimitedError,
    ReportError,
    ServerError,
    TransportError,
    ValidationError,
)

ReportLevel = Literal[
    "ADVERTISER",
    "ADVERTISER_TARGETING",
    "CAMPAIGN",
    "CAMPAIGN_TARGETING",
    "AD_GROUP",
    "AD_GROUP_TARGETING",
    "PIN_PROMOTION",
    "PIN_PROMOTION_TARGETING",
    "KEYWORD",
    "PRODUCT_GROUP",
    "PRODUCT_GROUP_TARGETING",
    "PRODUCT_ITEM",
    "PRODUCT_ITEM_TARGETING",
]
ReportStatusName = Literal[
    "DOES_NOT_EXIST", "FINISHED", "IN_PROGRESS", "EXPIRED", "FAILED", "CANCELLED"
]
ReportFormat = Literal["JSON", "CSV"]
PrimarySort = Literal["BY_ID", "BY_DATE"]
ProgressCallback = Callable[[int, int, str], None]

REPORT_LEVELS: Final[tuple[str, ...]] = (
    "ADVERTISER",
    "ADVERTISER_TARGETING",
    "CAMPAIGN",
    "CAMPAIGN_TARGETING",
    "AD_GROUP",
    "AD_GROUP_TARGETING",
    "PIN_PROMOTION",
    "PIN_PROMOTION_TARGETING",
    "KEYWORD",
    "PRODUCT_GROUP",
    "PRODUCT_GROUP_TARGETING",
    "PRODUCT_ITEM",
    "PRODUCT_ITEM_TARGETING",
)
# Schema TargetingTypeFilter (async only; wider than the sync targeting types).
REPORT_TARGETING_TYPES: Final[tuple[str, ...]] = (
    "KEYWORD",
    "APPTYPE",
    "GENDER",
    "LOCATION",
    "PLACEMENT",
    "COUNTRY",
    "TARGETED_INTEREST",
    "PINNER_INTEREST",
    "AUDIENCE_INCLUDE",
    "GEO",
    "AGE_BUCKET",
    "REGION",
    "MEDIA_TYPE",
    "AGE_BUCKET_AND_GENDER",
    "AUDIENCE_MULTIPLIER",
    "CREATIVE_ENHANCEMENTS",
    "LOCAL_ADS_STORE_CODE",
)
GRANULARITIES: Final[tuple[str, ...]] = ("TOTAL", "DAY", "HOUR", "WEEK", "MONTH")
WINDOW_DAYS: Final[tuple[int, ...]] = (0, 1, 7, 14, 30, 60)
CONVERSION_REPORT_TIMES: Final[tuple[str, ...]] = ("TIME_OF_AD_ACTION", "TIME_OF_CONVERSION")
REPORT_FORMATS: Final[tuple[str, ...]] = ("JSON", "CSV")
PRIMARY_SORTS: Final[tuple[str, ...]] = ("BY_ID", "BY_DATE")

MAX_DAYS_BACK: Final = 914
MAX_RANGE_DAYS: Final = 186
HOUR_MAX_DAYS_BACK: Final = 8
HOUR_MAX_RANGE_DAYS: Final = 3
PRODUCT_ITEM_MAX_DAYS_BACK: Final = 92
PRODUCT_ITEM_MAX_RANGE_DAYS: Final = 31
MAX_FILTER_IDS: Final = 500
MAX_TARGETING_TYPES: Final = 5

FAILED_STATUSES: Final[frozenset[str]] = frozenset(
    {"FAILED", "CANCELLED", "EXPIRED", "DOES_NOT_EXIST"}
)
BACKOFF_S: Final[tuple[float, ...]] = (1.0, 2.0, 4.0, 8.0)
BACKOFF_CAP_S: Final = 10.0
DEFAULT_DEADLINE_S: Final = 600.0
DEFAULT_MAX_PARALLEL: Final = 3
# How often a dead link is re-polled, and an EXPIRED report re-created, before giving up.
MAX_LINK_RENEWALS: Final = 3
MAX_RECREATIONS: Final = 1
# Poll rounds in a row that may fail transiently (after the transport's own retries).
MAX_TRANSIENT_ROUNDS: Final = 3
TRANSIENT_ERRORS: Final = (ServerError, TransportError, InvalidResponseError, RateLimitedError)

CATEGORY: Final = "ads_analytics"

# The id column each level's rows carry (sync naming, so report rows look like sync rows).
LEVEL_ID_COLUMNS: Final[dict[str, str]] = {
    "ADVERTISER": "AD_ACCOUNT_ID",
    "CAMPAIGN": "CAMPAIGN_ID",
    "AD_GROUP": "AD_GROUP_ID",
    "PIN_PROMOTION": "AD_ID",
    "KEYWORD": "KEYWORD_ID",
    "PRODUCT_GROUP": "PRODUCT_GROUP_ID",
    "PRODUCT_ITEM": "PRODUCT_ITEM_ID",
}

_STATUS_WORDS: Final[dict[str, str]] = {
    "FAILED": "Pinterest reports the job FAILED",
    "CANCELLED": "the job was CANCELLED",
    "EXPIRED": "the report EXPIRED (Pinterest keeps a finished report for one hour)",
    "DOES_NOT_EXIST": "Pinterest does not know this report (status DOES_NOT_EXIST)",
}
_DIGITS = re.compile(r"^\d+$")
_DATE_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}")
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
# Columns that hold text even when they look like numbers (ids must stay digit strings).
_TEXT_SUFFIXES: Final[tuple[str, ...]] = (
    "_ID", "_NAME", "_STATUS", "_TYPE", "_LABEL", "_TAG", "_OPTIMIZATION", "_CODE"
)
_TEXT_COLUMNS: Final[frozenset[str]] = frozenset(
    {"DATE", "TARGETING_TYPE", "TARGETING_VALUE", "CAMPAIGN_BUDGET_OPTIMIZATION"}
)


class Session(Protocol):
    """What reports need from the transport (pinterest_client._http.HttpSession)."""

    def request_json(
        self,
        method: str,
        path: str,
        *,
        category: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        auth: bool = True,
    ) -> Any: ...

    def download(self, url: str) -> bytes: ...


@functools.lru_cache(maxsize=4096)
def is_text_column(name: str) -> bool:
    return name in _TEXT_COLUMNS or name.endswith(_TEXT_SUFFIXES)


def _typed(name: str, value: Any) -> Any:
    """A cell as int/float for metric columns; text columns (ids, names, dates) as str."""
    if value is None:
        return None
    if is_text_column(name):
        return str(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value
    text = str(value).strip()
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text


# ---------------------------------------------------------------------------------------------
# Request
# ---------------------------------------------------------------------------------------------


def _async_columns() -> frozenset[str]:
    from pinterest_client import columns as catalogue

    return frozenset(catalogue.ASYNC_COLUMNS)


@dataclass(frozen=True)
class ReportRequest:
    """One async report as asked for (any range; `ReportsAPI.run` splits it into jobs)."""

    ad_account_id: str
    level: str
    columns: tuple[str, ...]
    start_date: date
    end_date: date
    granularity: str = "DAY"
    targeting_types: tuple[str, ...] = ()
    click_window_days: int = 30
    engagement_window_days: int = 30
    view_window_days: int = 1
    conversion_report_time: str = "TIME_OF_AD_ACTION"
    campaign_ids: tuple[str, ...] = ()
    ad_group_ids: tuple[str, ...] = ()
    ad_ids: tuple[str, ...] = ()
    report_format: str = "JSON"
    primary_sort: str = "BY_ID"

    def __post_init__(self) -> None:
        # Lists given by callers become tuples, so a request is hashable and comparable.
        for name in ("columns", "targeting_types", "campaign_ids", "ad_group_ids", "ad_ids"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    @property
    def base_level(self) -> str:
        """The level without its _TARGETING suffix (the entity the rows are about)."""
        return self.level.removesuffix("_TARGETING")

    @property
    def id_column(self) -> str:
        return LEVEL_ID_COLUMNS.get(self.base_level, f"{self.base_level}_ID")

    def limits(self) -> tuple[int, int]:
        """(days back, range days) Pinterest allows for this request."""
        if self.granularity == "HOUR":
            return HOUR_MAX_DAYS_BACK, HOUR_MAX_RANGE_DAYS
        if self.base_level == "PRODUCT_ITEM":
            return PRODUCT_ITEM_MAX_DAYS_BACK, PRODUCT_ITEM_MAX_RANGE_DAYS
        return MAX_DAYS_BACK, MAX_RANGE_DAYS

    def validate(self, today: date, *, whole_range: bool = True) -> None:
        """Pinterest's rules, checked before anything is sent (raises ValidationError).

        With `whole_range` the range may exceed one job's maximum (it will be split);
        otherwise it must fit one job.
        """
        if not _DIGITS.match(self.ad_account_id) or len(self.ad_account_id) > 18:
            raise ValidationError("ad_account_id must be a string of at most 18 digits.")
        if self.level not in REPORT_LEVELS:
            raise ValidationError(f"level {self.level!r} is not one of {', '.join(REPORT_LEVELS)}.")
        if self.granularity not in GRANULARITIES:
            raise ValidationError(
                f"granularity {self.granularity!r} is not one of {', '.join(GRANULARITIES)}."
            )
        if not self.columns:
            raise ValidationError("columns: choose at least one column.")
        allowed = _async_columns()
        unknown = [c for c in self.columns if c not in allowed]
        if unknown:
            raise ValidationError(
                "columns: not async report columns: " + ", ".join(unknown[:10])
            )
        self._validate_targeting()
        for name in ("click_window_days", "engagement_window_days", "view_window_days"):
            if getattr(self, name) not in WINDOW_DAYS:
                raise ValidationError(
                    f"{name} must be one of {', '.join(map(str, WINDOW_DAYS))}."
                )
        if self.conversion_report_time not in CONVERSION_REPORT_TIMES:
            raise ValidationError(
                "conversion_report_time must be one of " + ", ".join(CONVERSION_REPORT_TIMES)
            )
        if self.report_format not in REPORT_FORMATS:
            raise ValidationError("report_format must be JSON or CSV.")
        if self.primary_sort not in PRIMARY_SORTS:
            raise ValidationError("primary_sort must be BY_ID or BY_DATE.")
        for name in ("campaign_ids", "ad_group_ids", "ad_ids"):
            ids: tuple[str, ...] = getattr(self, name)
            if len(ids) > MAX_FILTER_IDS:
                raise ValidationError(
                    f"{name}: at most {MAX_FILTER_IDS} ids per report (got {len(ids)})."
                )
            bad = [i for i in ids if not _DIGITS.match(str(i))]
            if bad:
                raise ValidationError(f"{name} must be digit strings (got {bad[0]!r}).")
        if self.ad_ids and self.base_level == "PRODUCT_ITEM":
            raise ValidationError("ad_ids cannot filter a PRODUCT_ITEM report.")
        self._validate_dates(today, whole_range=whole_range)

    def _validate_targeting(self) -> None:
        if not self.level.endswith("_TARGETING"):
            if self.targeting_types:
                raise ValidationError(
                    "targeting_types need a level ending in _TARGETING "
                    f"(level is {self.level})."
                )
            return
        if not 1 <= len(self.targeting_types) <= MAX_TARGETING_TYPES:
            raise ValidationError(
                f"targeting_types: a {self.level} report needs 1 to {MAX_TARGETING_TYPES} types."
            )
        for t in self.targeting_types:
            if t not in REPORT_TARGETING_TYPES:
                raise ValidationError(f"targeting_types: {t!r} is not a report targeting type.")
        if "AUDIENCE_MULTIPLIER" in self.targeting_types and self.level != "CAMPAIGN_TARGETING":
            raise ValidationError("targeting type AUDIENCE_MULTIPLIER needs CAMPAIGN_TARGETING.")
        if "MEDIA_TYPE" in self.targeting_types and self.level != "PRODUCT_ITEM_TARGETING":
            raise ValidationError("targeting type MEDIA_TYPE needs PRODUCT_ITEM_TARGETING.")

    def _validate_dates(self, today: date, *, whole_range: bool) -> None:
        if self.end_date < self.start_date:
            raise ValidationError(
                f"end_date {self.end_date} is before start_date {self.start_date}."
            )
        days_back, max_range = self.limits()
        earliest = today - timedelta(days=days_back)
        if self.start_date < earliest:
            raise ValidationError(
                f"start_date {self.start_date} is more than {days_back} days back "
                f"(earliest {earliest})."
            )
        splittable = whole_range and self.granularity != "HOUR"
        if not splittable and self.days > max_range:
            raise ValidationError(
                f"a {self.granularity} report covers at most {max_range} days "
                f"(asked for {self.days})."
            )

    def with_dates(self, start: date, end: date) -> ReportRequest:
        return replace(self, start_date=start, end_date=end)

    def split(self, max_days: int | None = None) -> list[ReportRequest]:
        """Consecutive requests of at most `max_days` (default: Pinterest's range) each.

        WEEK chunks are whole multiples of 7 days and MONTH chunks start on the 1st where they
        can, so a period is cut only where the range itself cuts it.
        """
        limit = max_days if max_days is not None else self.limits()[1]
        if self.days <= limit:
            return [self]
        parts: list[ReportRequest] = []
        start = self.start_date
        while start <= self.end_date:
            end = min(self.end_date, _chunk_end(start, limit, self.granularity))
            parts.append(self.with_dates(start, end))
            start = end + timedelta(days=1)
        return parts

    def body(self) -> dict[str, Any]:
        """The JSON body of POST /ad_accounts/{id}/reports (defaults left out are still sent:
        they are explicit so the job is exactly what the cache key says)."""
        body: dict[str, Any] = {
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "granularity": self.granularity,
            "level": self.level,
            "columns": list(self.columns),
            "click_window_days": self.click_window_days,
            "engagement_window_days": self.engagement_window_days,
            "view_window_days": self.view_window_days,
            "conversion_report_time": self.conversion_report_time,
            "report_format": self.report_format,
            "primary_sort": self.primary_sort,
        }
        if self.targeting_types:
            body["targeting_types"] = list(self.targeting_types)
        for name in ("campaign_ids", "ad_group_ids", "ad_ids"):
            ids: tuple[str, ...] = getattr(self, name)
            if ids:
                body[name] = list(ids)
        return body

    def describe(self) -> str:
        return (
            f"{self.level} {self.granularity} report {self.start_date}..{self.end_date} "
            f"({len(self.columns)} columns)"
        )


def _chunk_end(start: date, limit: int, granularity: str) -> date:
    if granularity == "WEEK":
        return start + timedelta(days=(limit // 7) * 7 - 1)
    if granularity == "MONTH":
        # Whole months from `start` while they fit (a range starting mid-month keeps that
        # partial month in the first chunk).
        end = start + timedelta(days=limit - 1)
        first_of_next = date(end.year + (end.month == 12), end.month % 12 + 1, 1)
        if end + timedelta(days=1) == first_of_next:
            return end
        month_start = date(end.year, end.month, 1)
        return month_start - timedelta(days=1) if month_start > start else end
    return start + timedelta(days=limit - 1)


# ---------------------------------------------------------------------------------------------
# Results and errors
# ---------------------------------------------------------------------------------------------


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
    what = f" for the {request.describe()}" if request is not None else ""
    words = _STATUS_WORDS.get(status, f"the job ended with status {status}")
    extra = f" ({detail})" if detail else ""
    return f"Async report{what}: {words}{extra}."


def _report_error(message: str, status: str) -> ReportError:
    err = ReportError(message, status=status)
    return err


class ReportStillRunning(ReportError):
    """The deadline passed with jobs still running; `batch` resumes them later."""

    def __init__(self, message: str, batch: ReportBatch) -> None:
        super().__init__(message, status="IN_PROGRESS")
        self.batch = batch


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------


def parse_report(body: bytes, request: ReportRequest) -> list[dict[str, Any]]:
    """A report file to rows: dicts of column -> typed value, with the level's id column and,
    unless TOTAL, DATE. Raises ValueError on a body that is not a whole report."""
    text = body.decode("utf-8-sig")
    rows = _parse_csv(text) if request.report_format == "CSV" else _parse_json(text, request)
    return [_normalise_row(row, request) for row in rows]


def _parse_json(text: str, request: ReportRequest) -> list[dict[str, Any]]:
    data = json.loads(text)
    if isinstance(data, list):
        return [dict(r) for r in _dict_items(data)]
    if not isinstance(data, dict):
        raise ValueError("a JSON report must be an object or a list of rows")
    rows: list[dict[str, Any]] = []
    for key, value in data.items():
        items = _dict_items(value if isinstance(value, list) else [value])
        key_column: str | None = request.id_column
        if _DATE_KEY.match(str(key)):
            # TOTAL rows sorted BY_DATE sit under the start date, which is no row date.
            key_column = "DATE" if request.granularity != "TOTAL" else None
        for item in items:
            row = dict(item)
            # The top-level key is the entity id (BY_ID) or the date (BY_DATE).
            if key_column is not None:
                row.setdefault(key_column, str(key))
            rows.append(row)
    return rows


def _dict_items(values: Iterable[Any]) -> list[Mapping[str, Any]]:
    items = list(values)
    if not all(isinstance(v, Mapping) for v in items):
        raise ValueError("report rows must be JSON objects")
    return items


def _parse_csv(text: str) -> list[dict[str, Any]]:
    if not text.strip():
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    rows: list[dict[str, Any]] = []
    for cells in reader:
        if not cells:
            continue
        if len(cells) != len(header):
            raise ValueError(f"CSV row {len(rows) + 2} has {len(cells)} cells, not {len(header)}")
        rows.append({name: cell for name, cell in zip(header, cells, strict=True) if cell != ""})
    if not text.endswith(("\n", "\r")) and rows:
        # A file cut off mid-line can still split into the right number of cells.
        raise ValueError("CSV report does not end with a line break (cut off?)")
    return rows


def _normalise_row(row: Mapping[str, Any], request: ReportRequest) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        key = str(name).strip().upper().replace(" ", "_")
        typed = _typed(key, value)
        if typed is not None:
            out[key] = typed
    id_column = request.id_column
    if id_column not in out:
        # Pinterest names ads PIN_PROMOTION and accounts ADVERTISER in reports.
        for alias in ("PIN_PROMOTION_ID", "ADVERTISER_ID", f"{request.base_level}_ID"):
            if alias in out:
                out[id_column] = out[alias]
                break
    if request.granularity != "TOTAL" and "DATE" in out:
        out["DATE"] = str(out["DATE"])
    return out


ADDITIVE_HINT: Final = re.compile(r"(^|_)(CTR|RATE|ROAS|CPC|CPM|ECPC|ECPM|ECPE|CPA|COST_PER|AVG|"
                                  r"AVERAGE|FREQUENCY|PERCENT|MULTIPLIER)(_|$)")


@functools.lru_cache(maxsize=4096)
def is_additive(column: str) -> bool:
    """Whether summing the column over days or jobs is meaningful (ratios are not)."""
    return not is_text_column(column) and not ADDITIVE_HINT.search(column)


def merge_rows(parts: Sequence[Sequence[dict[str, Any]]], request: ReportRequest) -> tuple[
    list[dict[str, Any]], tuple[str, ...]
]:
    """Rows of several jobs as one report. Rows of different jobs that share a key (the same
    entity, targeting value and period: TOTAL/WEEK/MONTH cut by a job boundary) are added up;
    ratio columns of such rows cannot be added and are dropped (noted)."""
    key_columns = [request.id_column, "DATE", "TARGETING_TYPE", "TARGETING_VALUE"]
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    dropped: set[str] = set()
    for rows in parts:
        for row in rows:
            key = tuple(row.get(k) for k in key_columns)
            existing = merged.get(key)
            if existing is None:
                merged[key] = dict(row)
                continue
            for name, value in row.items():
                if name in key_columns or is_text_column(name):
                    existing.setdefault(name, value)
                elif is_additive(name) and isinstance(value, int | float):
                    existing[name] = existing.get(name, 0) + value
                else:
                    dropped.add(name)
            for name in dropped:
                existing.pop(name, None)
    notes: tuple[str, ...] = ()
    if dropped:
        notes = (
            "Ratio columns left out where one period spans two report jobs: "
            + ", ".join(sorted(dropped)),
        )
    ordered = sorted(
        merged.values(),
        key=lambda r: (str(r.get("DATE", "")), str(r.get(request.id_column, ""))),
    )
    return ordered, notes


# ---------------------------------------------------------------------------------------------
# The API
# ---------------------------------------------------------------------------------------------


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _default_sleep(seconds: float) -> None:
    threading.Event().wait(seconds)


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
    ) -> None:
        self._session = session
        self._now = now or _utc_now
        self._sleep = sleep or _default_sleep
        self._max_parallel = max(1, max_parallel)
        self._deadline_s = deadline_s

    def __repr__(self) -> str:
        return f"ReportsAPI(max_parallel={self._max_parallel}, deadline_s={self._deadline_s})"

    def today(self) -> date:
        return self._now().astimezone(UTC).date()

    # -- one job ----------------------------------------------------------------------------

    def create(self, request: ReportRequest) -> ReportJob:
        """Start one job (the request must fit one job's range)."""
        request.validate(self.today(), whole_range=False)
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
            raise _report_error(failure_message(status, request, detail), status)
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
        deadline = self._now() + timedelta(seconds=self._deadline_s if timeout_s is None
                                           else timeout_s)
        attempt = 0
        transient = 0
        while True:
            try:
                status = self.get(job.request.ad_account_id, job.token)
                transient = 0
            except TRANSIENT_ERRORS:
                transient += 1
                if transient > MAX_TRANSIENT_ROUNDS:
                    raise
                status = ReportStatus(status="IN_PROGRESS")  # no news: poll again later
            if on_status is not None:
                on_status(status)
            if status.finished:
                if not status.url:
                    raise _report_error(
                        failure_message("FINISHED", job.request, "no download link"), "FINISHED"
                    )
                return status
            if status.failed:
                raise _report_error(failure_message(status.status, job.request), status.status)
            remaining = (deadline - self._now()).total_seconds()
            if remaining <= 0:
                raise _report_error(
                    f"Async report for the {job.request.describe()} is still running "
                    "after the time limit; it can be picked up again later.",
                    "IN_PROGRESS",
                )
            # The last wait is cut to the deadline, so the job gets one more poll at its end.
            self._sleep(min(backoff_delay(attempt), remaining))
            attempt += 1

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
        renewals = 0
        while True:
            status = self.wait(job, timeout_s=timeout_s)
            try:
                return self.download(status, job.request)
            except (PinterestError, ValueError) as exc:
                if not renewable_download_error(exc) or renewals >= MAX_LINK_RENEWALS:
                    raise _download_failure(exc, job.request) from exc
                renewals += 1

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
        deadline = self._now() + timedelta(seconds=self._deadline_s if timeout_s is None
                                           else timeout_s)
        report = _Progress(batch, on_progress)
        report("started")
        attempt = 0
        with ThreadPoolExecutor(max_workers=self._max_parallel) as pool:
            while not batch.finished:
                active = [c for c in batch.chunks if not c.done][: self._max_parallel]
                for _ in pool.map(self._advance, active):
                    pass
                for chunk in active:
                    report(f"{chunk.request.start_date}..{chunk.request.end_date}: {chunk.status}")
                if batch.finished:
                    break
                remaining = (deadline - self._now()).total_seconds()
                if remaining <= 0:
                    raise ReportStillRunning(
                        f"Async report for the {batch.request.describe()} is still running "
                        f"({batch.done} of {batch.total} jobs done); it can be picked up "
                        "again later.",
                        batch,
                    )
                self._sleep(min(backoff_delay(attempt), remaining))
                attempt += 1
        rows, notes = merge_rows([c.rows or [] for c in batch.chunks], batch.request)
        report("finished")
        return ReportResult(
            request=batch.request, rows=rows, jobs=batch.total, tokens=batch.tokens, notes=notes
        )

    def _advance(self, chunk: _Chunk) -> bool:
        """One step for one chunk; a transient failure (5xx, network, 429, unreadable answer)
        that outlasted the transport's own retries costs this round only, a few in a row
        end the run."""
        try:
            done = self._step(chunk)
        except TRANSIENT_ERRORS:
            chunk.transient_errors += 1
            if chunk.transient_errors > MAX_TRANSIENT_ROUNDS:
                raise
            chunk.status = "RETRYING"
            return False
        chunk.transient_errors = 0
        return done

    def _step(self, chunk: _Chunk) -> bool:
        """Create if needed, poll, download when FINISHED. Returns whether the chunk finished.
        Failures raise ReportError."""
        if chunk.job is None:
            chunk.job = self.create(chunk.request)
            chunk.status = "IN_PROGRESS"
        status = self.get(chunk.request.ad_account_id, chunk.job.token)
        chunk.status = status.status
        if status.status == "EXPIRED" and chunk.recreations < MAX_RECREATIONS:
            # The report outlived its hour before we fetched it: ask for it again.
            chunk.recreations += 1
            chunk.job = self.create(chunk.request)
            chunk.status = "IN_PROGRESS"
            return False
        if status.failed:
            raise _report_error(failure_message(status.status, chunk.request), status.status)
        if not status.finished:
            return False
        renewals = 0
        while True:
            try:
                chunk.rows = self.download(status, chunk.request)
                chunk.status = "DOWNLOADED"
                return True
            except (PinterestError, ValueError) as exc:
                if not renewable_download_error(exc) or renewals >= MAX_LINK_RENEWALS:
                    raise _download_failure(exc, chunk.request) from exc
                renewals += 1
                status = self.get(chunk.request.ad_account_id, chunk.job.token)
                chunk.status = status.status
                if status.status == "EXPIRED" and chunk.recreations < MAX_RECREATIONS:
                    chunk.recreations += 1
                    chunk.job = self.create(chunk.request)
                    chunk.status = "IN_PROGRESS"
                    return False
                if status.failed:
                    raise _report_error(
                        failure_message(status.status, chunk.request), status.status
                    ) from exc
                if not status.finished:
                    return False


def backoff_delay(attempt: int) -> float:
    """1, 2, 4, 8, then 10 s (Pinterest's own samples; polling costs ads_analytics quota)."""
    if attempt < len(BACKOFF_S):
        return BACKOFF_S[attempt]
    return BACKOFF_CAP_S


def renewable_download_error(exc: BaseException) -> bool:
    """A download failure a fresh link (or a second try) can fix: dead link, cut-off body."""
    if isinstance(exc, ValueError):
        return True
    if isinstance(exc, APIError):
        return exc.status in (403, 404, 410) or exc.status >= 500
    return isinstance(exc, PinterestError) and not isinstance(exc, ReportError)


def _download_failure(exc: BaseException, request: ReportRequest) -> ReportError:
    reason = "the download link expired" if isinstance(exc, APIError) and exc.status == 403 \
        else "the report file could not be read whole"
    return _report_error(
        f"Async report for the {request.describe()}: {reason}; nothing was kept. Retry.",
        "DOWNLOAD_FAILED",
    )


class _Progress:
    """Calls on_progress(done, total, text) without ever letting it break a run."""

    def __init__(self, batch: ReportBatch, callback: ProgressCallback | None) -> None:
        self._batch = batch
        self._callback = callback

    def __call__(self, text: str) -> None:
        if self._callback is not None:
            self._callback(self._batch.done, self._batch.total, text)
