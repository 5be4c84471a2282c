"""CustomerFile, stream `customer_file-<file_id>`: what follow-up knows of one vehicle user
(docs/domain.md §6; seed 002 §2.1 "客戶檔案基本信息表").

The file is keyed by the *vehicle user*, the callback contact (`ids.file_id_for`): the payer is
kept as `owner` on each visit. Life: opened by the first recorded visit, each visit entered
within 2 days (`due_by`, `on_time`), amended when the other half of the visit arrives (delivery
vs invoice); do-not-call set and cleared with who and why; wishes, notes for the next visit, the
call and letter log; maintenance-due and declined work proposed as active appointments, once
per cause, honouring do-not-call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import MappingProxyType
from uuid import UUID

from events.catalog import followup_files as ev
from events.catalog.followup_values import (
    CALL_DIRECTIONS,
    CALL_PURPOSES,
    LETTER_KINDS,
    MARKETING_PURPOSES,
    NOTE_SOURCES,
    OUTBOUND,
)
from events.catalog.reception_values import Contact, Recommendation, VehicleIdentity
from events.contract import Event
from events.decider import Decider
from events.rules import InvalidAmount, require_code, require_text
from followup.domain import errors
from followup.domain.commands import (
    AddNextVisitNote,
    ClearDoNotCall,
    CustomerFileCommand,
    LogCall,
    LogLetter,
    ProposeDeclinedWork,
    RecordVisit,
    RecordWish,
    SetDoNotCall,
)
from followup.domain.ids import note_id_for
from followup.domain.reminders import declined_proposal, maintenance_proposal
from followup.domain.schedule import file_due_by


def stream_id(file_id: UUID) -> str:
    return f"customer_file-{file_id}"


@dataclass(frozen=True)
class Visit:
    repair_order_id: UUID
    vehicle: VehicleIdentity
    owner: Contact
    visited_at: datetime
    mileage_km: int
    work_done: tuple[str, ...]
    invoice_number: str | None
    next_service_due_date: date | None
    next_service_due_km: int | None
    pending_recommendations: tuple[Recommendation, ...]
    due_by: datetime
    on_time: bool


@dataclass(frozen=True)
class CustomerFile:
    file_id: UUID | None = None
    contact: Contact | None = None
    visits: Mapping[UUID, Visit] = field(default_factory=lambda: MappingProxyType({}))
    do_not_call: bool = False
    do_not_call_by: str | None = None
    do_not_call_reason: str | None = None
    wishes: tuple[str, ...] = ()
    notes: Mapping[UUID, str] = field(default_factory=lambda: MappingProxyType({}))
    proposals: frozenset[UUID] = frozenset()
    calls_logged: int = 0
    letters_logged: int = 0

    @property
    def exists(self) -> bool:
        return self.file_id is not None


INITIAL = CustomerFile()


def evolve(state: CustomerFile, event: Event) -> CustomerFile:
    match event:
        case ev.CustomerFileOpened():
            return replace(state, file_id=event.file_id, contact=event.contact)
        case ev.VisitRecorded():
            visit = Visit(
                repair_order_id=event.repair_order_id,
                vehicle=event.vehicle,
                owner=event.owner,
                visited_at=event.visited_at,
                mileage_km=event.mileage_km,
                work_done=event.work_done,
                invoice_number=event.invoice_number,
                next_service_due_date=event.next_service_due_date,
                next_service_due_km=event.next_service_due_km,
                pending_recommendations=event.pending_recommendations,
                due_by=event.due_by,
                on_time=event.on_time,
            )
            visits = MappingProxyType({**state.visits, event.repair_order_id: visit})
            return replace(state, contact=event.vehicle_user, visits=visits)
        case ev.DoNotCallSet():
            return replace(state, do_not_call=True, do_not_call_by=event.set_by, do_not_call_reason=event.reason)
        case ev.DoNotCallCleared():
            return replace(state, do_not_call=False, do_not_call_by=None, do_not_call_reason=None)
        case ev.WishRecorded():
            return replace(state, wishes=(*state.wishes, event.wish))
        case ev.NextVisitNoteAdded():
            return replace(state, notes=MappingProxyType({**state.notes, event.note_id: event.note}))
        case ev.CallLogged():
            return replace(state, calls_logged=state.calls_logged + 1)
        case ev.LetterLogged():
            return replace(state, letters_logged=state.letters_logged + 1)
        case ev.AppointmentProposed():
            return replace(state, proposals=state.proposals | {event.proposal_id})
    return state


def _require_file(state: CustomerFile) -> tuple[UUID, Contact]:
    if state.file_id is None or state.contact is None:
        raise errors.NoCustomerFile("there is no customer file yet: it is opened by the customer's first visit")
    return state.file_id, state.contact


def _merged(previous: Visit, command: RecordVisit) -> Visit:
    """The second half of a visit adds what the first lacked; given values win."""
    return replace(
        previous,
        vehicle=command.vehicle,
        owner=command.owner,
        mileage_km=max(command.mileage_km, previous.mileage_km),
        work_done=command.work_done or previous.work_done,
        invoice_number=command.invoice_number or previous.invoice_number,
        next_service_due_date=command.next_service_due_date or previous.next_service_due_date,
        next_service_due_km=command.next_service_due_km or previous.next_service_due_km,
        pending_recommendations=command.pending_recommendations or previous.pending_recommendations,
    )


def _proposals(state: CustomerFile, file_id: UUID, contact: Contact, visit: Visit, at: datetime) -> list[Event]:
    candidates = [
        maintenance_proposal(
            file_id,
            contact,
            visit.vehicle,
            visit.repair_order_id,
            visit.next_service_due_date,
            visit.next_service_due_km,
            state.do_not_call,
            at,
        ),
        *(
            declined_proposal(file_id, contact, visit.vehicle, visit.repair_order_id, rec, at, state.do_not_call, at)
            for rec in visit.pending_recommendations
        ),
    ]
    return [p for p in candidates if p is not None and p.proposal_id not in state.proposals]


def record_visit(state: CustomerFile, command: RecordVisit) -> Sequence[Event]:
    if command.mileage_km < 0:
        raise InvalidAmount("the mileage is never negative")
    if command.recorded_at < command.visited_at:
        raise errors.TimeOutOfOrder("a visit is recorded after it happened")
    events: list[Event] = []
    if not state.exists:
        events.append(
            ev.CustomerFileOpened(file_id=command.file_id, contact=command.vehicle_user, opened_at=command.recorded_at)
        )
    file_id = state.file_id or command.file_id
    previous = state.visits.get(command.repair_order_id)
    if previous is None:
        due_by = file_due_by(command.visited_at)
        visit = Visit(
            repair_order_id=command.repair_order_id,
            vehicle=command.vehicle,
            owner=command.owner,
            visited_at=command.visited_at,
            mileage_km=command.mileage_km,
            work_done=command.work_done,
            invoice_number=command.invoice_number,
            next_service_due_date=command.next_service_due_date,
            next_service_due_km=command.next_service_due_km,
            pending_recommendations=command.pending_recommendations,
            due_by=due_by,
            on_time=command.recorded_at <= due_by,
        )
    else:
        visit = _merged(previous, command)
        if visit == previous and command.vehicle_user == state.contact:
            return []  # the same visit told twice changes nothing
    events.append(
        ev.VisitRecorded(
            file_id=file_id,
            repair_order_id=visit.repair_order_id,
            vehicle=visit.vehicle,
            owner=visit.owner,
            vehicle_user=command.vehicle_user,
            visited_at=visit.visited_at,
            mileage_km=visit.mileage_km,
            work_done=visit.work_done,
            invoice_number=visit.invoice_number,
            next_service_due_date=visit.next_service_due_date,
            next_service_due_km=visit.next_service_due_km,
            pending_recommendations=visit.pending_recommendations,
            due_by=visit.due_by,
            on_time=visit.on_time,
            amended=previous is not None,
            recorded_at=command.recorded_at,
        )
    )
    return events + _proposals(state, file_id, command.vehicle_user, visit, command.recorded_at)


def set_do_not_call(state: CustomerFile, command: SetDoNotCall) -> Sequence[Event]:
    file_id, _ = _require_file(state)
    if state.do_not_call:
        return []
    return [
        ev.DoNotCallSet(
            file_id=file_id,
            set_by=require_text(command.set_by, "who set do-not-call"),
            reason=require_text(command.reason, "why the customer asked not to be called"),
            set_at=command.set_at,
        )
    ]


def clear_do_not_call(state: CustomerFile, command: ClearDoNotCall) -> Sequence[Event]:
    file_id, _ = _require_file(state)
    if not state.do_not_call:
        return []
    return [
        ev.DoNotCallCleared(
            file_id=file_id,
            cleared_by=require_text(command.cleared_by, "who cleared do-not-call"),
            reason=require_text(command.reason, "why calls are allowed again"),
            cleared_at=command.cleared_at,
        )
    ]


def record_wish(state: CustomerFile, command: RecordWish) -> Sequence[Event]:
    file_id, _ = _require_file(state)
    return [
        ev.WishRecorded(
            file_id=file_id,
            wish=require_text(command.wish, "the customer's wish"),
            recorded_by=command.recorded_by,
            recorded_at=command.recorded_at,
        )
    ]


def add_next_visit_note(state: CustomerFile, command: AddNextVisitNote) -> Sequence[Event]:
    file_id, _ = _require_file(state)
    source = require_code(command.source, NOTE_SOURCES, "note source")
    note_id = note_id_for(file_id, source, command.callback_id, command.added_at)
    if note_id in state.notes:
        return []
    return [
        ev.NextVisitNoteAdded(
            file_id=file_id,
            note_id=note_id,
            note=require_text(command.note, "the note"),
            source=source,
            callback_id=command.callback_id,
            added_by=command.added_by,
            added_at=command.added_at,
        )
    ]


def propose_declined_work(state: CustomerFile, command: ProposeDeclinedWork) -> Sequence[Event]:
    if state.file_id is None or state.contact is None:
        raise errors.NoCustomerFile(
            "there is no customer file yet: the recommendation is proposed when the visit is recorded"
        )
    proposal = declined_proposal(
        state.file_id,
        state.contact,
        command.vehicle,
        command.repair_order_id,
        command.recommendation,
        command.declined_at,
        state.do_not_call,
        command.declined_at,
    )
    return [] if proposal is None or proposal.proposal_id in state.proposals else [proposal]


def log_call(state: CustomerFile, command: LogCall) -> Sequence[Event]:
    file_id, contact = _require_file(state)
    direction = require_code(command.direction, CALL_DIRECTIONS, "call direction")
    purpose = require_code(command.purpose, CALL_PURPOSES, "call purpose")
    if state.do_not_call and direction == OUTBOUND and purpose in MARKETING_PURPOSES:
        raise errors.DoNotCall(f"the customer asked not to be called ({state.do_not_call_reason}): no {purpose} calls")
    return [
        ev.CallLogged(
            file_id=file_id,
            direction=direction,
            purpose=purpose,
            phone=require_text(command.phone or contact.phone, "the phone number"),
            agent=require_text(command.agent, "the agent"),
            summary=require_text(command.summary, "what was said"),
            repair_order_id=command.repair_order_id,
            called_at=command.called_at,
        )
    ]


def log_letter(state: CustomerFile, command: LogLetter) -> Sequence[Event]:
    file_id, _ = _require_file(state)
    return [
        ev.LetterLogged(
            file_id=file_id,
            letter_kind=require_code(command.letter_kind, LETTER_KINDS, "letter kind"),
            subject=require_text(command.subject, "the letter's subject"),
            sent_by=command.sent_by,
            campaign_id=command.campaign_id,
            sent_at=command.sent_at,
        )
    ]


def decide(state: CustomerFile, command: CustomerFileCommand) -> Sequence[Event]:
    match command:
        case RecordVisit():
            return record_visit(state, command)
        case SetDoNotCall():
            return set_do_not_call(state, command)
        case ClearDoNotCall():
            return clear_do_not_call(state, command)
        case RecordWish():
            return record_wish(state, command)
        case AddNextVisitNote():
            return add_next_visit_note(state, command)
        case ProposeDeclinedWork():
            return propose_declined_work(state, command)
        case LogCall():
            return log_call(state, command)
        case LogLetter():
            return log_letter(state, command)


customer_file: Decider[CustomerFileCommand, CustomerFile] = Decider(INITIAL, decide, evolve)
