"""The invoice in force locks the RO's work (reception_invoicing): billing read the lines when it
issued, so from then until the invoice is paid or voided a line added, removed or approved would
not be on what the customer pays."""

from __future__ import annotations

import uuid

from domain_helpers import AWAITING_BRAKES, FINDING, READY_FOR_DELIVERY, RO, SERVICE, at, given, line, phone_consent

from events.catalog.reception import AdditionalWorkDeclined, RepairLineAdded
from events.catalog.reception_invoicing import RepairOrderInvoiced, RepairOrderInvoiceVoided
from reception.domain import errors
from reception.domain.pricing import from_catalogue
from reception.domain.repair_order_commands import (
    AddRepairLine,
    ApproveAdditionalWork,
    DeclineAdditionalWork,
    NoteInvoice,
    NoteInvoiceVoided,
    RemoveRepairLine,
)

INVOICE, OTHER_INVOICE = uuid.uuid4(), uuid.uuid4()
ISSUE = NoteInvoice(INVOICE, "SVC-2026-000042", at(112))
NUMBER = "SVC-2026-000042"
ISSUED = RepairOrderInvoiced(repair_order_id=RO, invoice_id=INVOICE, invoice_number=NUMBER, invoiced_at=at(112))
VOID = NoteInvoiceVoided(INVOICE, "SVC-2026-000042", "wrong buyer", at(113))
VOIDED = RepairOrderInvoiceVoided(
    repair_order_id=RO, invoice_id=INVOICE, invoice_number="SVC-2026-000042", reason="wrong buyer", voided_at=at(113)
)
ADD_WIPERS = AddRepairLine(
    line=from_catalogue(line("Replace wiper blades", 2000, minutes=10)), consent=phone_consent(113), added_at=at(114)
)
REMOVE_SERVICE = RemoveRepairLine(
    line_id=SERVICE.line_id, reason="customer changed their mind", consent=phone_consent(113), removed_at=at(114)
)


def test_an_invoice_issued_is_noted_once() -> None:
    state = given(*READY_FOR_DELIVERY).when(ISSUE).then(ISSUED)
    assert state.invoice_in_force == ISSUED
    given(*READY_FOR_DELIVERY, ISSUED).when(ISSUE).then()  # billing's event redelivered


def test_no_line_is_added_or_removed_while_the_invoice_stands() -> None:
    refused = given(*READY_FOR_DELIVERY, ISSUED).when(ADD_WIPERS).then_refused(errors.RepairOrderInvoiced)
    assert "SVC-2026-000042" in str(refused)
    given(*READY_FOR_DELIVERY, ISSUED).when(REMOVE_SERVICE).then_refused(errors.RepairOrderInvoiced)


def test_additional_work_is_not_approved_while_the_invoice_stands_but_may_be_declined() -> None:
    approve = ApproveAdditionalWork(finding_id=FINDING, consent=phone_consent(112), approved_at=at(113))
    given(*AWAITING_BRAKES, ISSUED).when(approve).then_refused(errors.RepairOrderInvoiced)
    decline = DeclineAdditionalWork(FINDING, phone_consent(112), "next time", at(113), safety_explained=True)
    (declined,) = given(*AWAITING_BRAKES, ISSUED).when(decline).decided()
    assert isinstance(declined, AdditionalWorkDeclined)


def test_a_void_unlocks_the_work_and_a_void_of_another_invoice_changes_nothing() -> None:
    other = NoteInvoiceVoided(OTHER_INVOICE, "SVC-2026-000041", "duplicate", at(113))
    given(*READY_FOR_DELIVERY, ISSUED).when(other).then()
    state = given(*READY_FOR_DELIVERY, ISSUED).when(VOID).then(VOIDED)
    assert state.invoice_in_force is None
    given(*READY_FOR_DELIVERY, ISSUED, VOIDED).when(VOID).then()  # redelivered
    (added,) = given(*READY_FOR_DELIVERY, ISSUED, VOIDED).when(ADD_WIPERS).decided()
    assert isinstance(added, RepairLineAdded)
