"""The RepairOrder's state, folded from its events (`evolve`), and the guards every decision
shares. Pure: no I/O, no clock.

Before signing, `lines` are the current estimate's lines; from signing on they are the lines
the customer has approved (signed estimate + consented additions + approved additional work,
minus consented removals). The invoice is priced from these lines only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from events.catalog.reception import (
    AdditionalWorkApproved,
    AdditionalWorkAwaitingApproval,
    AdditionalWorkDeclined,
    ApprovalRequested,
    ConcernRecorded,
    DamageReported,
    DiscountApproved,
    EstimatePrepared,
    ExitSlipIssued,
    InvoiceSettled,
    PromisedTimeRevised,
    ReadyForDeliveryMarked,
    RepairLineAdded,
    RepairLineRemoved,
    RepairOrderOpened,
    RepairOrderSigned,
    VehicleCheckedIn,
    VehicleDelivered,
    VehicleHandedOver,
    WalkAroundRecorded,
)
from events.catalog.reception_invoicing import RepairOrderInvoiced, RepairOrderInvoiceVoided
from events.catalog.reception_values import Consent, MediaRef, Recommendation, RepairLine
from events.contract import Event
from reception.domain import errors

# The decision the customer took on a finding; None while it awaits approval.
APPROVED, DECLINED = "approved", "declined"


@dataclass(frozen=True)
class Finding:
    """Additional work reported by the workshop, and the customer's decision on it: with the
    consent it was taken with, and for a decline the customer's reason and whether the risk to
    safety was explained (what the consent paper shows)."""

    finding_id: UUID
    description: str
    lines: tuple[RepairLine, ...]
    safety_critical: bool
    extra_minutes: int
    decision: str | None = None
    consent: Consent | None = None
    customer_reason: str | None = None
    safety_explained: bool | None = None
    # From the digital inspection (issue 21): the workshop's report it came in, its grade, its media.
    round: int | None = None
    severity: str | None = None
    media: tuple[MediaRef, ...] = ()
    evidence_refs: tuple[str, ...] = ()

    @property
    def grade(self) -> str:
        """Yellow or red as the customer sees it (a finding from before grades: red if safety-critical)."""
        return self.severity or ("red" if self.safety_critical else "yellow")

    def recommendation(self) -> Recommendation:
        return Recommendation(
            finding_id=self.finding_id,
            description=self.description,
            safety_critical=self.safety_critical,
            labour_minutes=sum(line.labour_minutes for line in self.lines),
            labour_price=sum(line.labour_price for line in self.lines),
            parts_price=sum(line.parts_price for line in self.lines),
            lines=self.lines,
            severity=self.grade,
            media=self.media,
            evidence_refs=self.evidence_refs,
        )


@dataclass(frozen=True)
class RepairOrder:
    checked_in: VehicleCheckedIn | None = None
    walk_around: WalkAroundRecorded | None = None
    concerns: tuple[ConcernRecorded, ...] = ()
    opened: bool = False
    estimate: EstimatePrepared | None = None
    estimates: int = 0  # how many were prepared: the current one's number (an approval link's scope)
    discount_approved: DiscountApproved | None = None
    lines: tuple[RepairLine, ...] = ()
    promised_at: datetime | None = None
    original_promised_at: datetime | None = None
    signed_at: datetime | None = None
    signature_ref: str | None = None
    handed_over_at: datetime | None = None
    key_tag: str | None = None
    findings: tuple[Finding, ...] = ()
    ready: bool = False
    settled: InvoiceSettled | None = None
    delivered: bool = False
    delivery: VehicleDelivered | None = None
    closed_by_exit_slip: bool = False
    approval_requests: tuple[ApprovalRequested, ...] = ()
    signed_with: Consent | None = None  # signed on the customer's phone (digital)
    invoice_in_force: RepairOrderInvoiced | None = None  # billing's, issued and neither paid nor voided

    def line(self, line_id: UUID) -> RepairLine | None:
        return next((line for line in self.lines if line.line_id == line_id), None)

    def finding(self, finding_id: UUID) -> Finding | None:
        return next((f for f in self.findings if f.finding_id == finding_id), None)

    @property
    def pending_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.decision is None)

    @property
    def declined_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.decision == DECLINED)

    def known_line_ids(self) -> set[UUID]:
        """Every line id on the RO or proposed by a finding: a new line may use none of them."""
        ids = {line.line_id for line in self.lines}
        ids.update(line.line_id for finding in self.findings for line in finding.lines)
        return ids


INITIAL = RepairOrder()


# --- guards -------------------------------------------------------------------------------


def require_visit(state: RepairOrder) -> VehicleCheckedIn:
    """The check-in of a visit that is still open (no exit slip)."""
    if state.checked_in is None:
        raise errors.NotCheckedIn("check the car in first")
    if state.closed_by_exit_slip:
        raise errors.VisitClosed("an exit slip ended this visit; check the car in again for new work")
    return state.checked_in


def require_unsigned(state: RepairOrder) -> VehicleCheckedIn:
    visit = require_visit(state)
    if state.signed_at is not None:
        raise errors.AlreadySigned("the repair order is signed; change it with the customer's consent")
    return visit


def require_signed(state: RepairOrder) -> VehicleCheckedIn:
    visit = require_visit(state)
    if state.signed_at is None or state.promised_at is None:
        raise errors.NotSigned("the customer has not signed the repair order yet")
    return visit


def require_in_progress(state: RepairOrder) -> VehicleCheckedIn:
    """A signed RO whose work can still change: neither settled nor delivered."""
    visit = require_signed(state)
    if state.delivered:
        raise errors.AlreadyDelivered("the car has been delivered; the repair order is closed")
    if state.settled is not None:
        raise errors.AlreadySettled("the invoice is settled; the repair order can no longer change")
    return visit


def require_work_open(state: RepairOrder) -> VehicleCheckedIn:
    """An RO whose lines may change: in progress, and no invoice issued for them (billing read the
    lines when it issued: a change now would not be on the invoice the customer pays)."""
    visit = require_in_progress(state)
    invoiced = state.invoice_in_force
    if invoiced is not None:
        raise errors.RepairOrderInvoiced(
            f"invoice {invoiced.invoice_number} is issued for this work: the cashier voids it before the work changes"
        )
    return visit


# --- evolve -------------------------------------------------------------------------------


def evolve(state: RepairOrder, event: Event) -> RepairOrder:
    match event:
        case VehicleCheckedIn():
            return replace(state, checked_in=event)
        case WalkAroundRecorded():
            return replace(state, walk_around=event)
        case ConcernRecorded():
            return replace(state, concerns=(*state.concerns, event))
        case RepairOrderOpened():
            return replace(state, opened=True)
        case EstimatePrepared():
            # A new estimate needs its own approval.
            return replace(
                state,
                estimate=event,
                estimates=state.estimates + 1,
                lines=event.lines,
                promised_at=event.promised_at,
                discount_approved=None,
            )
        case DiscountApproved():
            return replace(state, discount_approved=event)
        case RepairOrderSigned():
            return replace(
                state,
                lines=event.lines,
                promised_at=event.promised_at,
                original_promised_at=event.promised_at,
                signed_at=event.signed_at,
                signature_ref=event.signature_ref,
                signed_with=event.consent,
            )
        case ExitSlipIssued():
            return replace(state, closed_by_exit_slip=True)
        case ApprovalRequested():
            return replace(state, approval_requests=(*state.approval_requests, event))
        case DamageReported() | VehicleHandedOver() | ReadyForDeliveryMarked():
            return _evolve_milestone(state, event)
    return _evolve_after_signing(state, event)


def _evolve_milestone(state: RepairOrder, event: Event) -> RepairOrder:
    match event:
        case VehicleHandedOver():
            return replace(state, handed_over_at=event.handed_over_at, key_tag=event.key_tag)
        case ReadyForDeliveryMarked():
            return replace(state, ready=True)
    return state  # DamageReported changes nothing the decisions look at


def _evolve_after_signing(state: RepairOrder, event: Event) -> RepairOrder:
    match event:
        case RepairLineAdded():
            # New work goes back to the workshop, so the car is no longer ready (QC again).
            return replace(state, lines=(*state.lines, event.line), ready=False)
        case RepairLineRemoved():
            return replace(state, lines=tuple(line for line in state.lines if line.line_id != event.line_id))
        case PromisedTimeRevised():
            return replace(state, promised_at=event.promised_at)
        case AdditionalWorkAwaitingApproval():
            finding = Finding(
                event.finding_id,
                event.description,
                event.proposed_lines,
                event.safety_critical,
                event.extra_minutes,
                round=event.round,
                severity=event.severity,
                media=event.media,
                evidence_refs=event.evidence_refs,
            )
            return replace(state, findings=(*state.findings, finding))
        case AdditionalWorkApproved():
            decided = _decide_finding(state, event.finding_id, decision=APPROVED, consent=event.consent)
            return replace(decided, lines=(*state.lines, *event.lines), ready=False)
        case AdditionalWorkDeclined():
            return _decide_finding(
                state,
                event.recommendation.finding_id,
                decision=DECLINED,
                consent=event.consent,
                customer_reason=event.customer_reason,
                safety_explained=event.safety_explained,
            )
        case RepairOrderInvoiced():
            return replace(state, invoice_in_force=event)
        case RepairOrderInvoiceVoided():
            voided = state.invoice_in_force is not None and state.invoice_in_force.invoice_id == event.invoice_id
            return replace(state, invoice_in_force=None) if voided else state
        case InvoiceSettled():
            return replace(state, settled=event)
        case VehicleDelivered():
            return replace(state, delivered=True, delivery=event)
    return state


def _decide_finding(
    state: RepairOrder,
    finding_id: UUID,
    decision: str,
    consent: Consent,
    customer_reason: str | None = None,
    safety_explained: bool | None = None,
) -> RepairOrder:
    findings = tuple(
        replace(
            f, decision=decision, consent=consent, customer_reason=customer_reason, safety_explained=safety_explained
        )
        if f.finding_id == finding_id
        else f
        for f in state.findings
    )
    return replace(state, findings=findings)
