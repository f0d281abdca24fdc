"""Bulk download jobs (``POST .../bulk/download``, ``GET .../bulk/{id}``) and their result files.

RUNNING for ``bulk_delay_s`` of the simulator clock, then SUCCEEDED (or FAILED when injected).
As the spec says, "only active entities will return data": the file holds ACTIVE entities of the
requested types. JSON: ``{"campaigns": [...], "ad_groups": [...], "ads": [...]}`` with the list
endpoints' item shapes (one key per requested type). CSV: one header row, one row per entity,
``entity_type`` first. Pinterest documents neither layout; these are the simulator's choices.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pinterest_sim.exceptions import SimError, invalid_parameter
from pinterest_sim.jobs import JobStore, StatusWords, job_status
from pinterest_sim.validation import DIGITS
from pinterest_sim.world import World

ENTITY_TYPES = ("CAMPAIGN", "AD_GROUP", "PRODUCT_GROUP", "AD", "KEYWORD", "LABEL", "SCHEDULE")
JSON_KEYS = {"CAMPAIGN": "campaigns", "AD_GROUP": "ad_groups", "PRODUCT_GROUP": "product_groups",
             "AD": "ads", "KEYWORD": "keywords", "LABEL": "labels", "SCHEDULE": "schedules"}
CAMPAIGN_STATUSES = ("RUNNING", "PAUSED", "NOT_STARTED", "COMPLETED", "ADVERTISER_DISABLED",
                     "ARCHIVED", "DRAFT", "DELETED_DRAFT")
OBJECTIVE_TYPES = ("AWARENESS", "CONSIDERATION", "WEB_CONVERSION", "CATALOG_SALES",
                   "VIDEO_COMPLETION")
CSV_COLUMNS = (
    "entity_type", "id", "ad_account_id", "campaign_id", "ad_group_id", "name", "status",
    "objective_type", "daily_spend_cap", "lifetime_spend_cap", "budget_in_micro_currency",
    "bid_in_micro_currency", "budget_type", "pin_id", "creative_type", "destination_url",
    "start_time", "end_time", "created_time", "updated_time",
)
CONTEXT = "Invalid bulk download parameters."
FIRST_REQUEST_ID = 2680059592705
BULK_STATUS_WORDS = StatusWords(running="RUNNING", failed="FAILED", done="SUCCEEDED")


def _fail(message: str) -> SimError:
    return invalid_parameter(f"{CONTEXT} {message}")


def _strings(body: dict[str, Any], name: str) -> list[str] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(f"Field '{name}' must be an array of strings.")
    return list(value)


def _unix(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, str) or not DIGITS.match(value):
        raise _fail(f"Field '{name}' must be a Unix timestamp as a digit string (was {value!r}).")
    return int(value)


def _enum_list(values: list[str] | None, name: str, allowed: tuple[str, ...]
               ) -> tuple[str, ...] | None:
    if values is None:
        return None
    for v in values:
        if v not in allowed:
            raise _fail(f"Field '{name}' has an invalid value {v!r} "
                        f"(allowed: {', '.join(allowed)}).")
    return tuple(values)


@dataclass(frozen=True)
class BulkRequest:
    entity_types: tuple[str, ...] = ("CAMPAIGN", "AD_GROUP", "AD")
    entity_ids: tuple[str, ...] | None = None
    updated_since: int | None = None
    output_format: str = "JSON"
    campaign_status: tuple[str, ...] | None = None
    objective_type: tuple[str, ...] | None = None
    campaign_name: str | None = None
    start_time: int | None = None
    end_time: int | None = None

    @classmethod
    def parse(cls, body: Any) -> BulkRequest:
        if not isinstance(body, dict):
            raise _fail("The request body must be a JSON object.")
        unknown = sorted(set(body) - {"entity_types", "entity_ids", "updated_since",
                                      "output_format", "campaign_filter"})
        if unknown:
            raise _fail(f"Unknown field(s): {', '.join(unknown)}.")
        types = _strings(body, "entity_types")
        if types is not None and not 1 <= len(types) <= 6:
            raise _fail("Field 'entity_types' takes 1 to 6 values.")
        types_t = _enum_list(types, "entity_types", ENTITY_TYPES)
        ids = _strings(body, "entity_ids")
        if ids is not None and not all(DIGITS.match(i) for i in ids):
            raise _fail("Field 'entity_ids' must hold digit strings.")
        output = body.get("output_format", "JSON")
        if output not in ("JSON", "CSV"):
            raise _fail(f"Field 'output_format' must be JSON or CSV (was {output!r}).")
        cf = body.get("campaign_filter") or {}
        if not isinstance(cf, dict):
            raise _fail("Field 'campaign_filter' must be an object.")
        unknown_cf = sorted(set(cf) - {"campaign_status", "objective_type", "name",
                                       "start_time", "end_time"})
        if unknown_cf:
            raise _fail(f"Unknown campaign_filter field(s): {', '.join(unknown_cf)}.")
        name = cf.get("name")
        if name is not None and not isinstance(name, str):
            raise _fail("Field 'campaign_filter.name' must be a string.")
        return cls(
            entity_types=tuple(dict.fromkeys(types_t)) if types_t else cls.entity_types,
            entity_ids=tuple(ids) if ids is not None else None,
            updated_since=_unix(body.get("updated_since"), "updated_since"),
            output_format=output,
            campaign_status=_enum_list(_strings(cf, "campaign_status"),
                                       "campaign_filter.campaign_status", CAMPAIGN_STATUSES),
            objective_type=_enum_list(_strings(cf, "objective_type"),
                                      "campaign_filter.objective_type", OBJECTIVE_TYPES),
            campaign_name=name,
            start_time=_unix(cf.get("start_time"), "campaign_filter.start_time"),
            end_time=_unix(cf.get("end_time"), "campaign_filter.end_time"),
        )

    def entities(self, world: World, account_id: str) -> dict[str, list[dict[str, Any]]]:
        """Per requested type, the API dicts of the ACTIVE entities the filters select."""
        campaigns = [c for c in world.campaigns(account_id) if self._campaign_ok(c)]
        campaign_ids = {c.id for c in campaigns}
        groups = [g for g in world.ad_groups(account_id) if g.campaign_id in campaign_ids]
        ads = [a for a in world.ads(account_id) if a.campaign_id in campaign_ids]
        if self.entity_ids is not None:
            wanted = set(self.entity_ids)
            campaigns = [c for c in campaigns if c.id in wanted]
            groups = [g for g in groups if g.id in wanted or g.campaign_id in wanted]
            ads = [a for a in ads
                   if a.id in wanted or a.ad_group_id in wanted or a.campaign_id in wanted]
        chosen: dict[str, list[Any]] = {"CAMPAIGN": campaigns, "AD_GROUP": groups, "AD": ads}
        out: dict[str, list[dict[str, Any]]] = {}
        for entity_type in self.entity_types:
            items = [e for e in chosen.get(entity_type, []) if e.status == "ACTIVE"
                     and (self.updated_since is None or e.updated_time >= self.updated_since)]
            out[entity_type] = [e.as_api_dict() for e in items]
        return out

    def _campaign_ok(self, campaign: Any) -> bool:
        if self.campaign_status is not None and campaign.summary_status not in self.campaign_status:
            return False
        if self.objective_type is not None and campaign.objective_type not in self.objective_type:
            return False
        if (self.campaign_name is not None
                and self.campaign_name.lower() not in campaign.name.lower()):
            return False
        if self.start_time is not None and campaign.start_time < self.start_time:
            return False
        return not (self.end_time is not None and campaign.end_time is not None
                    and campaign.end_time > self.end_time)

    def render(self, world: World, account_id: str) -> bytes:
        entities = self.entities(world, account_id)
        if self.output_format == "JSON":
            data = {JSON_KEYS[t]: items for t, items in entities.items()}
            return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180; also quotes a bare CR
        writer.writerow(CSV_COLUMNS)
        for entity_type, items in entities.items():
            for item in items:
                row = {**item, "entity_type": entity_type}
                writer.writerow(["" if row.get(c) is None else row.get(c) for c in CSV_COLUMNS])
        return out.getvalue().encode()


@dataclass
class BulkJob:
    request_id: str
    account_id: str
    request: BulkRequest
    ready_at: datetime
    fails: bool
    content: bytes | None = None

    @property
    def file_name(self) -> str:
        return "bulk_download." + ("csv" if self.request.output_format == "CSV" else "json")

    @property
    def content_type(self) -> str:
        return "text/csv" if self.request.output_format == "CSV" else "application/json"

    def status(self, now: datetime) -> str:
        return job_status(BULK_STATUS_WORDS, now, self.ready_at, self.fails)


@dataclass
class BulkStore(JobStore[BulkJob]):
    """Bulk jobs by request id (consecutive numbers, like Pinterest's)."""

    def create(self, account_id: str, request: BulkRequest, now: datetime) -> BulkJob:
        return self._add(now, lambda n: str(FIRST_REQUEST_ID + n),
                         lambda request_id, ready_at, fails: BulkJob(
                             request_id, account_id, request, ready_at, fails))

    def by_id(self, request_id: str) -> BulkJob | None:
        return self.by_key(request_id)
