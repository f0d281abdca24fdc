"""Streamlit helpers shared by the pages: the page context, freshness, errors, tables, CSV.

app.py renders the sidebar once, builds a PageContext and stores it in the session; each page
reads it with `context()`. Logic lives in `dashboard/`; this module only draws.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, TypeVar

import pandas as pd
import streamlit as st

from dashboard import prefetch
from dashboard.connection import Connection, PinterestClient
from dashboard.csv_export import to_safe_csv
from dashboard.errors import DataUnavailable, PinterestError, describe_error
from dashboard.filters import PRESET, Filters, describe_range
from dashboard.formatting import MICRO, currency_decimals, currency_symbol, format_age
from dashboard.loader_memo import LOADER_MEMO
from dashboard.loaders import AccountInfo, Freshness
from dashboard.prefetch import PageLoader, PageRequest, Prefetch
from dashboard.render_cache import shared
from dashboard.text import md_escape, one_line
from ui.narrow import NARROW_ONLY_KEY
from ui.sidebar import quick_range_picker

T = TypeVar("T")
CONTEXT_KEY: Final = "page_context"
log = logging.getLogger("dashboard.pages")

# Tables with more columns than this scroll sideways on a phone (ui/narrow.py).
PHONE_WIDE_COLUMNS: Final = 3

# Errors a page explains instead of crashing.
EXPECTED_ERRORS: Final = (PinterestError, DataUnavailable)


@dataclass(frozen=True)
class PageContext:
    connection: Connection
    account: AccountInfo | None
    filters: Filters
    today: date
    prefetch: Prefetch[object] | None = None  # the page's data, started by app.py
    account_error: str | None = None  # why the accounts could not be listed (app.py shows it)

    def load(self, loader: PageLoader[T], account: AccountInfo) -> T:
        """The page's data for `account` under the sidebar's filters, taken from app.py's
        prefetch when it started this very request."""
        request = PageRequest(self.client, account.id, self.filters, self.today)
        return prefetch.load_page(self.prefetch, loader, request)

    def load_shared(self, loader: Callable[..., T], *args: Any) -> T:
        """`loader(client, *args)` through the loader memo (dashboard/loader_memo.py): built
        once per data version for every session of this token. Arguments must be hashable."""
        return LOADER_MEMO.load(loader, self.client, *args)

    @property
    def client(self) -> PinterestClient:
        return self.connection.client

    @property
    def currency(self) -> str:
        return self.account.currency if self.account else "USD"


def context() -> PageContext:
    ctx = st.session_state.get(CONTEXT_KEY)
    if not isinstance(ctx, PageContext):
        st.error("The dashboard is still starting; reload the page.")
        st.stop()
    return ctx


def require_account(ctx: PageContext) -> AccountInfo:
    if ctx.account is None:
        if ctx.account_error is None:  # else app.py has said why there is none
            st.info("No ad account to show. Connect a Pinterest user that has access to one.")
        st.stop()
    return ctx.account


def page_header(title: str, ctx: PageContext, *, show_range: bool = True) -> None:
    st.title(title)
    parts = []
    if ctx.account:
        account = ctx.account  # its name comes from Pinterest: drawn as text, never Markdown
        parts.append(f"**{md_escape(account.name)}** ({md_escape(account.id)}, "
                     f"{md_escape(account.currency)})")
    if show_range:
        parts.append(describe_range(ctx.filters.start, ctx.filters.end) + " (UTC)")
    if parts:
        st.caption(" · ".join(parts))
    # On narrow screens (the sidebar behind its menu) the range in force and its presets
    # are one tap away under the title; wider screens hide this (ui/narrow.py).
    with st.container(key=NARROW_ONLY_KEY):
        quick_range_picker(_range_button_label(ctx.filters, with_dates=not show_range))


def _range_button_label(filters: Filters, *, with_dates: bool) -> str:
    """The preset's name, plus its dates when the caption does not show them."""
    labels = PRESET.choice_labels or {}
    name = labels.get(filters.preset, filters.preset)
    if filters.preset == "custom":
        name = "Custom range"
    if with_dates:
        name += f" · {describe_range(filters.start, filters.end)}"
    return name


def show_error(exc: BaseException) -> None:
    """An error as a clear message (and a server-side log line without secrets)."""
    if not isinstance(exc, EXPECTED_ERRORS):
        log.exception("unexpected error on a dashboard page")
    st.error(md_escape(describe_error(exc), 1000), icon=":material/error:")


def show_freshness(freshness: Freshness, *, live: bool = False) -> None:
    """'Updated N s ago', or a warning that the data is a stale copy (with its age and why)."""
    age = format_age(freshness.age_s())
    if freshness.stale:
        why = " ".join(freshness.reasons) or "Pinterest did not answer."
        st.warning(
            f"Showing the last good data, from {age} ago (stale). {md_escape(why, 1000)}",
            icon=":material/history:",
        )
    else:
        st.caption(f"Updated {age} ago" + (" · refreshing automatically" if live else ""))


def money_format(currency: str) -> str:
    """A printf format for money columns already converted to currency units."""
    symbol = currency_symbol(currency).replace("%", "%%")
    return f"{symbol}%,.{currency_decimals(currency)}f"


def column_config_for(
    kinds: Mapping[str, str], currency: str, labels: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """st.column_config for display columns by kind: money, count, percent, ratio, text.
    The first column (the row's name or date) of a table too wide for a phone is pinned."""
    labels = labels or {}
    config: dict[str, Any] = {}
    for column, kind in kinds.items():
        label = labels.get(column, column)
        if kind == "money":
            config[column] = st.column_config.NumberColumn(label, format=money_format(currency))
        elif kind == "count":
            config[column] = st.column_config.NumberColumn(label, format="%,d")
        elif kind == "percent":
            config[column] = st.column_config.NumberColumn(label, format="percent")
        elif kind == "ratio":
            config[column] = st.column_config.NumberColumn(label, format="%.2fx")
        elif kind == "datetime":
            config[column] = st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm")
        elif kind == "date":
            config[column] = st.column_config.DateColumn(label, format="YYYY-MM-DD")
        elif kind == "progress":
            config[column] = st.column_config.ProgressColumn(
                label, format="percent", min_value=0.0, max_value=1.5
            )
        elif kind == "longtext":
            config[column] = st.column_config.TextColumn(label, width="large")
        else:
            config[column] = st.column_config.TextColumn(label)
    if len(config) > PHONE_WIDE_COLUMNS:
        # The first column names the row: it stays in view while the table scrolls sideways
        # (on a phone). Up to three columns fit a phone and keep their plain look.
        next(iter(config.values()))["pinned"] = True
    return config


@shared
def _page_csv(frame: pd.DataFrame) -> bytes:
    """A page table's CSV, built once per content for every session (dashboard/render_cache.py)."""
    return to_safe_csv(frame)


def download_csv(
    frame: pd.DataFrame, filename: str, *, key: str, label: str = "Download CSV"
) -> None:
    st.download_button(
        label,
        data=_page_csv(frame),
        file_name=filename,
        mime="text/csv",
        key=key,
        icon=":material/download:",
        on_click="ignore",
    )


@shared
def display_frame(
    frame: pd.DataFrame, kinds: Mapping[str, str], labels: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """The columns to show, money converted from micro units to currency units, counts as
    whole numbers (a CSV reads 596909, not 596909.0), renamed.

    Text cells are drawn on one line without control or format characters (`inert_cells`).
    Money keeps every micro unit (not rounded to cents): a spreadsheet summing the CSV's days
    then gets the tile's total to the cent; rounded days could miss it by one."""
    labels = labels or {}
    shown = frame[[c for c in kinds if c in frame]].copy()
    for column, kind in kinds.items():
        if column not in shown:
            continue
        if kind == "money":
            shown[column] = pd.to_numeric(shown[column], errors="coerce") / MICRO
        elif kind == "count":
            shown[column] = pd.to_numeric(shown[column], errors="coerce").round().astype("Int64")
        elif kind == "text":
            shown[column] = _inert_column(shown[column])
    return shown.rename(columns={c: labels.get(c, c) for c in shown.columns})


def _inert_column(values: pd.Series) -> pd.Series:
    # Names from outside: a bidirectional override would draw the rest of the cell backwards
    # ("txt.exe" as "exe.txt"), a line break split it (dashboard.text.one_line).
    return values.map(lambda v: one_line(v) if isinstance(v, str) else v)


def inert_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every text column's cells on one line, without control or format
    characters, for st.dataframe (files keep the data as it came)."""
    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])
            and not pd.api.types.is_datetime64_any_dtype(frame[c])]
    if not text:
        return frame
    return frame.assign(**{str(c): _inert_column(frame[c]) for c in text})


def table(
    frame: pd.DataFrame,
    kinds: Mapping[str, str],
    currency: str,
    *,
    key: str,
    filename: str,
    labels: Mapping[str, str] | None = None,
    height: int | None = None,
) -> None:
    """One st.dataframe (exact values, money in currency units) and its safe CSV download.

    `kinds` maps the frame's columns (in display order) to money (micro units in the frame),
    count, percent (a fraction), ratio, datetime, date, progress or text.
    """
    labels = labels or {}
    shown = display_frame(frame, kinds, labels)
    shown_kinds = {labels.get(c, c): k for c, k in kinds.items() if c in frame}
    st.dataframe(
        shown,
        column_config=column_config_for(shown_kinds, currency),
        hide_index=True,
        width="stretch",
        height=height if height is not None else "auto",
        key=key,
    )
    download_csv(shown, filename, key=f"{key}_csv")
