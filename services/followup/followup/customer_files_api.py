"""The customer files' routes: the site's list, the customer's record with its call and letter
log, and an agent's entries on it (do-not-call, wishes, notes for the next visit, calls and
letters outside a callback). Who may use them: `api.py`.

Paths are relative to a site; the gateway serves them under `/api/v1/customer-files`.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from events.commands import load
from events.http import Actor, CurrentIdentity, SiteId, site_tenant
from events.openapi import refusals
from events.paging import DEFAULT_LIMIT, LIST_RESPONSES, Cursor, Limit, answer
from events.privacy import WITHHELD
from events.runtime import now, store_of
from followup import contact_log, customer_files
from followup.api import READERS, Agent
from followup.customer_file_schemas import (
    CallBody,
    FileRow,
    FileView,
    FileWithLog,
    LetterBody,
    LogEntry,
    NoteBody,
    ReasonBody,
    WishBody,
    file_view,
)
from followup.domain.commands import CustomerFileCommand
from followup.domain.customer_file import customer_file
from followup.domain.customer_file import stream_id as file_stream
from followup.personal import CONTACT_FIELDS, SUBJECT, seen, shown, withheld

router = APIRouter(tags=["followup"])

FileId = Annotated[UUID, Path(description="the customer file id (the vehicle user's)")]

# Every command on one record takes `If-Match`, so every one can meet a record changed since;
# any text the domain requires may be blank once trimmed.
CONFLICT = "concurrency_conflict"
TEXT = "missing_information"

# The personal fields of an entry of the log (decision 0004; `personal.py`).
LOGGED = ("phone",)


async def _file(request: Request, file_id: UUID, command: CustomerFileCommand, by: Actor) -> FileView:
    outcome = await by.run(store_of(request), customer_file, file_stream(file_id), command)
    return file_view(outcome.state, outcome.version)


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
    window, rows = await customer_files.customer_files(
        request.app.state.runtime.pool, tenant, phone=phone, plate=plate, name=name, cursor=cursor, limit=limit
    )
    listed = [dict(row) for row in answer(window, rows, request, response)]
    return [FileRow.model_validate(row) for row in await shown(request, identity, listed, CONTACT_FIELDS)]


@router.get("/sites/{site_id}/customer-files/{file_id}", responses=refusals())
async def get_file(site_id: SiteId, file_id: FileId, identity: CurrentIdentity, request: Request) -> FileWithLog:
    """The customer's record: visits, notes for the next visit, wishes, do-not-call, the call and letter log."""
    tenant = site_tenant(identity, site_id, READERS)
    state, version = await load(store_of(request), customer_file, file_stream(file_id), tenant)
    log = await contact_log.contact_log(request.app.state.runtime.pool, tenant, file_id)
    view = FileWithLog(**dict(file_view(state, version)), log=[LogEntry.model_validate(dict(row)) for row in log])
    if await seen(request, identity, [file_id]):
        return view
    visits = [visit.model_copy(update={"owner": withheld(visit.owner)}) for visit in view.visits]
    calls = [entry.model_copy(update={"phone": WITHHELD}) if entry.phone is not None else entry for entry in view.log]
    return view.model_copy(update={"contact": withheld(view.contact), "visits": visits, "log": calls})


@router.get("/sites/{site_id}/customer-files/{file_id}/log", responses=refusals())
async def file_log(site_id: SiteId, file_id: FileId, identity: CurrentIdentity, request: Request) -> list[LogEntry]:
    tenant = site_tenant(identity, site_id, READERS)
    await load(store_of(request), customer_file, file_stream(file_id), tenant)  # 404 for an unknown or foreign file
    log = await contact_log.contact_log(request.app.state.runtime.pool, tenant, file_id)
    entries = [{**dict(row), SUBJECT: file_id} for row in log]
    return [LogEntry.model_validate(row) for row in await shown(request, identity, entries, LOGGED)]


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
