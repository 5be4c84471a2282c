"""The followup HTTP API. A command route parses its body (which builds the domain command),
authorises with one dependency (`Agent`, `Supervisor`) and runs the command with
`events.commands.execute` — or, where it needs more (a queue reassigned callback by callback, a
campaign planned from the files it names), with the use case of `handlers.py`. A query route
checks the site, then reads the aggregate or a read model's query (`projections.py`).

Paths are relative to a site (`/sites/{site_id}/...`); the gateway serves them under `/api/v1`
(resources `callbacks`, `customer-files`, `campaigns`, `reports`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import Response

from events.catalog.reception_values import Contact
from events.commands import load
from events.errors import DomainError
from events.http import Actor, CurrentIdentity, SiteId, acting, site_tenant
from events.identity import ADVISOR, CS_AGENT, GROUP_ADMIN, SERVICE_MANAGER, SYSTEM, Forbidden, Identity
from events.openapi import refusals
from events.paging import DEFAULT_LIMIT, LIST_RESPONSES, Cursor, Limit, answer
from events.privacy import WITHHELD, personal_view, sees_personal_data
from events.runtime import now, store_of
from followup import projections
from followup.domain.callback import callback
from followup.domain.callback import stream_id as callback_stream
from followup.domain.campaign import campaign
from followup.domain.campaign import stream_id as campaign_stream
from followup.domain.commands import CallbackCommand, CampaignCommand, CustomerFileCommand, GiveUp, TellAnswer
from followup.domain.customer_file import customer_file
from followup.domain.customer_file import stream_id as file_stream
from followup.examples import ANSWER_EXAMPLES, ATTEMPT_EXAMPLES, CAMPAIGN_EXAMPLES
from followup.handlers import Followup, keep_callback_clocks, keep_campaign_clocks
from followup.proposal_links import with_links
from followup.reports import DEFAULT_TZ, csi_rows, to_csv
from followup.schemas import (
    AnswerBody,
    AssignBody,
    AttemptBody,
    CallbackView,
    CallBody,
    CampaignBody,
    CampaignCallBody,
    CampaignLetterBody,
    CampaignView,
    CsiReport,
    DeadlineAlert,
    FileRow,
    FileView,
    FileWithLog,
    LetterBody,
    LogEntry,
    NoteBody,
    QueueRow,
    ReasonBody,
    Reassigned,
    ReassignQueueBody,
    TargetView,
    WishBody,
    callback_view,
    campaign_view,
    file_view,
    queue_row,
)

router = APIRouter(tags=["followup"])

CallbackId = Annotated[UUID, Path(description="the callback id")]
FileId = Annotated[UUID, Path(description="the customer file id (the vehicle user's)")]
CampaignId = Annotated[UUID, Path(description="the campaign id")]

AGENTS = (CS_AGENT, SERVICE_MANAGER)
SUPERVISORS = (SERVICE_MANAGER,)
READERS = (CS_AGENT, SERVICE_MANAGER, ADVISOR, SYSTEM)
REPORT_READERS = (CS_AGENT, SERVICE_MANAGER, SYSTEM)

Agent = Annotated[Actor, acting(*AGENTS)]
Supervisor = Annotated[Actor, acting(*SUPERVISORS)]

# Every command on one record takes `If-Match`, so every one can meet a record changed since;
# any text the domain requires may be blank once trimmed. A callback that was skipped (do-not-call)
# was never opened; one completed, refused, given up or cancelled takes nothing more.
CONFLICT = "concurrency_conflict"
TEXT = "missing_information"
CALLBACK = ("no_callback", TEXT, CONFLICT)
OPEN_CALLBACK = ("callback_closed", *CALLBACK)
CAMPAIGN_TARGET = ("not_a_campaign_target", "campaign_refused", TEXT, CONFLICT)


# Personal fields of the answers (decision 0004): only for the roles that talk to the customer,
# each read recorded against the customer's file; a machine client (`system`) gets `[withheld]`.
SUBJECT = "file_id"
_CONTACT = ("name", "phone")  # of a `Contact`, and of a file in the list
_QUEUED = ("contact_name", "phone")
_LOGGED = ("phone",)
_TARGET = ("name",)


class UnknownTimeZone(DomainError):
    code = "unknown_time_zone"


def followup_of(request: Request) -> Followup:
    followup: Followup = request.app.state.followup
    return followup


async def _shown(
    request: Request, identity: Identity, rows: Sequence[dict[str, Any]], fields: Sequence[str]
) -> list[dict[str, Any]]:
    """Rows (each with its `file_id`) as `identity` may see them, the reader's look recorded."""
    return await personal_view(request.app.state.runtime.pool, identity, request, rows, fields=fields, subject=SUBJECT)


async def _seen(request: Request, identity: Identity, file_ids: Iterable[UUID]) -> bool:
    """Whether `identity` may see the customers of a record that nests them; a reader's look at
    each file is recorded."""
    await _shown(request, identity, [{SUBJECT: file_id} for file_id in file_ids], fields=())
    return sees_personal_data(identity)


def _withheld(contact: Contact | None) -> Contact | None:
    return None if contact is None else contact.model_copy(update=dict.fromkeys(_CONTACT, WITHHELD))


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimeZone(f"unknown time zone {name!r}") from None


async def _callback(request: Request, callback_id: UUID, command: CallbackCommand, by: Actor) -> CallbackView:
    outcome = await by.run(
        store_of(request), callback, callback_stream(callback_id), command, after_append=keep_callback_clocks
    )
    return callback_view(outcome.state, outcome.version, now(request))


async def _file(request: Request, file_id: UUID, command: CustomerFileCommand, by: Actor) -> FileView:
    outcome = await by.run(store_of(request), customer_file, file_stream(file_id), command)
    return file_view(outcome.state, outcome.version)


async def _campaign(request: Request, campaign_id: UUID, command: CampaignCommand, by: Actor) -> CampaignView:
    linked = with_links(campaign, by.tenant.site_id)  # a reached customer's proposal carries its link
    outcome = await by.run(
        store_of(request), linked, campaign_stream(campaign_id), command, after_append=keep_campaign_clocks
    )
    return campaign_view(outcome.state, outcome.version)


# --- the callback queue ---------------------------------------------------------------------


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
) -> list[QueueRow]:
    """The site's callbacks, earliest due first: attempts so far, next attempt, overdue and
    escalation flags as of now. `agent=unassigned` lists the callbacks nobody has taken."""
    tenant = site_tenant(identity, site_id, READERS)
    zone, at = _zone(tz), now(request)
    until = datetime.combine(due_by + timedelta(days=1), time(), zone) if due_by else None
    end_of_today = datetime.combine(at.astimezone(zone).date() + timedelta(days=1), time(), zone)
    window, rows = await projections.callback_queue(
        request.app.state.runtime.pool,
        tenant,
        agent=agent,
        status=status,
        due_before=until,
        cursor=cursor,
        limit=limit,
    )
    listed = [dict(row) for row in answer(window, rows, request, response)]
    return [queue_row(row, at, end_of_today) for row in await _shown(request, identity, listed, _QUEUED)]


@router.get("/sites/{site_id}/callbacks/alerts")
async def deadline_alerts(
    site_id: SiteId, identity: CurrentIdentity, request: Request, include_resolved: bool = False
) -> list[DeadlineAlert]:
    """Deadlines missed: questions not answered within 2 days, campaign letters not sent in time."""
    tenant = site_tenant(identity, site_id, READERS)
    rows = await projections.deadline_alerts(request.app.state.runtime.pool, tenant, include_resolved=include_resolved)
    return [DeadlineAlert.model_validate(dict(row)) for row in rows]


@router.post("/sites/{site_id}/callbacks/reassign", responses=refusals("callback_closed", TEXT, not_found=False))
async def reassign_queue(body: ReassignQueueBody, request: Request, by: Supervisor) -> Reassigned:
    """The supervisor gives an absent agent's open callbacks to another agent (`If-Match` does not
    apply: many callbacks move)."""
    moved = await followup_of(request).reassign_queue(by.metadata, body.from_agent, body.to_agent, body.reason)
    return Reassigned(reassigned=moved, to_agent=body.to_agent)


@router.get("/sites/{site_id}/callbacks/{callback_id}", responses=refusals())
async def get_callback(
    site_id: SiteId, callback_id: CallbackId, identity: CurrentIdentity, request: Request
) -> CallbackView:
    tenant = site_tenant(identity, site_id, READERS)
    state, version = await load(store_of(request), callback, callback_stream(callback_id), tenant)
    view = callback_view(state, version, now(request))
    if await _seen(request, identity, [view.file_id]):
        return view
    return view.model_copy(update={"contact": _withheld(view.contact)})


@router.post("/sites/{site_id}/callbacks/{callback_id}/assign", responses=refusals(*OPEN_CALLBACK))
async def assign(callback_id: CallbackId, body: AssignBody, request: Request, by: Agent) -> CallbackView:
    """An agent takes a queued callback; only a service manager assigns to someone else or
    takes a callback away from its agent."""
    command = body.command(by.identity.user_id, now(request))
    state, _ = await load(store_of(request), callback, callback_stream(callback_id), by.tenant)
    if command.agent != by.identity.user_id or (state.agent is not None and state.agent != command.agent):
        by.identity.require_role(*SUPERVISORS)
    return await _callback(request, callback_id, command, by)


@router.post(
    "/sites/{site_id}/callbacks/{callback_id}/attempts",
    status_code=201,
    responses=refusals(
        "callback_not_due", "call_me_later_in_past", "score_out_of_range", "time_out_of_order", *OPEN_CALLBACK
    ),
)
async def record_attempt(
    callback_id: CallbackId,
    body: Annotated[AttemptBody, Body(openapi_examples=ATTEMPT_EXAMPLES)],
    request: Request,
    by: Agent,
) -> CallbackView:
    """One call: unreachable (retried in 2 h), call me later at …, refused (an SMS goes out), or
    reached with the script's answers (a dissatisfied customer opens a complaint)."""
    return await _callback(request, callback_id, body.command(by.identity.user_id, now(request)), by)


@router.post(
    "/sites/{site_id}/callbacks/{callback_id}/give-up",
    responses=refusals("too_few_attempts", "time_out_of_order", *OPEN_CALLBACK),
)
async def give_up(callback_id: CallbackId, request: Request, by: Agent) -> CallbackView:
    """Unreachable after at least 3 attempts: a note goes to the file for the next visit."""
    return await _callback(request, callback_id, GiveUp(by.identity.user_id, now(request)), by)


@router.post(
    "/sites/{site_id}/callbacks/{callback_id}/answer",
    responses=refusals("no_open_question", "answer_deadline_invalid", "unknown_time_zone", *CALLBACK),
)
async def answer_question(
    callback_id: CallbackId,
    body: Annotated[AnswerBody, Body(openapi_examples=ANSWER_EXAMPLES)],
    request: Request,
    by: Supervisor,
    tz: str = DEFAULT_TZ,
) -> CallbackView:
    """The supervisor's solution to an escalated question; the customer is told the same day."""
    return await _callback(request, callback_id, body.command(by.identity.user_id, now(request), _zone(tz)), by)


@router.post("/sites/{site_id}/callbacks/{callback_id}/answer-given", responses=refusals("no_open_question", *CALLBACK))
async def answer_given(callback_id: CallbackId, request: Request, by: Agent) -> CallbackView:
    return await _callback(request, callback_id, TellAnswer(by.identity.user_id, now(request)), by)


# --- customer files -------------------------------------------------------------------------


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
) -> list[FileRow]:
    tenant = site_tenant(identity, site_id, READERS)
    window, rows = await projections.customer_files(
        request.app.state.runtime.pool, tenant, phone=phone, plate=plate, name=name, cursor=cursor, limit=limit
    )
    listed = [dict(row) for row in answer(window, rows, request, response)]
    return [FileRow.model_validate(row) for row in await _shown(request, identity, listed, _CONTACT)]


@router.get("/sites/{site_id}/customer-files/{file_id}", responses=refusals())
async def get_file(site_id: SiteId, file_id: FileId, identity: CurrentIdentity, request: Request) -> FileWithLog:
    """The customer's record: visits, notes for the next visit, wishes, do-not-call, the call and letter log."""
    tenant = site_tenant(identity, site_id, READERS)
    state, version = await load(store_of(request), customer_file, file_stream(file_id), tenant)
    log = await projections.contact_log(request.app.state.runtime.pool, tenant, file_id)
    view = FileWithLog(**dict(file_view(state, version)), log=[LogEntry.model_validate(dict(row)) for row in log])
    if await _seen(request, identity, [file_id]):
        return view
    visits = [visit.model_copy(update={"owner": _withheld(visit.owner)}) for visit in view.visits]
    calls = [entry.model_copy(update={"phone": WITHHELD}) if entry.phone is not None else entry for entry in view.log]
    return view.model_copy(update={"contact": _withheld(view.contact), "visits": visits, "log": calls})


@router.get("/sites/{site_id}/customer-files/{file_id}/log", responses=refusals())
async def file_log(site_id: SiteId, file_id: FileId, identity: CurrentIdentity, request: Request) -> list[LogEntry]:
    tenant = site_tenant(identity, site_id, READERS)
    await load(store_of(request), customer_file, file_stream(file_id), tenant)  # 404 for an unknown or foreign file
    log = await projections.contact_log(request.app.state.runtime.pool, tenant, file_id)
    entries = [{**dict(row), SUBJECT: file_id} for row in log]
    return [LogEntry.model_validate(row) for row in await _shown(request, identity, entries, _LOGGED)]


@router.post("/sites/{site_id}/customer-files/{file_id}/do-not-call", responses=refusals(TEXT, CONFLICT))
async def set_do_not_call(file_id: FileId, body: ReasonBody, request: Request, by: Agent) -> FileView:
    """No callbacks, reminders or campaign calls from now on; open callbacks are cancelled."""
    return await _file(request, file_id, body.do_not_call(by.identity.user_id, now(request)), by)


@router.post("/sites/{site_id}/customer-files/{file_id}/do-not-call/clear", responses=refusals(TEXT, CONFLICT))
async def clear_do_not_call(file_id: FileId, body: ReasonBody, request: Request, by: Agent) -> FileView:
    return await _file(request, file_id, body.clear_do_not_call(by.identity.user_id, now(request)), by)


@router.post("/sites/{site_id}/customer-files/{file_id}/wishes", status_code=201, responses=refusals(TEXT, CONFLICT))
async def record_wish(file_id: FileId, body: WishBody, request: Request, by: Agent) -> FileView:
    return await _file(request, file_id, body.command(by.identity.user_id, now(request)), by)


@router.post("/sites/{site_id}/customer-files/{file_id}/notes", status_code=201, responses=refusals(TEXT, CONFLICT))
async def add_note(file_id: FileId, body: NoteBody, request: Request, by: Agent) -> FileView:
    return await _file(request, file_id, body.command(by.identity.user_id, now(request)), by)


@router.post(
    "/sites/{site_id}/customer-files/{file_id}/calls",
    status_code=201,
    responses=refusals("do_not_call", TEXT, CONFLICT),
)
async def log_call(file_id: FileId, body: CallBody, request: Request, by: Agent) -> FileView:
    """A call outside a callback, inbound or outbound; the phone defaults to the file's."""
    return await _file(request, file_id, body.command(by.identity.user_id, now(request)), by)


@router.post("/sites/{site_id}/customer-files/{file_id}/letters", status_code=201, responses=refusals(TEXT, CONFLICT))
async def log_letter(file_id: FileId, body: LetterBody, request: Request, by: Agent) -> FileView:
    return await _file(request, file_id, body.command(by.identity.user_id, now(request)), by)


# --- campaigns ------------------------------------------------------------------------------


@router.post(
    "/sites/{site_id}/campaigns",
    status_code=201,
    responses=refusals("time_out_of_order", "campaign_notice_too_short", TEXT, CONFLICT),  # 404: a file it names
)
async def plan_campaign(
    body: Annotated[CampaignBody, Body(openapi_examples=CAMPAIGN_EXAMPLES)], request: Request, by: Supervisor
) -> CampaignView:
    """Customers are called 2 weeks ahead, then written to within 2 days (do-not-call: letter only).
    A start less than two weeks away is refused (`campaign_notice_too_short`) unless
    `override_reason` says why (recorded on the plan)."""
    campaign_id, at = uuid4(), now(request)
    outcome = await followup_of(request).plan_campaign(
        by.metadata,
        campaign_id,
        lambda targets: body.command(campaign_id, targets, by.identity.user_id, at),
        file_ids=body.file_ids,
        expected_version=by.expected_version,
    )
    return campaign_view(outcome.state, outcome.version)


@router.get("/sites/{site_id}/campaigns/{campaign_id}", responses=refusals())
async def get_campaign(
    site_id: SiteId, campaign_id: CampaignId, identity: CurrentIdentity, request: Request
) -> CampaignView:
    tenant = site_tenant(identity, site_id, READERS)
    state, version = await load(store_of(request), campaign, campaign_stream(campaign_id), tenant)
    view = campaign_view(state, version)
    targets = await _shown(request, identity, [target.model_dump() for target in view.targets], _TARGET)
    return view.model_copy(update={"targets": [TargetView.model_validate(target) for target in targets]})


@router.post(
    "/sites/{site_id}/campaigns/{campaign_id}/calls",
    status_code=201,
    responses=refusals("do_not_call", *CAMPAIGN_TARGET),
)
async def campaign_call(campaign_id: CampaignId, body: CampaignCallBody, request: Request, by: Agent) -> CampaignView:
    return await _campaign(request, campaign_id, body.command(by.identity.user_id, now(request)), by)


@router.post("/sites/{site_id}/campaigns/{campaign_id}/letters", status_code=201, responses=refusals(*CAMPAIGN_TARGET))
async def campaign_letter(
    campaign_id: CampaignId, body: CampaignLetterBody, request: Request, by: Agent
) -> CampaignView:
    return await _campaign(request, campaign_id, body.command(by.identity.user_id, now(request)), by)


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
    first = since or _default_start(now(request).astimezone(zone).date(), period)
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


@router.get("/sites/{site_id}/reports/csi", responses=refusals("unknown_time_zone", not_found=False))
async def csi_report(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    period: Period = "week",
    since: Since = None,
    scope: Scope = "site",
    tz: str = DEFAULT_TZ,
) -> CsiReport:
    """Callback reach within 72 h, satisfaction, dissatisfaction categories, complaints and the
    operational KPIs per week, month or year."""
    rows = await _report(request, identity, site_id, period, since, scope, tz)
    return CsiReport(scope=scope, period=period, time_zone=tz, rows=rows)


@router.get(
    "/sites/{site_id}/reports/csi.csv",
    responses={
        200: {"content": {"text/csv": {}}, "description": "the same rows as CSV"},
        **refusals("unknown_time_zone", not_found=False),
    },
)
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
