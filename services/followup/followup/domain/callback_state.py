"""The callback's state and `evolve`: what follow-up knows of one follow-up call of a visit."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from events.catalog import followup as ev
from events.catalog.followup_values import UNREACHABLE, CallbackWindow
from events.catalog.reception_values import Contact, VehicleIdentity
from events.contract import Event

# A callback's life: open → completed (reached, call recorded) | refused (SMS) | unreachable
# (given up after ≥ 3 attempts) | cancelled; `skipped` when it was never opened (do-not-call).
# Overdue is a mark on an open callback, not an end: the late call is still made.
NEW, OPEN, COMPLETED, REFUSED, UNREACHABLE_END, CANCELLED, SKIPPED = (
    "new",
    "open",
    "completed",
    "refused",
    "unreachable",
    "cancelled",
    "skipped",
)


@dataclass(frozen=True)
class Callback:
    callback_id: UUID | None = None
    repair_order_id: UUID | None = None
    kind: str = ""
    file_id: UUID | None = None
    contact: Contact | None = None
    vehicle: VehicleIdentity | None = None
    window: CallbackWindow | None = None
    status: str = NEW
    agent: str | None = None
    attempts: int = 0
    unreachable_attempts: int = 0
    next_attempt_at: datetime | None = None
    overdue: bool = False
    call_recorded: bool = False
    question: str = ""
    answer: str = ""
    tell_customer_by: datetime | None = None
    answer_given: bool = False
    closed_at: datetime | None = None
    last_time: datetime | None = None


INITIAL = Callback()


def evolve(state: Callback, event: Event) -> Callback:
    match event:
        case ev.CallbackOpened():
            return replace(
                state,
                callback_id=event.callback_id,
                repair_order_id=event.repair_order_id,
                kind=event.kind,
                file_id=event.file_id,
                contact=event.contact,
                vehicle=event.vehicle,
                window=event.window,
                status=OPEN,
                agent=event.agent,
                last_time=event.opened_at,
            )
        case ev.CallbackSkipped():
            return replace(
                state,
                callback_id=event.callback_id,
                repair_order_id=event.repair_order_id,
                kind=event.kind,
                file_id=event.file_id,
                status=SKIPPED,
                closed_at=event.skipped_at,
            )
        case ev.CallbackAssigned() | ev.CallbackReassigned():
            return replace(state, agent=event.agent)
        case ev.AttemptRecorded():
            unreachable = state.unreachable_attempts + (1 if event.outcome == UNREACHABLE else 0)
            return replace(
                state,
                attempts=event.attempt,
                unreachable_attempts=unreachable,
                next_attempt_at=event.next_attempt_at,
                last_time=event.attempted_at,
            )
        case ev.CallRecorded():
            return replace(state, call_recorded=True)
        case ev.QuestionEscalated():
            return replace(state, question=event.question)
        case ev.QuestionAnswered():
            return replace(state, answer=event.answer, tell_customer_by=event.tell_customer_by)
        case ev.AnswerGiven():
            return replace(state, answer_given=True)
        case ev.CallbackCompleted():
            return replace(state, status=COMPLETED, next_attempt_at=None, closed_at=event.completed_at)
        case ev.CallbackRefused():
            return replace(state, status=REFUSED, next_attempt_at=None, closed_at=event.refused_at)
        case ev.CallbackUnreachable():
            return replace(state, status=UNREACHABLE_END, next_attempt_at=None, closed_at=event.given_up_at)
        case ev.CallbackCancelled():
            return replace(state, status=CANCELLED, next_attempt_at=None, closed_at=event.cancelled_at)
        case ev.CallbackOverdue():
            return replace(state, overdue=True)
    return state
