"""Published events of the followup service: the customer file, the callbacks after a visit,
maintenance reminders and campaigns as active-appointment proposals (docs/domain.md §6; seeds 000,
002, 004).

Streams:
- `customer_file-<file_id>`: one file per *vehicle user* — the person the callbacks go to
  (docs/domain.md "callbacks go to the vehicle user"). `file_id` is the vehicle user's `customer_id`
  when reception knows it, otherwise a stable id from the group and phone
  (`followup.domain.customer_file.file_id_for`). Events carry `file_id`.
- `callback-<callback_id>`: one per delivered visit and kind (`first`, `second`); the id is
  derived from the repair order and the kind, so a redelivered reaction cannot open two. Events
  carry `callback_id` and `repair_order_id`.
- `campaign-<campaign_id>`: a campaign's notices by phone and letter. Events carry `campaign_id`.

Every call and letter is logged (seed 002 §3.7-3.8): callback calls as `AttemptRecorded`,
campaign calls as `CampaignCallLogged`, any other call as `CallLogged`, letters as `LetterLogged`
/ `CampaignLetterLogged`, the refusal SMS as `SmsQueued` — the call log is their union.
Due times (window opens, due, hard limit, next attempt, escalate-by, second due-by) are
published in the events so the service layer can set durable timers from them.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, field_validator

from events.catalog.followup_values import (
    ATTEMPT_OUTCOMES,
    CALL_DIRECTIONS,
    CALL_PURPOSES,
    CALLBACK_KINDS,
    CAMPAIGN_CALL_OUTCOMES,
    CAMPAIGN_KINDS,
    CANCEL_REASONS,
    DISSATISFACTION_CATEGORIES,
    LETTER_KINDS,
    NOTE_SOURCES,
    PROPOSAL_REASONS,
    SCORE_MAX,
    SCORE_MIN,
    SKIP_REASONS,
    SMS_TEMPLATES,
    CallbackWindow,
    CampaignTarget,
    check_code,
)
from events.catalog.reception_values import Contact, Recommendation, VehicleIdentity
from events.contract import Event
from events.personal_fields import PERSONAL


def _categories(value: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(check_code(c, DISSATISFACTION_CATEGORIES, "dissatisfaction category") for c in value)


# --- the customer file ----------------------------------------------------------------------


class _FileEvent(Event):
    """Abstract base: every customer-file event names its file."""

    file_id: UUID


class CustomerFileOpened(_FileEvent, type="followup.CustomerFileOpened", version=1):
    """The first visit opened the file of the vehicle user (seed 002 §2.1 "建立客戶檔案")."""

    contact: Contact
    opened_at: AwareDatetime


class VisitRecorded(_FileEvent, type="followup.VisitRecorded", version=1):
    """A visit entered in the file: within 2 days of it (`due_by`, `on_time`; seed 002 §3.2).
    `amended` when the same repair order is recorded again with more detail (the invoice after
    the delivery, or the other way round)."""

    repair_order_id: UUID
    vehicle: VehicleIdentity
    owner: Contact
    vehicle_user: Contact
    visited_at: AwareDatetime
    mileage_km: int = Field(ge=0)
    work_done: tuple[str, ...] = ()
    invoice_number: str | None = None
    next_service_due_date: date | None = None
    next_service_due_km: int | None = Field(default=None, ge=0)
    pending_recommendations: tuple[Recommendation, ...] = ()
    due_by: AwareDatetime
    on_time: bool
    amended: bool = False
    recorded_at: AwareDatetime


class DoNotCallSet(_FileEvent, type="followup.DoNotCallSet", version=1):
    """The customer asked not to be called: no callback, reminder or campaign call from now on."""

    set_by: str
    reason: str
    set_at: AwareDatetime


class DoNotCallCleared(_FileEvent, type="followup.DoNotCallCleared", version=1):
    cleared_by: str
    reason: str
    cleared_at: AwareDatetime


class WishRecorded(_FileEvent, type="followup.WishRecorded", version=1):
    """A service the customer wants (seed 002 §2.1 "客戶想要的服務")."""

    wish: str = Field(min_length=1)
    recorded_by: str
    recorded_at: AwareDatetime


class NextVisitNoteAdded(_FileEvent, type="followup.NextVisitNoteAdded", version=1):
    """Something to raise at the next visit, e.g. "unreachable after 3 attempts" (docs/domain.md §6)."""

    note_id: UUID
    note: str = Field(min_length=1)
    source: str
    callback_id: UUID | None = None
    added_by: str
    added_at: AwareDatetime

    @field_validator("source")
    @classmethod
    def source_is_known(cls, value: str) -> str:
        return check_code(value, NOTE_SOURCES, "note source")


class CallLogged(_FileEvent, type="followup.CallLogged", version=1):
    """A call outside a callback — the customer's inquiry or complaint call, the answer to an
    escalated question, a reminder (seed 002 §3.7 "跟蹤服務電話登記表")."""

    direction: str
    purpose: str
    phone: Annotated[str, PERSONAL]
    agent: str
    summary: str
    repair_order_id: UUID | None = None
    called_at: AwareDatetime

    @field_validator("direction")
    @classmethod
    def direction_is_known(cls, value: str) -> str:
        return check_code(value, CALL_DIRECTIONS, "call direction")

    @field_validator("purpose")
    @classmethod
    def purpose_is_known(cls, value: str) -> str:
        return check_code(value, CALL_PURPOSES, "call purpose")


class LetterLogged(_FileEvent, type="followup.LetterLogged", version=1):
    """A follow-up letter: notice, invitation or reply (seed 002 §3.8 "跟蹤服務信函登記表")."""

    letter_kind: str
    subject: str = Field(min_length=1)
    sent_by: str
    campaign_id: UUID | None = None
    sent_at: AwareDatetime

    @field_validator("letter_kind")
    @classmethod
    def letter_kind_is_known(cls, value: str) -> str:
        return check_code(value, LETTER_KINDS, "letter kind")


class AppointmentProposed(_FileEvent, type="followup.AppointmentProposed", version=1):
    """An active appointment for booking to offer: maintenance due, a declined recommendation,
    a campaign or a recall. `contact_from` is when to start calling (two weeks ahead);
    `phone_allowed` is False for a do-not-call customer (only safety reasons are proposed then,
    by letter). `proposal_id` is stable per file and cause, so a repeated cause proposes once.
    Published on the customer file, or on the campaign stream with `campaign_id`. `link`: the
    portal's page where the customer answers (a signed link, purpose `proposal`), for the
    reminder message; empty in events recorded before links existed."""

    proposal_id: UUID
    reason: str
    contact: Contact
    vehicle: VehicleIdentity
    suggested_date: date | None = None
    due_km: int | None = Field(default=None, ge=0)
    contact_from: date | None = None
    recommendation: Recommendation | None = None
    repair_order_id: UUID | None = None
    campaign_id: UUID | None = None
    phone_allowed: bool = True
    proposed_at: AwareDatetime
    link: Annotated[str, PERSONAL] = ""

    @field_validator("reason")
    @classmethod
    def reason_is_known(cls, value: str) -> str:
        return check_code(value, PROPOSAL_REASONS, "proposal reason")


# --- the callback ---------------------------------------------------------------------------


class _CallbackEvent(Event):
    """Abstract base: every callback event names the callback and the visit's repair order."""

    callback_id: UUID
    repair_order_id: UUID


class _KindedCallbackEvent(_CallbackEvent):
    kind: str

    @field_validator("kind")
    @classmethod
    def kind_is_known(cls, value: str) -> str:
        return check_code(value, CALLBACK_KINDS, "callback kind")


class CallbackOpened(_KindedCallbackEvent, type="followup.CallbackOpened", version=1):
    """A callback to make in `window` (first: delivery +48 h / +72 h / +96 h; second: within 7
    days of the first). `agent` None: in the site's queue until assigned."""

    file_id: UUID
    contact: Contact
    vehicle: VehicleIdentity
    basis_at: AwareDatetime
    window: CallbackWindow
    agent: str | None = None
    first_callback_id: UUID | None = None
    opened_at: AwareDatetime


class CallbackSkipped(_KindedCallbackEvent, type="followup.CallbackSkipped", version=1):
    """Not opened: the customer asked for no callbacks (docs/domain.md §6 "skip customers who asked
    for no callbacks"). Out of the reach-rate denominator."""

    file_id: UUID
    reason: str
    skipped_at: AwareDatetime

    @field_validator("reason")
    @classmethod
    def reason_is_known(cls, value: str) -> str:
        return check_code(value, SKIP_REASONS, "skip reason")


class CallbackAssigned(_CallbackEvent, type="followup.CallbackAssigned", version=1):
    agent: str = Field(min_length=1)
    assigned_by: str
    assigned_at: AwareDatetime


class CallbackReassigned(_CallbackEvent, type="followup.CallbackReassigned", version=1):
    """The assigned agent is absent: the supervisor gives the callback to someone else (seed 002
    §4 "指定跟蹤業務員不值班時,業務主管將臨時指派")."""

    previous_agent: str
    agent: str = Field(min_length=1)
    reassigned_by: str
    reason: str
    reassigned_at: AwareDatetime


class AttemptRecorded(_CallbackEvent, type="followup.AttemptRecorded", version=1):
    """One call of the callback — the call log entry. `next_attempt_at`: when to try again
    (the time the customer gave, or the retry interval after no answer); None when it ended."""

    attempt: int = Field(ge=1)
    unreachable_attempts: int = Field(ge=0)
    direction: str
    outcome: str
    agent: str
    phone: Annotated[str, PERSONAL]
    note: str = ""
    next_attempt_at: AwareDatetime | None = None
    attempted_at: AwareDatetime

    @field_validator("direction")
    @classmethod
    def direction_is_known(cls, value: str) -> str:
        return check_code(value, CALL_DIRECTIONS, "call direction")

    @field_validator("outcome")
    @classmethod
    def outcome_is_known(cls, value: str) -> str:
        return check_code(value, ATTEMPT_OUTCOMES, "attempt outcome")


class CallRecorded(_KindedCallbackEvent, type="followup.CallRecorded", version=1):
    """What the customer said, recorded and read back (docs/domain.md §6 script). Satisfaction on a
    1-5 scale. `by_due_time`: reached by the due time (72 h after delivery for the first call);
    `in_window`: by the hard limit (one day late at most). `question`: left unanswered on the
    call, escalated."""

    file_id: UUID
    agent: str
    problem_fixed: bool
    other_problems: str = ""
    dissatisfaction: tuple[str, ...] = ()
    satisfaction_score: int = Field(ge=SCORE_MIN, le=SCORE_MAX)
    customer_words: str = ""
    question: str = ""
    read_back_confirmed: bool
    by_due_time: bool
    in_window: bool
    reached_at: AwareDatetime

    @field_validator("dissatisfaction")
    @classmethod
    def categories_are_known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _categories(value)


class ComplaintRaised(_CallbackEvent, type="followup.ComplaintRaised", version=1):
    """A dissatisfaction, a low score, an unfixed or new problem: the complaints service opens a
    complaint or grievance (stream id from `complaint_id`) and classifies it. `serious`
    (accident, injury, safety) goes to the service manager at once (docs/domain.md §7)."""

    complaint_id: UUID
    file_id: UUID
    customer: Contact
    vehicle: VehicleIdentity
    categories: tuple[str, ...] = ()
    problem_fixed: bool
    other_problems: str = ""
    customer_words: str = ""
    satisfaction_score: int = Field(ge=SCORE_MIN, le=SCORE_MAX)
    serious: bool
    raised_by: str
    raised_at: AwareDatetime

    @field_validator("categories")
    @classmethod
    def categories_are_known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _categories(value)


class QuestionEscalated(_CallbackEvent, type="followup.QuestionEscalated", version=1):
    """A question the agent could not answer on the call: to the supervisor by `escalate_by`
    (2 days; seed 002 §3.4 "要在兩天內向業務主管匯報")."""

    file_id: UUID
    question: str = Field(min_length=1)
    escalate_by: AwareDatetime
    escalated_at: AwareDatetime


class QuestionAnswered(_CallbackEvent, type="followup.QuestionAnswered", version=1):
    """The supervisor's solution: the customer is told the same day (`tell_customer_by`)."""

    answer: str = Field(min_length=1)
    answered_by: str
    tell_customer_by: AwareDatetime
    answered_at: AwareDatetime


class AnswerGiven(_CallbackEvent, type="followup.AnswerGiven", version=1):
    agent: str
    on_time: bool
    told_at: AwareDatetime


class SmsQueued(_CallbackEvent, type="followup.SmsQueued", version=1):
    """An SMS to send (the service layer sends it): the customer refused the call."""

    phone: Annotated[str, PERSONAL]
    template: str
    queued_at: AwareDatetime

    @field_validator("template")
    @classmethod
    def template_is_known(cls, value: str) -> str:
        return check_code(value, SMS_TEMPLATES, "sms template")


class CallbackCompleted(_KindedCallbackEvent, type="followup.CallbackCompleted", version=1):
    """The customer was reached and the call recorded."""

    attempts: int = Field(ge=1)
    in_window: bool
    completed_at: AwareDatetime


class CallbackRefused(_KindedCallbackEvent, type="followup.CallbackRefused", version=1):
    attempts: int = Field(ge=1)
    refused_at: AwareDatetime


class CallbackUnreachable(_KindedCallbackEvent, type="followup.CallbackUnreachable", version=1):
    """Given up after at least 3 unanswered attempts; the note goes to the file for the next
    visit (docs/domain.md §6)."""

    file_id: UUID
    attempts: int = Field(ge=3)
    note_for_next_visit: str = Field(min_length=1)
    given_up_by: str
    given_up_at: AwareDatetime


class CallbackCancelled(_KindedCallbackEvent, type="followup.CallbackCancelled", version=1):
    reason: str
    cancelled_by: str
    cancelled_at: AwareDatetime

    @field_validator("reason")
    @classmethod
    def reason_is_known(cls, value: str) -> str:
        return check_code(value, CANCEL_REASONS, "cancel reason")


class CallbackOverdue(_KindedCallbackEvent, type="followup.CallbackOverdue", version=1):
    """The hard limit passed without reaching the customer (once). The callback stays open: a
    late call is still made and counted as late."""

    hard_limit_at: AwareDatetime
    attempts: int = Field(ge=0)
    agent: str | None = None
    overdue_at: AwareDatetime


class SecondFollowUpScheduled(_CallbackEvent, type="followup.SecondFollowUpScheduled", version=1):
    """A completed first callback: the service layer opens `second_callback_id` from this,
    due within 7 days (seed 002 §3.5)."""

    second_callback_id: UUID
    file_id: UUID
    window: CallbackWindow
    second_due_by: AwareDatetime
    scheduled_at: AwareDatetime


# --- campaigns ------------------------------------------------------------------------------


class _CampaignEvent(Event):
    campaign_id: UUID


class CampaignPlanned(_CampaignEvent, type="followup.CampaignPlanned", version=1):
    """Customers are called by `phone_by` (2 weeks before `starts_at`) and written to within 2
    days of the call (seed 002 §3.6). Do-not-call targets get the letter only, by
    `phone_by` + 2 days. `notice_override`: the service manager's reason to start with less
    than two weeks' notice (empty when the notice was enough)."""

    kind: str
    title: str = Field(min_length=1)
    starts_at: AwareDatetime
    phone_by: AwareDatetime
    targets: tuple[CampaignTarget, ...] = Field(min_length=1)
    planned_by: str
    planned_at: AwareDatetime
    notice_override: str = ""

    @field_validator("kind")
    @classmethod
    def kind_is_known(cls, value: str) -> str:
        return check_code(value, CAMPAIGN_KINDS, "campaign kind")


class CampaignCallLogged(_CampaignEvent, type="followup.CampaignCallLogged", version=1):
    """A campaign's phone notice. `letter_due_by` None: refused, no letter follows."""

    file_id: UUID
    outcome: str
    agent: str
    on_time: bool
    letter_due_by: AwareDatetime | None = None
    called_at: AwareDatetime

    @field_validator("outcome")
    @classmethod
    def outcome_is_known(cls, value: str) -> str:
        return check_code(value, CAMPAIGN_CALL_OUTCOMES, "campaign call outcome")


class CampaignLetterLogged(_CampaignEvent, type="followup.CampaignLetterLogged", version=1):
    file_id: UUID
    letter_kind: str
    sent_by: str
    on_time: bool
    sent_at: AwareDatetime

    @field_validator("letter_kind")
    @classmethod
    def letter_kind_is_known(cls, value: str) -> str:
        return check_code(value, LETTER_KINDS, "letter kind")
