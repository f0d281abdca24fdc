"""HTTP in and out: ``SimRequest`` -> ``SimResponse`` for every route; the backend does the rest.

Order for a ``/v5`` request: route (404 / 405), count it, faults (latency, hang, 429 storm, 5xx),
authentication (401), rate limit (429), parameters (400), handler; then the body faults
(malformed JSON, truncated body) on successful answers. Control routes under ``/_sim`` are never
counted, limited or faulted.

(Longer than 500 lines on purpose: one short handler per Pinterest route, each turning query and
body into a backend call; the rules live in the backend and its modules.)
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from pinterest_sim import validation as v
from pinterest_sim.authorize_page import AuthorizePage
from pinterest_sim.catalog import TARGETING_TYPES_BY_LEVEL
from pinterest_sim.catalog_spec import AUDIENCE_INSIGHT_TYPES, SYNC_COLUMNS
from pinterest_sim.exceptions import (
    SimError,
    authentication_failed,
    invalid_parameter,
    method_not_allowed,
    not_found,
    rate_limited,
    server_error,
)
from pinterest_sim.keywords import MATCH_TYPES
from pinterest_sim.metrics import Attribution, Level
from pinterest_sim.models import ANALYTICS_CONTEXT, AnalyticsQuery, ListQuery, SimulatorBackend
from pinterest_sim.urls import API_PREFIX, AUTHORIZE_ROUTES, Route, resolve

logger = logging.getLogger(__name__)

TARGETING_OPTION_TYPES = ("APPTYPE", "GENDER", "LOCALE", "AGE_BUCKET", "LOCATION", "GEO",
                          "INTEREST", "KEYWORD", "AUDIENCE_INCLUDE", "AUDIENCE_EXCLUDE")
TARGETING_MAX_TYPES: dict[str, int] = {"AD_ACCOUNT": 15, "CAMPAIGN": 14, "AD_GROUP": 14, "AD": 14}
SYNC_COLUMN_SET = frozenset(SYNC_COLUMNS)


@dataclass
class SimRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes = b""
    origin: str = "http://pinterest-sim.local"  # scheme://host[:port] the request came to

    @classmethod
    def build(cls, method: str, path: str, query_string: str, headers: Mapping[str, str],
              body: bytes, origin: str) -> SimRequest:
        return cls(method.upper(), path, parse_qs(query_string, keep_blank_values=True),
                   {k.lower(): val for k, val in headers.items()}, body, origin)


@dataclass
class SimResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    hang_s: float = 0.0  # the face holds the answer back this long (a hung server)
    truncate_at: int | None = None  # the face sends only this many body bytes, then closes

    @classmethod
    def json(cls, status: int, payload: Any, headers: Mapping[str, str] | None = None
             ) -> SimResponse:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        all_headers = {"Content-Type": "application/json"}
        all_headers.update(headers or {})
        return cls(status, all_headers, body)

    @classmethod
    def error(cls, err: SimError) -> SimResponse:
        return cls.json(err.status, err.body(), err.headers)


Handler = Callable[[SimRequest, dict[str, str], str], Any]


class SimResponder:
    """Dispatches requests to handlers and shapes their results as HTTP."""

    def __init__(self, backend: SimulatorBackend) -> None:
        self.backend = backend
        self.authorize_page = AuthorizePage(backend)

    # ----- dispatch ----------------------------------------------------------------------

    def handle(self, request: SimRequest) -> SimResponse:
        match = resolve(request.method, request.path)
        is_api = request.path.startswith("/v5/")
        if match is None or match.route is None:
            if is_api:
                self.backend.stats.record(None, None)
            if match is None:
                return self._finish(SimResponse.error(not_found(
                    f"Resource not found: {request.method} {request.path}")), is_api)
            return self._finish(SimResponse.error(method_not_allowed()), is_api)
        route = match.route
        if route.category is None:
            try:
                return self._control(route, request, match.params)
            except SimError as err:
                return SimResponse.error(err)
        self.backend.stats.record(API_PREFIX + route.template, route.category,
                                  self._known_path(route, match.params))
        response, hang = self._api(route, request, match.params)
        response = self._body_faults(response)
        response.hang_s = hang
        return self._finish(response, True)

    def _known_path(self, route: Route, params: dict[str, str]) -> str | None:
        """The request's path for the stats when its only parameter is an account of the world
        (or it has none); None (count the template) otherwise."""
        account = params.get("ad_account_id")
        if set(params) - {"ad_account_id"}:
            return None
        if account is not None and self.backend.world.account(account) is None:
            return None
        return API_PREFIX + route.template.replace("{ad_account_id}", account or "")

    def _finish(self, response: SimResponse, is_api: bool) -> SimResponse:
        if is_api:
            response.headers.setdefault("x-pinterest-rid", secrets.token_hex(8))
            self.backend.stats.record_status(response.status)
        return response

    def _api(self, route: Route, request: SimRequest, params: dict[str, str]
             ) -> tuple[SimResponse, float]:
        faults = self.backend.faults
        if faults.latency > 0:
            time.sleep(faults.latency)
        hang = faults.hang_seconds()
        try:
            if faults.storm_429:
                raise rate_limited(faults.storm_reset_s)
            if faults.draw(faults.error_rate):
                raise server_error(faults.error_status)
            if route.auth == "basic":
                token_key = "app:" + self.backend.config.app_id
            else:
                user_id, token_key = self.backend.authenticate(request.headers.get("authorization"))
                params = {**params, "_user": user_id}
            assert route.category is not None
            self.backend.check_rate_limit(token_key, route.category)
            handler: Handler = getattr(self, "h_" + route.handler)
            result = handler(request, params, params.get("_user", ""))
            if isinstance(result, SimResponse):
                return result, hang
            return SimResponse.json(200, result), hang
        except SimError as err:
            return SimResponse.error(err), hang
        except Exception:
            # A bug must not look like a dropped connection: answer 500 as Pinterest would, and
            # leave the traceback (path only, no headers) in the log.
            logger.exception("simulator error on %s %s", request.method, request.path)
            return SimResponse.error(server_error(500)), hang

    def _body_faults(self, response: SimResponse) -> SimResponse:
        faults = self.backend.faults
        if response.status != 200 or not response.body:
            return response
        if faults.draw(faults.malformed_rate):
            response.body = response.body[: max(1, len(response.body) // 2)] + b"\x00}{<html>"
        elif faults.draw(faults.truncated_rate):
            response.truncate_at = len(response.body) // 2
        return response

    # ----- helpers -----------------------------------------------------------------------

    def _account(self, params: dict[str, str]) -> str:
        """The path's ad account id, checked (400 / 404 / 403) before any other parameter."""
        account_id = v.check_account_id(params["ad_account_id"])
        self.backend.account_for(params.get("_user", ""), account_id)
        return account_id

    def _list_query(self, request: SimRequest, context: str, *, campaigns: bool = True,
                    ad_groups: bool = False, ads: bool = False) -> ListQuery:
        q = request.query
        statuses = v.enum_list(q, "entity_statuses", v.ENTITY_STATUSES, context)
        return ListQuery(
            campaign_ids=v.id_list(q, "campaign_ids", context, max_length=18) if campaigns
            else None,
            ad_group_ids=v.id_list(q, "ad_group_ids", context) if ad_groups else None,
            ad_ids=v.id_list(q, "ad_ids", context) if ads else None,
            entity_statuses=tuple(statuses) or v.DEFAULT_ENTITY_STATUSES,
            page_size=v.int_range(q, "page_size", 1, 250, 25, context),
            order=v.enum(q, "order", v.ORDERS, context),
            bookmark=v.single(q, "bookmark", context),
        )

    def _analytics_query(self, request: SimRequest, level: Level, context: str, *,
                         targeting: bool = False) -> AnalyticsQuery:
        q = request.query
        start = v.parse_date(v.required(q, "start_date", context), "start_date", context)
        end = v.parse_date(v.required(q, "end_date", context), "end_date", context)
        columns = v.values(q, "columns")
        if not columns:
            raise invalid_parameter(f"{context} Parameter 'columns' is required.")
        v.check_enum_list(columns, "columns", SYNC_COLUMN_SET, context)
        granularity = v.enum(q, "granularity", v.GRANULARITIES, context, required_=True)
        assert granularity is not None
        attribution = Attribution(
            click_window_days=v.int_enum(q, "click_window_days", v.WINDOW_DAYS, 30, context),
            engagement_window_days=v.int_enum(q, "engagement_window_days", v.WINDOW_DAYS, 30,
                                              context),
            view_window_days=v.int_enum(q, "view_window_days", v.WINDOW_DAYS, 1, context),
            conversion_report_time=v.enum(q, "conversion_report_time",
                                          v.CONVERSION_REPORT_TIMES, context,
                                          default="TIME_OF_AD_ACTION") or "TIME_OF_AD_ACTION",
        )
        v.enum(q, "reporting_timezone", v.REPORTING_TIMEZONES, context)
        ids: dict[str, list[str] | None] = {}
        if level == "CAMPAIGN":
            ids["campaign_ids"] = v.id_list(q, "campaign_ids", context, required_=True,
                                            max_length=18)
        elif level == "AD_GROUP":
            ids["ad_group_ids"] = v.id_list(q, "ad_group_ids", context, required_=True,
                                            max_length=18)
        elif level == "AD":
            ids["ad_ids"] = v.id_list(q, "ad_ids", context, required_=targeting)
            if not targeting:
                ids["campaign_ids"] = v.id_list(q, "campaign_ids", context, max_length=18)
                ids["pin_ids"] = v.id_list(q, "pin_ids", context, max_items=v.PIN_MAX_IDS)
        targeting_types: list[str] = []
        if targeting:
            allowed = TARGETING_TYPES_BY_LEVEL[level]
            targeting_types = v.values(q, "targeting_types")
            if not targeting_types:
                raise invalid_parameter(f"{context} Parameter 'targeting_types' is required.")
            v.check_enum_list(targeting_types, "targeting_types", allowed, context,
                              max_items=TARGETING_MAX_TYPES[level])
            v.enum_list(q, "attribution_types", v.ATTRIBUTION_TYPES, context, max_items=2)
        aggregate = level in ("CAMPAIGN", "AD_GROUP") and not targeting and v.boolean(
            q, "aggregate_report_rows", False, context)
        return AnalyticsQuery(start=start, end=end, granularity=granularity,
                              columns=list(dict.fromkeys(columns)), attribution=attribution,
                              targeting_types=list(dict.fromkeys(targeting_types)),
                              aggregate_report_rows=aggregate, **ids)

    def _analytics(self, request: SimRequest, params: dict[str, str], user: str,
                   level: Level) -> Any:
        account = self._account(params)
        q = self._analytics_query(request, level, ANALYTICS_CONTEXT[level])
        return self.backend.analytics(user, account, level, q)

    def _targeting(self, request: SimRequest, params: dict[str, str], user: str,
                   level: Level) -> Any:
        account = self._account(params)
        context = ANALYTICS_CONTEXT[level].replace("analytics", "targeting analytics")
        q = self._analytics_query(request, level, context, targeting=True)
        return self.backend.targeting_analytics(user, account, level, q)

    @staticmethod
    def _json_body(request: SimRequest, context: str) -> Any:
        if not request.body:
            raise invalid_parameter(f"{context} A JSON request body is required.")
        try:
            return json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            raise invalid_parameter(f"{context} The request body is not valid JSON.") from None

    # ----- /v5 handlers ------------------------------------------------------------------

    def h_list_ad_accounts(self, request: SimRequest, params: dict[str, str], user: str) -> Any:
        q = request.query
        page_size = v.int_range(q, "page_size", 1, 250, 25)
        include = v.boolean(q, "include_shared_accounts", True)
        return self.backend.list_ad_accounts(user, page_size, v.single(q, "bookmark"), include)

    def h_get_ad_account(self, request: SimRequest, params: dict[str, str], user: str) -> Any:
        # Any role on the account shows it (as the list does); its data needs a reporting role.
        account_id = v.check_account_id(params["ad_account_id"])
        return self.backend.get_ad_account(user, account_id)

    def h_list_campaigns(self, request: SimRequest, params: dict[str, str], user: str) -> Any:
        account = self._account(params)
        q = self._list_query(request, "Invalid ad account campaign parameters.")
        return self.backend.list_campaigns(user, account, q)

    def h_list_ad_groups(self, request: SimRequest, params: dict[str, str], user: str) -> Any:
        account = self._account(params)
        context = "Invalid ad account group parameters."
        q = self._list_query(request, context, ad_groups=True)
        v.boolean(request.query, "translate_interests_to_names", False, context)
        return self.backend.list_ad_groups(user, account, q)

    def h_list_ads(self, request: SimRequest, params: dict[str, str], user: str) -> Any:
        account = self._account(params)
        q = self._list_query(request, "Invalid ad account ads parameters.", ad_groups=True,
                             ads=True)
        return self.backend.list_ads(user, account, q)

    def h_list_audiences(self, request: SimRequest, params: dict[str, str], user: str) -> Any:
        account = self._account(params)
        q, context = request.query, "Invalid audiences parameters."
        ownership = v.enum(q, "ownership_type", ("OWNED", "RECEIVED"), context) or "OWNED"
        page = self._asset_page(request, context)
        if ownership == "RECEIVED":  # nobody shares audiences with this world's accounts
            self.backend.account_for(user, account)
            return {"items": [], "bookmark": None}
        return self.backend.list_assets(user, account, "audiences", *page)

    def h_list_customer_lists(self, request: SimRequest, params: dict[str, str], user: str
                              ) -> Any:
        account = self._account(params)
        page = self._asset_page(request, "Invalid customer lists parameters.")
        return self.backend.list_assets(user, account, "customer_lists", *page)

    def h_list_conversion_tags(self, request: SimRequest, params: dict[str, str], user: str
                               ) -> Any:
        account = self._account(params)
        context = "Invalid conversion tags parameters."
        filter_deleted = v.boolean(request.query, "filter_deleted", False, context)
        return self.backend.list_conversion_tags(user, account, filter_deleted)

    def h_list_product_groups(self, request: SimRequest, params: dict[str, str], user: str
                              ) -> Any:
        q, context = request.query, "Invalid catalogs product groups parameters."
        account = v.single(q, "ad_account_id", context)
        if account is not None:
            account = v.check_account_id(account)
        return self.backend.list_product_groups(
            user, account, v.id_list(q, "id", context, max_items=1000),
            self._one_id(request, "catalog_id", context), self._one_id(request, "feed_id", context),
            v.int_range(q, "page_size", 1, 250, 25, context), v.single(q, "bookmark", context))

    @staticmethod
    def _one_id(request: SimRequest, name: str, context: str) -> str | None:
        found = v.id_list(request.query, name, context, max_items=1)
        return None if found is None else found[0]

    @staticmethod
    def _asset_page(request: SimRequest, context: str) -> tuple[str | None, int, str | None]:
        q = request.query
        return (v.enum(q, "order", v.ORDERS, context),
                v.int_range(q, "page_size", 1, 250, 25, context), v.single(q, "bookmark", context))

    def h_list_keywords(self, request: SimRequest, params: dict[str, str], user: str) -> Any:
        account = self._account(params)
        q, context = request.query, "Invalid keywords parameters."
        parents = [i for name in ("campaign_id", "ad_group_id")
                   for i in v.id_list(q, name, context, max_items=1, max_length=18) or ()]
        parents += v.id_list(q, "ad_group_ids", context, max_items=250, max_length=18) or []
        match_types = v.enum_list(q, "match_types", MATCH_TYPES, context, max_items=5)
        return self.backend.list_keywords(
            user, account, parents, match_types,
            v.int_range(q, "page_size", 1, 250, 25, context), v.single(q, "bookmark", context))

    def h_account_analytics(self, request: SimRequest, params: dict[str, str], user: str) -> Any:
        return self._analytics(request, params, user, "AD_ACCOUNT")

    def h_campaign_analytics(self, request: SimRequest, params: dict[str, str], user: str
                             ) -> Any:
        return self._analytics(request, params, user, "CAMPAIGN")

    def h_ad_group_analytics(self, request: SimRequest, params: dict[str, str], user: str
                             ) -> Any:
        return self._analytics(request, params, user, "AD_GROUP")

    def h_ad_analytics(self, request: SimRequest, params: dict[str, str], user: str) -> Any:
        return self._analytics(request, params, user, "AD")

    def h_account_targeting(self, request: SimRequest, params: dict[str, str], user: str) -> Any:
        return self._targeting(request, params, user, "AD_ACCOUNT")

    def h_campaign_targeting(self, request: SimRequest, params: dict[str, str], user: str
                             ) -> Any:
        return self._targeting(request, params, user, "CAMPAIGN")

    def h_ad_group_targeting(self, request: SimRequest, params: dict[str, str], user: str
                             ) -> Any:
        return self._targeting(request, params, user, "AD_GROUP")

    def h_ad_targeting(self, request: SimRequest, params: dict[str, str], user: str) -> Any:
        return self._targeting(request, params, user, "AD")

    def h_audience_insights(self, request: SimRequest, params: dict[str, str], user: str) -> Any:
        account = self._account(params)
        kind = v.enum(request.query, "audience_insight_type", AUDIENCE_INSIGHT_TYPES,
                      required_=True)
        assert kind is not None
        return self.backend.audience_insights(user, account, kind)

    def h_audience_scopes(self, request: SimRequest, params: dict[str, str], user: str) -> Any:
        return self.backend.audience_scopes(user, self._account(params))

    def h_create_report(self, request: SimRequest, params: dict[str, str], user: str) -> Any:
        account = self._account(params)
        body = self._json_body(request, "Invalid ad account ads analytics parameters.")
        return self.backend.create_report(user, account, body)

    def h_get_report(self, request: SimRequest, params: dict[str, str], user: str) -> Any:
        account = self._account(params)
        token = v.required(request.query, "token", "Invalid ad account ads analytics parameters.")
        return self.backend.get_report(user, account, token, request.origin)

    def h_create_bulk(self, request: SimRequest, params: dict[str, str], user: str) -> Any:
        account = self._account(params)
        body = self._json_body(request, "Invalid bulk download parameters.")
        return self.backend.create_bulk(user, account, body)

    def h_get_bulk(self, request: SimRequest, params: dict[str, str], user: str) -> Any:
        account = self._account(params)
        v.boolean(request.query, "include_details", False)
        return self.backend.get_bulk(user, account, params["bulk_request_id"], request.origin)

    def h_delivery_metrics(self, request: SimRequest, params: dict[str, str], user: str) -> Any:
        report_type = v.enum(request.query, "report_type", ("SYNC", "ASYNC"))
        return self.backend.delivery_metrics(report_type)

    def h_metrics_ready_state(self, request: SimRequest, params: dict[str, str], user: str
                              ) -> Any:
        day = v.parse_date(v.required(request.query, "date"), "date")
        return self.backend.metrics_ready_state(day)

    def h_targeting_options(self, request: SimRequest, params: dict[str, str], user: str) -> Any:
        kind = v.check_enum(params["targeting_type"], "targeting_type", TARGETING_OPTION_TYPES)
        account = v.single(request.query, "ad_account_id")
        if account is not None:
            self.backend.account_for(user, v.check_account_id(account))
        return self.backend.targeting_options(kind)

    def h_oauth_token(self, request: SimRequest, params: dict[str, str], user: str) -> Any:
        app_id, secret = _basic_auth(request.headers.get("authorization"))
        ctype = request.headers.get("content-type", "")
        if "application/x-www-form-urlencoded" not in ctype:
            raise invalid_parameter("The request body must be application/x-www-form-urlencoded.")
        try:
            form = {k: vals[-1] for k, vals in
                    parse_qs(request.body.decode(), keep_blank_values=True).items()}
        except UnicodeDecodeError:
            raise invalid_parameter("The request body is not valid form data.") from None
        return self.backend.oauth_token(app_id, secret, form)

    def h_user_account(self, request: SimRequest, params: dict[str, str], user: str) -> Any:
        return self.backend.user_account(user, v.single(request.query, "ad_account_id"))

    # ----- control routes ----------------------------------------------------------------

    def _control(self, route: Route, request: SimRequest, params: dict[str, str]
                 ) -> SimResponse:
        backend = self.backend
        if route in AUTHORIZE_ROUTES:
            return self._authorize(route, request)
        if route.handler == "sim_stats":
            return SimResponse.json(200, backend.stats_dict())
        if route.handler == "sim_reset_stats":
            backend.stats.reset()
            return SimResponse.json(200, backend.stats_dict())
        if route.handler == "sim_get_faults":
            return SimResponse.json(200, backend.faults.as_dict())
        if route.handler == "sim_set_faults":
            body = self._json_body(request, "Invalid faults.")
            if not isinstance(body, dict):
                raise invalid_parameter("The faults body must be a JSON object.")
            try:
                backend.faults.update(body)
            except ValueError as exc:
                raise invalid_parameter(str(exc)) from None
            return SimResponse.json(200, backend.faults.as_dict())
        if route.handler == "sim_set_tokens":
            flags = self._control_flags(request, ("access_expired", "refresh_revoked"),
                                        "Invalid token control.")
            return SimResponse.json(200, backend.set_token_faults(**flags))
        if route.handler == "sim_set_account":
            flags = self._control_flags(request, ("deleted",), "Invalid account control.")
            if "deleted" not in flags:
                raise invalid_parameter("Invalid account control. Field 'deleted' is required.")
            return SimResponse.json(200, backend.set_account_deleted(params["ad_account_id"],
                                                                     flags["deleted"]))
        # sim_file: a pre-signed download, no Authorization needed (like S3).
        try:
            content_type, content = backend.download(params["file_id"], params["name"])
        except SimError as err:
            if err.status != 403:
                raise
            xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>"
                   f"<Message>{err.message}</Message></Error>")
            return SimResponse(403, {"Content-Type": "application/xml"}, xml.encode())
        return SimResponse(200, {"Content-Type": content_type}, content)

    def _authorize(self, route: Route, request: SimRequest) -> SimResponse:
        """The authorize page (HTML, its own error pages; see ``authorize_page.py``)."""
        if route.method == "GET":
            answer = self.authorize_page.get(request.query)
        else:
            answer = self.authorize_page.post(request.headers.get("content-type", ""),
                                              request.body)
        return SimResponse(answer.status, dict(answer.headers), answer.body)

    def _control_flags(self, request: SimRequest, allowed: Sequence[str], context: str
                       ) -> dict[str, bool]:
        """A control route's JSON object body of true/false fields, each one of `allowed`."""
        body = self._json_body(request, context)
        if not isinstance(body, dict):
            raise invalid_parameter(f"{context} The body must be a JSON object.")
        unknown = sorted(set(body) - set(allowed))
        if unknown:
            raise invalid_parameter(f"{context} Unknown field(s): {', '.join(unknown)}.")
        if not all(isinstance(value, bool) for value in body.values()):
            raise invalid_parameter(f"{context} Every field must be true or false.")
        return dict(body)


def _basic_auth(header: str | None) -> tuple[str | None, str | None]:
    if not header:
        raise authentication_failed("HTTP Basic app credentials are required.")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        raise authentication_failed("HTTP Basic app credentials are required.")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise authentication_failed("Malformed HTTP Basic credentials.") from None
    app_id, sep, secret = decoded.partition(":")
    if not sep:
        raise authentication_failed("Malformed HTTP Basic credentials.")
    return app_id, secret


def query_pairs(query: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    return [(k, val) for k, vals in query.items() for val in vals]
