"""The complaints HTTP API: parse, authorise, call a use case, answer with the new state.

Paths are relative to a site (`/sites/{site_id}/complaints...`); the gateway serves them under
`/api/v1`. CS agents, advisors and service managers handle complaints; a decision beyond the
deciding person's authority limit is a service manager's (or a group admin's). There is no
per-person aggregation anywhere: complaints are not an agent's KPI (seed 004).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response

from complaints.domain.commands import (
    ComplaintCommand,
    ConfirmFacts,
    DecideRemedy,
    ExplainDecision,
    ListenToCustomer,
    ReceiveComplaint,
    ReclassifyComplaint,
    RecordFollowUp,
    TakeAction,
)
from complaints.domain.settings import SetComplaintSettings, SiteSettings
from complaints.handlers import Complaints
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
    complaint_view,
    settings_view,
)
from events.catalog.complaints_values import Authorisation
from events.http import CurrentIdentity, SiteId, command_metadata, site_tenant
from events.identity import ADVISOR, CS_AGENT, GROUP_ADMIN, SERVICE_MANAGER, SYSTEM, Identity
from events.paging import DEFAULT_LIMIT, LIST_RESPONSES, Cursor, Key, Limit, Listing, answer

router = APIRouter(tags=["complaints"])

ComplaintId = Annotated[UUID, Path(description="the complaint id")]
CustomerId = Annotated[UUID, Path(description="the customer id (the vehicle user's, or followup's file id)")]

HANDLERS = (CS_AGENT, ADVISOR, SERVICE_MANAGER)
MANAGERS = (SERVICE_MANAGER,)  # a group admin passes every role check
READERS = (*HANDLERS, SYSTEM)
# The identity role that approves beyond a handling person's limit → its name on the record.
APPROVERS = {SERVICE_MANAGER: "service_manager", GROUP_ADMIN: "general_manager"}


def complaints_of(request: Request) -> Complaints:
    complaints: Complaints = request.app.state.complaints
    return complaints


async def _run(
    request: Request, identity: Identity, site_id: UUID, complaint_id: UUID, command: ComplaintCommand
) -> dict[str, Any]:
    identity.require_role(*HANDLERS)
    complaints = complaints_of(request)
    outcome = await complaints.run(command_metadata(identity, str(site_id), request), complaint_id, command)
    return complaint_view(outcome.state, outcome.version, complaints.now())


def _decision(identity: Identity, body: DecisionBody, settings: SiteSettings, now: Any) -> DecideRemedy:
    """The person's own limit; beyond it a service manager's (group admin's) decision records them
    as the approver, anyone else's is refused by the domain (approval_required)."""
    limit = settings.limit_for(identity.roles)
    authorised_by: Authorisation | None = None
    approver = next((APPROVERS[role] for role in (GROUP_ADMIN, SERVICE_MANAGER) if role in identity.roles), None)
    if body.manufacturer_authorisation is not None:
        given = body.manufacturer_authorisation
        authorised_by = Authorisation(
            person=given.person, role="manufacturer_customer_service", authorised_at=now, reference=given.reference
        )
    elif body.cost > limit and approver is not None:
        authorised_by = Authorisation(person=identity.user_id, role=approver, authorised_at=now)
    return DecideRemedy(
        remedy=body.remedy,
        description=body.description,
        cost=body.cost,
        remedy_due=body.remedy_due,
        spokesperson=body.spokesperson,
        handled_by=identity.user_id,
        decided_at=now,
        authority_limit=limit,
        dealer_limit=settings.dealer_limit,
        authorised_by=authorised_by,
        compromise=body.compromise,
    )


# --- the site's settings (before `/{complaint_id}`, which would take the word) -------------


@router.get("/sites/{site_id}/complaints/settings")
async def get_settings(site_id: SiteId, identity: CurrentIdentity, request: Request) -> dict[str, Any]:
    """The working calendar and authority limits in force (the defaults until a site sets its own)."""
    tenant = site_tenant(identity, site_id, READERS)
    identity.require_role(*MANAGERS)
    settings = await complaints_of(request).settings(tenant)
    return settings_view(settings)


@router.put("/sites/{site_id}/complaints/settings")
async def put_settings(
    site_id: SiteId, body: SettingsBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    site_tenant(identity, site_id, READERS)
    identity.require_role(*MANAGERS)
    complaints = complaints_of(request)
    command = SetComplaintSettings(
        site_id=site_id,
        working_weekdays=frozenset(body.working_weekdays),
        holidays=frozenset(body.holidays),
        extra_working_days=frozenset(body.extra_working_days),
        timezone=body.timezone,
        authority_limits=dict(body.authority_limits),
        dealer_limit=body.dealer_limit,
        set_by=identity.user_id,
        set_at=complaints.now(),
    )
    outcome = await complaints.set_settings(command_metadata(identity, str(site_id), request), command)
    return settings_view(outcome.state)


# --- the desk and the customer's record ----------------------------------------------------


DESK = Listing(
    "complaints.desk",
    (
        Key("breached", bool, descending=True, nullable=False),
        Key("resolve_by", datetime, nullable=False),
        Key("complaint_id", UUID, nullable=False),
    ),
)


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
) -> list[dict[str, Any]]:
    """The site's complaints (open ones unless `include_closed`): breached first, then by deadline."""
    tenant = site_tenant(identity, site_id, READERS)
    window = DESK.window(cursor, limit, first=7)
    rows = await request.app.state.runtime.pool.fetch(
        f"""SELECT * FROM complaint_desk
           WHERE group_id = $1 AND site_id = $2 AND ($3::text IS NULL OR step = $3)
             AND ($4::text IS NULL OR kind = $4) AND ($5::boolean IS NULL OR breached = $5)
             AND ($6 OR step <> 'closed') AND {window.after}
           {window.order}""",
        tenant.group_id,
        tenant.site_id,
        step,
        kind,
        breached,
        include_closed,
        *window.params,
    )
    return [_desk_row(dict(row)) for row in answer(window, rows, request, response)]


def _desk_row(row: dict[str, Any]) -> dict[str, Any]:
    del row["group_id"]
    for key in ("complaint_id", "customer_id", "repair_order_id", "callback_id"):
        row[key] = None if row[key] is None else str(row[key])
    row["escalations"] = json.loads(row["escalations"])
    row["escalated"] = bool(row["escalations"])
    return row


@router.get("/sites/{site_id}/complaints/customers/{customer_id}/reports")
async def customer_reports(
    site_id: SiteId, customer_id: CustomerId, identity: CurrentIdentity, request: Request
) -> list[dict[str, Any]]:
    """The complaint reports in the customer's record at this site, newest first."""
    tenant = site_tenant(identity, site_id, READERS)
    rows = await request.app.state.runtime.pool.fetch(
        """SELECT report FROM complaint_reports WHERE group_id = $1 AND site_id = $2 AND customer_id = $3
           ORDER BY closed_at DESC, complaint_id""",
        tenant.group_id,
        tenant.site_id,
        customer_id,
    )
    return [json.loads(row["report"]) for row in rows]


# --- one complaint, step by step -------------------------------------------------------------


@router.post("/sites/{site_id}/complaints", status_code=201)
async def receive(site_id: SiteId, body: ReceiveBody, identity: CurrentIdentity, request: Request) -> dict[str, Any]:
    """Step 1. Serious complaints (accident, injury, safety) are escalated to the service manager at once."""
    identity.require_role(*HANDLERS)
    complaints = complaints_of(request)
    now = complaints.now()

    def receipt(settings: SiteSettings) -> ReceiveComplaint:
        return ReceiveComplaint(
            complaint_id=body.complaint_id,
            customer_id=body.customer_id,
            channel=body.channel,
            kind=body.kind,
            category=body.category,
            customer_words=body.customer_words,
            handled_by=identity.user_id,
            received_at=now,
            calendar=settings.calendar,
            vin=body.vin,
            repair_order_id=body.repair_order_id,
            callback_id=body.callback_id,
            serious_reasons=body.serious_reasons,
        )

    metadata = command_metadata(identity, str(site_id), request)
    outcome = await complaints.run_with_settings(metadata, body.complaint_id, receipt)
    return complaint_view(outcome.state, outcome.version, now)


@router.get("/sites/{site_id}/complaints/{complaint_id}")
async def get_complaint(
    site_id: SiteId, complaint_id: ComplaintId, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    complaints = complaints_of(request)
    state, version = await complaints.state(site_tenant(identity, site_id, READERS), complaint_id)
    return complaint_view(state, version, complaints.now())


@router.post("/sites/{site_id}/complaints/{complaint_id}/reclassify")
async def reclassify(
    site_id: SiteId, complaint_id: ComplaintId, body: ReclassifyBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    """Complaint ⇄ general grievance; the SLA deadline is counted again from receipt."""
    identity.require_role(*HANDLERS)
    complaints = complaints_of(request)
    now = complaints.now()

    def command(settings: SiteSettings) -> ReclassifyComplaint:
        return ReclassifyComplaint(body.kind, body.reason, identity.user_id, now, settings.calendar)

    metadata = command_metadata(identity, str(site_id), request)
    outcome = await complaints.run_with_settings(metadata, complaint_id, command)
    return complaint_view(outcome.state, outcome.version, now)


@router.post("/sites/{site_id}/complaints/{complaint_id}/listen")
async def listen(
    site_id: SiteId, complaint_id: ComplaintId, body: ListenBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    command = ListenToCustomer(body.account, body.restated_words, identity.user_id, complaints_of(request).now())
    return await _run(request, identity, site_id, complaint_id, command)


@router.post("/sites/{site_id}/complaints/{complaint_id}/facts")
async def confirm_facts(
    site_id: SiteId, complaint_id: ComplaintId, body: FactsBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    command = ConfirmFacts(
        responsibility=body.responsibility,
        cause=body.cause,
        findings=body.findings,
        reproduced=body.reproduced,
        handled_by=identity.user_id,
        confirmed_at=complaints_of(request).now(),
        reproduced_by=body.reproduced_by,
        vip=body.vip,
        repeat_visitor=body.repeat_visitor,
    )
    return await _run(request, identity, site_id, complaint_id, command)


@router.post("/sites/{site_id}/complaints/{complaint_id}/decision")
async def decide(
    site_id: SiteId, complaint_id: ComplaintId, body: DecisionBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    """Step 4, with the deciding person's authority limit from the site's settings."""
    identity.require_role(*HANDLERS)
    complaints = complaints_of(request)
    now = complaints.now()
    metadata = command_metadata(identity, str(site_id), request)
    outcome = await complaints.run_with_settings(
        metadata, complaint_id, lambda settings: _decision(identity, body, settings, now)
    )
    return complaint_view(outcome.state, outcome.version, now)


@router.post("/sites/{site_id}/complaints/{complaint_id}/explanation")
async def explain(
    site_id: SiteId, complaint_id: ComplaintId, body: ExplanationBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    """Step 5: not agreed sends the complaint back to the facts."""
    now = complaints_of(request).now()
    command = ExplainDecision(body.agreed, identity.user_id, now, body.customer_response)
    return await _run(request, identity, site_id, complaint_id, command)


@router.post("/sites/{site_id}/complaints/{complaint_id}/action")
async def act(
    site_id: SiteId, complaint_id: ComplaintId, body: ActionBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    """Step 6: the remedy carried out; the second callback falls due the next working day."""
    identity.require_role(*HANDLERS)
    complaints = complaints_of(request)
    now = complaints.now()

    def command(settings: SiteSettings) -> TakeAction:
        return TakeAction(
            body.description,
            body.cost,
            body.in_customer_presence,
            body.customer_satisfied,
            identity.user_id,
            now,
            settings.calendar,
        )

    metadata = command_metadata(identity, str(site_id), request)
    outcome = await complaints.run_with_settings(metadata, complaint_id, command)
    return complaint_view(outcome.state, outcome.version, now)


@router.post("/sites/{site_id}/complaints/{complaint_id}/follow-up")
async def follow_up(
    site_id: SiteId, complaint_id: ComplaintId, body: FollowUpBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    """Step 7: satisfied closes the complaint and writes its report into the customer's record."""
    command = RecordFollowUp(
        satisfied=body.satisfied,
        channel=body.channel,
        handled_by=identity.user_id,
        followed_up_at=complaints_of(request).now(),
        back_to=body.back_to,
        customer_words=body.customer_words,
        report_summary=body.report_summary,
    )
    return await _run(request, identity, site_id, complaint_id, command)
