"""What the followup API accepts (request bodies, validated: 422 with field errors) and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from events.catalog.followup_values import (
    ATTEMPT_OUTCOMES,
    CALL_DIRECTIONS,
    CALL_ME_LATER,
    CALL_PURPOSES,
    CAMPAIGN_CALL_OUTCOMES,
    CAMPAIGN_KINDS,
    DISSATISFACTION_CATEGORIES,
    LETTER_KINDS,
    REACHED,
    SCORE_MAX,
    SCORE_MIN,
    check_code,
)
from followup.domain.callback_state import Callback
from followup.domain.campaign import Campaign
from followup.domain.commands import CallAnswers
from followup.domain.customer_file import CustomerFile


def _code(allowed: tuple[str, ...], what: str) -> Any:
    return AfterValidator(lambda value: check_code(value, allowed, what))


Text = Annotated[str, Field(min_length=1, max_length=2000)]
Reason = Annotated[str, Field(min_length=1, max_length=500)]
Agent = Annotated[str, Field(min_length=1, max_length=100)]
Category = Annotated[str, _code(DISSATISFACTION_CATEGORIES, "dissatisfaction category")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AssignBody(Body):
    """`agent` defaults to the caller (an agent taking a queued callback)."""

    agent: Agent | None = None
    reason: str = Field(default="", max_length=500)


class ReassignQueueBody(Body):
    """The supervisor hands an absent agent's open callbacks to someone else."""

    from_agent: Agent
    to_agent: Agent
    reason: Reason


class AnswersBody(Body):
    """The call script's answers (docs/domain.md §6)."""

    problem_fixed: bool
    satisfaction_score: int = Field(ge=SCORE_MIN, le=SCORE_MAX)
    read_back_confirmed: bool
    other_problems: str = Field(default="", max_length=2000)
    dissatisfaction: tuple[Category, ...] = Field(default=(), max_length=len(DISSATISFACTION_CATEGORIES))
    customer_words: str = Field(default="", max_length=4000)
    unanswered_question: str = Field(default="", max_length=2000)
    serious: bool = False

    def answers(self) -> CallAnswers:
        return CallAnswers(**self.model_dump())


class AttemptBody(Body):
    outcome: Annotated[str, _code(ATTEMPT_OUTCOMES, "outcome")]
    direction: Annotated[str, _code(CALL_DIRECTIONS, "direction")] = "outbound"
    call_me_later_at: AwareDatetime | None = None
    note: str = Field(default="", max_length=2000)
    answers: AnswersBody | None = None

    @model_validator(mode="after")
    def outcome_says_enough(self) -> AttemptBody:
        if self.outcome == REACHED and self.answers is None:
            raise ValueError("a reached call records the customer's answers")
        if self.outcome != REACHED and self.answers is not None:
            raise ValueError("answers are recorded only when the customer was reached")
        if self.outcome == CALL_ME_LATER and self.call_me_later_at is None:
            raise ValueError("say when the customer wants to be called (call_me_later_at)")
        return self


class AnswerBody(Body):
    """`tell_customer_by`: when the customer is to be told; default the end of today at the site."""

    answer: Text
    tell_customer_by: AwareDatetime | None = None


class ReasonBody(Body):
    reason: Reason


class WishBody(Body):
    wish: Text


class NoteBody(Body):
    note: Text


class CallBody(Body):
    """A call outside a callback: the customer's own call, an answer, a reminder."""

    direction: Annotated[str, _code(CALL_DIRECTIONS, "direction")]
    purpose: Annotated[str, _code(CALL_PURPOSES, "purpose")]
    summary: Text
    phone: str | None = Field(default=None, min_length=1, max_length=50)
    repair_order_id: UUID | None = None


class LetterBody(Body):
    letter_kind: Annotated[str, _code(LETTER_KINDS, "letter kind")]
    subject: Text
    campaign_id: UUID | None = None


class CampaignBody(Body):
    kind: Annotated[str, _code(CAMPAIGN_KINDS, "campaign kind")]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    starts_at: AwareDatetime
    file_ids: list[UUID] = Field(min_length=1, max_length=5000)


class CampaignCallBody(Body):
    file_id: UUID
    outcome: Annotated[str, _code(CAMPAIGN_CALL_OUTCOMES, "outcome")]
    wants_appointment: bool = False


class CampaignLetterBody(Body):
    file_id: UUID
    letter_kind: Annotated[str, _code(LETTER_KINDS, "letter kind")]


def callback_view(state: Callback, version: int, now: datetime) -> dict[str, Any]:
    window = state.window
    return {
        "callback_id": str(state.callback_id),
        "version": version,
        "repair_order_id": str(state.repair_order_id),
        "kind": state.kind,
        "file_id": str(state.file_id),
        "status": state.status,
        "contact": state.contact.model_dump(mode="json") if state.contact else None,
        "vehicle": state.vehicle.model_dump(mode="json") if state.vehicle else None,
        "window": window.model_dump(mode="json") if window else None,
        "callable_now": state.status == "open" and window is not None and now >= window.opens_at,
        "agent": state.agent,
        "attempts": state.attempts,
        "unreachable_attempts": state.unreachable_attempts,
        "next_attempt_at": state.next_attempt_at,
        "overdue": state.overdue,
        "call_recorded": state.call_recorded,
        "question": state.question or None,
        "answer": state.answer or None,
        "tell_customer_by": state.tell_customer_by,
        "answer_given": state.answer_given,
        "closed_at": state.closed_at,
    }


def file_view(state: CustomerFile, version: int) -> dict[str, Any]:
    return {
        "file_id": str(state.file_id),
        "version": version,
        "contact": state.contact.model_dump(mode="json") if state.contact else None,
        "do_not_call": state.do_not_call,
        "do_not_call_reason": state.do_not_call_reason,
        "wishes": list(state.wishes),
        "notes": [{"note_id": str(k), "note": v} for k, v in state.notes.items()],
        "visits": [
            {
                "repair_order_id": str(v.repair_order_id),
                "vehicle": v.vehicle.model_dump(mode="json"),
                "owner": v.owner.model_dump(mode="json"),
                "visited_at": v.visited_at,
                "mileage_km": v.mileage_km,
                "work_done": list(v.work_done),
                "invoice_number": v.invoice_number,
                "next_service_due_date": v.next_service_due_date,
                "next_service_due_km": v.next_service_due_km,
                "pending_recommendations": [r.model_dump(mode="json") for r in v.pending_recommendations],
                "due_by": v.due_by,
                "on_time": v.on_time,
            }
            for v in sorted(state.visits.values(), key=lambda v: v.visited_at)
        ],
        "proposals": len(state.proposals),
        "calls_logged": state.calls_logged,
        "letters_logged": state.letters_logged,
    }


def campaign_view(state: Campaign, version: int) -> dict[str, Any]:
    return {
        "campaign_id": str(state.campaign_id),
        "version": version,
        "kind": state.kind,
        "starts_at": state.starts_at,
        "phone_by": state.phone_by,
        "targets": [
            {
                "file_id": str(file_id),
                "name": target.contact.name,
                "plate": target.vehicle.plate,
                "do_not_call": target.do_not_call,
                "letter_due_by": state.letter_due.get(file_id),
                "refused": file_id in state.refused,
                "letter_sent": file_id in state.letters_sent,
            }
            for file_id, target in state.targets.items()
        ],
    }
