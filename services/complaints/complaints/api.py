"""The complaints HTTP API. A command route parses its body (which builds the domain command),
authorises with one dependency (`Handler`, `Manager`) and runs the command with
`events.commands.execute` — or, where the command needs the site's settings first, with the use
case of `handlers.py`. A query route checks the site, then reads the complaint or a read
model's query (`projections.py`).

Paths are relative to a site (`/sites/{site_id}/complaints...`); the gateway serves them under
`/api/v1`. CS agents, advisors and service managers handle complaints; a decision beyond the
deciding person's authority limit is a service manager's (or a group admin's). There is no
per-person aggregation anywhere: complaints are not an agent's KPI (seed 004).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Path, Request, Response

from complaints import projections
from complaints.domain import settings as site
from complaints.domain.commands import ComplaintCommand
from complaints.domain.complaint import complaint, stream_id
from complaints.domain.settings import SiteSettings
from complaints.examples import ACTION_EXAMPLES, DECISION_EXAMPLES, FOLLOW_UP_EXAMPLES, RECEIVE_EXAMPLES
from complaints.handlers import Complaints, keep_clocks
from complaints.schemas import (
    ActionBody,
    DecisionBody,
    ExplanationBody,
    FactsBody,
    FollowUpBody,
    ListenBody,
    ReceiveBody,
    ReclassifyBody,
    SettingsBody,
)
from complaints.views import ComplaintView, DeskRow, SettingsView, complaint_view, desk_row, settings_view
from events.catalog.complaints_values import ComplaintReport
from events.commands import load
from events.http import Actor, CurrentIdentity, SiteId, acting, site_tenant
from events.identity import ADVISOR, CS_AGENT, SERVICE_MANAGER, SYSTEM
from events.openapi import refusals
from events.paging import DEFAULT_LIMIT, LIST_RESPONSES, Cursor, Limit, answer
from events.privacy import personal_view
from events.runtime import now, store_of

router = APIRouter(tags=["complaints"])

ComplaintId = Annotated[UUID, Path(description="the complaint id")]
CustomerId = Annotated[UUID, Path(description="the customer id (the vehicle user's, or followup's file id)")]

HANDLERS = (CS_AGENT, ADVISOR, SERVICE_MANAGER)
MANAGERS = (SERVICE_MANAGER,)  # a group admin passes every role check
READERS = (*HANDLERS, SYSTEM)

Handler = Annotated[Actor, acting(*HANDLERS)]
Manager = Annotated[Actor, acting(*MANAGERS)]

# The customer's own words are personal data (decision 0004): only for the roles that talk to the
# customer, each read recorded against the customer; a machine client (`system`) gets `[withheld]`.
PERSONAL = ("customer_words",)
SUBJECT = "customer_id"

# Every command takes `If-Match`, so every one can meet a complaint changed since. Each step of a
# received complaint is refused on a closed one, out of order, with text that is blank once
# trimmed, or dated before what the complaint already records; a route adds its own rules.
CONFLICT = "concurrency_conflict"
STEP = ("complaint_closed", "step_out_of_order", "missing_information", "time_out_of_order", CONFLICT)


def complaints_of(request: Request) -> Complaints:
    complaints: Complaints = request.app.state.complaints
    return complaints


async def _step(request: Request, complaint_id: UUID, command: ComplaintCommand, by: Actor) -> ComplaintView:
    outcome = await by.run(store_of(request), complaint, stream_id(complaint_id), command, after_append=keep_clocks)
    return complaint_view(outcome.state, outcome.version, now(request))


async def _step_with_settings(
    request: Request, complaint_id: UUID, make: Callable[[datetime, SiteSettings], ComplaintCommand], by: Actor
) -> ComplaintView:
    """A step whose command needs the site's calendar or the person's authority limit."""
    at = now(request)
    outcome = await complaints_of(request).run_with_settings(
        by.metadata, complaint_id, lambda settings: make(at, settings), expected_version=by.expected_version
    )
    return complaint_view(outcome.state, outcome.version, at)


# --- the site's settings (before `/{complaint_id}`, which would take the word) -------------


@router.get("/sites/{site_id}/complaints/settings")
async def get_settings(site_id: SiteId, identity: CurrentIdentity, request: Request) -> SettingsView:
    """The working calendar and authority limits in force (the defaults until a site sets its own)."""
    tenant = site_tenant(identity, site_id, MANAGERS)
    settings, version = await load(
        store_of(request), site.site_settings, site.stream_id(site_id), tenant, must_exist=False
    )
    return settings_view(settings, version)


@router.put(
    "/sites/{site_id}/complaints/settings",
    responses=refusals("invalid_calendar", "invalid_amount", CONFLICT, not_found=False),
)
async def put_settings(site_id: SiteId, body: SettingsBody, request: Request, by: Manager) -> SettingsView:
    outcome = await by.run(
        store_of(request),
        site.site_settings,
        site.stream_id(site_id),
        body.command(site_id, by.identity.user_id, now(request)),
        must_exist=False,
    )
    return settings_view(outcome.state, outcome.version)


# --- the desk and the customer's record ----------------------------------------------------


@router.get("/sites/{site_id}/complaints", responses=LIST_RESPONSES)
async def complaint_desk(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    response: Response,
    step: str | None = None,
    kind: str | None = None,
    breached: bool | None = None,
    include_closed: bool = False,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> list[DeskRow]:
    """The site's complaints (open ones unless `include_closed`): breached first, then by deadline."""
    tenant = site_tenant(identity, site_id, READERS)
    window, rows = await projections.desk(
        request.app.state.runtime.pool,
        tenant,
        step=step,
        kind=kind,
        breached=breached,
        include_closed=include_closed,
        cursor=cursor,
        limit=limit,
    )
    listed = [dict(row) for row in answer(window, rows, request, response)]
    pool = request.app.state.runtime.pool
    shown = await personal_view(pool, identity, request, listed, fields=PERSONAL, subject=SUBJECT)
    return [desk_row(row) for row in shown]


@router.get("/sites/{site_id}/complaints/customers/{customer_id}/reports")
async def customer_reports(
    site_id: SiteId, customer_id: CustomerId, identity: CurrentIdentity, request: Request
) -> list[ComplaintReport]:
    """The complaint reports in the customer's record at this site, newest first."""
    tenant = site_tenant(identity, site_id, READERS)
    pool = request.app.state.runtime.pool
    reports = [report.model_dump() for report in await projections.customer_reports(pool, tenant, customer_id)]
    shown = await personal_view(pool, identity, request, reports, fields=PERSONAL, subject=SUBJECT)
    return [ComplaintReport.model_validate(report) for report in shown]


# --- one complaint, step by step -------------------------------------------------------------


@router.post(
    "/sites/{site_id}/complaints",
    status_code=201,
    responses=refusals(
        "complaint_already_received", "serious_is_a_complaint", "missing_information", CONFLICT, not_found=False
    ),
)
async def receive(
    body: Annotated[ReceiveBody, Body(openapi_examples=RECEIVE_EXAMPLES)], request: Request, by: Handler
) -> ComplaintView:
    """Step 1. Serious complaints (accident, injury, safety) are escalated to the service manager at once."""
    return await _step_with_settings(request, body.complaint_id, partial(body.command, by.identity.user_id), by)


@router.get("/sites/{site_id}/complaints/{complaint_id}", responses=refusals())
async def get_complaint(
    site_id: SiteId, complaint_id: ComplaintId, identity: CurrentIdentity, request: Request
) -> ComplaintView:
    tenant = site_tenant(identity, site_id, READERS)
    state, version = await load(store_of(request), complaint, stream_id(complaint_id), tenant)
    record = complaint_view(state, version, now(request)).model_dump()
    pool = request.app.state.runtime.pool
    (shown,) = await personal_view(pool, identity, request, [record], fields=PERSONAL, subject=SUBJECT)
    return ComplaintView.model_validate(shown)


@router.post(
    "/sites/{site_id}/complaints/{complaint_id}/reclassify",
    responses=refusals(
        "complaint_closed", "serious_is_a_complaint", "missing_information", "time_out_of_order", CONFLICT
    ),
)
async def reclassify(complaint_id: ComplaintId, body: ReclassifyBody, request: Request, by: Handler) -> ComplaintView:
    """Complaint ⇄ general grievance; the SLA deadline is counted again from receipt."""
    return await _step_with_settings(request, complaint_id, partial(body.command, by.identity.user_id), by)


@router.post("/sites/{site_id}/complaints/{complaint_id}/listen", responses=refusals(*STEP))
async def listen(complaint_id: ComplaintId, body: ListenBody, request: Request, by: Handler) -> ComplaintView:
    """Step 2: the customer's account (5W2H), restated in their words."""
    return await _step(request, complaint_id, body.command(by.identity.user_id, now(request)), by)


@router.post("/sites/{site_id}/complaints/{complaint_id}/facts", responses=refusals(*STEP))
async def confirm_facts(complaint_id: ComplaintId, body: FactsBody, request: Request, by: Handler) -> ComplaintView:
    """Step 3: the cause, and who is responsible."""
    return await _step(request, complaint_id, body.command(by.identity.user_id, now(request)), by)


@router.post(
    "/sites/{site_id}/complaints/{complaint_id}/decision",
    responses=refusals("approval_required", "manufacturer_referral_required", *STEP),
)
async def decide(
    complaint_id: ComplaintId,
    body: Annotated[DecisionBody, Body(openapi_examples=DECISION_EXAMPLES)],
    request: Request,
    by: Handler,
) -> ComplaintView:
    """Step 4, with the deciding person's authority limit from the site's settings."""
    return await _step_with_settings(request, complaint_id, partial(body.command, by.identity), by)


@router.post("/sites/{site_id}/complaints/{complaint_id}/explanation", responses=refusals(*STEP))
async def explain(complaint_id: ComplaintId, body: ExplanationBody, request: Request, by: Handler) -> ComplaintView:
    """Step 5: not agreed sends the complaint back to the facts."""
    return await _step(request, complaint_id, body.command(by.identity.user_id, now(request)), by)


@router.post("/sites/{site_id}/complaints/{complaint_id}/action", responses=refusals("customer_has_not_agreed", *STEP))
async def act(
    complaint_id: ComplaintId,
    body: Annotated[ActionBody, Body(openapi_examples=ACTION_EXAMPLES)],
    request: Request,
    by: Handler,
) -> ComplaintView:
    """Step 6: the remedy carried out; the second callback falls due the next working day."""
    return await _step_with_settings(request, complaint_id, partial(body.command, by.identity.user_id), by)


@router.post("/sites/{site_id}/complaints/{complaint_id}/follow-up", responses=refusals(*STEP))
async def follow_up(
    complaint_id: ComplaintId,
    body: Annotated[FollowUpBody, Body(openapi_examples=FOLLOW_UP_EXAMPLES)],
    request: Request,
    by: Handler,
) -> ComplaintView:
    """Step 7: satisfied closes the complaint and writes its report into the customer's record."""
    return await _step(request, complaint_id, body.command(by.identity.user_id, now(request)), by)
