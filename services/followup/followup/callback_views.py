"""The fields of followup's events that the callback queue reads (`events.views`): the queue
decodes these, not the whole contracts (a recorded call's survey answers, an attempt's notes)."""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime

from events.catalog import followup as ev
from events.catalog import followup_values, reception_values
from events.views import View, view, view_of


@view()
class OfCallback(View):
    callback_id: UUID


@view(of=ev.CallbackOpened)
class CallbackOpened(OfCallback):
    repair_order_id: UUID
    file_id: UUID
    kind: str
    opened_at: AwareDatetime
    contact: reception_values.Contact
    vehicle: reception_values.VehicleIdentity
    agent: str | None
    window: followup_values.CallbackWindow


@view(of=ev.CallbackSkipped)
class CallbackSkipped(OfCallback):
    repair_order_id: UUID
    file_id: UUID
    kind: str
    skipped_at: AwareDatetime


@view(of=ev.CallbackAssigned)
class CallbackAssigned(OfCallback):
    agent: str


@view(of=ev.CallbackReassigned)
class CallbackReassigned(OfCallback):
    agent: str


@view(of=ev.AttemptRecorded)
class AttemptRecorded(OfCallback):
    attempt: int
    unreachable_attempts: int
    outcome: str
    attempted_at: AwareDatetime
    next_attempt_at: AwareDatetime | None


@view(of=ev.CallRecorded)
class CallRecorded(OfCallback):
    satisfaction_score: int


@view(of=ev.ComplaintRaised)
class ComplaintRaised(OfCallback):
    complaint_id: UUID


@view(of=ev.QuestionEscalated)
class QuestionEscalated(OfCallback):
    question: str
    escalate_by: AwareDatetime


@view(of=ev.QuestionAnswered)
class QuestionAnswered(OfCallback):
    answer: str
    answered_at: AwareDatetime
    tell_customer_by: AwareDatetime


@view(of=ev.AnswerGiven)
class AnswerGiven(OfCallback):
    told_at: AwareDatetime


CallbackOverdue = view_of(ev.CallbackOverdue, like=OfCallback)


@view(of=ev.CallbackCompleted)
class CallbackCompleted(OfCallback):
    completed_at: AwareDatetime


@view(of=ev.CallbackRefused)
class CallbackRefused(OfCallback):
    refused_at: AwareDatetime


@view(of=ev.CallbackUnreachable)
class CallbackUnreachable(OfCallback):
    given_up_at: AwareDatetime


@view(of=ev.CallbackCancelled)
class CallbackCancelled(OfCallback):
    cancelled_at: AwareDatetime
