"""What the report builder and bulk export pages need, Streamlit-free.

- the async column catalogue grouped by category, with the glossary's names;
- a report run that goes through the local store (days held and final cost no job), can be left
  when it takes too long (`ReportStillRunning` carries a `PendingReport` to resume), and saves
  only whole results;
- result frames, a chart, and the report as a marketer's file: glossary names as headers,
  money in currency units (the currency's own decimals), counts as whole numbers.

Files are written by `spreadsheets` (formula-safe CSV/XLSX); bulk tables are `bulk_tables`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import PRIMARY, TEMPLATE
from dashboard.formatting import MICRO, currency_decimals, currency_symbol
from dashboard.report_store import ReportStore, group_by_day, is_final_day, request_key
from dashboard.spreadsheets import money_cells
from pinterest_client import (
    PRODUCT_ITEM_MAX_DAYS_BACK,
    PRODUCT_ITEM_MAX_RANGE_DAYS,
    REPORT_MAX_DAYS_BACK,
    REPORT_MAX_RANGE_DAYS,
    PinterestClient,
    ValidationError,
)
from pinterest_client.reports import (
    ProgressCallback,
    ReportBatch,
    ReportRequest,
    ReportsAPI,
    is_additive,
    is_text_column,
)
from pinterest_client.reports import ReportStillRunning as ReportStillRunning

LEVEL_LABELS: Final[dict[str, str]] = {
    "ADVERTISER": "Ad account",
    "CAMPAIGN": "Campaign",
    "AD_GROUP": "Ad group",
    "PIN_PROMOTION": "Ad",
    "ADVERTISER_TARGETING": "Ad account, by targeting",
    "CAMPAIGN_TARGETING": "Campaign, by targeting",
    "AD_GROUP_TARGETING": "Ad group, by targeting",
    "PIN_PROMOTION_TARGETING": "Ad, by targeting",
    "KEYWORD": "Keyword",
    "PRODUCT_GROUP": "Product group",
    "PRODUCT_GROUP_TARGETING": "Product group, by targeting",
    "PRODUCT_ITEM": "Product item",
}
BUILDER_LEVELS: Final[tuple[str, ...]] = tuple(LEVEL_LABELS)
_REACH: Final = (f"Up to {REPORT_MAX_DAYS_BACK} days back; ranges longer than "
                 f"{REPORT_MAX_RANGE_DAYS} days run as several jobs side by side.")
# What each level's rows are and the rules Pinterest sets for it (shown under the level).
LEVEL_RULES: Final[dict[str, str]] = {
    "ADVERTISER": f"One row for the whole ad account. {_REACH}",
    "CAMPAIGN": f"One row per campaign. {_REACH}",
    "AD_GROUP": f"One row per ad group. {_REACH}",
    "PIN_PROMOTION": f"One row per ad. {_REACH}",
    "KEYWORD": ("One row per keyword of each ad group (keyword id, with its ad group id): the "
                "delivery its search keyword matched. Filter by campaign or ad group ids, not "
                f"ad ids. {_REACH}"),
    "PRODUCT_GROUP": ("One row per product group of the catalog: the catalog (shopping) "
                      "campaigns' delivery split by product group. No campaign, ad group or "
                      f"ad id filters. {_REACH}"),
    "PRODUCT_ITEM": (f"One row per product item of the catalog. Only the last "
                     f"{PRODUCT_ITEM_MAX_DAYS_BACK} days, at most {PRODUCT_ITEM_MAX_RANGE_DAYS} "
                     "days per job (a longer range runs as several jobs). No campaign, ad group "
                     "or ad id filters."),
}
for _level in BUILDER_LEVELS:
    if _level.endswith("_TARGETING"):
        _base = LEVEL_RULES[_level.removesuffix("_TARGETING")].split(". ", 1)
        LEVEL_RULES[_level] = (f"{_base[0]}, split by each targeting type chosen (1 to 5). "
                               f"{_base[1]}")
DEFAULT_COLUMNS: Final[tuple[str, ...]] = (
    "SPEND_IN_MICRO_DOLLAR",
    "PAID_IMPRESSION",
    "CLICKTHROUGH_1",
    "TOTAL_CONVERSIONS",
    "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR",
)

# (category, pattern) in the order they are tried; the first match wins.
_CATEGORY_RULES: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    ("Entity details", re.compile(r"(_ID|_NAME|_STATUS|_TYPE|_LABEL|_TAG|_OPTIMIZATION|"
                                  r"_SPEND_CAP|_BUDGET.*|_BID.*|_MULTIPLIER)$")),
    ("Video", re.compile(r"VIDEO")),
    ("Conversions and value", re.compile(
        r"CONVERSION|CHECKOUT|SIGNUP|LEAD|PAGE_VISIT|ADD_TO_CART|ROAS|CUSTOM|WISHLIST|"
        r"SUBSCRIBE|WEB_SESSIONS|SEARCH|VIEW_CATEGORY|WATCH_VIDEO|APP_INSTALL|OFFLINE|"
        r"_VALUE_|_COST_PER_ACTION|COST_PER_ACTION|ATTRIBUTED|INAPP|ADE_")),
    ("Spend and cost", re.compile(r"SPEND|^CPC|^CPM|^ECPC|^ECPM|^ECPE|^CPV|^ECPV|COST_PER|"
                                  r"_CPA|^CPA|^ECPA")),
    ("Clicks and engagement", re.compile(r"CLICK|CTR|ENGAGEMENT|REPIN|SAVE|CLOSEUP|OUTBOUND|"
                                         r"CAROUSEL|PIN_CLICK|IDEA_PIN|SWIPE|LIKE|COMMENT")),
    ("Impressions and reach", re.compile(r"IMPRESSION|REACH|FREQUENCY|VIEWABLE|AUDIENCE")),
)
OTHER_CATEGORY: Final = "Other"
CATEGORY_ORDER: Final[tuple[str, ...]] = (
    "Spend and cost",
    "Impressions and reach",
    "Clicks and engagement",
    "Conversions and value",
    "Video",
    "Entity details",
    OTHER_CATEGORY,
)


def column_category(column: str) -> str:
    for category, pattern in _CATEGORY_RULES:
        if pattern.search(column):
            return category
    return OTHER_CATEGORY


def async_columns() -> tuple[str, ...]:
    from pinterest_client import columns as catalogue

    return tuple(catalogue.ASYNC_COLUMNS)


def grouped_columns(
    columns: Sequence[str] | None = None, names: Mapping[str, str] | None = None
) -> dict[str, list[str]]:
    """Category -> columns (sorted by their glossary name), categories in a fixed order."""
    names = names or {}
    groups: dict[str, list[str]] = {c: [] for c in CATEGORY_ORDER}
    for column in columns if columns is not None else async_columns():
        groups[column_category(column)].append(column)
    return {
        category: sorted(items, key=lambda c: names.get(c, c).lower())
        for category, items in groups.items()
        if items
    }


def async_column_names(client: PinterestClient) -> dict[str, str]:
    """Glossary names of async report columns (Pinterest's delivery_metrics, ASYNC)."""
    fetched = client.delivery_metrics("ASYNC")
    names: dict[str, str] = {}
    for item in fetched.data:
        name = str(getattr(item, "name", "") or "")
        display = getattr(item, "display_name", None)
        if name and display:
            names[name] = str(display)
    return names


def column_label(column: str, names: Mapping[str, str]) -> str:
    name = names.get(column)
    return f"{name} ({column})" if name and name != column else column


# Headers of the report's own row columns (the metrics take their glossary names).
ROW_LABELS: Final[dict[str, str]] = {
    "DATE": "Date",
    "TARGETING_TYPE": "Targeting type",
    "TARGETING_VALUE": "Targeting value",
    "AD_ACCOUNT_ID": "Ad account ID",
    "CAMPAIGN_ID": "Campaign ID",
    "AD_GROUP_ID": "Ad group ID",
    "AD_ID": "Ad ID",
    "KEYWORD_ID": "Keyword ID",
    "PRODUCT_GROUP_ID": "Product group ID",
    "PRODUCT_ITEM_ID": "Product item ID",
}
_UNIT_SUFFIX: Final = re.compile(r"_IN_(MICRO_)?DOLLAR$")


def readable_name(column: str, names: Mapping[str, str]) -> str:
    """The name a marketer reads: the glossary's, else ours, else the API name in words
    ("SPEND_IN_MICRO_DOLLAR" -> "Spend")."""
    name = names.get(column) or ROW_LABELS.get(column)
    if name:
        return name
    words = _UNIT_SUFFIX.sub("", column).replace("_", " ").strip().lower()
    return words[:1].upper() + words[1:] if words else column


# ---------------------------------------------------------------------------------------------
# Running a report through the store
# ---------------------------------------------------------------------------------------------


def stored_per_day(request: ReportRequest) -> bool:
    """DAY and HOUR rows are stored per day; TOTAL/WEEK/MONTH results as one whole range."""
    return request.granularity in ("DAY", "HOUR")


def final_day_rule(client: PinterestClient | None, today: date) -> Callable[[date], bool]:
    """Days older than the open window are final; recent ones ask metrics_ready_state."""
    cache: dict[date, bool] = {}

    def is_final(day: date) -> bool:
        if is_final_day(day, today):
            return True
        if day >= today or client is None:
            return False
        if day not in cache:
            try:
                state = client.metrics_ready_state(day).data
                cache[day] = bool(
                    getattr(state, "conversion_metrics_ready", False)
                    and getattr(state, "non_conversion_metrics_ready", False)
                )
            except Exception:  # unknown means not final: it will be fetched again
                cache[day] = False
        return cache[day]

    return is_final


@dataclass
class PendingReport:
    """A report in flight: what the store already held and the batch still to collect.

    Kept in st.session_state to pick a long job up again later in the session (holds tokens,
    never credentials)."""

    request: ReportRequest
    key: str
    held: dict[date, list[dict[str, Any]]]
    span: tuple[date, date] | None
    batch: ReportBatch | None

    @property
    def tokens(self) -> tuple[str, ...]:
        return self.batch.tokens if self.batch is not None else ()

    @property
    def jobs_total(self) -> int:
        return self.batch.total if self.batch is not None else 0

    @property
    def jobs_done(self) -> int:
        return self.batch.done if self.batch is not None else 0


@dataclass(frozen=True)
class ReportOutcome:
    request: ReportRequest
    rows: list[dict[str, Any]]
    jobs: int
    days_from_store: int
    tokens: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def from_store_only(self) -> bool:
        return self.jobs == 0


def plan_report(reports: ReportsAPI, store: ReportStore, request: ReportRequest) -> PendingReport:
    """Validate, look in the store, and plan the jobs for what it does not hold (final)."""
    request.validate(reports.today(), whole_range=True)
    per_day = stored_per_day(request)
    key = request_key(request, per_day=per_day)
    if per_day:
        held = store.try_load(key, request.start_date, request.end_date)
        if held.complete:
            return PendingReport(request, key, held.rows, None, None)
        span = (min(held.missing), max(held.missing))
        # Days between the missing ones are fetched again rather than cut into many jobs.
        kept = {d: r for d, r in held.rows.items() if not span[0] <= d <= span[1]}
    else:
        whole = store.try_load(key, request.start_date, request.start_date)
        if whole.complete:
            return PendingReport(request, key, whole.rows, None, None)
        span, kept = (request.start_date, request.end_date), {}
    batch = reports.submit(request.with_dates(*span))
    return PendingReport(request, key, kept, span, batch)


def drive_report(
    reports: ReportsAPI,
    store: ReportStore,
    pending: PendingReport,
    *,
    is_final: Callable[[date], bool],
    on_progress: ProgressCallback | None = None,
    timeout_s: float | None = None,
) -> ReportOutcome:
    """Collect the pending jobs, store the whole result, return every row of the request.

    Raises ReportStillRunning (keep `pending` and call again later) or ReportError."""
    request = pending.request
    held_rows = [r for rows in pending.held.values() for r in rows]
    if pending.batch is None or pending.span is None:
        return ReportOutcome(request, _ordered(held_rows, request), jobs=0,
                             days_from_store=len(pending.held))
    result = reports.collect(pending.batch, on_progress=on_progress, timeout_s=timeout_s)
    span_start, span_end = pending.span
    if stored_per_day(request):
        by_day = group_by_day(result.rows, span_start, span_end)
        finals = {d for d in by_day if is_final(d)}
    else:
        by_day = group_by_day(result.rows, span_start, span_end, partition=request.start_date)
        finals = {request.start_date} if is_final(request.end_date) else set()
    store.try_save(pending.key, by_day, final_days=finals, description=request.describe())
    rows = held_rows + list(result.rows)
    return ReportOutcome(
        request,
        _ordered(rows, request),
        jobs=result.jobs,
        days_from_store=len(pending.held),
        tokens=result.tokens,
        notes=result.notes + ((store.problem,) if store.problem else ()),
    )


def _ordered(rows: list[dict[str, Any]], request: ReportRequest) -> list[dict[str, Any]]:
    id_column = request.id_column
    return sorted(rows, key=lambda r: (str(r.get("DATE", "")), str(r.get(id_column, "")),
                                       str(r.get("TARGETING_VALUE", ""))))


# ---------------------------------------------------------------------------------------------
# Frames, chart, files
# ---------------------------------------------------------------------------------------------


def result_frame(rows: Sequence[Mapping[str, Any]], request: ReportRequest) -> pd.DataFrame:
    """Rows as a table: id, DATE, targeting columns, then the requested columns in order."""
    lead = [request.id_column, "DATE", "TARGETING_TYPE", "TARGETING_VALUE"]
    frame = pd.DataFrame(list(rows))
    if frame.empty:
        return pd.DataFrame(columns=[c for c in lead[:2] if c != "DATE"
                                     or request.granularity != "TOTAL"] + list(request.columns))
    ordered = [c for c in lead if c in frame] + [c for c in request.columns if c in frame]
    ordered += [c for c in frame.columns if c not in ordered]
    frame = frame[ordered]
    for column in frame.columns:
        if is_text_column(str(column)):
            frame[column] = frame[column].astype("string")
        elif is_additive(str(column)) and pd.api.types.is_numeric_dtype(frame[column]):
            # Pinterest's JSON files leave zero metrics out where its CSV files write 0.
            frame[column] = frame[column].fillna(0)
    return frame.reset_index(drop=True)


def is_money_column(column: str) -> bool:
    """Money in micro units (Pinterest's "_IN_MICRO_DOLLAR" columns, any currency)."""
    return column.endswith("_MICRO_DOLLAR")


def is_money_units_column(column: str) -> bool:
    """Money already in currency units (Pinterest's "_IN_DOLLAR" columns)."""
    return column.endswith("_IN_DOLLAR") and not is_money_column(column)


def _whole_numbers(values: pd.Series) -> bool:
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    return bool((numbers == numbers.round()).all())


def display_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The table as shown: money in currency units, counts as whole numbers (a count with gaps
    arrives as floats); column -> kind (money, count, number, text) for the column formats.
    Headers stay the API names (the page labels them); `export_frame` is the file form."""
    shown = frame.copy()
    kinds: dict[str, str] = {}
    for column in shown.columns:
        name = str(column)
        values = shown[column]
        if is_text_column(name) or not pd.api.types.is_numeric_dtype(values):
            kinds[name] = "text"
        elif is_money_column(name):
            shown[column] = pd.to_numeric(values, errors="coerce") / MICRO
            kinds[name] = "money"
        elif is_money_units_column(name):
            kinds[name] = "money"
        elif pd.api.types.is_integer_dtype(values) or _whole_numbers(values):
            shown[column] = pd.to_numeric(values, errors="coerce").round().astype("Int64")
            kinds[name] = "count"
        else:
            kinds[name] = "number"
    return shown, kinds


def export_frame(frame: pd.DataFrame, names: Mapping[str, str], currency: str) -> pd.DataFrame:
    """The report as a marketer's file: the screen's headers (money ones say the currency,
    "Spend (JPY)"), money in currency units with the currency's decimals, counts as whole
    numbers. `frame` itself (API names, micro units) is the raw download."""
    shown, kinds = display_frame(frame)
    code = currency.upper()
    headers: dict[str, str] = {}
    for column, kind in kinds.items():
        header = readable_name(column, names)
        if kind == "money":
            shown[column] = money_cells(frame[column], currency,
                                        micro=is_money_column(column))
            header = f"{header} ({code})" if code else header
        headers[column] = header
    # Two columns with one glossary name keep apart by their API name.
    seen = list(headers.values())
    for column, header in headers.items():
        if seen.count(header) > 1:
            headers[column] = f"{header} [{column}]"
    return shown.rename(columns=headers)


def chartable_columns(frame: pd.DataFrame) -> list[str]:
    return [
        str(c) for c in frame.columns
        if not is_text_column(str(c)) and pd.api.types.is_numeric_dtype(frame[c])
    ]


def result_chart(frame: pd.DataFrame, request: ReportRequest, metric: str,
                 label: str | None = None, currency: str | None = None) -> go.Figure:
    """Over time (summed per date) when the rows have dates, else the top 15 entities. The
    value axis starts at 0; for money it is in currency units and says which currency."""
    label = label or metric
    money = is_money_column(metric) or is_money_units_column(metric)
    fig = go.Figure()
    if frame.empty or metric not in frame:
        fig.update_layout(template=TEMPLATE, title=f"{label}: no data")
        return fig
    values = pd.to_numeric(frame[metric], errors="coerce").fillna(0.0)
    if is_money_column(metric):
        values = values / MICRO
    axis: dict[str, Any] = {"rangemode": "tozero", "title": {"text": label}}
    if money and currency:
        decimals = currency_decimals(currency)
        axis.update(title={"text": f"{label} ({currency.upper()})"},
                    tickprefix=currency_symbol(currency), tickformat=",.0f",
                    hoverformat=f",.{decimals}f")
    if "DATE" in frame and request.granularity != "TOTAL":
        # Ratios cannot be summed over entities; show their mean per date instead.
        how = "sum" if is_additive(metric) else "mean"
        series = values.groupby(frame["DATE"].astype(str)).agg(how).sort_index()
        fig.add_trace(go.Scatter(x=list(series.index), y=list(series.values), mode="lines",
                                 name=label, line={"color": PRIMARY}))
        fig.update_layout(xaxis_title="Date", yaxis=axis)
    else:
        keys = frame[request.id_column].astype(str) if request.id_column in frame \
            else pd.Series(["all"] * len(frame))
        if "TARGETING_VALUE" in frame:
            keys = frame["TARGETING_VALUE"].astype(str)
        series = values.groupby(keys).sum().sort_values(ascending=False).head(15)
        fig.add_trace(go.Bar(x=list(series.values), y=list(series.index), orientation="h",
                             name=label, marker={"color": PRIMARY}))
        fig.update_layout(yaxis={"autorange": "reversed", "type": "category"}, xaxis=axis)
    fig.update_layout(template=TEMPLATE, title=label, height=380,
                      margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


def default_range(today: date, days: int = 365) -> tuple[date, date]:
    """A year up to yesterday: the view async reports exist for."""
    end = today - timedelta(days=1)
    return end - timedelta(days=days - 1), end


def level_default_range(level: str, granularity: str, today: date) -> tuple[date, date]:
    """The dates the form starts with: a range the level and granularity allow in one go
    (HOUR: the last 3 days; product items: their last 31 days; else a year)."""
    if granularity == "HOUR":
        return today - timedelta(days=2), today
    if level.removesuffix("_TARGETING") == "PRODUCT_ITEM":
        return default_range(today, PRODUCT_ITEM_MAX_RANGE_DAYS)
    return default_range(today)


def request_problem(request: ReportRequest, today: date) -> str | None:
    """Why Pinterest would refuse the report (None: it can run), checked before any call,
    with the level's rule when the dates are the problem."""
    try:
        request.validate(today, whole_range=True)
    except ValidationError as exc:
        message = str(exc)
        if "start_date" in message or "days" in message:
            label = LEVEL_LABELS.get(request.level, request.level)
            rule = LEVEL_RULES.get(request.level, "")
            return f"{message} {label} reports: {rule}".strip()
        return message
    return None
