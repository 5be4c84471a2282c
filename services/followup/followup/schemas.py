"""What the followup API accepts (request bodies, validated: 422 with field errors, each building
its domain command with the time the route gives it) and answers (the views)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, tzinfo
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
    CallbackWindow,
    CampaignTarget,
    check_code,
)
from events.catalog.reception_values import Contact, Recommendation, VehicleIdentity
from followup.domain.callback_state import OPEN, Callback
from followup.domain.campaign import Campaign
from followup.domain.commands import (
    AddNextVisitNote,
    AnswerQuestion,
    AssignCallback,
    CallAnswers,
    ClearDoNotCall,
    LogCall,
    LogLetter,
    PlanCampaign,
    RecordAttempt,
    RecordCampaignCall,
    RecordCampaignLetter,
    RecordWish,
    SetDoNotCall,
)
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

    direction: Annotated[str, _code(CALL_DIRECTIONS, "direction")]
    purpose: Annotated[str, _code(CALL_PURPOSES, "purpose")]
    summary: Text
    phone: str | None = Field(default=None, min_length=1, max_length=50, description="default: the file's phone")
    repair_order_id: UUID | None = None

    def command(self, agent: str, at: datetime) -> LogCall:
        return LogCall(self.direction, self.purpose, self.phone, agent, self.summary, at, self.repair_order_id)


class LetterBody(Body):
    letter_kind: Annotated[str, _code(LETTER_KINDS, "letter kind")]
    subject: Text
    campaign_id: UUID | None = None

    def command(self, by: str, at: datetime) -> LogLetter:
        return LogLetter(self.letter_kind, self.subject, by, at, self.campaign_id)


class CampaignBody(Body):
    kind: Annotated[str, _code(CAMPAIGN_KINDS, "campaign kind")]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    starts_at: AwareDatetime
    file_ids: list[UUID] = Field(min_length=1, max_length=50000)
    override_reason: str = Field(
        default="", max_length=500, description="a service manager's reason to start with less than two weeks' notice"
    )

    def command(self, campaign_id: UUID, targets: tuple[CampaignTarget, ...], by: str, at: datetime) -> PlanCampaign:
        return PlanCampaign(
            campaign_id, self.kind, self.title, self.starts_at, targets, by, at, override_reason=self.override_reason
        )


class CampaignCallBody(Body):
    file_id: UUID
    outcome: Annotated[str, _code(CAMPAIGN_CALL_OUTCOMES, "outcome")]
    wants_appointment: bool = False

    def command(self, agent: str, at: datetime) -> RecordCampaignCall:
        return RecordCampaignCall(self.file_id, self.outcome, agent, at, self.wants_appointment)


class CampaignLetterBody(Body):
    file_id: UUID
    letter_kind: Annotated[str, _code(LETTER_KINDS, "letter kind")]

    def command(self, by: str, at: datetime) -> RecordCampaignLetter:
        return RecordCampaignLetter(self.file_id, self.letter_kind, by, at)


# --- what the API answers ------------------------------------------------------------------


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


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


class TargetView(View):
    file_id: UUID
    name: str
    plate: str
    do_not_call: bool
    letter_due_by: datetime | None
    refused: bool
    letter_sent: bool


class CampaignView(View):
    """A campaign and where each customer on its list stands (called, refused, letter sent)."""

    campaign_id: UUID
    version: int = Field(description="the campaign's version, for `If-Match`")
    kind: str
    starts_at: datetime | None
    phone_by: datetime | None
    targets: list[TargetView]


def campaign_view(state: Campaign, version: int) -> CampaignView:
    assert state.campaign_id is not None
    return CampaignView(
        campaign_id=state.campaign_id,
        version=version,
        kind=state.kind,
        starts_at=state.starts_at,
        phone_by=state.phone_by,
        targets=[
            TargetView(
                file_id=file_id,
                name=target.contact.name,
                plate=target.vehicle.plate,
                do_not_call=target.do_not_call,
                letter_due_by=state.letter_due.get(file_id),
                refused=file_id in state.refused,
                letter_sent=file_id in state.letters_sent,
            )
            for file_id, target in state.targets.items()
        ],
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


class CsiReport(View):
    """CSI/VOC figures and the operational KPIs, one row per site (or the group) and period."""

    scope: str
    period: str
    time_zone: str
    rows: list[dict[str, Any]] = Field(description="one per site (or `group`) and period; see the CSV for the columns")
