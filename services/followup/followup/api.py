"""The followup HTTP API: the callbacks — the site's queue, the supervisor's deadline alerts, an
agent's calls and the supervisor's answers — and who may use the service's routes (the roles the
route modules beside this one share: `customer_files_api`, `campaigns_api`,
`campaign_targets_api`, `contact_queue_api`, `csi_report`, `conversion_report`,
`productivity_api`).

A command route parses its body (which builds the domain command), authorises with one
dependency (`Agent`, `Supervisor`) and runs the command with `events.commands.execute` — or,
where it needs more (a queue reassigned callback by callback, a campaign planned from the files
it names), with the use case of `handlers.py`. A query route checks the site, then reads the
aggregate or a read model's query (`callback_queue.py`, `customer_files.py`, `contact_log.py`).

Paths are relative to a site (`/sites/{site_id}/...`); the gateway serves them under `/api/v1`
(resources `callbacks`, `customer-files`, `campaigns`, `reports`).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import Response

from events.commands import load
from events.http import Actor, CurrentIdentity, SiteId, acting, site_tenant
from events.identity import ADVISOR, CS_AGENT, SERVICE_MANAGER, SYSTEM
from events.openapi import refusals
from events.paging import DEFAULT_LIMIT, LIST_RESPONSES, Cursor, Limit, answer
from events.runtime import now, store_of
from followup import callback_queue as queries
from followup.domain.callback import callback
from followup.domain.callback import stream_id as callback_stream
from followup.domain.commands import CallbackCommand, GiveUp, TellAnswer
from followup.examples import ANSWER_EXAMPLES, ATTEMPT_EXAMPLES
from followup.handlers import Followup, keep_callback_clocks
from followup.personal import seen, shown, withheld
from followup.reports import DEFAULT_TZ
from followup.schemas import (
    AnswerBody,
    AssignBody,
    AttemptBody,
    CallbackView,
    DeadlineAlert,
    QueueRow,
    Reassigned,
    ReassignQueueBody,
    callback_view,
    queue_row,
)
from followup.time_zones import parse_zone

router = APIRouter(tags=["followup"])

CallbackId = Annotated[UUID, Path(description="the callback id")]

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

# The personal fields of a row of the queue (decision 0004; `personal.py`).
QUEUED = ("contact_name", "phone")


def followup_of(request: Request) -> Followup:
    followup: Followup = request.app.state.followup
    return followup


async def _callback(request: Request, callback_id: UUID, command: CallbackCommand, by: Actor) -> CallbackView:
    outcome = await by.run(
        store_of(request), callback, callback_stream(callback_id), command, after_append=keep_callback_clocks
    )
    return callback_view(outcome.state, outcome.version, now(request))


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
    zone, at = parse_zone(tz), now(request)
    until = datetime.combine(due_by + timedelta(days=1), time(), zone) if due_by else None
    end_of_today = datetime.combine(at.astimezone(zone).date() + timedelta(days=1), time(), zone)
    window, rows = await queries.callback_queue(
        request.app.state.runtime.pool,
        tenant,
        agent=agent,
        status=status,
        due_before=until,
        cursor=cursor,
        limit=limit,
    )
    listed = [dict(row) for row in answer(window, rows, request, response)]
    return [queue_row(row, at, end_of_today) for row in await shown(request, identity, listed, QUEUED)]


@router.get("/sites/{site_id}/callbacks/alerts")
async def deadline_alerts(
    site_id: SiteId, identity: CurrentIdentity, request: Request, include_resolved: bool = False
) -> list[DeadlineAlert]:
    """Deadlines missed: questions not answered within 2 days, campaign letters not sent in time."""
    tenant = site_tenant(identity, site_id, READERS)
    rows = await queries.deadline_alerts(request.app.state.runtime.pool, tenant, include_resolved=include_resolved)
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
    if await seen(request, identity, [view.file_id]):
        return view
    return view.model_copy(update={"contact": withheld(view.contact)})


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
    return await _callback(request, callback_id, body.command(by.identity.user_id, now(request), parse_zone(tz)), by)


@router.post("/sites/{site_id}/callbacks/{callback_id}/answer-given", responses=refusals("no_open_question", *CALLBACK))
async def answer_given(callback_id: CallbackId, request: Request, by: Agent) -> CallbackView:
    return await _callback(request, callback_id, TellAnswer(by.identity.user_id, now(request)), by)
