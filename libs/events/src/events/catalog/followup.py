"""Published events of the followup service (docs/domain.md §6; seeds 000, 002, 004): the
callbacks after a visit. The service's other contracts, all published as `followup.*`, are in the
modules beside this one: the customer file (`followup_files`), campaigns as active-appointment
proposals (`followup_campaigns`) and the contact queue (`followup_proposals`); their codes and
values are in `followup_values`.

Streams:
- `customer_file-<file_id>` (`followup_files`): one file per *vehicle user* — the person the
  callbacks go to (docs/domain.md "callbacks go to the vehicle user"). `file_id` is the vehicle
  user's `customer_id` when reception knows it, otherwise a stable id from the group and phone
  (`followup.domain.customer_file.file_id_for`). Events carry `file_id`.
- `callback-<callback_id>` (this module): one per delivered visit and kind (`first`, `second`);
  the id is derived from the repair order and the kind, so a redelivered reaction cannot open
  two. Events carry `callback_id` and `repair_order_id`.
- `campaign-<campaign_id>` (`followup_campaigns`): a campaign's notices by phone and letter.
  Events carry `campaign_id`.

Every call and letter is logged (seed 002 §3.7-3.8): callback calls as `AttemptRecorded`,
campaign calls as `CampaignCallLogged`, any other call as `CallLogged`, letters as `LetterLogged`
/ `CampaignLetterLogged`, the refusal SMS as `SmsQueued` — the call log is their union.
Due times (window opens, due, hard limit, next attempt, escalate-by, second due-by) are
published in the events so the service layer can set durable timers from them.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, field_validator

from events.catalog.followup_values import (
    ATTEMPT_OUTCOMES,
    CALL_DIRECTIONS,
    CALLBACK_KINDS,
    CANCEL_REASONS,
    DISSATISFACTION_CATEGORIES,
    SCORE_MAX,
    SCORE_MIN,
    SKIP_REASONS,
    SMS_TEMPLATES,
    CallbackWindow,
    check_code,
)
from events.catalog.reception_values import Contact, VehicleIdentity
from events.contract import Event
from events.personal_fields import PERSONAL


def _categories(value: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(check_code(c, DISSATISFACTION_CATEGORIES, "dissatisfaction category") for c in value)


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
