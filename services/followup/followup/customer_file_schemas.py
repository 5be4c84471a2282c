"""What the followup API accepts and answers about customer files: the bodies of an agent's
entries (do-not-call, a wish, a note for the next visit, a call or letter outside a callback),
the customer's record with its visits, the call and letter log, and a file in the site's list."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field

from events.catalog.followup_values import CALL_DIRECTIONS, CALL_PURPOSES, LETTER_KINDS
from events.catalog.reception_values import Contact, Recommendation, VehicleIdentity
from followup.domain.commands import AddNextVisitNote, ClearDoNotCall, LogCall, LogLetter, RecordWish, SetDoNotCall
from followup.domain.customer_file import CustomerFile
from followup.schemas import Body, Reason, Text, View, code_in


class ReasonBody(Body):
    reason: Reason

    def do_not_call(self, by: str, at: datetime) -> SetDoNotCall:
        return SetDoNotCall(by, self.reason, at)

    def clear_do_not_call(self, by: str, at: datetime) -> ClearDoNotCall:
        return ClearDoNotCall(by, self.reason, at)


class WishBody(Body):
    wish: Text

    def command(self, by: str, at: datetime) -> RecordWish:
        return RecordWish(self.wish, by, at)


class NoteBody(Body):
    note: Text

    def command(self, by: str, at: datetime) -> AddNextVisitNote:
        return AddNextVisitNote(self.note, "agent", by, at)


class CallBody(Body):
    """A call outside a callback: the customer's own call, an answer, a reminder."""

    direction: Annotated[str, code_in(CALL_DIRECTIONS, "direction")]
    purpose: Annotated[str, code_in(CALL_PURPOSES, "purpose")]
    summary: Text
    phone: str | None = Field(default=None, min_length=1, max_length=50, description="default: the file's phone")
    repair_order_id: UUID | None = None

    def command(self, agent: str, at: datetime) -> LogCall:
        return LogCall(self.direction, self.purpose, self.phone, agent, self.summary, at, self.repair_order_id)


class LetterBody(Body):
    letter_kind: Annotated[str, code_in(LETTER_KINDS, "letter kind")]
    subject: Text
    campaign_id: UUID | None = None

    def command(self, by: str, at: datetime) -> LogLetter:
        return LogLetter(self.letter_kind, self.subject, by, at, self.campaign_id)


# --- what the API answers ------------------------------------------------------------------


class NoteView(View):
    note_id: UUID
    note: str


class VisitView(View):
    repair_order_id: UUID
    vehicle: VehicleIdentity
    owner: Contact
    visited_at: datetime
    mileage_km: int
    work_done: list[str]
    invoice_number: str | None
    next_service_due_date: date | None
    next_service_due_km: int | None
    pending_recommendations: list[Recommendation]
    due_by: datetime
    on_time: bool


class FileView(View):
    """The customer's record: contact, do-not-call, wishes, notes for the next visit, visits."""

    file_id: UUID
    version: int = Field(description="the file's version, for `If-Match`")
    contact: Contact | None
    do_not_call: bool
    do_not_call_reason: str | None
    wishes: list[str]
    notes: list[NoteView]
    visits: list[VisitView]
    proposals: int = Field(description="appointment proposals made from this file")
    calls_logged: int
    letters_logged: int


def file_view(state: CustomerFile, version: int) -> FileView:
    assert state.file_id is not None
    return FileView(
        file_id=state.file_id,
        version=version,
        contact=state.contact,
        do_not_call=state.do_not_call,
        do_not_call_reason=state.do_not_call_reason,
        wishes=list(state.wishes),
        notes=[NoteView(note_id=k, note=v) for k, v in state.notes.items()],
        visits=[
            VisitView(
                repair_order_id=v.repair_order_id,
                vehicle=v.vehicle,
                owner=v.owner,
                visited_at=v.visited_at,
                mileage_km=v.mileage_km,
                work_done=list(v.work_done),
                invoice_number=v.invoice_number,
                next_service_due_date=v.next_service_due_date,
                next_service_due_km=v.next_service_due_km,
                pending_recommendations=list(v.pending_recommendations),
                due_by=v.due_by,
                on_time=v.on_time,
            )
            for v in sorted(state.visits.values(), key=lambda v: v.visited_at)
        ],
        proposals=len(state.proposals),
        calls_logged=state.calls_logged,
        letters_logged=state.letters_logged,
    )


class LogEntry(View):
    """One call, SMS or letter in the customer's log, whichever stream recorded it."""

    entry_id: UUID
    channel: str
    direction: str | None
    purpose: str
    outcome: str | None
    agent: str | None
    phone: str | None
    summary: str
    callback_id: UUID | None
    campaign_id: UUID | None
    repair_order_id: UUID | None
    site_id: str
    at: datetime


class FileWithLog(FileView):
    log: list[LogEntry]


class FileRow(View):
    """A customer file in the site's list."""

    file_id: UUID
    group_id: str
    site_id: str
    name: str
    phone: str
    customer_id: UUID | None
    do_not_call: bool
    do_not_call_reason: str | None
    wishes: list[str]
    visits: int
    last_visit_at: datetime | None
    last_plate: str | None
    opened_at: datetime
    updated_at: datetime
