"""The followup HTTP API: parse, authorise, call a use case, answer with the new state.

Paths are relative to a site (`/sites/{site_id}/...`); the gateway serves them under `/api/v1`
(resources `callbacks`, `customer-files`, `campaigns`, `reports`).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from events.catalog.followup_values import CampaignTarget
from events.envelope import Tenant
from events.errors import DomainError
from events.http import CurrentIdentity, SiteId, command_metadata, site_tenant
from events.identity import ADVISOR, CS_AGENT, GROUP_ADMIN, SERVICE_MANAGER, SYSTEM, Forbidden, Identity
from events.paging import DEFAULT_LIMIT, LIST_RESPONSES, Cursor, Key, Limit, Listing, answer
from followup.domain.callback_state import OPEN
from followup.domain.commands import (
    AddNextVisitNote,
    AnswerQuestion,
    AssignCallback,
    CallbackCommand,
    ClearDoNotCall,
    CustomerFileCommand,
    GiveUp,
    LogCall,
    LogLetter,
    PlanCampaign,
    RecordAttempt,
    RecordCampaignCall,
    RecordCampaignLetter,
    RecordWish,
    SetDoNotCall,
    TellAnswer,
)
from followup.handlers import Followup
from followup.reports import DEFAULT_TZ, csi_rows, to_csv
from followup.schemas import (
    AnswerBody,
    AssignBody,
    AttemptBody,
    CallBody,
    CampaignBody,
    CampaignCallBody,
    CampaignLetterBody,
    LetterBody,
    NoteBody,
    ReasonBody,
    ReassignQueueBody,
    WishBody,
    callback_view,
    campaign_view,
    file_view,
)

router = APIRouter(tags=["followup"])

CallbackId = Annotated[UUID, Path(description="the callback id")]
FileId = Annotated[UUID, Path(description="the customer file id (the vehicle user's)")]
CampaignId = Annotated[UUID, Path(description="the campaign id")]

AGENTS = (CS_AGENT, SERVICE_MANAGER)
SUPERVISORS = (SERVICE_MANAGER,)
READERS = (CS_AGENT, SERVICE_MANAGER, ADVISOR, SYSTEM)
REPORT_READERS = (CS_AGENT, SERVICE_MANAGER, SYSTEM)


class UnknownTimeZone(DomainError):
    code = "unknown_time_zone"


def followup_of(request: Request) -> Followup:
    followup: Followup = request.app.state.followup
    return followup


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimeZone(f"unknown time zone {name!r}") from None


async def _callback(
    request: Request, identity: Identity, site_id: UUID, callback_id: UUID, command: CallbackCommand
) -> dict[str, Any]:
    identity.require_role(*AGENTS)
    followup = followup_of(request)
    outcome = await followup.callback(command_metadata(identity, str(site_id), request), callback_id, command)
    return callback_view(outcome.state, outcome.version, followup.now())


async def _file(
    request: Request, identity: Identity, site_id: UUID, file_id: UUID, command: CustomerFileCommand
) -> dict[str, Any]:
    identity.require_role(*AGENTS)
    outcome = await followup_of(request).file(command_metadata(identity, str(site_id), request), file_id, command)
    return file_view(outcome.state, outcome.version)


# --- the callback queue ---------------------------------------------------------------------


QUEUE = Listing(
    "followup.callbacks",
    (Key("due_at", datetime, nulls_first=False), Key("callback_id", UUID, nullable=False)),
)


@router.get("/sites/{site_id}/callbacks", responses=LIST_RESPONSES)
async def callback_queue(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    response: Response,
    agent: str | None = None,
    status: str | None = None,
    due_by: Annotated[date | None, Query(description="due on or before this day (site time)")] = None,
    tz: str = DEFAULT_TZ,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> list[dict[str, Any]]:
    """The site's callbacks, earliest due first: attempts so far, next attempt, overdue and
    escalation flags as of now. `agent=unassigned` lists the callbacks nobody has taken."""
    tenant = site_tenant(identity, site_id, READERS)
    zone, now = _zone(tz), followup_of(request).now()
    until = datetime.combine(due_by + timedelta(days=1), time(), zone) if due_by else None
    end_of_today = datetime.combine(now.astimezone(zone).date() + timedelta(days=1), time(), zone)
    window = QUEUE.window(cursor, limit, first=6)
    rows = await request.app.state.runtime.pool.fetch(
        f"""SELECT * FROM callback_queue
           WHERE group_id = $1 AND site_id = $2 AND ($3::text IS NULL OR status = $3)
             AND ($4::text IS NULL OR agent = $4 OR ($4 = 'unassigned' AND agent IS NULL))
             AND ($5::timestamptz IS NULL OR due_at < $5) AND {window.after}
           {window.order}""",
        tenant.group_id,
        tenant.site_id,
        status,
        agent,
        until,
        *window.params,
    )
    return [_queue_row(dict(row), now, end_of_today) for row in answer(window, rows, request, response)]


def _queue_row(row: dict[str, Any], now: datetime, end_of_today: datetime) -> dict[str, Any]:
    is_open = row["status"] == OPEN
    row["due_today"] = is_open and row["opens_at"] is not None and row["opens_at"] < end_of_today
    row["overdue_now"] = is_open and (
        row["overdue"] or (row["hard_limit_at"] is not None and now > row["hard_limit_at"])
    )
    row["escalation_open"] = bool(row["question"]) and row["answered_at"] is None
    row["escalation_overdue"] = row["escalation_open"] and row["escalate_by"] is not None and now > row["escalate_by"]
    return {k: (str(v) if isinstance(v, UUID) else v) for k, v in row.items()}


@router.get("/sites/{site_id}/callbacks/alerts")
async def deadline_alerts(
    site_id: SiteId, identity: CurrentIdentity, request: Request, include_resolved: bool = False
) -> list[dict[str, Any]]:
    """Deadlines missed: questions not answered within 2 days, campaign letters not sent in time."""
    tenant = site_tenant(identity, site_id, READERS)
    rows = await request.app.state.runtime.pool.fetch(
        """SELECT * FROM deadline_alerts WHERE group_id = $1 AND site_id = $2 AND ($3 OR resolved_at IS NULL)
           ORDER BY due_at""",
        tenant.group_id,
        tenant.site_id,
        include_resolved,
    )
    return [{k: (str(v) if isinstance(v, UUID) else v) for k, v in dict(row).items()} for row in rows]


@router.post("/sites/{site_id}/callbacks/reassign")
async def reassign_queue(
    site_id: SiteId, body: ReassignQueueBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    """The supervisor gives an absent agent's open callbacks to another agent."""
    identity.require_role(*SUPERVISORS)
    tenant = site_tenant(identity, site_id, READERS)
    followup = followup_of(request)
    rows = await request.app.state.runtime.pool.fetch(
        """SELECT callback_id FROM callback_queue
           WHERE group_id = $1 AND site_id = $2 AND agent = $3 AND status = 'open' ORDER BY callback_id""",
        tenant.group_id,
        tenant.site_id,
        body.from_agent,
    )
    metadata = command_metadata(identity, str(site_id), request)
    moved = []
    for row in rows:
        command = AssignCallback(body.to_agent, identity.user_id, followup.now(), body.reason)
        outcome = await followup.callback(metadata, row["callback_id"], command)
        if outcome.recorded:
            moved.append(str(row["callback_id"]))
    return {"reassigned": moved, "to_agent": body.to_agent}


@router.get("/sites/{site_id}/callbacks/{callback_id}")
async def get_callback(
    site_id: SiteId, callback_id: CallbackId, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    followup = followup_of(request)
    state, version = await followup.callback_state(site_tenant(identity, site_id, READERS), callback_id)
    return callback_view(state, version, followup.now())


@router.post("/sites/{site_id}/callbacks/{callback_id}/assign")
async def assign(
    site_id: SiteId, callback_id: CallbackId, body: AssignBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    """An agent takes a queued callback; only a service manager assigns to someone else or
    takes a callback away from its agent."""
    identity.require_role(*AGENTS)  # the door before the room: no 404 to someone who may never assign
    followup = followup_of(request)
    agent = body.agent or identity.user_id
    state, _ = await followup.callback_state(site_tenant(identity, site_id, READERS), callback_id)
    if agent != identity.user_id or (state.agent is not None and state.agent != agent):
        identity.require_role(*SUPERVISORS)
    command = AssignCallback(agent, identity.user_id, followup.now(), body.reason)
    return await _callback(request, identity, site_id, callback_id, command)


@router.post("/sites/{site_id}/callbacks/{callback_id}/attempts", status_code=201)
async def record_attempt(
    site_id: SiteId, callback_id: CallbackId, body: AttemptBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    """One call: unreachable (retried in 2 h), call me later at …, refused (an SMS goes out), or
    reached with the script's answers (a dissatisfied customer opens a complaint)."""
    command = RecordAttempt(
        agent=identity.user_id,
        outcome=body.outcome,
        attempted_at=followup_of(request).now(),
        direction=body.direction,
        call_me_later_at=body.call_me_later_at,
        answers=body.answers.answers() if body.answers else None,
        note=body.note,
    )
    return await _callback(request, identity, site_id, callback_id, command)


@router.post("/sites/{site_id}/callbacks/{callback_id}/give-up")
async def give_up(
    site_id: SiteId, callback_id: CallbackId, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    """Unreachable after at least 3 attempts: a note goes to the file for the next visit."""
    command = GiveUp(identity.user_id, followup_of(request).now())
    return await _callback(request, identity, site_id, callback_id, command)


@router.post("/sites/{site_id}/callbacks/{callback_id}/answer")
async def answer_question(
    site_id: SiteId,
    callback_id: CallbackId,
    body: AnswerBody,
    identity: CurrentIdentity,
    request: Request,
    tz: str = DEFAULT_TZ,
) -> dict[str, Any]:
    """The supervisor's solution to an escalated question; the customer is told the same day."""
    identity.require_role(*SUPERVISORS)
    now = followup_of(request).now()
    local = now.astimezone(_zone(tz))
    tell_by = body.tell_customer_by or datetime.combine(local.date() + timedelta(days=1), time(), local.tzinfo)
    command = AnswerQuestion(body.answer, identity.user_id, tell_by, now)
    return await _callback(request, identity, site_id, callback_id, command)


@router.post("/sites/{site_id}/callbacks/{callback_id}/answer-given")
async def answer_given(
    site_id: SiteId, callback_id: CallbackId, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    command = TellAnswer(identity.user_id, followup_of(request).now())
    return await _callback(request, identity, site_id, callback_id, command)


# --- customer files -------------------------------------------------------------------------


FILES = Listing(
    "followup.customer_files",
    (
        Key("last_visit_at", datetime, descending=True, nulls_first=False, sql="f.last_visit_at"),
        Key("file_id", UUID, nullable=False, sql="f.file_id"),
    ),
)


@router.get("/sites/{site_id}/customer-files", responses=LIST_RESPONSES)
async def list_files(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    response: Response,
    phone: str | None = None,
    plate: str | None = None,
    name: str | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> list[dict[str, Any]]:
    tenant = site_tenant(identity, site_id, READERS)
    window = FILES.window(cursor, limit, first=6)
    rows = await request.app.state.runtime.pool.fetch(
        f"""SELECT f.* FROM customer_files f
           WHERE f.group_id = $1 AND f.site_id = $2 AND ($3::text IS NULL OR f.phone = $3)
             AND ($4::text IS NULL OR EXISTS (
                 SELECT 1 FROM customer_file_visits v WHERE v.file_id = f.file_id AND v.plate = $4))
             AND ($5::text IS NULL OR f.name ILIKE '%' || $5 || '%') AND {window.after}
           {window.order}""",
        tenant.group_id,
        tenant.site_id,
        phone,
        plate,
        name,
        *window.params,
    )
    shown = answer(window, rows, request, response)
    return [{k: (str(v) if isinstance(v, UUID) else v) for k, v in dict(row).items()} for row in shown]


async def _log(request: Request, tenant: Tenant, file_id: UUID) -> list[dict[str, Any]]:
    rows = await request.app.state.runtime.pool.fetch(
        """SELECT entry_id, channel, direction, purpose, outcome, agent, phone, summary, callback_id, campaign_id,
                  repair_order_id, site_id, at
           FROM contact_log WHERE group_id = $1 AND file_id = $2 ORDER BY at, seq""",
        tenant.group_id,
        file_id,
    )
    return [{k: (str(v) if isinstance(v, UUID) else v) for k, v in dict(row).items()} for row in rows]


@router.get("/sites/{site_id}/customer-files/{file_id}")
async def get_file(site_id: SiteId, file_id: FileId, identity: CurrentIdentity, request: Request) -> dict[str, Any]:
    """The customer's record: visits, notes for the next visit, wishes, do-not-call, the call and letter log."""
    tenant = site_tenant(identity, site_id, READERS)
    state, version = await followup_of(request).file_state(tenant, file_id)
    return {**file_view(state, version), "log": await _log(request, tenant, file_id)}


@router.get("/sites/{site_id}/customer-files/{file_id}/log")
async def file_log(
    site_id: SiteId, file_id: FileId, identity: CurrentIdentity, request: Request
) -> list[dict[str, Any]]:
    tenant = site_tenant(identity, site_id, READERS)
    await followup_of(request).file_state(tenant, file_id)  # 404 for an unknown or foreign file
    return await _log(request, tenant, file_id)


@router.post("/sites/{site_id}/customer-files/{file_id}/do-not-call")
async def set_do_not_call(
    site_id: SiteId, file_id: FileId, body: ReasonBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    """No callbacks, reminders or campaign calls from now on; open callbacks are cancelled."""
    command = SetDoNotCall(identity.user_id, body.reason, followup_of(request).now())
    return await _file(request, identity, site_id, file_id, command)


@router.post("/sites/{site_id}/customer-files/{file_id}/do-not-call/clear")
async def clear_do_not_call(
    site_id: SiteId, file_id: FileId, body: ReasonBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    command = ClearDoNotCall(identity.user_id, body.reason, followup_of(request).now())
    return await _file(request, identity, site_id, file_id, command)


@router.post("/sites/{site_id}/customer-files/{file_id}/wishes", status_code=201)
async def record_wish(
    site_id: SiteId, file_id: FileId, body: WishBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    command = RecordWish(body.wish, identity.user_id, followup_of(request).now())
    return await _file(request, identity, site_id, file_id, command)


@router.post("/sites/{site_id}/customer-files/{file_id}/notes", status_code=201)
async def add_note(
    site_id: SiteId, file_id: FileId, body: NoteBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    command = AddNextVisitNote(body.note, "agent", identity.user_id, followup_of(request).now())
    return await _file(request, identity, site_id, file_id, command)


@router.post("/sites/{site_id}/customer-files/{file_id}/calls", status_code=201)
async def log_call(
    site_id: SiteId, file_id: FileId, body: CallBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    """A call outside a callback, inbound or outbound; the phone defaults to the file's."""
    identity.require_role(*AGENTS)  # before the file is read, as for every other write
    followup = followup_of(request)
    state, _ = await followup.file_state(site_tenant(identity, site_id, READERS), file_id)
    phone = body.phone or (state.contact.phone if state.contact else "")
    command = LogCall(
        body.direction, body.purpose, phone, identity.user_id, body.summary, followup.now(), body.repair_order_id
    )
    return await _file(request, identity, site_id, file_id, command)


@router.post("/sites/{site_id}/customer-files/{file_id}/letters", status_code=201)
async def log_letter(
    site_id: SiteId, file_id: FileId, body: LetterBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    command = LogLetter(body.letter_kind, body.subject, identity.user_id, followup_of(request).now(), body.campaign_id)
    return await _file(request, identity, site_id, file_id, command)


# --- campaigns ------------------------------------------------------------------------------


@router.post("/sites/{site_id}/campaigns", status_code=201)
async def plan_campaign(
    site_id: SiteId, body: CampaignBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    """Customers are called 2 weeks ahead, then written to within 2 days (do-not-call: letter only)."""
    identity.require_role(*SUPERVISORS)
    tenant = site_tenant(identity, site_id, READERS)
    followup = followup_of(request)
    targets = []
    for file_id in dict.fromkeys(body.file_ids):
        state, _ = await followup.file_state(tenant, file_id)
        assert state.contact is not None
        latest = max(state.visits.values(), key=lambda v: v.visited_at)
        targets.append(
            CampaignTarget(
                file_id=file_id, contact=state.contact, vehicle=latest.vehicle, do_not_call=state.do_not_call
            )
        )
    campaign_id = uuid4()
    command = PlanCampaign(
        campaign_id, body.kind, body.title, body.starts_at, tuple(targets), identity.user_id, followup.now()
    )
    outcome = await followup.campaign(command_metadata(identity, str(site_id), request), campaign_id, command)
    return campaign_view(outcome.state, outcome.version)


@router.get("/sites/{site_id}/campaigns/{campaign_id}")
async def get_campaign(
    site_id: SiteId, campaign_id: CampaignId, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    state, version = await followup_of(request).campaign_state(site_tenant(identity, site_id, READERS), campaign_id)
    return campaign_view(state, version)


@router.post("/sites/{site_id}/campaigns/{campaign_id}/calls", status_code=201)
async def campaign_call(
    site_id: SiteId, campaign_id: CampaignId, body: CampaignCallBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    identity.require_role(*AGENTS)
    followup = followup_of(request)
    command = RecordCampaignCall(body.file_id, body.outcome, identity.user_id, followup.now(), body.wants_appointment)
    outcome = await followup.campaign(command_metadata(identity, str(site_id), request), campaign_id, command)
    return campaign_view(outcome.state, outcome.version)


@router.post("/sites/{site_id}/campaigns/{campaign_id}/letters", status_code=201)
async def campaign_letter(
    site_id: SiteId, campaign_id: CampaignId, body: CampaignLetterBody, identity: CurrentIdentity, request: Request
) -> dict[str, Any]:
    identity.require_role(*AGENTS)
    followup = followup_of(request)
    command = RecordCampaignLetter(body.file_id, body.letter_kind, identity.user_id, followup.now())
    outcome = await followup.campaign(command_metadata(identity, str(site_id), request), campaign_id, command)
    return campaign_view(outcome.state, outcome.version)


# --- CSI / VOC ------------------------------------------------------------------------------

Period = Annotated[Literal["week", "month", "year"], Query(description="ISO weeks, calendar months or calendar years")]
Scope = Annotated[Literal["site", "group"], Query(description="this site, or every site of the group you may see")]
Since = Annotated[
    date | None,
    Query(alias="from", description="first day counted (default: 12 weeks ago; for years, 1 January of last year)"),
]


async def _report(
    request: Request, identity: Identity, site_id: UUID, period: str, since: date | None, scope: str, tz: str
) -> list[dict[str, Any]]:
    tenant = site_tenant(identity, site_id, READERS)
    identity.require_role(*REPORT_READERS)
    zone = _zone(tz)
    first = since or _default_start(followup_of(request).now().astimezone(zone).date(), period)
    sites: list[str] | None = [tenant.site_id]
    if scope == "group":
        if not identity.roles & {SERVICE_MANAGER, GROUP_ADMIN}:
            raise Forbidden("the group's figures are for service managers and group administrators")
        sites = None if identity.all_sites else sorted(identity.site_ids)
    pool = request.app.state.runtime.pool
    return await csi_rows(
        pool, tenant.group_id, sites, scope == "group", period, datetime.combine(first, time(), zone), zone
    )


def _default_start(today: date, period: str) -> date:
    # A year-end summary is read in the first weeks of the new year: last year must be whole.
    if period == "year":
        return date(today.year - 1, 1, 1)
    return today - timedelta(weeks=12)


@router.get("/sites/{site_id}/reports/csi")
async def csi_report(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    period: Period = "week",
    since: Since = None,
    scope: Scope = "site",
    tz: str = DEFAULT_TZ,
) -> dict[str, Any]:
    """Callback reach within 72 h, satisfaction, dissatisfaction categories, complaints and the
    operational KPIs per week, month or year."""
    rows = await _report(request, identity, site_id, period, since, scope, tz)
    return {"scope": scope, "period": period, "time_zone": tz, "rows": rows}


@router.get("/sites/{site_id}/reports/csi.csv")
async def csi_report_csv(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    period: Period = "week",
    since: Since = None,
    scope: Scope = "site",
    tz: str = DEFAULT_TZ,
) -> Response:
    rows = await _report(request, identity, site_id, period, since, scope, tz)
    return Response(
        to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="csi-{scope}-{period}.csv"'},
    )
