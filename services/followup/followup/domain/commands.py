"""What can be asked of follow-up. Times come with the command (the handler reads the clock)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from events.catalog.followup_values import OUTBOUND, CampaignTarget
from events.catalog.reception_values import Contact, Recommendation, VehicleIdentity

# --- the customer file ----------------------------------------------------------------------


@dataclass(frozen=True)
class RecordVisit:
    """reception.VehicleDelivered (contacts, next service, pending recommendations), completed
    with reception.InvoiceSettled (work done, invoice): whichever comes second amends the visit."""

    file_id: UUID
    repair_order_id: UUID
    vehicle_user: Contact
    owner: Contact
    vehicle: VehicleIdentity
    visited_at: datetime
    mileage_km: int
    recorded_at: datetime
    work_done: tuple[str, ...] = ()
    invoice_number: str | None = None
    next_service_due_date: date | None = None
    next_service_due_km: int | None = None
    pending_recommendations: tuple[Recommendation, ...] = ()


@dataclass(frozen=True)
class SetDoNotCall:
    set_by: str
    reason: str
    set_at: datetime


@dataclass(frozen=True)
class ClearDoNotCall:
    cleared_by: str
    reason: str
    cleared_at: datetime


@dataclass(frozen=True)
class RecordWish:
    wish: str
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class AddNextVisitNote:
    """An agent's note, or followup.CallbackUnreachable's (source `callback_unreachable`)."""

    note: str
    source: str
    added_by: str
    added_at: datetime
    callback_id: UUID | None = None


@dataclass(frozen=True)
class ProposeDeclinedWork:
    """reception.AdditionalWorkDeclined: the recommendation becomes an active-appointment proposal."""

    repair_order_id: UUID
    vehicle: VehicleIdentity
    recommendation: Recommendation
    declined_at: datetime


@dataclass(frozen=True)
class LogCall:
    direction: str
    purpose: str
    phone: str | None  # None: the file's phone
    agent: str
    summary: str
    called_at: datetime
    repair_order_id: UUID | None = None


@dataclass(frozen=True)
class LogLetter:
    letter_kind: str
    subject: str
    sent_by: str
    sent_at: datetime
    campaign_id: UUID | None = None


CustomerFileCommand = (
    RecordVisit
    | SetDoNotCall
    | ClearDoNotCall
    | RecordWish
    | AddNextVisitNote
    | ProposeDeclinedWork
    | LogCall
    | LogLetter
)

# --- the callback ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenCallback:
    """From reception.VehicleDelivered (`first`, `basis_at` = delivery) or
    followup.SecondFollowUpScheduled (`second`, `basis_at` = the first's completion).
    `do_not_call` is the customer file's flag, read by the handler."""

    callback_id: UUID
    repair_order_id: UUID
    kind: str
    file_id: UUID
    contact: Contact
    vehicle: VehicleIdentity
    basis_at: datetime
    do_not_call: bool
    opened_at: datetime
    agent: str | None = None
    first_callback_id: UUID | None = None


@dataclass(frozen=True)
class AssignCallback:
    """Assign a queued callback, or (supervisor) reassign an absent agent's."""

    agent: str
    assigned_by: str
    assigned_at: datetime
    reason: str = ""


@dataclass(frozen=True)
class CallAnswers:
    """The script's answers (docs/domain.md §6). `unanswered_question`: what the agent could not
    answer on the call (escalated); `serious`: accident, injury or safety (docs/domain.md §7)."""

    problem_fixed: bool
    satisfaction_score: int
    read_back_confirmed: bool
    other_problems: str = ""
    dissatisfaction: tuple[str, ...] = ()
    customer_words: str = ""
    unanswered_question: str = ""
    serious: bool = False


@dataclass(frozen=True)
class RecordAttempt:
    """One call. `reached` needs `answers`; `call_me_later` needs `call_me_later_at`."""

    agent: str
    outcome: str
    attempted_at: datetime
    direction: str = OUTBOUND
    call_me_later_at: datetime | None = None
    answers: CallAnswers | None = None
    note: str = ""


@dataclass(frozen=True)
class GiveUp:
    """Stop calling after at least 3 unanswered attempts; the note goes to the next visit."""

    given_up_by: str
    given_up_at: datetime


@dataclass(frozen=True)
class CancelCallback:
    """E.g. followup.DoNotCallSet while a callback is open."""

    reason: str
    cancelled_by: str
    cancelled_at: datetime


@dataclass(frozen=True)
class MarkOverdue:
    """The hard-limit timer fired."""

    at: datetime


@dataclass(frozen=True)
class AnswerQuestion:
    """The supervisor's solution; `tell_customer_by` is the end of that day at the site (the
    handler knows the site's time zone)."""

    answer: str
    answered_by: str
    tell_customer_by: datetime
    answered_at: datetime


@dataclass(frozen=True)
class TellAnswer:
    agent: str
    told_at: datetime


CallbackCommand = (
    OpenCallback | AssignCallback | RecordAttempt | GiveUp | CancelCallback | MarkOverdue | AnswerQuestion | TellAnswer
)

# --- campaigns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanCampaign:
    """`override_reason`: a service manager's reason to start with less than two weeks' notice."""

    campaign_id: UUID
    kind: str
    title: str
    starts_at: datetime
    targets: tuple[CampaignTarget, ...]
    planned_by: str
    planned_at: datetime
    override_reason: str = ""


@dataclass(frozen=True)
class RecordCampaignCall:
    """A phone notice; a reached customer who wants to come gets an appointment proposal."""

    file_id: UUID
    outcome: str
    agent: str
    called_at: datetime
    wants_appointment: bool = False


@dataclass(frozen=True)
class RecordCampaignLetter:
    file_id: UUID
    letter_kind: str
    sent_by: str
    sent_at: datetime


CampaignCommand = PlanCampaign | RecordCampaignCall | RecordCampaignLetter
