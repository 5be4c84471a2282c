"""What the followup API accepts (request bodies, validated: 422 with field errors, each building
its domain command with the time the route gives it) and answers (the views): what every
resource's schemas share — and the callbacks' (an agent's commands, the callback as the agent
opens it, the site's queue with its flags as of now, the supervisor's deadline alerts). The
other resources' schemas are beside this module: `customer_file_schemas`, `campaign_schemas`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta, tzinfo
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from events.catalog.followup_values import (
    ATTEMPT_OUTCOMES,
    CALL_DIRECTIONS,
    CALL_ME_LATER,
    DISSATISFACTION_CATEGORIES,
    REACHED,
    SCORE_MAX,
    SCORE_MIN,
    CallbackWindow,
    check_code,
)
from events.catalog.reception_values import Contact, VehicleIdentity
from followup.domain.callback_state import OPEN, Callback
from followup.domain.commands import AnswerQuestion, AssignCallback, CallAnswers, RecordAttempt


def code_in(allowed: tuple[str, ...], what: str) -> Any:
    """A validator of a code from `allowed`, checked as a plain string (`what` names it in the error)."""
    return AfterValidator(lambda value: check_code(value, allowed, what))


Text = Annotated[str, Field(min_length=1, max_length=2000)]
Reason = Annotated[str, Field(min_length=1, max_length=500)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


# --- the callbacks ---------------------------------------------------------------------------


Agent = Annotated[str, Field(min_length=1, max_length=100)]
Category = Annotated[str, code_in(DISSATISFACTION_CATEGORIES, "dissatisfaction category")]


class AssignBody(Body):
    """`agent` defaults to the caller (an agent taking a queued callback)."""

    agent: Agent | None = None
    reason: str = Field(default="", max_length=500)

    def command(self, caller: str, at: datetime) -> AssignCallback:
        return AssignCallback(self.agent or caller, caller, at, self.reason)


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
    outcome: Annotated[str, code_in(ATTEMPT_OUTCOMES, "outcome")]
    direction: Annotated[str, code_in(CALL_DIRECTIONS, "direction")] = "outbound"
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

    def command(self, agent: str, at: datetime) -> RecordAttempt:
        return RecordAttempt(
            agent=agent,
            outcome=self.outcome,
            attempted_at=at,
            direction=self.direction,
            call_me_later_at=self.call_me_later_at,
            answers=self.answers.answers() if self.answers else None,
            note=self.note,
        )


class AnswerBody(Body):
    """`tell_customer_by`: when the customer is to be told; default the end of today at the site."""

    answer: Text
    tell_customer_by: AwareDatetime | None = None

    def command(self, by: str, at: datetime, zone: tzinfo) -> AnswerQuestion:
        local = at.astimezone(zone)
        tell_by = self.tell_customer_by or datetime.combine(local.date() + timedelta(days=1), time(), zone)
        return AnswerQuestion(self.answer, by, tell_by, at)


# --- what the API answers about callbacks ---------------------------------------------------


class CallbackView(View):
    """A callback as the agent opens it: its window, attempts, escalated question and answer."""

    callback_id: UUID
    version: int = Field(description="the callback's version, for `If-Match`")
    repair_order_id: UUID
    kind: str
    file_id: UUID
    status: str
    contact: Contact | None
    vehicle: VehicleIdentity | None
    window: CallbackWindow | None
    callable_now: bool = Field(description="open, and its window has opened")
    agent: str | None
    attempts: int
    unreachable_attempts: int
    next_attempt_at: datetime | None
    overdue: bool
    call_recorded: bool
    question: str | None
    answer: str | None
    tell_customer_by: datetime | None
    answer_given: bool
    closed_at: datetime | None


def callback_view(state: Callback, version: int, now: datetime) -> CallbackView:
    window = state.window
    assert state.callback_id is not None
    assert state.repair_order_id is not None
    assert state.file_id is not None
    return CallbackView(
        callback_id=state.callback_id,
        version=version,
        repair_order_id=state.repair_order_id,
        kind=state.kind,
        file_id=state.file_id,
        status=state.status,
        contact=state.contact,
        vehicle=state.vehicle,
        window=window,
        callable_now=state.status == "open" and window is not None and now >= window.opens_at,
        agent=state.agent,
        attempts=state.attempts,
        unreachable_attempts=state.unreachable_attempts,
        next_attempt_at=state.next_attempt_at,
        overdue=state.overdue,
        call_recorded=state.call_recorded,
        question=state.question or None,
        answer=state.answer or None,
        tell_customer_by=state.tell_customer_by,
        answer_given=state.answer_given,
        closed_at=state.closed_at,
    )


class QueueRow(View):
    """A callback in the site's queue, with its flags as of now."""

    callback_id: UUID
    group_id: str
    site_id: str
    repair_order_id: UUID
    file_id: UUID
    kind: str
    contact_name: str | None
    phone: str | None
    plate: str | None
    vin: str | None
    model: str | None
    agent: str | None
    status: str
    opens_at: datetime | None
    due_at: datetime | None
    hard_limit_at: datetime | None
    attempts: int
    unreachable_attempts: int
    last_outcome: str | None
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    overdue: bool
    satisfaction_score: int | None
    complaint_id: UUID | None
    question: str | None
    escalate_by: datetime | None
    answer: str | None
    answered_at: datetime | None
    tell_customer_by: datetime | None
    told_at: datetime | None
    opened_at: datetime
    closed_at: datetime | None
    updated_at: datetime
    due_today: bool = Field(description="open, and its window opens before the end of today (site time)")
    overdue_now: bool = Field(description="open and marked overdue, or past its hard limit now")
    escalation_open: bool = Field(description="a question escalated and not answered yet")
    escalation_overdue: bool = Field(description="that question is past its 2 days")


def queue_row(row: Mapping[str, Any], now: datetime, end_of_today: datetime) -> QueueRow:
    is_open = row["status"] == OPEN
    escalation_open = bool(row["question"]) and row["answered_at"] is None
    return QueueRow.model_validate(
        {
            **row,
            "due_today": is_open and row["opens_at"] is not None and row["opens_at"] < end_of_today,
            "overdue_now": is_open
            and (row["overdue"] or (row["hard_limit_at"] is not None and now > row["hard_limit_at"])),
            "escalation_open": escalation_open,
            "escalation_overdue": escalation_open and row["escalate_by"] is not None and now > row["escalate_by"],
        }
    )


class DeadlineAlert(View):
    """A deadline missed: a question unanswered after 2 days, a campaign letter not sent in time."""

    alert_id: str
    group_id: str
    site_id: str
    kind: str
    subject_id: UUID = Field(description="the callback or campaign")
    file_id: UUID | None
    detail: str
    due_at: datetime
    raised_at: datetime
    resolved_at: datetime | None


class Reassigned(View):
    reassigned: list[UUID] = Field(description="the callbacks moved, by id")
    to_agent: str
