"""Hand-over to the workshop, ready (QC passed), settlement and delivery (docs/domain.md §2 and §5;
seeds 000, 002, 003). Order at the end: ready → settled → delivered."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from domain_helpers import (
    AWAITING_BRAKES,
    BRAKES,
    CONCERN_WORDS,
    CUSTOMER,
    DELIVER,
    ESTIMATE,
    ESTIMATED,
    FINDING,
    HAND_OVER,
    HANDED_OVER,
    READY,
    READY_FOR_DELIVERY,
    READY_TO_ESTIMATE,
    RO,
    SERVICE,
    SETTLE,
    SETTLED,
    SIGN,
    SIGNED,
    USER,
    VEHICLE,
    at,
    catalogued,
    given,
    line,
    part,
    phone_consent,
    recorded,
)

from events.catalog.reception import InvoiceSettled, ReadyForDeliveryMarked, VehicleDelivered, VehicleHandedOver
from events.catalog.reception_values import (
    HealthRecordItem,
    HealthRecordPart,
    MaintenanceRecord,
    Payment,
    PayTypeTotal,
    Recommendation,
)
from reception.domain import errors
from reception.domain.pricing import from_catalogue
from reception.domain.repair_order_commands import (
    AddRepairLine,
    ApproveAdditionalWork,
    DeclineAdditionalWork,
    RemoveRepairLine,
    RevisePromisedTime,
)

SERVICE_TOTAL = PayTypeTotal(pay_type="CUSTOMER_PAY", labour=8000, parts=20300, total=28300)
SERVICE_ITEM = HealthRecordItem(
    labour_operation=SERVICE.labour_operation, description="10000 km service", labour_minutes=40
)
SERVICE_PARTS = (
    HealthRecordPart(part_number="OIL-5W30-4L", name="engine oil 5W-30", quantity=1),
    HealthRecordPart(part_number="04152-YZZA1", name="oil filter", quantity=1),
    HealthRecordPart(part_number="90430-12031", name="drain plug washer", quantity=1),
)

# --- hand-over ----------------------------------------------------------------------------


def test_the_car_and_its_numbered_key_go_to_the_workshop() -> None:
    state = (
        given(*SIGNED)
        .when(replace(HAND_OVER, key_tag=" K-17 "))
        .then(VehicleHandedOver(repair_order_id=RO, key_tag="K-17", handed_over_at=at(25)))
    )
    assert state.handed_over_at == at(25)


def test_the_key_is_registered_under_a_tag() -> None:
    given(*SIGNED).when(replace(HAND_OVER, key_tag="  ")).then_refused(errors.KeyTagRequired)


def test_the_car_is_handed_over_once() -> None:
    given(*HANDED_OVER).when(HAND_OVER).then_refused(errors.AlreadyHandedOver)


def test_the_car_goes_to_the_workshop_only_with_a_signed_order() -> None:
    given(*ESTIMATED).when(HAND_OVER).then_refused(errors.NotSigned)


def test_the_hand_over_follows_the_signature() -> None:
    given(*SIGNED).when(replace(HAND_OVER, handed_over_at=at(19))).then_refused(errors.TimeOutOfOrder)


# --- ready for delivery -------------------------------------------------------------------


def test_the_workshop_reports_the_car_ready() -> None:
    state = given(*HANDED_OVER).when(READY).then(ReadyForDeliveryMarked(repair_order_id=RO, ready_at=at(110)))
    assert state.ready


def test_a_car_never_handed_over_is_not_ready() -> None:
    given(*SIGNED).when(READY).then_refused(errors.NotHandedOver)


def test_a_ready_car_is_marked_ready_once() -> None:
    given(*READY_FOR_DELIVERY).when(READY).then_refused(errors.AlreadyReady)


# --- settlement ---------------------------------------------------------------------------


def settled(
    totals: tuple[PayTypeTotal, ...],
    items: tuple[HealthRecordItem, ...] = (SERVICE_ITEM,),
    parts: tuple[HealthRecordPart, ...] = SERVICE_PARTS,
    method: str = "card",
    payments: tuple[Payment, ...] = SETTLE.payments,
) -> InvoiceSettled:
    labour, parts_total = sum(t.labour for t in totals), sum(t.parts for t in totals)
    return InvoiceSettled(
        repair_order_id=RO,
        invoice_number="INV-2024-0001",
        payment_method=method,
        payments=payments,
        currency="CNY",
        totals=totals,
        labour_total=labour,
        parts_total=parts_total,
        total=labour + parts_total,
        customer_pay_total=sum(t.total for t in totals if t.pay_type == "CUSTOMER_PAY"),
        health_record=MaintenanceRecord(
            plate="京A12345",
            vin="LFV3A23C0J3000001",
            repair_date=date(2024, 5, 6),
            mileage_km=10012,
            fault_description=CONCERN_WORDS,
            settlement_date=date(2024, 5, 6),
            settlement_number="INV-2024-0001",
            items=items,
            parts=parts,
        ),
        settled_at=at(114),
    )


def test_the_invoice_is_settled_with_the_health_record() -> None:
    state = given(*READY_FOR_DELIVERY).when(SETTLE).then(settled((SERVICE_TOTAL,)))
    assert state.settled is not None


def brakes_item() -> HealthRecordItem:
    return HealthRecordItem(
        labour_operation=BRAKES.labour_operation, description="Replace front brake pads", labour_minutes=60
    )


def test_the_invoice_counts_approved_additional_work() -> None:
    approve = ApproveAdditionalWork(finding_id=FINDING, consent=phone_consent(55), approved_at=at(56))
    history = recorded(approve, READY, after=AWAITING_BRAKES)
    totals = (PayTypeTotal(pay_type="CUSTOMER_PAY", labour=20000, parts=65300, total=85300),)
    brake_pads = HealthRecordPart(part_number="04465-33471", name="front brake pads", quantity=1)
    given(*history).when(SETTLE).then(settled(totals, (SERVICE_ITEM, brakes_item()), (*SERVICE_PARTS, brake_pads)))


def test_the_invoice_leaves_out_declined_work() -> None:
    decline = DeclineAdditionalWork(FINDING, phone_consent(55), "next month", at(56), safety_explained=True)
    history = recorded(decline, READY, after=AWAITING_BRAKES)
    given(*history).when(SETTLE).then(settled((SERVICE_TOTAL,)))


def test_the_invoice_leaves_out_removed_lines_and_splits_pay_types() -> None:
    regulator = line("Window regulator", 12000, part("8W0837461", "window regulator", 45000), pay_type="WARRANTY")
    wipers = line("Replace wiper blades", 2000, minutes=10)
    add_regulator = AddRepairLine(from_catalogue(regulator), phone_consent(30), at(31))
    add_wipers = AddRepairLine(from_catalogue(wipers), phone_consent(30), at(31))
    remove_wipers = RemoveRepairLine(wipers.line_id, "not needed", phone_consent(40), at(41))
    history = recorded(add_regulator, add_wipers, remove_wipers, READY, after=HANDED_OVER)
    totals = (SERVICE_TOTAL, PayTypeTotal(pay_type="WARRANTY", labour=12000, parts=45000, total=57000))
    regulator_item = HealthRecordItem(
        labour_operation=regulator.labour_operation, description="Window regulator", labour_minutes=30
    )
    regulator_part = HealthRecordPart(part_number="8W0837461", name="window regulator", quantity=1)
    event = settled(totals, (SERVICE_ITEM, regulator_item), (*SERVICE_PARTS, regulator_part))
    given(*history).when(SETTLE).then(event)
    assert (event.total, event.customer_pay_total) == (85300, 28300)


def test_an_all_warranty_order_is_settled_as_a_warranty_claim() -> None:
    warranty_service = SERVICE.model_copy(update={"pay_type": "WARRANTY"})
    history = recorded(
        SIGN,
        HAND_OVER,
        READY,
        after=recorded(replace(ESTIMATE, lines=catalogued(warranty_service)), after=READY_TO_ESTIMATE),
    )
    totals = (PayTypeTotal(pay_type="WARRANTY", labour=8000, parts=20300, total=28300),)
    given(*history).when(replace(SETTLE, payments=())).then(settled(totals, method="warranty_claim", payments=()))


def test_settlement_waits_for_quality_check() -> None:
    given(*HANDED_OVER).when(SETTLE).then_refused(errors.NotReadyForDelivery)


def test_settlement_waits_for_the_customers_decision_on_every_finding() -> None:
    given(*recorded(READY, after=AWAITING_BRAKES)).when(SETTLE).then_refused(errors.FindingAwaitingDecision)


def test_an_invoice_is_settled_once() -> None:
    given(*SETTLED).when(replace(SETTLE, invoice_number="INV-2024-0002")).then_refused(errors.AlreadySettled)


def test_billing_reporting_the_same_invoice_paid_again_changes_nothing() -> None:
    given(*SETTLED).when(SETTLE).then()


def test_settlement_needs_an_invoice_number_and_a_known_payment_method() -> None:
    given(*READY_FOR_DELIVERY).when(replace(SETTLE, invoice_number=" ")).then_refused(errors.MissingInformation)
    shells = (Payment(method="shells", amount=28300),)
    given(*READY_FOR_DELIVERY).when(replace(SETTLE, payments=shells)).then_refused(errors.InvalidCode)


# --- delivery -----------------------------------------------------------------------------


def delivered(**changes: object) -> VehicleDelivered:
    fields: dict[str, object] = {
        "repair_order_id": RO,
        "vehicle": VEHICLE,
        "customer": CUSTOMER,
        "vehicle_user": USER,
        "mileage_km": 10012,
        "promised_at": at(120),
        "original_promised_at": at(120),
        "on_time": True,
        "work_explained": True,
        "old_parts_shown": True,
        "old_parts_returned": False,
        "next_service_due_date": date(2024, 11, 6),
        "next_service_due_km": 20000,
        "delivered_at": at(118),
    }
    return VehicleDelivered.model_validate({**fields, **changes})


def test_the_car_is_delivered_on_time() -> None:
    state = given(*SETTLED).when(DELIVER).then(delivered())
    assert state.delivered


def test_a_car_delivered_after_the_promise_is_late() -> None:
    given(*SETTLED).when(replace(DELIVER, delivered_at=at(121))).then(delivered(on_time=False, delivered_at=at(121)))


def test_on_time_is_measured_against_the_agreed_revised_promise() -> None:
    later = RevisePromisedTime(at(180), "parts late", phone_consent(90), at(91))
    history = recorded(later, READY, SETTLE, after=HANDED_OVER)
    given(*history).when(replace(DELIVER, delivered_at=at(150))).then(
        delivered(promised_at=at(180), delivered_at=at(150))
    )


def test_declined_recommendations_are_handed_over_at_delivery() -> None:
    decline = DeclineAdditionalWork(FINDING, phone_consent(55), "next month", at(56), safety_explained=True)
    history = recorded(decline, READY, SETTLE, after=AWAITING_BRAKES)
    proposed = BRAKES.model_copy(update={"origin": "additional_work", "safety_critical": True})
    recommendation = Recommendation(
        finding_id=FINDING,
        description="front brake pads worn to 2 mm",
        safety_critical=True,
        labour_minutes=60,
        labour_price=12000,
        parts_price=45000,
        lines=(proposed,),
        severity="red",
        evidence_refs=("photo-17",),
    )
    given(*history).when(DELIVER).then(delivered(pending_recommendations=(recommendation,)))


def test_delivery_before_quality_check_is_refused() -> None:
    given(*HANDED_OVER).when(DELIVER).then_refused(errors.NotReadyForDelivery)


def test_the_invoice_is_settled_before_the_keys_go_back() -> None:
    given(*READY_FOR_DELIVERY).when(DELIVER).then_refused(errors.NotSettled)


def test_a_car_is_delivered_once() -> None:
    given(*recorded(DELIVER, after=SETTLED)).when(DELIVER).then_refused(errors.AlreadyDelivered)


def test_the_work_is_explained_at_delivery() -> None:
    given(*SETTLED).when(replace(DELIVER, work_explained=False)).then_refused(errors.ExplanationRequired)


def test_old_parts_the_customer_keeps_are_returned() -> None:
    keep = recorded(replace(ESTIMATE, old_parts="keep"), SIGN, HAND_OVER, READY, SETTLE, after=READY_TO_ESTIMATE)
    given(*keep).when(DELIVER).then_refused(errors.OldPartsNotReturned)
    given(*keep).when(replace(DELIVER, old_parts_returned=True)).then(delivered(old_parts_returned=True))


def test_warranty_parts_go_back_to_the_manufacturer_whatever_the_customer_chose() -> None:
    warranty_service = SERVICE.model_copy(update={"pay_type": "WARRANTY"})
    keep_warranty = replace(ESTIMATE, old_parts="keep", lines=catalogued(warranty_service))
    settle = replace(SETTLE, payments=())
    history = recorded(keep_warranty, SIGN, HAND_OVER, READY, settle, after=READY_TO_ESTIMATE)
    given(*history).when(DELIVER).then(delivered())


def test_the_next_service_mileage_is_not_negative() -> None:
    given(*SETTLED).when(replace(DELIVER, next_service_due_km=-1)).then_refused(errors.InvalidAmount)
