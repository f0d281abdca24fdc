"""Route table: (method, path regex, handler name, rate-limit category).

Paths and categories are those of the official OpenAPI description (``x-ratelimit-category``);
``tests/sim/test_contract.py`` checks this table against ``spec/openapi.json``. Path parameters
match any segment so that a malformed id answers 400 (validation) rather than 404.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

API_PREFIX = "/v5"
SEGMENT = r"(?P<{name}>[^/]+)"


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # the spec's path, e.g. /ad_accounts/{ad_account_id}/campaigns
    handler: str
    category: str | None  # None: control routes outside /v5 (never counted or limited)
    auth: str = "bearer"  # "bearer", "basic" (OAuth app credentials) or "none"

    @property
    def regex(self) -> re.Pattern[str]:
        return _compile(self.template)


def _compile(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\{(\w+)\}", lambda m: SEGMENT.format(name=m.group(1)), template)
    return re.compile(f"^{pattern}$")


ACCOUNT = "/ad_accounts/{ad_account_id}"

V5_ROUTES: tuple[Route, ...] = (
    Route("GET", "/ad_accounts", "list_ad_accounts", "ads_read"),
    Route("GET", ACCOUNT, "get_ad_account", "ads_read"),
    Route("GET", f"{ACCOUNT}/campaigns", "list_campaigns", "ads_read"),
    Route("GET", f"{ACCOUNT}/ad_groups", "list_ad_groups", "ads_read"),
    Route("GET", f"{ACCOUNT}/ads", "list_ads", "ads_read"),
    Route("GET", f"{ACCOUNT}/keywords", "list_keywords", "ads_read"),
    Route("GET", f"{ACCOUNT}/audiences", "list_audiences", "ads_read"),
    Route("GET", f"{ACCOUNT}/customer_lists", "list_customer_lists", "ads_read"),
    Route("GET", f"{ACCOUNT}/conversion_tags", "list_conversion_tags", "ads_read"),
    Route("GET", f"{ACCOUNT}/analytics", "account_analytics", "ads_analytics"),
    Route("GET", f"{ACCOUNT}/campaigns/analytics", "campaign_analytics", "ads_analytics"),
    Route("GET", f"{ACCOUNT}/ad_groups/analytics", "ad_group_analytics", "ads_analytics"),
    Route("GET", f"{ACCOUNT}/ads/analytics", "ad_analytics", "ads_analytics"),
    Route("GET", f"{ACCOUNT}/targeting_analytics", "account_targeting", "ads_analytics"),
    Route("GET", f"{ACCOUNT}/campaigns/targeting_analytics", "campaign_targeting",
          "ads_analytics"),
    Route("GET", f"{ACCOUNT}/ad_groups/targeting_analytics", "ad_group_targeting",
          "ads_analytics"),
    Route("GET", f"{ACCOUNT}/ads/targeting_analytics", "ad_targeting", "ads_analytics"),
    Route("GET", f"{ACCOUNT}/audience_insights", "audience_insights", "ads_read"),
    Route("GET", f"{ACCOUNT}/insights/audiences", "audience_scopes", "ads_read"),
    Route("POST", f"{ACCOUNT}/reports", "create_report", "ads_analytics"),
    Route("GET", f"{ACCOUNT}/reports", "get_report", "ads_analytics"),
    Route("POST", f"{ACCOUNT}/bulk/download", "create_bulk", "ads_read"),
    Route("GET", f"{ACCOUNT}/bulk/{{bulk_request_id}}", "get_bulk", "ads_read"),
    Route("GET", "/catalogs/product_groups", "list_product_groups", "catalogs_read"),
    Route("GET", "/resources/delivery_metrics", "delivery_metrics", "ads_read"),
    Route("GET", "/resources/metrics_ready_state", "metrics_ready_state", "ads_analytics"),
    Route("GET", "/resources/targeting/{targeting_type}", "targeting_options", "ads_read"),
    Route("POST", "/oauth/token", "oauth_token", "org_read", auth="basic"),
    Route("GET", "/user_account", "user_account", "org_read"),
)

CONTROL_ROUTES: tuple[Route, ...] = (
    Route("GET", "/_sim/stats", "sim_stats", None, auth="none"),
    Route("POST", "/_sim/reset-stats", "sim_reset_stats", None, auth="none"),
    Route("GET", "/_sim/faults", "sim_get_faults", None, auth="none"),
    Route("POST", "/_sim/faults", "sim_set_faults", None, auth="none"),
    Route("GET", "/_sim/files/{file_id}/{name}", "sim_file", None, auth="none"),
    Route("POST", "/_sim/tokens", "sim_set_tokens", None, auth="none"),
    Route("POST", "/_sim/accounts/{ad_account_id}", "sim_set_account", None, auth="none"),
)

# Pinterest's authorize page (www.pinterest.com/oauth/), an HTML page outside /v5.
AUTHORIZE_ROUTES: tuple[Route, ...] = (
    Route("GET", "/oauth", "authorize_page", None, auth="none"),
    Route("POST", "/oauth", "authorize_decision", None, auth="none"),
)

_V5_COMPILED = tuple((r, _compile(r.template)) for r in V5_ROUTES)
_CONTROL_COMPILED = tuple((r, _compile(r.template)) for r in CONTROL_ROUTES + AUTHORIZE_ROUTES)


@dataclass(frozen=True)
class Match:
    route: Route | None  # None: the path exists but not for this method (405)
    params: dict[str, str]


def resolve(method: str, path: str) -> Match | None:
    """The route for a request path (with its /v5 prefix for API routes); None: unknown path."""
    if path.startswith(API_PREFIX + "/"):
        table, rel = _V5_COMPILED, path[len(API_PREFIX):]
    else:
        table, rel = _CONTROL_COMPILED, path
    rel = rel.rstrip("/") or "/"
    matches = [(route, m) for route, regex in table if (m := regex.match(rel)) is not None]
    if not matches:
        return None
    # A literal segment beats a parameter: GET .../bulk/download is the POST-only download
    # path (405), not a bulk request whose id is "download".
    best = max(_literal_segments(route.template) for route, _ in matches)
    for route, m in matches:
        if _literal_segments(route.template) == best and route.method == method:
            return Match(route, m.groupdict())
    return Match(None, {})


def _literal_segments(template: str) -> int:
    return sum(1 for part in template.split("/") if part and not part.startswith("{"))
