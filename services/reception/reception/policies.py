"""How reception reacts to the workshop and to billing: findings are put to the customer, a car
that passed quality check may be settled and delivered, an invoice issued locks the RO's work
until it is voided, and the invoice billing reports paid settles the repair order.

Each reaction runs inside the consumer's transaction (`conn`), together with its inbox row:
a redelivered event changes nothing twice.
"""

from __future__ import annotations

from typing import Any

from events.catalog import billing, workshop
from events.catalog.reception_values import MediaRef, Payment
from events.commands import execute
from events.connection import Connection
from events.envelope import Envelope
from events.runtime import Reaction
from reception.domain.approvals import ADDITIONAL_WORK, round_scope
from reception.domain.repair_order import repair_order, stream_id
from reception.domain.repair_order_commands import (
    MarkReadyForDelivery,
    NoteInvoice,
    NoteInvoiceVoided,
    ReceiveAdditionalWork,
    RepairOrderCommand,
    RequestApproval,
    Settle,
)
from reception.handlers import Reception


def workshop_results(reception: Reception) -> Reaction:
    """workshop.AdditionalWorkFound → one finding awaiting the customer's decision each (the
    advisor calls with evidence, price and extra time), and the round's approval link for the
    customer's phone; workshop.VehicleReadyForDelivery → the
    RO is ready for delivery."""

    async def react(conn: Connection, envelope: Envelope[Any]) -> None:
        event, metadata = envelope.event, envelope.caused()
        stream = stream_id(event.repair_order_id)
        match event:
            case workshop.AdditionalWorkFound():
                for finding in event.findings:
                    command = ReceiveAdditionalWork(
                        finding_id=finding.finding_id,
                        description=finding.description,
                        proposed_lines=finding.proposed_lines,
                        safety_critical=finding.safety_critical,
                        extra_minutes=finding.extra_minutes,
                        received_at=event.found_at,
                        evidence_refs=finding.evidence_refs,
                        round=event.round,
                        severity=finding.severity,
                        media=tuple(MediaRef.model_validate(m.model_dump()) for m in finding.media),
                    )
                    await execute(reception.store, repair_order, stream, command, metadata, must_exist=True, conn=conn)
                # The whole round goes to the customer's phone as one decision (docs/approval-links.md).
                scope, at = round_scope(event.round), reception.now()
                link, expires_at = reception.links.mint(metadata.tenant, event.repair_order_id, scope, at)
                ask = RequestApproval(ADDITIONAL_WORK, scope, link, expires_at, at)
                await execute(reception.store, repair_order, stream, ask, metadata, must_exist=True, conn=conn)
            case workshop.VehicleReadyForDelivery():
                ready = MarkReadyForDelivery(event.ready_at)
                await execute(reception.store, repair_order, stream, ready, metadata, must_exist=True, conn=conn)

    handles = {workshop.AdditionalWorkFound.event_type, workshop.VehicleReadyForDelivery.event_type}
    return Reaction("workshop-results", ["workshop"], handles, react)


def billing_payments(reception: Reception) -> Reaction:
    """billing.InvoicePaid → the RO is settled with billing's invoice number and payments
    (reception.InvoiceSettled, with the health record); billing.InvoiceIssued → the RO's work is
    locked while that invoice stands, billing.InvoiceVoided → unlocked (reception_invoicing). The
    same invoice reported again changes nothing."""

    async def react(conn: Connection, envelope: Envelope[Any]) -> None:
        event = envelope.event
        command: RepairOrderCommand
        match event:
            case billing.InvoicePaid():
                command = Settle(
                    invoice_number=event.invoice_number,
                    payments=tuple(Payment(method=tender.method, amount=tender.amount) for tender in event.payments),
                    settled_at=event.paid_at,
                    invoice_id=event.invoice_id,
                )
            case billing.InvoiceIssued():
                command = NoteInvoice(event.invoice_id, event.number, event.issued_at)
            case billing.InvoiceVoided():
                command = NoteInvoiceVoided(event.invoice_id, event.number, event.reason, event.voided_at)
            case _:
                return
        stream = stream_id(event.repair_order_id)
        await execute(reception.store, repair_order, stream, command, envelope.caused(), must_exist=True, conn=conn)

    handles = {e.event_type for e in (billing.InvoicePaid, billing.InvoiceIssued, billing.InvoiceVoided)}
    return Reaction("billing-payments", ["billing"], handles, react)
