"""What GET /resources/delivery_metrics says about each column the simulator serves.

Pinterest publishes these only through the live API, so the wording here is the simulator's own,
written for marketers: what is counted, and how a rate is computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pinterest_sim.catalog import SERVED_ASYNC_COLUMNS, SERVED_SYNC_COLUMNS

_MONEY = "in micro units of the ad account's currency (1,000,000 = one unit)"

# name -> (display name as in Ads Manager, definition)
DEFINITIONS: Mapping[str, tuple[str, str]] = {
    "AD_ACCOUNT_ID": ("Ad account ID", "Unique ID of the ad account."),
    "ADVERTISER_ID": ("Advertiser ID", "Unique ID of the advertiser (the ad account)."),
    "CAMPAIGN_ID": ("Campaign ID", "Unique ID of the campaign."),
    "CAMPAIGN_NAME": ("Campaign name", "Name of the campaign."),
    "CAMPAIGN_ENTITY_STATUS": (
        "Campaign status", "Status of the campaign: active, paused or archived."),
    "CAMPAIGN_OBJECTIVE_TYPE": (
        "Campaign objective",
        "The business goal the campaign is optimised for, such as awareness, consideration or "
        "conversions."),
    "CAMPAIGN_DAILY_SPEND_CAP": (
        "Campaign daily spend cap",
        f"The most the campaign may spend in one day, {_MONEY}. Empty when there is no cap."),
    "CAMPAIGN_LIFETIME_SPEND_CAP": (
        "Campaign lifetime spend cap",
        f"The most the campaign may spend over its life, {_MONEY}. Empty when there is no cap."),
    "AD_GROUP_ID": ("Ad group ID", "Unique ID for your ad group."),
    "AD_GROUP_NAME": ("Ad group name", "Name of the ad group."),
    "AD_GROUP_ENTITY_STATUS": (
        "Ad group status", "Status of the ad group: active, paused or archived."),
    "AD_GROUP_BUDGET_TYPE": (
        "Ad group budget type", "Whether the ad group's budget is daily or for its lifetime."),
    "CAMPAIGN_STATUS": (
        "Campaign status", "Status of the campaign: active, paused or archived."),
    "AD_GROUP_STATUS": (
        "Ad group status", "Status of the ad group: active, paused or archived."),
    "AD_STATUS": ("Ad status", "Status of the ad: active, paused or archived."),
    "PIN_PROMOTION_STATUS": (
        "Pin promotion status", "Status of the ad (its older name: Pin promotion)."),
    "AD_ID": ("Ad ID", "Unique ID of the ad."),
    "PIN_PROMOTION_ID": (
        "Pin promotion ID", "Unique ID of the ad (its older name: Pin promotion)."),
    "AD_NAME": ("Ad name", "Name of the ad."),
    "PIN_ID": ("Pin ID", "Unique ID of the Pin the ad promotes."),
    "SPEND_IN_MICRO_DOLLAR": (
        "Spend", f"Total amount spent on ads during the period, {_MONEY}."),
    "SPEND_IN_DOLLAR": (
        "Spend", "Total amount spent on ads during the period, in the ad account's currency."),
    "PAID_IMPRESSION": (
        "Paid impressions", "Number of times your ads were shown on screen and paid for."),
    "IMPRESSION_1": (
        "Paid impressions", "Number of times your promoted Pins were shown on screen (paid)."),
    "IMPRESSION_2": (
        "Earned impressions",
        "Number of times your Pins were shown after people saved your ad and others saw it "
        "(free, earned media)."),
    "TOTAL_IMPRESSION": ("Total impressions", "Paid plus earned impressions."),
    "CLICKTHROUGH_1": (
        "Paid Pin clicks",
        "Clicks on your promoted Pins that lead to a close-up or your website (paid)."),
    "CLICKTHROUGH_2": ("Earned Pin clicks", "Pin clicks that came from earned impressions."),
    "TOTAL_CLICKTHROUGH": ("Pin clicks", "Paid plus earned Pin clicks."),
    "TOTAL_IMPRESSION_USER": (
        "Total audience",
        "Number of distinct people who saw your Pins (paid or earned) during the period of the "
        "row. Counted over that period: a week's audience is not the sum of its days'."),
    "TOTAL_IMPRESSION_FREQUENCY": (
        "Frequency",
        "Average number of times each person in the total audience saw your Pins during the "
        "period of the row: total impressions divided by total audience."),
    "OUTBOUND_CLICK_1": (
        "Paid outbound clicks",
        "Clicks from your paid ads that took people to a destination off Pinterest."),
    "OUTBOUND_CLICK_2": (
        "Earned outbound clicks", "Outbound clicks that came from earned impressions."),
    "REPIN_1": ("Paid saves", "Number of times people saved your promoted Pin to a board."),
    "REPIN_2": ("Earned saves", "Saves of your Pin that came from earned impressions."),
    "ENGAGEMENT_1": (
        "Paid engagements",
        "Pin clicks, saves, close-ups and carousel swipes on your paid ads."),
    "ENGAGEMENT_2": ("Earned engagements", "Engagements that came from earned impressions."),
    "TOTAL_ENGAGEMENT": ("Engagements", "Paid plus earned engagements."),
    "CTR": ("CTR", "Paid Pin clicks divided by paid impressions (a share, 0.01 = 1%)."),
    "CTR_2": ("Earned CTR", "Earned Pin clicks divided by earned impressions."),
    "ECTR": ("Effective CTR", "All Pin clicks divided by all impressions, paid and earned."),
    "OUTBOUND_CTR_1": (
        "Outbound CTR", "Paid outbound clicks divided by paid impressions."),
    "CPC_IN_MICRO_DOLLAR": (
        "Cost per Pin click", f"Spend divided by paid Pin clicks, {_MONEY}."),
    "ECPC_IN_MICRO_DOLLAR": (
        "Effective cost per Pin click",
        f"Spend divided by all Pin clicks, paid and earned, {_MONEY}."),
    "ECPC_IN_DOLLAR": (
        "Effective cost per Pin click",
        "Spend divided by all Pin clicks, paid and earned, in the account's currency."),
    "CPM_IN_MICRO_DOLLAR": (
        "CPM", f"Cost per thousand paid impressions: spend / paid impressions x 1,000, {_MONEY}."),
    "CPM_IN_DOLLAR": (
        "CPM", "Cost per thousand paid impressions, in the ad account's currency."),
    "ECPM_IN_MICRO_DOLLAR": (
        "Effective CPM", f"Spend per thousand impressions, paid and earned, {_MONEY}."),
    "ENGAGEMENT_RATE": ("Engagement rate", "Paid engagements divided by paid impressions."),
    "EENGAGEMENT_RATE": (
        "Effective engagement rate", "All engagements divided by all impressions."),
    "REPIN_RATE": ("Save rate", "Paid saves divided by paid impressions."),
    "ECPE_IN_DOLLAR": (
        "Cost per engagement",
        "Spend divided by all engagements, in the ad account's currency."),
    "COST_PER_OUTBOUND_CLICK_IN_DOLLAR": (
        "Cost per outbound click",
        "Spend divided by paid outbound clicks, in the ad account's currency."),
    "TOTAL_CONVERSIONS": (
        "Conversions",
        "Checkouts, sign-ups, leads and add-to-carts attributed to your ads within the "
        "attribution windows of the report."),
    "TOTAL_CHECKOUT": (
        "Checkouts", "Checkout events attributed to your ads after a click, view or engagement."),
    "TOTAL_CLICK_CHECKOUT": (
        "Checkouts (click)", "Checkouts by people who clicked your ad within the click window."),
    "TOTAL_VIEW_CHECKOUT": (
        "Checkouts (view)",
        "Checkouts by people who saw but did not click your ad, within the view window."),
    "TOTAL_ENGAGEMENT_CHECKOUT": (
        "Checkouts (engagement)",
        "Checkouts by people who engaged with your ad (saved, closed up) within the "
        "engagement window."),
    "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR": (
        "Checkout value", f"Order value of the attributed checkouts, {_MONEY}."),
    "CHECKOUT_ROAS": (
        "Checkout ROAS", "Return on ad spend: checkout value divided by spend."),
    "TOTAL_SIGNUP": ("Sign-ups", "Sign-up events attributed to your ads."),
    "TOTAL_LEAD": ("Leads", "Lead events attributed to your ads."),
    "TOTAL_CLICK_ADD_TO_CART": (
        "Add to cart (click)", "Add-to-cart events by people who clicked your ad."),
    "TOTAL_PAGE_VISIT": ("Page visits", "Page visit events attributed to your ads."),
    "PAGE_VISIT_ROAS": (
        "Page visit ROAS", "Value sent with page visit events divided by spend."),
    "PAGE_VISIT_COST_PER_ACTION": (
        "Cost per page visit", "Spend divided by page visits, in the ad account's currency."),
    "TOTAL_WEB_SESSIONS": (
        "Web sessions", "Visits to your website that started from your Pins."),
    "TOTAL_VIDEO_3SEC_VIEWS": (
        "3-second video views", "Times your video ads were watched for at least 3 seconds."),
    "TOTAL_VIDEO_P100_COMPLETE": (
        "Video completions", "Times your video ads were watched to the end."),
    "IMPRESSION_1_GROSS": (
        "Gross paid impressions",
        "Paid impressions before invalid traffic (bots, accidental or repeated views) was "
        "filtered out; at least the paid impressions."),
    "CLICKTHROUGH_1_GROSS": (
        "Gross paid Pin clicks",
        "Paid Pin clicks before invalid clicks were filtered out; at least the paid Pin clicks."),
    "WEB_SESSIONS_1": (
        "Paid web sessions",
        "Visits to your website that started from your paid ads."),
    "WEB_SESSIONS_2": (
        "Earned web sessions",
        "Visits to your website that started from earned impressions."),
    "TOTAL_CLICK_CHECKOUT_VALUE_IN_MICRO_DOLLAR": (
        "Checkout value (click)",
        f"Order value of the checkouts attributed to a click, {_MONEY}."),
    "TOTAL_VIEW_CHECKOUT_VALUE_IN_MICRO_DOLLAR": (
        "Checkout value (view)",
        f"Order value of the checkouts attributed to a view, {_MONEY}."),
    "TOTAL_ENGAGEMENT_CHECKOUT_VALUE_IN_MICRO_DOLLAR": (
        "Checkout value (engagement)",
        f"Order value of the checkouts attributed to an engagement, {_MONEY}."),
    "TOTAL_WEB_CHECKOUT": (
        "Web checkouts",
        "Checkouts on your website attributed to your ads (click, view and engagement)."),
    "TOTAL_WEB_CLICK_CHECKOUT": (
        "Web checkouts (click)",
        "Checkouts on your website by people who clicked your ad within the click window."),
    "TOTAL_WEB_VIEW_CHECKOUT": (
        "Web checkouts (view)",
        "Checkouts on your website by people who saw but did not click your ad, within the view "
        "window."),
    "TOTAL_WEB_ENGAGEMENT_CHECKOUT": (
        "Web checkouts (engagement)",
        "Checkouts on your website by people who engaged with your ad within the engagement "
        "window."),
    "TOTAL_WEB_CHECKOUT_VALUE_IN_MICRO_DOLLAR": (
        "Web checkout value",
        f"Order value of the web checkouts, {_MONEY}."),
    "TOTAL_WEB_CLICK_CHECKOUT_VALUE_IN_MICRO_DOLLAR": (
        "Web checkout value (click)",
        f"Order value of the web checkouts attributed to a click, {_MONEY}."),
    "TOTAL_WEB_VIEW_CHECKOUT_VALUE_IN_MICRO_DOLLAR": (
        "Web checkout value (view)",
        f"Order value of the web checkouts attributed to a view, {_MONEY}."),
    "TOTAL_WEB_ENGAGEMENT_CHECKOUT_VALUE_IN_MICRO_DOLLAR": (
        "Web checkout value (engagement)",
        f"Order value of the web checkouts attributed to an engagement, {_MONEY}."),
    "WEB_CHECKOUT_COST_PER_ACTION": (
        "Cost per web checkout",
        "Spend divided by web checkouts, in the ad account's currency."),
    "WEB_CHECKOUT_ROAS": (
        "Web checkout ROAS",
        "Web checkout value divided by spend."),
    "TOTAL_CLICK_LEAD": (
        "Leads (click)",
        "Leads by people who clicked your ad within the click window."),
    "TOTAL_VIEW_LEAD": (
        "Leads (view)",
        "Leads by people who saw but did not click your ad, within the view window."),
    "TOTAL_ENGAGEMENT_LEAD": (
        "Leads (engagement)",
        "Leads by people who engaged with your ad within the engagement window."),
    "TOTAL_WEB_LEAD": (
        "Web leads",
        "Lead events on your website attributed to your ads."),
    "TOTAL_WEB_CLICK_LEAD": (
        "Web leads (click)",
        "Web leads by people who clicked your ad within the click window."),
    "TOTAL_WEB_VIEW_LEAD": (
        "Web leads (view)",
        "Web leads by people who saw but did not click your ad, within the view window."),
    "TOTAL_WEB_ENGAGEMENT_LEAD": (
        "Web leads (engagement)",
        "Web leads by people who engaged with your ad within the engagement window."),
    "WEB_LEAD_COST_PER_ACTION": (
        "Cost per web lead",
        "Spend divided by web leads, in the ad account's currency."),
    "VIDEO_SPEND_IN_DOLLAR": (
        "Video spend",
        "Spend on video ads, in the ad account's currency."),
    "PAID_VIDEO_VIEWABLE_RATE": (
        "Viewable rate",
        "Paid MRC video views divided by paid impressions of video ads."),
    "TOTAL_VIDEO_AVG_WATCHTIME_IN_SECOND": (
        "Average watch time",
        "Seconds your video ads were watched on average per video start (paid and earned)."),
    "VIDEO_AVG_WATCHTIME_IN_SECOND_1": (
        "Paid average watch time",
        "Seconds your paid video ads were watched on average per video start."),
    "VIDEO_AVG_WATCHTIME_IN_SECOND_2": (
        "Earned average watch time",
        "Seconds your video Pins were watched on average per earned video start."),
    "VIDEO_P0_COMBINED_1": (
        "Paid video starts",
        "Times your video ads started playing in view (paid)."),
    "VIDEO_P0_COMBINED_2": (
        "Earned video starts",
        "Times your video ads started playing in view (earned)."),
    "TOTAL_VIDEO_P0_COMBINED": (
        "Video starts",
        "Times your video ads started playing in view, paid and earned."),
    "VIDEO_MRC_VIEWS_1": (
        "Paid MRC video views",
        "Times your video ads were viewed for 2 continuous seconds with at least half of the "
        "video on screen (the MRC standard) (paid)."),
    "VIDEO_MRC_VIEWS_2": (
        "Earned MRC video views",
        "Times your video ads were viewed for 2 continuous seconds with at least half of the "
        "video on screen (the MRC standard) (earned)."),
    "TOTAL_VIDEO_MRC_VIEWS": (
        "MRC video views",
        "Times your video ads were viewed for 2 continuous seconds with at least half of the "
        "video on screen (the MRC standard), paid and earned."),
    "VIDEO_3SEC_VIEWS_1": (
        "Paid 3-second video views",
        "Times your video ads were watched for at least 3 seconds (paid)."),
    "VIDEO_3SEC_VIEWS_2": (
        "Earned 3-second video views",
        "Times your video ads were watched for at least 3 seconds (earned)."),
    "VIDEO_P25_COMBINED_1": (
        "Paid video views to 25%",
        "Times your video ads were watched to 25% of their length (paid)."),
    "VIDEO_P25_COMBINED_2": (
        "Earned video views to 25%",
        "Times your video ads were watched to 25% of their length (earned)."),
    "TOTAL_VIDEO_P25_COMBINED": (
        "Video views to 25%",
        "Times your video ads were watched to 25% of their length, paid and earned."),
    "VIDEO_P50_COMBINED_1": (
        "Paid video views to 50%",
        "Times your video ads were watched to 50% of their length (paid)."),
    "VIDEO_P50_COMBINED_2": (
        "Earned video views to 50%",
        "Times your video ads were watched to 50% of their length (earned)."),
    "TOTAL_VIDEO_P50_COMBINED": (
        "Video views to 50%",
        "Times your video ads were watched to 50% of their length, paid and earned."),
    "VIDEO_P75_COMBINED_1": (
        "Paid video views to 75%",
        "Times your video ads were watched to 75% of their length (paid)."),
    "VIDEO_P75_COMBINED_2": (
        "Earned video views to 75%",
        "Times your video ads were watched to 75% of their length (earned)."),
    "TOTAL_VIDEO_P75_COMBINED": (
        "Video views to 75%",
        "Times your video ads were watched to 75% of their length, paid and earned."),
    "VIDEO_P95_COMBINED_1": (
        "Paid video views to 95%",
        "Times your video ads were watched to 95% of their length (paid)."),
    "VIDEO_P95_COMBINED_2": (
        "Earned video views to 95%",
        "Times your video ads were watched to 95% of their length (earned)."),
    "TOTAL_VIDEO_P95_COMBINED": (
        "Video views to 95%",
        "Times your video ads were watched to 95% of their length, paid and earned."),
    "VIDEO_P100_COMPLETE_1": (
        "Paid video completions",
        "Times your video ads were watched to the end (paid)."),
    "VIDEO_P100_COMPLETE_2": (
        "Earned video completions",
        "Times your video ads were watched to the end (earned)."),
}


def delivery_metrics() -> list[dict[str, Any]]:
    """Items of GET /resources/delivery_metrics: one per column the simulator serves (sync and
    async reports), sorted by name."""
    return [
        {"name": name, "display_name": DEFINITIONS[name][0],
         "definition": DEFINITIONS[name][1], "category": "ADS"}
        for name in sorted(SERVED_SYNC_COLUMNS | SERVED_ASYNC_COLUMNS)
    ]
