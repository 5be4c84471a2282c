"""The contact queue's HTTP API (docs/reminders.md): the site's proposals for the CS agents,
the customer's answer, the failed messages a person follows up, and the reminder's link for
the customer (`/public/proposal-links/{token}`: no sign-in, the signed token is the only
credential — `events.links`, purpose `proposal`, subject the proposal id).

The gateway serves the site routes under `/api/v1` (resources `contact-queue`,
`failed-messages`) and the public ones under `/api/v1/public/proposal-links`.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from events.catalog.followup_proposals import ANSWERS, LINK_PURPOSE
from events.envelope import Metadata, Tenant
from events.errors import NotFound
from events.http import CurrentIdentity, SiteId, site_tenant
from events.link_refusals import LinkRefused, link_refusals, read_or_refuse, subject_id
from events.links import token_digest
from events.openapi import refusals
from events.runtime import now
from events.settings import load
from followup import contact_queue as queries
from followup.api import READERS, Agent
from followup.domain.proposal import Proposal
from followup.domain.proposal_commands import AnswerProposal, HandleFailedMessage
from followup.personal import shown
from followup.proposals import Proposals
from followup.reports import DEFAULT_TZ
from followup.settings import FollowupSettings
from followup.time_zones import parse_zone

router = APIRouter(tags=["followup"])

ProposalId = Annotated[UUID, Path(description="the appointment proposal's id")]
MessageId = Annotated[UUID, Path(description="the failed message's id (notifications')")]
ANSWER = ("no_proposal", "proposal_closed", "call_again_not_ahead", "invalid_code", "missing_information")
_QUEUED = ("contact_name", "phone")
LINK_ACTOR = "customer-link"


class QueueItem(BaseModel):
    proposal_id: UUID
    file_id: UUID
    reason: str
    contact_name: str
    phone: str
    plate: str
    vin: str
    model: str | None
    due_on: date | None
    campaign_id: UUID | None
    repair_order_id: UUID | None
    phone_allowed: bool
    status: str = Field(description="open, accepted (to book), later, declined, opted_out, booked")
    last_answer: str | None
    answered_by: str | None
    call_again_at: datetime | None
    appointment_id: UUID | None
    queued_at: datetime


class AnswerBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: str = Field(description=", ".join(ANSWERS))
    call_again_on: date | None = Field(default=None, description="with `later`: the day to call again (site time)")
    note: str = Field(default="", max_length=2000)


class PublicAnswerBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: Literal["book_now", "later", "not_interested", "opt_out"]
    call_again_on: date | None = None


class AnswerView(BaseModel):
    proposal_id: UUID
    status: str
    version: int


class FailedMessageView(BaseModel):
    message_id: UUID
    customer_id: UUID
    kind: str
    channel: str
    reference: str
    status: str
    reason: str
    failed_at: datetime
    handled_by: str | None
    handled_note: str | None
    handled_at: datetime | None


class HandledBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=2000)


class PublicProposal(BaseModel):
    """What the link's holder sees: their own name and car (to book it) and why, nothing else."""

    proposal_id: UUID
    site_id: str
    reason: str
    name: str
    plate: str
    vin: str
    model: str | None
    due_on: date | None
    status: str
    answers: list[str]


def proposals_of(request: Request) -> Proposals:
    proposals: Proposals = request.app.state.proposals
    return proposals


def _link_key() -> bytes:
    return load(FollowupSettings).link_key


def _answer_command(
    answer: str, via: str, by: str, at: datetime, zone: ZoneInfo, on: date | None, note: str = ""
) -> AnswerProposal:
    call_again_at = datetime.combine(on, time(9), zone) if on else None  # office hours at the site
    return AnswerProposal(
        answer, via, by, at, at.astimezone(zone).date(), call_again_on=on, call_again_at=call_again_at, note=note
    )


# --- the CS agents' queue -------------------------------------------------------------------


@router.get("/sites/{site_id}/contact-queue")
async def contact_queue(
    site_id: SiteId,
    identity: CurrentIdentity,
    request: Request,
    status: Annotated[list[str] | None, Query(description="default: open and accepted")] = None,
    due_by: Annotated[date | None, Query(description="due on or before this day")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[QueueItem]:
    """Proposals to call (maintenance due, declined work, campaign, recall), due first, then by reason."""
    tenant = site_tenant(identity, site_id, READERS)
    statuses = tuple(status) if status else queries.WAITING
    rows = await queries.contact_queue(
        request.app.state.runtime.pool, tenant, statuses=statuses, due_by=due_by, limit=limit
    )
    visible = await shown(request, identity, [dict(row) for row in rows], _QUEUED)
    return [QueueItem.model_validate(row) for row in visible]


@router.post(
    "/sites/{site_id}/contact-queue/{proposal_id}/answers",
    status_code=201,
    responses=refusals(*ANSWER, "unknown_time_zone", "concurrency_conflict"),
)
async def answer(
    proposal_id: ProposalId, body: AnswerBody, request: Request, by: Agent, tz: str = DEFAULT_TZ
) -> AnswerView:
    """The customer's answer on the phone: book now (then book through booking with the
    proposal), later (back in the queue on `call_again_on`), not interested, opt out."""
    command = _answer_command(
        body.answer, "agent", by.identity.user_id, now(request), parse_zone(tz), body.call_again_on, body.note
    )
    outcome = await proposals_of(request).proposal(
        by.metadata, proposal_id, command, expected_version=by.expected_version
    )
    return _answered(proposal_id, outcome.state, outcome.version)


def _answered(proposal_id: UUID, state: Proposal, version: int) -> AnswerView:
    return AnswerView(proposal_id=proposal_id, status=state.status, version=version)


@router.get("/sites/{site_id}/failed-messages")
async def failed_messages(
    site_id: SiteId, identity: CurrentIdentity, request: Request, include_handled: bool = False
) -> list[FailedMessageView]:
    """Messages that did not reach the customer (failed, bounced, refused, undeliverable), oldest
    first, until someone marks them handled."""
    tenant = site_tenant(identity, site_id, READERS)
    rows = await queries.failed_messages(request.app.state.runtime.pool, tenant, include_handled=include_handled)
    return [FailedMessageView.model_validate(dict(row)) for row in rows]


@router.post(
    "/sites/{site_id}/failed-messages/{message_id}/handled",
    responses=refusals("failed_message_handled", "missing_information"),
)
async def handle_failed(message_id: MessageId, body: HandledBody, request: Request, by: Agent) -> FailedMessageView:
    """Someone reached the customer another way (e.g. called them)."""
    pool = request.app.state.runtime.pool
    found = await queries.failed_message(pool, by.tenant, message_id)
    if found is None:
        raise NotFound("no such failed message at this site")
    command = HandleFailedMessage(message_id, by.identity.user_id, now(request), body.note)
    await proposals_of(request).handle_failed(by.metadata, command)
    # The list's read model follows a moment later: the answer says what was just recorded.
    view = FailedMessageView.model_validate(dict(found))
    return view.model_copy(
        update={
            "handled_by": command.handled_by,
            "handled_note": command.note.strip(),
            "handled_at": command.handled_at,
        }
    )


# --- the customer's link --------------------------------------------------------------------


async def _claimed(request: Request, token: str) -> tuple[Any, Tenant]:
    """The proposal a genuine link names, with its tenant; `LinkRefused` for any other."""
    claims = read_or_refuse(token, _link_key(), purpose=LINK_PURPOSE, now=now(request))
    row = await request.app.state.runtime.pool.fetchrow(
        "SELECT * FROM contact_queue WHERE proposal_id = $1 AND site_id = $2", subject_id(claims), claims.site_id
    )
    if row is None:
        raise LinkRefused("link_invalid")
    return row, Tenant(row["group_id"], row["site_id"])


@router.get("/public/proposal-links/{token}", responses=link_refusals())
async def public_proposal(token: str, request: Request) -> PublicProposal:
    """The proposal the reminder's link is for: the car, why and when."""
    row, tenant = await _claimed(request, token)
    return PublicProposal(
        proposal_id=row["proposal_id"],
        site_id=tenant.site_id,
        reason=row["reason"],
        name=row["contact_name"],
        plate=row["plate"],
        vin=row["vin"],
        model=row["model"],
        due_on=row["due_on"],
        status=row["status"],
        answers=list(ANSWERS),
    )


@router.post(
    "/public/proposal-links/{token}",
    status_code=201,
    responses=link_refusals("link_used", *ANSWER, "unknown_time_zone"),
)
async def public_answer(token: str, body: PublicAnswerBody, request: Request, tz: str = DEFAULT_TZ) -> AnswerView:
    """The customer's own answer, once per link. `book_now` is recorded; the portal then books a
    free slot through booking's self-booking with the proposal's id."""
    row, tenant = await _claimed(request, token)
    proposal_id: UUID = row["proposal_id"]
    at = now(request)
    command = _answer_command(body.answer, "link", LINK_ACTOR, at, parse_zone(tz), body.call_again_on)
    metadata = Metadata(tenant, LINK_ACTOR, str(uuid4()))
    pool = request.app.state.runtime.pool
    async with pool.acquire() as conn, conn.transaction():
        spent = await conn.fetchval(
            """INSERT INTO proposal_links_used (digest, proposal_id, used_at) VALUES ($1, $2, $3)
               ON CONFLICT (digest) DO NOTHING RETURNING digest""",
            token_digest(token),
            proposal_id,
            at,
        )
        if spent is None:
            raise LinkRefused("link_used")
        outcome = await proposals_of(request).proposal(metadata, proposal_id, command, conn=conn)
    return _answered(proposal_id, outcome.state, outcome.version)
