"""Pinterest's official Python SDK (pinterest-api-sdk 0.2.7) fetching a Campaigns page's data
the way its documentation shows: `Campaign.get_all` page by page (its documented page size,
1..100), then each campaign's analytics with the SDK's bundled API class
(`CampaignsApi.campaigns_analytics`, one campaign per call), sequentially, no cache.

Runs inside the SDK's own virtual environment (bench/README.md; started by
bench/vs_official_sdk.py) and imports nothing of this project. The SDK reads its base URL and
token from the environment at import time: PINTEREST_API_URI and PINTEREST_ACCESS_TOKEN.
Prints one JSON line: seconds, campaigns, rows, spend (sum of SPEND_IN_MICRO_DOLLAR).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from datetime import date
from typing import Any

SPEND = "SPEND_IN_MICRO_DOLLAR"
SDK_MAX_PAGE_SIZE = 100  # Campaign.get_all's documented page_size range is 1..100


def fetch(account_id: str, start: date, end: date, columns: list[str], granularity: str,
          statuses: list[str]) -> dict[str, Any]:
    from pinterest.ads.campaigns import Campaign
    from pinterest.client import PinterestSDKClient

    campaigns_api = importlib.import_module("openapi_generated.pinterest_client.api.campaigns_api")

    began = time.perf_counter()
    client = PinterestSDKClient.create_default_client()
    campaigns, bookmark = Campaign.get_all(
        ad_account_id=account_id, entity_statuses=statuses, page_size=SDK_MAX_PAGE_SIZE,
        client=client,
    )
    while bookmark is not None:
        page, bookmark = bookmark.get_next()
        campaigns.extend(page)
    api = campaigns_api.CampaignsApi(client)
    rows: list[Any] = []
    for campaign in campaigns:
        answer = api.campaigns_analytics(
            ad_account_id=account_id, start_date=start, end_date=end,
            campaign_ids=[campaign.id], columns=columns, granularity=granularity,
        )
        rows.extend(answer.value)
    seconds = time.perf_counter() - began
    return {
        "seconds": seconds,
        "campaigns": len(campaigns),
        "rows": len(rows),
        "spend": sum(float(row.get(SPEND, 0) or 0) for row in rows),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--account", required=True)
    parser.add_argument("--start", type=date.fromisoformat, required=True)
    parser.add_argument("--end", type=date.fromisoformat, required=True)
    parser.add_argument("--columns", required=True, help="comma-separated")
    parser.add_argument("--granularity", default="DAY")
    parser.add_argument("--statuses", default="ACTIVE,PAUSED,ARCHIVED")
    args = parser.parse_args(argv)
    result = fetch(args.account, args.start, args.end, args.columns.split(","),
                   args.granularity, args.statuses.split(","))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
