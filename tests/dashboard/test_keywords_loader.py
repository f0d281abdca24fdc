"""The Campaigns drill-down's keywords: an ad group's keywords with their metrics, checked
against the simulator's own keyword breakdown; one call each, cached; texts kept as written."""

from __future__ import annotations

import io
from datetime import timedelta

import pandas as pd
import pytest

from dashboard.csv_export import to_safe_csv
from dashboard.filters import Filters
from dashboard.loaders import keyword_frame, load_keywords
from pinterest_client import Keyword, PinterestClient, TargetingRow
from pinterest_sim import Simulator
from pinterest_sim import keywords as sim_keywords
from tests.dashboard.support import HOSTILE_TEXTS, TODAY

SPEND, IMPRESSIONS, CLICKS = "SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION", "CLICKTHROUGH_1"


def _group(sim: Simulator) -> tuple[str, str]:
    account = sim.world.accounts[0].id
    return account, sim.world.ad_groups(account)[0].id


def test_an_ad_groups_keywords_carry_their_own_delivery(
        sim: Simulator, client: PinterestClient) -> None:
    account, group = _group(sim)
    filters = Filters(start=TODAY - timedelta(days=14), end=TODAY - timedelta(days=1))
    table = load_keywords(client, account, group, filters, TODAY)
    frame = table.frame
    expected = [k for k in sim_keywords.account_keywords(sim.world, account)
                if k.parent_id == group]
    assert sorted(frame["id"]) == sorted(k.id for k in expected)
    assert dict(zip(frame["keyword"], frame["match_type"], strict=True)) == {
        k.value: k.match_type for k in expected}
    assert set(frame["status"]) == {"ACTIVE"}
    truth = {r["targeting_value"]: r["metrics"] for r in sim.engine.targeting_rows(
        account, "AD_GROUP", [group], ["KEYWORD"], filters.start, filters.end, "TOTAL",
        [SPEND, IMPRESSIONS, CLICKS])}
    assert frame[SPEND].sum() > 0
    for row in frame.to_dict("records"):
        metrics = truth.get(row["keyword"], {})
        assert row[SPEND] == metrics.get(SPEND, 0)
        assert row[IMPRESSIONS] == metrics.get(IMPRESSIONS, 0)
        if metrics.get(IMPRESSIONS):
            assert row["ctr"] == pytest.approx(metrics.get(CLICKS, 0) / metrics[IMPRESSIONS])
    # Sorted by spend, highest first.
    assert list(frame[SPEND]) == sorted(frame[SPEND], reverse=True)


def test_two_calls_then_none_from_the_cache(sim: Simulator, client: PinterestClient) -> None:
    account, group = _group(sim)
    filters = Filters(start=TODAY - timedelta(days=7), end=TODAY - timedelta(days=1))
    load_keywords(client, account, group, filters, TODAY)
    assert client.stats().total_calls == 2  # the keyword list and the keyword breakdown
    load_keywords(client, account, group, filters, TODAY)
    assert client.stats().total_calls == 2


def test_hostile_texts_stay_text_and_the_csv_starts_no_formula() -> None:
    keywords = [Keyword(id=str(100 + i), value=text, match_type="BROAD", parent_id="9",
                        parent_type="ad_group") for i, text in enumerate(HOSTILE_TEXTS)]
    rows = [TargetingRow("KEYWORD", text, {SPEND: 1_000_000 * (i + 1), IMPRESSIONS: 10})
            for i, text in enumerate(HOSTILE_TEXTS)]
    frame = keyword_frame(keywords, rows)
    assert sorted(frame["keyword"]) == sorted(HOSTILE_TEXTS)
    assert frame[SPEND].sum() == sum(1_000_000 * (i + 1) for i in range(len(HOSTILE_TEXTS)))
    cells = pd.read_csv(io.BytesIO(to_safe_csv(frame[["keyword"]])), dtype=str,
                        keep_default_na=False)["keyword"]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b",
                                    "\uff0d", "\uff20"))


def test_shared_texts_and_removed_keywords_keep_the_total() -> None:
    keywords = [
        Keyword(id="1", value="sofa", match_type="BROAD", parent_id="9", parent_type="ad_group"),
        Keyword(id="2", value="sofa", match_type="EXACT", parent_id="9", parent_type="ad_group",
                archived=True),
    ]
    rows = [TargetingRow("KEYWORD", "sofa", {SPEND: 5, IMPRESSIONS: 50, CLICKS: 5}),
            TargetingRow("KEYWORD", "old text", {SPEND: 7, IMPRESSIONS: 70})]
    frame = keyword_frame(keywords, rows).set_index("keyword", drop=False)
    assert frame[SPEND].sum() == 12
    assert list(frame["status"]) == ["NOT LISTED", "ACTIVE", "ARCHIVED"]
    assert frame[frame["id"] == "1"][SPEND].item() == 5
    assert frame[frame["id"] == "2"][SPEND].item() == 0
    assert frame[frame["id"] == "1"]["ctr"].item() == pytest.approx(0.1)
    empty = keyword_frame([], [])
    assert empty.empty and {"keyword", SPEND, "ctr"} <= set(empty.columns)
