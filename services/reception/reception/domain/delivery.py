"""From the reception desk to the workshop and back: hand-over with the numbered key, the
workshop's "ready" (QC passed), settlement and delivery (docs/domain.md §2 and §5).

Order at the end: ready (QC passed) → settled → delivered. Settlement comes before the keys
are handed back: the invoice is explained and paid at delivery, then the customer is seen off
(docs/domain.md §5 "explain the invoice …; settle the payment; see the customer off"). The
invoice is billing's: the RO is settled when billing reports it paid (`billing.InvoicePaid`,
policies.py), with billing's invoice number and payments. An RO paid entirely by warranty,
internal or goodwill is settled all the same (customer-pay total 0, no payment), so every
delivered RO has its invoice number for the national health record.
"""

from __future__ import annotations

from collections.abc import Sequence

from events.catalog.reception import InvoiceSettled, ReadyForDeliveryMarked, VehicleDelivered, VehicleHandedOver
from events.catalog.reception_values import PAYMENT_METHODS, Payment
from events.contract import Event
from reception.domain import errors
from reception.domain.errors import require_code, require_not_negative, require_text
from reception.domain.invoice import health_record, price
from reception.domain.repair_order_commands import Deliver, HandOverToWorkshop, MarkReadyForDelivery, Settle
from reception.domain.repair_order_state import RepairOrder, require_in_progress, require_signed

WARRANTY_CLAIM, SPLIT = "warranty_claim", "split"


def hand_over(state: RepairOrder, command: HandOverToWorkshop) -> Sequence[Event]:
    visit = require_in_progress(state)
    if state.handed_over_at is not None:
        raise errors.AlreadyHandedOver("the car and its key are already with the workshop")
    key_tag = command.key_tag.strip()
    if not key_tag:
        # seed 002: "車鑰匙要登記、編號" — the key is registered under a number.
        raise errors.KeyTagRequired("register the key under its tag number before handing the car over")
    assert state.signed_at is not None  # require_in_progress guarantees the signature
    if command.handed_over_at < state.signed_at:
        raise errors.TimeOutOfOrder("the car is handed to the workshop after the customer signed")
    return [
        VehicleHandedOver(repair_order_id=visit.repair_order_id, key_tag=key_tag, handed_over_at=command.handed_over_at)
    ]


def mark_ready(state: RepairOrder, command: MarkReadyForDelivery) -> Sequence[Event]:
    visit = require_in_progress(state)
    if state.handed_over_at is None:
        raise errors.NotHandedOver("the workshop never received this car; hand it over first")
    if state.ready:
        raise errors.AlreadyReady("the car is already ready for delivery")
    return [ReadyForDeliveryMarked(repair_order_id=visit.repair_order_id, ready_at=command.ready_at)]


def _require_ready(state: RepairOrder) -> None:
    if not state.ready:
        raise errors.NotReadyForDelivery("the workshop has not passed the car through quality check yet")
    pending = state.pending_findings
    if pending:
        # seed 000: the customer's decision on every finding is written on the RO.
        raise errors.FindingAwaitingDecision(
            f"{len(pending)} additional-work finding(s) still await the customer's decision"
        )


def payment_method(payments: Sequence[Payment]) -> str:
    """The one method the invoice was paid with; "split" for several; a warranty claim when the
    customer paid nothing (warranty, internal or goodwill lines only)."""
    methods = {payment.method for payment in payments}
    if not methods:
        return WARRANTY_CLAIM
    if len(methods) > 1:
        return SPLIT
    (method,) = methods
    return require_code(method, PAYMENT_METHODS, "payment method")


def settle(state: RepairOrder, command: Settle) -> Sequence[Event]:
    if state.settled is not None and state.settled.invoice_number == command.invoice_number:
        return []  # billing's report again (another delivery of the same payment): already settled
    visit = require_in_progress(state)
    _require_ready(state)
    invoice_number = require_text(command.invoice_number, "the invoice number")
    method = payment_method(command.payments)
    totals = price(state.lines)
    assert state.walk_around is not None  # signing required the walk-around
    return [
        InvoiceSettled(
            repair_order_id=visit.repair_order_id,
            invoice_number=invoice_number,
            invoice_id=command.invoice_id,
            payments=command.payments,
            payment_method=method,
            currency=visit.currency,
            totals=totals.by_pay_type,
            labour_total=totals.labour,
            parts_total=totals.parts,
            total=totals.total,
            customer_pay_total=totals.customer_pay,
            health_record=health_record(
                visit, state.walk_around, state.concerns, state.lines, invoice_number, command.settled_at
            ),
            settled_at=command.settled_at,
        )
    ]


def _keeps_old_parts(state: RepairOrder) -> bool:
    """The customer chose to keep old parts and some were replaced that are theirs to keep:
    warranty parts go back to the manufacturer (seed 003: "索赔件应向客户说明需返厂")."""
    estimate = state.estimate
    return (
        estimate is not None
        and estimate.old_parts == "keep"
        and any(line.parts and line.pay_type != "WARRANTY" for line in state.lines)
    )


def deliver(state: RepairOrder, command: Deliver) -> Sequence[Event]:
    visit = require_signed(state)
    if state.delivered:
        raise errors.AlreadyDelivered("the car has already been delivered")
    _require_ready(state)
    if state.settled is None:
        raise errors.NotSettled("settle the invoice before handing back the keys")
    if not command.work_explained:
        raise errors.ExplanationRequired("walk the customer through the work done and the invoice first")
    if _keeps_old_parts(state) and not command.old_parts_returned:
        raise errors.OldPartsNotReturned("the customer chose to keep the old parts: return them at delivery")
    if command.next_service_due_km is not None:
        require_not_negative(command.next_service_due_km, "next service mileage")
    promised, original = state.promised_at, state.original_promised_at
    assert promised is not None  # set by signing
    assert original is not None
    assert state.walk_around is not None  # signing required the walk-around
    return [
        VehicleDelivered(
            repair_order_id=visit.repair_order_id,
            vehicle=visit.vehicle,
            customer=visit.customer,
            vehicle_user=visit.vehicle_user,
            mileage_km=state.walk_around.mileage_km,
            promised_at=promised,
            original_promised_at=original,
            # Against the promise in force: a revision the customer agreed to is the promise.
            on_time=command.delivered_at <= promised,
            work_explained=command.work_explained,
            old_parts_shown=command.old_parts_shown,
            old_parts_returned=command.old_parts_returned,
            next_service_due_date=command.next_service_due_date,
            next_service_due_km=command.next_service_due_km,
            next_service_menu_id=command.next_service_menu_id,
            pending_recommendations=tuple(f.recommendation() for f in state.declined_findings),
            delivered_at=command.delivered_at,
        )
    ]
