"""ReportRequest rules, splitting, parsing and merging (no HTTP)."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from datetime import date, timedelta

import pytest

from pinterest_client import ValidationError
from pinterest_client.reports import (
    MAX_RANGE_DAYS,
    ReportRequest,
    backoff_delay,
    failure_message,
    merge_rows,
    parse_report,
)

TODAY = date(2026, 11, 29)
BASE = ReportRequest(
    ad_account_id="549755885175",
    level="CAMPAIGN",
    columns=("SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION", "CTR"),
    start_date=TODAY - timedelta(days=30),
    end_date=TODAY - timedelta(days=1),
)


def test_a_valid_request_passes_and_builds_the_body() -> None:
    BASE.validate(TODAY)
    body = BASE.body()
    assert body["level"] == "CAMPAIGN"
    assert body["columns"] == ["SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION", "CTR"]
    assert body["start_date"] == (TODAY - timedelta(days=30)).isoformat()
    assert (body["click_window_days"], body["engagement_window_days"],
            body["view_window_days"]) == (30, 30, 1)
    assert body["report_format"] == "JSON" and "targeting_types" not in body


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"columns": ("NOT_A_COLUMN",)}, "NOT_A_COLUMN"),
        ({"columns": ()}, "at least one column"),
        ({"level": "WHATEVER"}, "level"),
        ({"granularity": "YEAR"}, "granularity"),
        ({"click_window_days": 3}, "click_window_days"),
        ({"conversion_report_time": "NOW"}, "conversion_report_time"),
        ({"report_format": "XML"}, "report_format"),
        ({"campaign_ids": tuple(str(i) for i in range(501))}, "at most 500"),
        ({"ad_ids": ("12a",)}, "digit strings"),
        ({"targeting_types": ("GENDER",)}, "_TARGETING"),
        ({"level": "CAMPAIGN_TARGETING"}, "1 to 5"),
        ({"level": "AD_GROUP_TARGETING", "targeting_types": ("AUDIENCE_MULTIPLIER",)},
         "CAMPAIGN_TARGETING"),
        ({"level": "CAMPAIGN_TARGETING", "targeting_types": ("A", "B", "C", "D", "E", "F")},
         "1 to 5"),
        ({"start_date": TODAY - timedelta(days=915)}, "914 days back"),
        ({"end_date": TODAY - timedelta(days=40)}, "before start_date"),
        ({"ad_account_id": "acct"}, "ad_account_id"),
    ],
)
def test_invalid_requests_name_the_rule(change: dict[str, object], words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        replace(BASE, **change).validate(TODAY)  # type: ignore[arg-type]


def test_range_limits_per_job_and_for_hour() -> None:
    long = replace(BASE, start_date=TODAY - timedelta(days=400))
    long.validate(TODAY)  # a whole request may exceed 186 days: it is split
    with pytest.raises(ValidationError, match="186 days"):
        long.validate(TODAY, whole_range=False)
    hour = replace(BASE, granularity="HOUR", start_date=TODAY - timedelta(days=3),
                   end_date=TODAY)
    with pytest.raises(ValidationError, match="3 days"):
        hour.validate(TODAY)
    with pytest.raises(ValidationError, match="8 days back"):
        replace(hour, start_date=TODAY - timedelta(days=9),
                end_date=TODAY - timedelta(days=8)).validate(TODAY)
    replace(hour, start_date=TODAY - timedelta(days=2)).validate(TODAY)
    # 914 days back is allowed, 186 days in one job too.
    edge = replace(BASE, start_date=TODAY - timedelta(days=914),
                   end_date=TODAY - timedelta(days=914 - MAX_RANGE_DAYS + 1))
    assert edge.days == MAX_RANGE_DAYS
    edge.validate(TODAY, whole_range=False)


def test_split_400_days_into_three_consecutive_jobs() -> None:
    request = replace(BASE, start_date=date(2025, 1, 1), end_date=date(2025, 2, 4) + timedelta(
        days=365))
    assert request.days == 400
    parts = request.split()
    assert [p.days for p in parts] == [186, 186, 28]
    assert parts[0].start_date == request.start_date and parts[-1].end_date == request.end_date
    for a, b in itertools.pairwise(parts):
        assert b.start_date == a.end_date + timedelta(days=1)
    assert all(p.columns == request.columns for p in parts)


def test_split_week_and_month_at_period_edges() -> None:
    weeks = replace(BASE, granularity="WEEK", start_date=date(2025, 1, 6),
                    end_date=date(2025, 12, 28))
    parts = weeks.split()
    assert all(p.days % 7 == 0 for p in parts[:-1]) and parts[0].days == 182
    months = replace(BASE, granularity="MONTH", start_date=date(2025, 1, 1),
                     end_date=date(2025, 12, 31))
    assert [(p.start_date, p.end_date) for p in months.split()] == [
        (date(2025, 1, 1), date(2025, 6, 30)),
        (date(2025, 7, 1), date(2025, 12, 31)),
    ]


def test_parse_json_keyed_by_entity_and_by_date() -> None:
    by_id = {"111": [{"DATE": "2026-01-01", "SPEND_IN_MICRO_DOLLAR": 5, "CTR": 0.5}],
             "222": [{"DATE": "2026-01-01", "PAID_IMPRESSION": 9}]}
    rows = parse_report(json.dumps(by_id).encode(), BASE)
    assert rows == [
        {"DATE": "2026-01-01", "SPEND_IN_MICRO_DOLLAR": 5, "CTR": 0.5, "CAMPAIGN_ID": "111"},
        {"DATE": "2026-01-01", "PAID_IMPRESSION": 9, "CAMPAIGN_ID": "222"},
    ]
    by_date = {"2026-01-02": [{"CAMPAIGN_ID": 333, "SPEND_IN_MICRO_DOLLAR": "7"}]}
    rows = parse_report(json.dumps(by_date).encode(), replace(BASE, primary_sort="BY_DATE"))
    # Ids stay digit strings; numbers given as text become numbers.
    assert rows == [{"CAMPAIGN_ID": "333", "SPEND_IN_MICRO_DOLLAR": 7, "DATE": "2026-01-02"}]


def test_parse_csv_types_numbers_and_keeps_ids_as_text() -> None:
    text = ("CAMPAIGN_ID,DATE,CAMPAIGN_NAME,SPEND_IN_MICRO_DOLLAR,CTR\r\n"
            "0123,2026-01-01,42,1500,0.25\r\n"
            "0456,2026-01-01,\"=cmd, x\",0,0\r\n")
    rows = parse_report(text.encode(), replace(BASE, report_format="CSV"))
    assert rows[0] == {"CAMPAIGN_ID": "0123", "DATE": "2026-01-01", "CAMPAIGN_NAME": "42",
                       "SPEND_IN_MICRO_DOLLAR": 1500, "CTR": 0.25}
    assert rows[1]["CAMPAIGN_NAME"] == "=cmd, x" and rows[1]["SPEND_IN_MICRO_DOLLAR"] == 0


@pytest.mark.parametrize(
    "body",
    [
        b'{"111": [{"DATE": "2026-01-01", "SPEND_IN_MICRO_DOLLAR": 5}',  # cut off
        b'{"111": [1, 2]}',
        b"CAMPAIGN_ID,DATE,SPEND\r\n1,2026-01-01,5\r\n2,2026-01",  # cut off mid-line
    ],
)
def test_partial_or_malformed_files_raise(body: bytes) -> None:
    fmt = "CSV" if body.startswith(b"CAMPAIGN_ID") else "JSON"
    with pytest.raises(ValueError):
        parse_report(body, replace(BASE, report_format=fmt))


def test_merge_adds_rows_cut_by_a_job_boundary_and_drops_their_ratios() -> None:
    total = replace(BASE, granularity="TOTAL")
    part1 = [{"CAMPAIGN_ID": "1", "SPEND_IN_MICRO_DOLLAR": 10, "CTR": 0.1, "CAMPAIGN_NAME": "A"}]
    part2 = [{"CAMPAIGN_ID": "1", "SPEND_IN_MICRO_DOLLAR": 5, "CTR": 0.3, "CAMPAIGN_NAME": "A"},
             {"CAMPAIGN_ID": "2", "SPEND_IN_MICRO_DOLLAR": 1, "CTR": 0.5}]
    rows, notes = merge_rows([part1, part2], total)
    assert rows == [
        {"CAMPAIGN_ID": "1", "SPEND_IN_MICRO_DOLLAR": 15, "CAMPAIGN_NAME": "A"},
        {"CAMPAIGN_ID": "2", "SPEND_IN_MICRO_DOLLAR": 1, "CTR": 0.5},
    ]
    assert notes and "CTR" in notes[0]


def test_backoff_and_messages() -> None:
    assert [backoff_delay(i) for i in range(7)] == [1, 2, 4, 8, 10, 10, 10]
    for status in ("FAILED", "CANCELLED", "EXPIRED", "DOES_NOT_EXIST"):
        assert status in failure_message(status, BASE)
