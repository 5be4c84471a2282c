"""Commands of the RepairOrder aggregate (stream `repair_order-<uuid>`).

Value objects that have exactly the published shape (contacts, vehicle, damage, consent,
repair lines) are the catalog's own models, so a malformed one is an input error before the
domain sees it. Code-list strings that are plain fields here (arrival kind, payment method,
...) are checked by the domain and refused with `invalid_code`. Every time comes in on the
command: the handler reads the clock, the domain never does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from events.catalog.reception_values import Consent, Contact, Damage, MediaRef, Payment, RepairLine, VehicleIdentity
from reception.domain.pricing import FULL_AUTHORITY, PricedLine

# --- at the reception desk ----------------------------------------------------------------


@dataclass(frozen=True)
class BookedAppointment:
    """What reception has heard from booking of one appointment at the site (its published
    events): `status` is booked, arrived, cancelled or no_show; an arrived car has booking's
    arrival time and priority (on time, or after the grace period)."""

    appointment_id: UUID
    status: str
    arrived_at: datetime | None = None
    priority: str | None = None


@dataclass(frozen=True)
class CheckIn:
    """Greet and receive the car. A customer who leaves the car gives a contact number.

    An appointment car's arrival is booking's (`booking`, None if reception has heard of no such
    appointment at the site); anyone else's arrival is recorded at the desk (`arrived_at`)."""

    repair_order_id: UUID
    arrival_kind: str
    customer: Contact
    vehicle: VehicleIdentity
    vehicle_user: Contact
    service_advisor: str
    arrived_at: datetime | None
    greeted_at: datetime
    customer_waiting: bool
    contact_phone: str | None = None
    appointment_id: UUID | None = None
    courtesy_offered: tuple[str, ...] = ()
    courtesy_accepted: str | None = None
    currency: str = "CNY"
    booking: BookedAppointment | None = None


@dataclass(frozen=True)
class RecordWalkAround:
    """The walk-around with the customer, or by the advisor alone if the customer declines.
    `overnight`: the car stays overnight, so spare tyre and tools must be checked."""

    mileage_km: int
    fuel_eighths: int
    valuables_reminded: bool
    protective_covers_fitted: bool
    declined_by_customer: bool
    recorded_at: datetime
    warning_lamps: tuple[str, ...] = ()
    damages: tuple[Damage, ...] = ()
    overnight: bool = False
    spare_tyre_present: bool | None = None
    tools_present: bool | None = None


@dataclass(frozen=True)
class ReportDamage:
    """Tell the customer about damage found after the walk-around."""

    damages: tuple[Damage, ...]
    channel: str
    reported_by: str
    found_at: datetime
    reported_at: datetime


@dataclass(frozen=True)
class RecordConcern:
    """The concern in the customer's own words with the customer's side of 5W2H."""

    concern_id: UUID
    customer_words: str
    what: str
    when: str
    where: str
    who: str
    how_often: str
    read_back_confirmed: bool
    recorded_at: datetime


@dataclass(frozen=True)
class PrepareEstimate:
    """The lines come priced (the handler asked the catalogue): each next to the catalogue's
    pricing of the same work. `discount_authority_bp`: the largest discount the advisor may
    give on a line without a service manager's approval (basis points of its catalogue price)."""

    lines: tuple[PricedLine, ...]
    promised_at: datetime
    payment_method: str
    old_parts: str
    wash: bool
    prepared_at: datetime
    estimate_method: str = "item"
    discount_authority_bp: int = 0
    price_lists: tuple[tuple[str, str], ...] = ()
    model_family: str | None = None
    menu_id: str | None = None


@dataclass(frozen=True)
class ApproveDiscount:
    """A service manager approves the estimate's discount beyond the advisor's authority."""

    approved_by: str
    approved_at: datetime


@dataclass(frozen=True)
class SignRepairOrder:
    """`consent`: the customer signed on their phone through an approval link (kind digital)."""

    signature_ref: str
    signed_at: datetime
    consent: Consent | None = None
    estimate_scope: str | None = None  # the estimate the customer's link showed (refused if replaced since)


@dataclass(frozen=True)
class IssueExitSlip:
    """End a visit with no signed work. A diagnosis fee only when the customer declined."""

    advice: str
    issued_at: datetime
    customer_declined_repair: bool = False
    diagnosis_fee: int = 0


# --- changes after signing (each needs the customer's consent) ----------------------------


@dataclass(frozen=True)
class AddRepairLine:
    """A line priced like the estimate's; a discount beyond `discount_authority_bp` is refused
    (a service manager, with the larger authority, adds it)."""

    line: PricedLine
    consent: Consent | None
    added_at: datetime
    discount_authority_bp: int = FULL_AUTHORITY
    price_lists: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RemoveRepairLine:
    line_id: UUID
    reason: str
    consent: Consent | None
    removed_at: datetime


@dataclass(frozen=True)
class RevisePromisedTime:
    promised_at: datetime
    reason: str
    consent: Consent | None
    revised_at: datetime


# --- additional work (a reaction to workshop.AdditionalWorkFound) -------------------------


@dataclass(frozen=True)
class ReceiveAdditionalWork:
    finding_id: UUID
    description: str
    proposed_lines: tuple[RepairLine, ...]
    safety_critical: bool
    extra_minutes: int
    received_at: datetime
    evidence_refs: tuple[str, ...] = ()
    round: int | None = None
    severity: str | None = None
    media: tuple[MediaRef, ...] = ()


@dataclass(frozen=True)
class ApproveAdditionalWork:
    finding_id: UUID
    consent: Consent | None
    approved_at: datetime


@dataclass(frozen=True)
class DeclineAdditionalWork:
    """`safety_explained`: the advisor told the customer why a safety-critical item matters."""

    finding_id: UUID
    consent: Consent | None
    customer_reason: str
    declined_at: datetime
    safety_explained: bool = False


# --- the customer's decisions through an approval link (approvals.py) -------------------


@dataclass(frozen=True)
class RequestApproval:
    """Ask the customer for the decision `scope` names, through `link` (valid until `expires_at`)."""

    approval_of: str
    scope: str
    link: str
    expires_at: datetime
    requested_at: datetime


@dataclass(frozen=True)
class FindingDecision:
    finding_id: UUID
    approved: bool
    reason: str = ""
    # The customer saw the page's warning that the item concerns safety and declined anyway.
    risk_acknowledged: bool = False


@dataclass(frozen=True)
class DecideFindings:
    """The customer's answer to a round (`scope`) through its link: every finding of the round
    still awaiting a decision, each approved or declined, under one digital consent."""

    scope: str
    decisions: tuple[FindingDecision, ...]
    consent: Consent
    decided_at: datetime


# --- hand-over, readiness, settlement, delivery -------------------------------------------


@dataclass(frozen=True)
class HandOverToWorkshop:
    key_tag: str
    handed_over_at: datetime


@dataclass(frozen=True)
class MarkReadyForDelivery:
    """A reaction to workshop.VehicleReadyForDelivery: QC passed."""

    ready_at: datetime


@dataclass(frozen=True)
class Settle:
    """A reaction to billing.InvoicePaid: the invoice billing numbered is paid."""

    invoice_number: str
    payments: tuple[Payment, ...]
    settled_at: datetime
    invoice_id: UUID | None = None


@dataclass(frozen=True)
class NoteInvoice:
    """A reaction to billing.InvoiceIssued: the RO's work is the invoice's now."""

    invoice_id: UUID
    invoice_number: str
    invoiced_at: datetime


@dataclass(frozen=True)
class NoteInvoiceVoided:
    """A reaction to billing.InvoiceVoided: the work may change again."""

    invoice_id: UUID
    invoice_number: str
    reason: str
    voided_at: datetime


@dataclass(frozen=True)
class Deliver:
    delivered_at: datetime
    work_explained: bool
    old_parts_shown: bool
    old_parts_returned: bool
    next_service_due_date: date | None = None
    next_service_due_km: int | None = None
    next_service_menu_id: str | None = None


RepairOrderCommand = (
    CheckIn
    | RecordWalkAround
    | ReportDamage
    | RecordConcern
    | PrepareEstimate
    | ApproveDiscount
    | SignRepairOrder
    | IssueExitSlip
    | AddRepairLine
    | RemoveRepairLine
    | RevisePromisedTime
    | ReceiveAdditionalWork
    | ApproveAdditionalWork
    | DeclineAdditionalWork
    | RequestApproval
    | DecideFindings
    | HandOverToWorkshop
    | MarkReadyForDelivery
    | Settle
    | NoteInvoice
    | NoteInvoiceVoided
    | Deliver
)
