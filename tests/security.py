"""Who may open which door, by the business (docs/domain.md, "People"), and the tools to
knock on every door the gateway's OpenAPI document lists.

`ACCESS` is written from the roles' duties, not read from the services' code: the tenancy
matrix compares what the running system does with it, and fails for an endpoint the table
does not name, so a new endpoint cannot escape the matrix.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from events.identity import (
    ADVISOR,
    CASHIER,
    CS_AGENT,
    DISPATCHER,
    GROUP_ADMIN,
    PARTS_CLERK,
    QC_INSPECTOR,
    ROLES,
    SERVICE_MANAGER,
    SYSTEM,
    TECHNICIAN,
)

SITE_PREFIX = "/api/v1/sites/{site_id}/"

EVERYONE = frozenset(ROLES)  # every person at the site (and integrated systems)
MANAGER = frozenset({SERVICE_MANAGER, GROUP_ADMIN})  # a group admin may do whatever a site may

# Readers, by what they need to see.
APPOINTMENT_READERS = MANAGER | {ADVISOR, DISPATCHER, CS_AGENT, SYSTEM}  # desk, planning, reminder calls
BOARD_READERS = MANAGER | {ADVISOR, DISPATCHER, CASHIER, SYSTEM}  # the board hangs at the desk and the till
FLOOR_READERS = MANAGER | {ADVISOR, DISPATCHER, TECHNICIAN, QC_INSPECTOR, PARTS_CLERK, SYSTEM}
FOLLOWUP_READERS = MANAGER | {CS_AGENT, ADVISOR, SYSTEM}  # the advisor reads the customer's history
VOC_READERS = MANAGER | {CS_AGENT, SYSTEM}  # CS owns the VOC statistics; the group's dashboard
COMPLAINT_READERS = MANAGER | {CS_AGENT, ADVISOR, SYSTEM}

# Writers, by duty.
DESK = MANAGER | {ADVISOR}  # receives, writes the RO, asks approval, delivers
CONTACT = DESK | {CS_AGENT}  # reminder calls and the contact queue book, move, confirm, cancel; CS's customer file
PLANNING = MANAGER | {DISPATCHER}  # the site's capacity: the foreman plans technicians and bays
# The till: the cashier invoices and takes the money (the advisor, who wrote the RO, does not
# handle it: one person does not both price the work and take the cash).
CASH_DESK = MANAGER | {CASHIER}
INVOICE_READERS = CASH_DESK | {ADVISOR, SYSTEM}  # the advisor explains the bill at delivery; accounting systems
DISPATCH = MANAGER | {DISPATCHER}
BENCH = MANAGER | {TECHNICIAN, DISPATCHER}  # technicians clock jobs and report findings; the foreman too
QC = MANAGER | {QC_INSPECTOR, DISPATCHER}  # "QC inspector (often the foreman)"
STORES = MANAGER | {PARTS_CLERK}
# A job's parts are asked for by whoever plans the job, and by an outside DMS for its own ROs.
PART_REQUESTERS = STORES | {ADVISOR, DISPATCHER, TECHNICIAN, SYSTEM}
OLD_PART_RECORDERS = STORES | {TECHNICIAN, ADVISOR}  # the part comes off the car at the bench
CALLBACKS = MANAGER | {CS_AGENT}
SUPERVISOR = MANAGER  # reassigns an absent agent's queue, answers escalations, plans campaigns
COMPLAINT_HANDLERS = MANAGER | {CS_AGENT, ADVISOR}
WORKSHOP_FIGURES = MANAGER | {DISPATCHER, SYSTEM}
GROUP_WIDE = frozenset({GROUP_ADMIN})  # what applies to every site of the group

# "METHOD path below /api/v1/sites/{site_id}/" → the roles that may pass the door.
ACCESS: dict[str, frozenset[str]] = {
    # booking
    "GET capacity": APPOINTMENT_READERS,
    "PUT capacity": PLANNING,
    "GET site-profile": EVERYONE,  # the site's names: no secret at the site
    "PUT site-profile": GROUP_WIDE,  # the group's administrator names its sites
    "GET free-slots": APPOINTMENT_READERS,
    "POST appointments": CONTACT,
    "GET appointments/{appointment_id}": APPOINTMENT_READERS,
    "POST appointments/{appointment_id}/confirm": CONTACT,
    "POST appointments/{appointment_id}/reschedule": CONTACT,
    "POST appointments/{appointment_id}/cancel": CONTACT,
    "POST appointments/{appointment_id}/no-show": DESK,
    "POST appointments/{appointment_id}/arrival": DESK,
    "GET appointments/{appointment_id}/preparation": APPOINTMENT_READERS,
    "POST appointments/{appointment_id}/preparation": DESK,
    "GET appointment-lists": APPOINTMENT_READERS,
    "POST customers": CONTACT,
    "GET customers": APPOINTMENT_READERS,
    "GET customers/{customer_id}": APPOINTMENT_READERS,
    "PATCH customers/{customer_id}": CONTACT,
    "POST customers/{customer_id}/vehicles": CONTACT,
    "GET vehicles": APPOINTMENT_READERS,
    "POST customers/{customer_id}/erasure": MANAGER,  # a data subject's request is the manager's to grant
    # reception: the RO is the visit's shared document — every department works from it
    "GET repair-orders": EVERYONE,
    "POST repair-orders": DESK,
    "GET repair-orders/{repair_order_id}": EVERYONE,
    "GET repair-orders/{repair_order_id}/history": EVERYONE,
    "POST repair-orders/{repair_order_id}/walk-around": DESK,
    "POST repair-orders/{repair_order_id}/damages": DESK,
    "POST repair-orders/{repair_order_id}/concerns": DESK,
    "POST repair-orders/{repair_order_id}/estimate": DESK,
    "POST repair-orders/{repair_order_id}/sign": DESK,
    "POST repair-orders/{repair_order_id}/signature": DESK,  # drawn on the desk's screen
    # a signature is personal data: its readers (events.privacy), for the printed RO
    "GET repair-orders/{repair_order_id}/signature": MANAGER | {ADVISOR, CASHIER, CS_AGENT},
    "POST repair-orders/{repair_order_id}/exit-slip": DESK,
    "POST repair-orders/{repair_order_id}/lines": DESK,
    "POST repair-orders/{repair_order_id}/lines/{line_id}/remove": DESK,
    "POST repair-orders/{repair_order_id}/promised-time": DESK,
    "POST repair-orders/{repair_order_id}/hand-over": DESK,
    "POST repair-orders/{repair_order_id}/additional-work/{finding_id}/approve": DESK,
    "POST repair-orders/{repair_order_id}/additional-work/{finding_id}/decline": DESK,
    # the customer's approval links act as the customer: only the desk that asks sees or sends them
    "GET repair-orders/{repair_order_id}/approval-requests": DESK,
    "POST repair-orders/{repair_order_id}/approval-requests": DESK,
    # what is beyond an advisor's authority is the service manager's to approve (docs/domain.md)
    "POST repair-orders/{repair_order_id}/discount-approval": MANAGER,
    "POST repair-orders/{repair_order_id}/delivery": DESK,
    "GET reception-settings": EVERYONE,  # the desk must know its discount authority; no secret
    "PUT reception-settings": MANAGER,
    "GET advisor-board": BOARD_READERS,
    "GET advisor-board/stream": BOARD_READERS,
    # workshop
    "GET work-orders": FLOOR_READERS,
    "GET work-orders/{repair_order_id}": FLOOR_READERS,
    "GET work-orders/stream": BENCH | {QC_INSPECTOR},  # the floor's people follow it live (no system: a screen's)
    "POST work-orders/{repair_order_id}/jobs/{job_id}/dispatch": DISPATCH,
    "POST work-orders/{repair_order_id}/jobs/{job_id}/start": BENCH,
    "POST work-orders/{repair_order_id}/jobs/{job_id}/pause": BENCH,
    "POST work-orders/{repair_order_id}/jobs/{job_id}/complete": BENCH,
    "POST work-orders/{repair_order_id}/test-drives": BENCH,
    "POST work-orders/{repair_order_id}/findings": BENCH,
    "POST work-orders/{repair_order_id}/quality-checks": QC,
    # the digital inspection: technicians grade and photograph, the service manager sets the checklists
    "GET inspection-templates": FLOOR_READERS,
    "GET inspection-templates/{template_id}": FLOOR_READERS,
    "PUT inspection-templates/{template_id}": MANAGER,
    "POST work-orders/{repair_order_id}/inspection": BENCH,
    "GET work-orders/{repair_order_id}/inspection": FLOOR_READERS,
    "PUT work-orders/{repair_order_id}/inspection/items/{item_id}": BENCH,
    "POST work-orders/{repair_order_id}/inspection/items/{item_id}/media": BENCH,
    "POST work-orders/{repair_order_id}/inspection/complete": BENCH,
    "GET media/{media_id}": FLOOR_READERS,  # the RO's photos, under the RO's tenancy
    "GET media/{media_id}/thumbnail": FLOOR_READERS,
    "GET technicians": FLOOR_READERS,
    "GET technicians/settings": FLOOR_READERS,
    "PUT technicians/settings": PLANNING,  # how many jobs a technician works at once: the foreman's plan
    # parts: stock levels are no secret at the site (advisors estimate from stock)
    "GET stock": EVERYONE,
    "GET stock/{part_number}": EVERYONE,
    "GET stock/stream": STORES,  # the parts counter's screen follows it live
    "POST stock/{part_number}/receipts": STORES,
    "POST stock/{part_number}/counts": STORES,
    "POST stock/{part_number}/reservations": PART_REQUESTERS,
    "POST stock/{part_number}/reservations/{reservation_id}/release": PART_REQUESTERS,
    "POST stock/{part_number}/issues": STORES,
    "POST stock/{part_number}/returns": STORES,
    "GET parts-orders": EVERYONE,
    "GET parts-orders/{order_id}": EVERYONE,
    "POST parts-orders/emergency": STORES,
    "POST parts-orders/transfers": STORES,
    "POST parts-orders/{order_id}/dispatch": STORES,
    "POST parts-orders/{order_id}/receipts": STORES,
    "POST parts-orders/{order_id}/cancel": STORES,
    "POST old-parts": OLD_PART_RECORDERS,
    "GET old-parts/{old_part_id}": EVERYONE,
    "POST old-parts/{old_part_id}/disposition": STORES,
    # followup
    "GET callbacks": FOLLOWUP_READERS,
    "GET callbacks/alerts": FOLLOWUP_READERS,
    "POST callbacks/reassign": SUPERVISOR,
    "GET callbacks/{callback_id}": FOLLOWUP_READERS,
    "POST callbacks/{callback_id}/assign": CALLBACKS,
    "POST callbacks/{callback_id}/attempts": CALLBACKS,
    "POST callbacks/{callback_id}/give-up": CALLBACKS,
    "POST callbacks/{callback_id}/answer": SUPERVISOR,
    "POST callbacks/{callback_id}/answer-given": CALLBACKS,
    "GET customer-files": FOLLOWUP_READERS,
    "GET customer-files/{file_id}": FOLLOWUP_READERS,
    "GET customer-files/{file_id}/log": FOLLOWUP_READERS,
    "POST customer-files/{file_id}/do-not-call": CALLBACKS,
    "POST customer-files/{file_id}/do-not-call/clear": CALLBACKS,
    "POST customer-files/{file_id}/wishes": CALLBACKS,
    "POST customer-files/{file_id}/notes": CALLBACKS,
    "POST customer-files/{file_id}/calls": CALLBACKS,
    "POST customer-files/{file_id}/letters": CALLBACKS,
    "POST campaigns": SUPERVISOR,
    "GET campaigns/{campaign_id}": FOLLOWUP_READERS,
    "POST campaigns/{campaign_id}/calls": CALLBACKS,
    "POST campaigns/{campaign_id}/letters": CALLBACKS,
    "GET reports/csi": VOC_READERS,
    "GET reports/csi.csv": VOC_READERS,
    "GET reports/conversion": VOC_READERS,
    "GET contact-queue": FOLLOWUP_READERS,
    "POST contact-queue/{proposal_id}/answers": CALLBACKS,
    "GET failed-messages": FOLLOWUP_READERS,
    "POST failed-messages/{message_id}/handled": CALLBACKS,
    "POST campaigns/targets": CALLBACKS,
    "POST campaigns/targets/import": CALLBACKS,
    # the workshop's figures: its manager and its foreman; customer service answers to the general
    # manager and has no duty here
    "GET reports/technician-productivity": WORKSHOP_FIGURES,
    "GET reports/bay-utilisation": WORKSHOP_FIGURES,
    # complaints: the authority limits are the service manager's to set (and to read)
    "GET complaints/settings": MANAGER,
    "PUT complaints/settings": MANAGER,
    "GET complaints": COMPLAINT_READERS,
    "POST complaints": COMPLAINT_HANDLERS,
    "GET complaints/customers/{customer_id}/reports": COMPLAINT_READERS,
    "GET complaints/{complaint_id}": COMPLAINT_READERS,
    "POST complaints/{complaint_id}/reclassify": COMPLAINT_HANDLERS,
    "POST complaints/{complaint_id}/listen": COMPLAINT_HANDLERS,
    "POST complaints/{complaint_id}/facts": COMPLAINT_HANDLERS,
    "POST complaints/{complaint_id}/decision": COMPLAINT_HANDLERS,
    "POST complaints/{complaint_id}/explanation": COMPLAINT_HANDLERS,
    "POST complaints/{complaint_id}/action": COMPLAINT_HANDLERS,
    "POST complaints/{complaint_id}/follow-up": COMPLAINT_HANDLERS,
    # catalogue: what the work costs is no secret at the site (the desk, booking, the floor, a DMS
    # quote from it); group-wide data is the group admin's, a site's own the service manager's
    "GET labour-operations": EVERYONE,
    "GET labour-operations/{code}": EVERYONE,
    "POST labour-operations/imports": MANAGER,  # a site's own file (scope=site; scope=group: GROUP_WIDE)
    "PUT labour-operations/{code}": MANAGER,  # one site's override (scope=site)
    "GET labour-rates": EVERYONE,
    "PUT labour-rates": MANAGER,
    "GET service-menus": EVERYONE,
    "GET service-menus/next": EVERYONE,
    "GET service-menus/{menu_id}": EVERYONE,
    "PUT service-menus/{menu_id}": MANAGER,
    "POST quotes": EVERYONE,
    "POST price-lists": GROUP_WIDE,  # one price list for every site of the group
    "GET price-lists": EVERYONE,
    "GET parts-prices/{part_number}": EVERYONE,
    # notifications: what was sent to a customer and how they may be contacted are CS's and the desk's
    "GET messages": FOLLOWUP_READERS,
    "GET contact-preferences/{customer_id}": CONTACT,  # how a customer wants to be reached: the people who reach them
    "PUT contact-preferences/{customer_id}": CONTACT,
    "GET quiet-hours": FOLLOWUP_READERS,
    "PUT quiet-hours": MANAGER,
    "GET message-templates": FOLLOWUP_READERS,
    "PUT message-templates/{kind}/{channel}/{language}": MANAGER,
    # billing: the cash desk's; invoices are read by the advisor too
    "GET billing-settings": INVOICE_READERS,
    "PUT billing-settings": MANAGER,  # tax rates, number series, the enterprise's registration
    "POST invoices": CASH_DESK,
    "GET invoices": INVOICE_READERS,  # ?repair_order_id=: the RO's invoice in force
    "GET invoices/{invoice_id}": INVOICE_READERS,
    "POST invoices/{invoice_id}/payments": CASH_DESK,
    "POST invoices/{invoice_id}/refunds": CASH_DESK,
    "POST invoices/{invoice_id}/void": MANAGER,  # an issued number cancelled: not the till's alone
    "POST deposits": CASH_DESK,
    "GET cash-days/{day}": CASH_DESK,
    "POST cash-days/{day}/close": CASH_DESK,
    "GET receivables": CASH_DESK,
    "POST invoices/{invoice_id}/fapiao": CASH_DESK,  # the customer asks the cashier for the fapiao
    "GET invoices/{invoice_id}/fapiao": INVOICE_READERS,
    "GET e-records": INVOICE_READERS,
    "GET e-records/export": INVOICE_READERS,
    "GET e-records/{record_id}": INVOICE_READERS,
    "POST e-records/{record_id}/resubmission": CASH_DESK,
    # gateway: a printed document's door is the site; the service that owns its data then
    # applies that data's own role rule (docs/documents.md)
    "GET documents/{kind}/{document_id}.pdf": EVERYONE,
}


# Fields whose allowed values the schema does not list (validators check them): a valid value,
# by "METHOD path" and the field's dotted place in the body.
VALID_VALUES: dict[str, dict[str, Any]] = {
    # A walk-in's arrival is the greeter's record (optional in the schema, required for a walk-in).
    "POST repair-orders": {"arrived_at": "2024-05-06T09:00:00+00:00"},
    "POST repair-orders/{repair_order_id}/damages": {"damages.0.kind": "scratch"},
    # the work, named by a service menu or a catalogue item (the schema makes neither required)
    "POST repair-orders/{repair_order_id}/estimate": {"menu_id": "camry-10000"},
    "POST repair-orders/{repair_order_id}/lines": {"item": {"labour_operation": "OIL01"}},
    "POST work-orders/{repair_order_id}/findings": {"findings.0.proposed_lines.0.pay_type": "CUSTOMER_PAY"},
    "POST quotes": {"pay_type": "CUSTOMER_PAY"},
    "POST callbacks/{callback_id}/attempts": {"outcome": "unreachable"},
    "POST campaigns": {"kind": "promotion"},
    "POST campaigns/{campaign_id}/calls": {"outcome": "unreachable"},
    "POST contact-queue/{proposal_id}/answers": {"answer": "not_interested"},
    "POST campaigns/{campaign_id}/letters": {"letter_kind": "notice"},
    "POST customer-files/{file_id}/calls": {"direction": "outbound", "purpose": "inquiry"},
    "POST customer-files/{file_id}/letters": {"letter_kind": "notice"},
    "POST complaints": {"channel": "phone", "kind": "complaint", "category": "price"},
    "POST complaints/{complaint_id}/decision": {"remedy": "apology"},
    "POST complaints/{complaint_id}/facts": {"responsibility": "dealer", "cause": "price"},
    "POST complaints/{complaint_id}/follow-up": {"channel": "phone", "report_summary": "resolved"},
    "POST complaints/{complaint_id}/reclassify": {"kind": "complaint"},
    "PUT complaints/settings": {"authority_limits": {"advisor": 100, "cs_agent": 100, "service_manager": 1000}},
}


def _put(body: Any, dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for step in parents:
        body = body[int(step)] if isinstance(body, list) else body[step]
    body[last] = value


@dataclass(frozen=True)
class Endpoint:
    """One operation of the combined OpenAPI document below a site."""

    method: str
    template: str  # "repair-orders/{repair_order_id}/sign"
    operation: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def streams(self) -> bool:
        return self.template.endswith("/stream")


def site_endpoints(document: dict[str, Any]) -> list[Endpoint]:
    """Every operation under `/api/v1/sites/{site_id}/` in the gateway's combined document."""
    found = []
    for path, operations in document["paths"].items():
        if not path.startswith(SITE_PREFIX):
            continue
        for method, operation in operations.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                found.append(Endpoint(method.upper(), path.removeprefix(SITE_PREFIX), operation))
    return sorted(found, key=lambda e: e.key)


# --- requests that pass validation, so the door is what answers -------------------------------


class Requests:
    """A valid request for an endpoint, built from its schema: required fields only, filled
    with plain, deterministic values (a valid body is needed because FastAPI validates before
    the handler checks the role — an invalid one would answer 422 to everyone)."""

    def __init__(self, document: dict[str, Any], ids: dict[str, str] | None = None) -> None:
        self.schemas: dict[str, Any] = document["components"]["schemas"]
        self.ids = ids or {}  # path parameter → a real record's id
        self.tomorrow = datetime.now(UTC) + timedelta(days=1)

    def url(self, endpoint: Endpoint, site: str) -> str:
        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in self.ids:
                return self.ids[name]
            plain = {"part_number": "OIL-FILTER", "code": "OIL01", "day": self.tomorrow.date().isoformat()}
            return plain.get(name) or str(uuid.uuid5(uuid.NAMESPACE_URL, name))

        path = re.sub(r"\{([a-z_]+)\}", fill, endpoint.template)
        return SITE_PREFIX.format(site_id=site) + path

    def params(self, endpoint: Endpoint) -> dict[str, Any]:
        return {
            parameter["name"]: self.value(parameter["schema"], parameter["name"])
            for parameter in endpoint.operation.get("parameters", [])
            if parameter["in"] == "query" and parameter.get("required")
        }

    def body(self, endpoint: Endpoint) -> Any:
        request_body = endpoint.operation.get("requestBody")
        if request_body is None:
            return None
        if "application/json" not in request_body["content"]:
            return None  # a file (text/csv): the door answers before the file is read
        body = self.value(request_body["content"]["application/json"]["schema"], "")
        for dotted, value in VALID_VALUES.get(endpoint.key, {}).items():
            _put(body, dotted, value)
        return body

    def value(self, schema: dict[str, Any], name: str) -> Any:
        if "$ref" in schema:
            return self.value(self.schemas[schema["$ref"].rsplit("/", 1)[1]], name)
        for combinator in ("allOf", "anyOf", "oneOf"):
            if combinator in schema:
                options = [s for s in schema[combinator] if s.get("type") != "null"]
                return self.value(options[0], name)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return schema["enum"][0]
        kind = schema.get("type", "object")
        if kind == "object":
            properties = schema.get("properties", {})
            return {key: self.value(properties[key], key) for key in schema.get("required", [])}
        if kind == "array":
            return [self.value(schema.get("items", {}), name) for _ in range(max(schema.get("minItems", 0), 1))]
        if kind in ("integer", "number"):
            low = schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1)
            return max(low, 1) if schema.get("maximum", 10**9) >= 1 else low
        if kind == "boolean":
            return True
        return self.text(schema, name)

    def text(self, schema: dict[str, Any], name: str) -> str:
        formats = {
            "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, name or "id")),
            "date-time": self.tomorrow.isoformat(),
            "date": self.tomorrow.date().isoformat(),
            "time": "09:00:00",
            "email": "someone@example.com",
        }
        if schema.get("format") in formats:
            return formats[schema["format"]]
        if schema.get("pattern") == "^[A-Z]{3}$":
            return "CNY"
        if "phone" in name:
            return "13800000001"
        if name == "vin":
            return "LFV2A21K8G3045678"
        if name in ("timezone", "tz"):
            return "UTC"
        return "A1".ljust(schema.get("minLength", 1), "x")[: schema.get("maxLength", 100)]


async def bounded(calls: Iterable[Callable[[], Awaitable[Any]]], at_once: int = 12) -> list[Any]:
    """Run `calls` concurrently, `at_once` at a time (the machine has two cores)."""
    gate = asyncio.Semaphore(at_once)

    async def one(call: Callable[[], Awaitable[Any]]) -> Any:
        async with gate:
            return await call()

    return await asyncio.gather(*(one(call) for call in calls))
