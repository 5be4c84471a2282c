"""What can be asked of a complaint. Times come with the command (the handler reads the clock);
so do the site's working calendar and the handling person's authority limit (the handler reads
the site's settings), which keeps the domain pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from complaints.domain.sla import WorkingCalendar
from events.catalog.complaints_values import Authorisation, CustomerAccount

# --- step 1: receipt (a CS agent or advisor, or followup's dissatisfied callback) ----------


@dataclass(frozen=True)
class ReceiveComplaint:
    """`callback_id` is required when the channel is `callback`; any `serious_reasons`
    (accident, injury, safety) make it a complaint escalated to the service manager at once."""

    complaint_id: UUID
    customer_id: UUID
    channel: str
    kind: str
    category: str
    customer_words: str
    handled_by: str
    received_at: datetime
    calendar: WorkingCalendar
    vin: str | None = None
    repair_order_id: UUID | None = None
    callback_id: UUID | None = None
    serious_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReclassifyComplaint:
    kind: str
    reason: str
    handled_by: str
    reclassified_at: datetime
    calendar: WorkingCalendar


# --- steps 2 to 7 ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ListenToCustomer:
    account: CustomerAccount
    restated_words: str
    handled_by: str
    listened_at: datetime


@dataclass(frozen=True)
class ConfirmFacts:
    responsibility: str
    cause: str
    findings: str
    reproduced: bool
    handled_by: str
    confirmed_at: datetime
    reproduced_by: str | None = None
    vip: bool = False
    repeat_visitor: bool = False


@dataclass(frozen=True)
class DecideRemedy:
    """`authority_limit`: the most the handling person may grant alone (minor units);
    `dealer_limit`: the most the dealer grants — beyond it the manufacturer's customer service
    authorises (a referral). Both are the site's settings, read by the handler."""

    remedy: str
    description: str
    cost: int
    remedy_due: datetime
    spokesperson: str
    handled_by: str
    decided_at: datetime
    authority_limit: int
    dealer_limit: int | None = None
    authorised_by: Authorisation | None = None
    compromise: str = ""


@dataclass(frozen=True)
class ExplainDecision:
    agreed: bool
    handled_by: str
    explained_at: datetime
    customer_response: str = ""


@dataclass(frozen=True)
class TakeAction:
    description: str
    cost: int
    in_customer_presence: bool
    customer_satisfied: bool
    handled_by: str
    acted_at: datetime
    calendar: WorkingCalendar


@dataclass(frozen=True)
class RecordFollowUp:
    """Satisfied: `report_summary` goes into the customer's record. Not satisfied: `back_to`
    names the step to do again (listen, confirm_facts, decide, act)."""

    satisfied: bool
    channel: str
    handled_by: str
    followed_up_at: datetime
    back_to: str | None = None
    customer_words: str = ""
    report_summary: str = ""


# --- the durable timer -----------------------------------------------------------------------


@dataclass(frozen=True)
class RecordSlaBreach:
    """The SLA timer fired at `resolve_by` (the service's durable timer)."""

    at: datetime


@dataclass(frozen=True)
class RecordFollowUpOverdue:
    """The second-callback timer fired at `at` (the `second_callback_due` of the last action)."""

    at: datetime


ComplaintCommand = (
    ReceiveComplaint
    | ReclassifyComplaint
    | ListenToCustomer
    | ConfirmFacts
    | DecideRemedy
    | ExplainDecision
    | TakeAction
    | RecordFollowUp
    | RecordSlaBreach
    | RecordFollowUpOverdue
)
