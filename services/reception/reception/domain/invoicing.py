"""The RO and billing's invoice in force (`events.catalog.reception_invoicing`): recorded from
billing's events, so the RO's lines are locked from the invoice's issue until it is paid (the RO
is settled: `delivery.settle`) or voided. Pure; the lock itself is `require_work_open`.

Billing's events may come again (a redelivery): the same invoice noted twice, or the void of an
invoice that is not the one in force, records nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from events.catalog.reception_invoicing import RepairOrderInvoiced, RepairOrderInvoiceVoided
from events.contract import Event
from reception.domain.repair_order_commands import NoteInvoice, NoteInvoiceVoided
from reception.domain.repair_order_state import RepairOrder, require_signed


def note_invoice(state: RepairOrder, command: NoteInvoice) -> Sequence[Event]:
    visit = require_signed(state)
    in_force = state.invoice_in_force
    if (in_force is not None and in_force.invoice_id == command.invoice_id) or state.settled is not None:
        return []
    return [
        RepairOrderInvoiced(
            repair_order_id=visit.repair_order_id,
            invoice_id=command.invoice_id,
            invoice_number=command.invoice_number,
            invoiced_at=command.invoiced_at,
        )
    ]


def note_voided(state: RepairOrder, command: NoteInvoiceVoided) -> Sequence[Event]:
    visit = require_signed(state)
    in_force = state.invoice_in_force
    if in_force is None or in_force.invoice_id != command.invoice_id:
        return []
    return [
        RepairOrderInvoiceVoided(
            repair_order_id=visit.repair_order_id,
            invoice_id=command.invoice_id,
            invoice_number=command.invoice_number,
            reason=command.reason,
            voided_at=command.voided_at,
        )
    ]
