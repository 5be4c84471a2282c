"""given / when / then for the RepairOrder decider, and the visit the tests share.

given(*history).when(command).then(*expected)      # returns the state after them
given(*history).when(command).then_refused(ErrorType)

The shared visit is seed 003's 10,000 km service (labour 80, oil 168, filter 32, washer 3:
283 CNY, 40 minutes), in fen. Histories are built with `recorded(*commands)`: the events the
decider records for those commands, so every history is one the aggregate can really reach.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from events.catalog.reception_values import Consent, Contact, Damage, Payment, RepairLine, RepairPart, VehicleIdentity
from events.contract import Event
from events.decider import fold
from events.testing.deciders import scenario
from reception.domain.pricing import PricedLine, from_catalogue
from reception.domain.repair_order import repair_order
from reception.domain.repair_order_commands import (
    BookedAppointment,
    CheckIn,
    Deliver,
    HandOverToWorkshop,
    MarkReadyForDelivery,
    PrepareEstimate,
    ReceiveAdditionalWork,
    RecordConcern,
    RecordWalkAround,
    RepairOrderCommand,
    Settle,
    SignRepairOrder,
)
from reception.domain.repair_order_state import RepairOrder

given = scenario(repair_order)


def recorded(*commands: RepairOrderCommand, after: Sequence[Event] = ()) -> tuple[Event, ...]:
    """`after` followed by the events the decider records for `commands`, one after another."""
    history = list(after)
    for command in commands:
        history.extend(repair_order.decide(fold(repair_order, history), command))
    return tuple(history)


def state_after(history: Sequence[Event]) -> RepairOrder:
    return fold(repair_order, history)


# --- the shared visit ---------------------------------------------------------------------

T0 = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


RO = uuid4()
APPOINTMENT = uuid4()
CONCERN = uuid4()
FINDING = uuid4()
CUSTOMER = Contact(name="Wang Wei", phone="13800000001", customer_id=uuid4())
USER = Contact(name="Wang Fang", phone="13900000002")
VEHICLE = VehicleIdentity(vin="LFV3A23C0J3000001", plate="京A12345", model="Audi A4L", vehicle_id=uuid4())


def part(number: str, name: str, unit_price: int, quantity: int = 1, **flags: bool) -> RepairPart:
    return RepairPart(part_number=number, description=name, quantity=quantity, unit_price=unit_price, **flags)


def line(
    description: str,
    labour_price: int,
    *parts: RepairPart,
    pay_type: str = "CUSTOMER_PAY",
    minutes: int = 30,
    line_id: UUID | None = None,
    reason: str | None = None,
    safety: bool = False,
) -> RepairLine:
    return RepairLine(
        line_id=line_id or uuid4(),
        labour_operation=description.upper().replace(" ", "-")[:12],
        description=description,
        labour_minutes=minutes,
        labour_price=labour_price,
        pay_type=pay_type,
        pay_type_reason=reason,
        parts=parts,
        safety_critical=safety,
    )


SERVICE = line(
    "10000 km service",
    8000,
    part("OIL-5W30-4L", "engine oil 5W-30", 16800),
    part("04152-YZZA1", "oil filter", 3200),
    part("90430-12031", "drain plug washer", 300),
    minutes=40,
)
BRAKES = line("Replace front brake pads", 12000, part("04465-33471", "front brake pads", 45000), minutes=60)

# What reception has heard from booking: the car arrived on time (appointment priority).
ARRIVED = BookedAppointment(appointment_id=APPOINTMENT, status="arrived", arrived_at=at(0), priority="appointment")
CHECK_IN = CheckIn(
    repair_order_id=RO,
    arrival_kind="appointment",
    appointment_id=APPOINTMENT,
    booking=ARRIVED,
    customer=CUSTOMER,
    vehicle=VEHICLE,
    vehicle_user=USER,
    service_advisor="SA Li",
    arrived_at=None,
    greeted_at=at(2),
    customer_waiting=False,
    contact_phone="13900000002",
    courtesy_offered=("shuttle", "loaner"),
    courtesy_accepted="shuttle",
)
WALK_AROUND = RecordWalkAround(
    mileage_km=10012,
    fuel_eighths=5,
    valuables_reminded=True,
    protective_covers_fitted=True,
    declined_by_customer=False,
    recorded_at=at(6),
    damages=(Damage(area="rear bumper", kind="scratch", note="10 cm, left"),),
)
CONCERN_WORDS = "10,000 km service, and it squeaks when braking in the morning"
RECORD_CONCERN = RecordConcern(
    concern_id=CONCERN,
    customer_words=CONCERN_WORDS,
    what="squeak",
    when="cold mornings",
    where="front wheels",
    who="the customer's wife drives",
    how_often="every morning",
    read_back_confirmed=True,
    recorded_at=at(10),
)


def catalogued(*lines: RepairLine) -> tuple[PricedLine, ...]:
    """Lines at exactly the catalogue's prices and times."""
    return tuple(from_catalogue(each) for each in lines)


ESTIMATE = PrepareEstimate(
    lines=catalogued(SERVICE),
    promised_at=at(120),
    payment_method="card",
    old_parts="discard",
    wash=True,
    prepared_at=at(15),
)
SIGN = SignRepairOrder(signature_ref="scan-0001", signed_at=at(20))
HAND_OVER = HandOverToWorkshop(key_tag="K-17", handed_over_at=at(25))
RECEIVE_BRAKES = ReceiveAdditionalWork(
    finding_id=FINDING,
    description="front brake pads worn to 2 mm",
    proposed_lines=(BRAKES,),
    safety_critical=True,
    extra_minutes=60,
    received_at=at(50),
    evidence_refs=("photo-17",),
)
READY = MarkReadyForDelivery(ready_at=at(110))
# billing.InvoicePaid for the service: 283 CNY by card.
SETTLE = Settle(invoice_number="INV-2024-0001", payments=(Payment(method="card", amount=28300),), settled_at=at(114))
DELIVER = Deliver(
    delivered_at=at(118),
    work_explained=True,
    old_parts_shown=True,
    old_parts_returned=False,
    next_service_due_date=date(2024, 11, 6),
    next_service_due_km=20000,
)


def phone_consent(minutes: int) -> Consent:
    return Consent(kind="phone", recorded_by="SA Li", at=at(minutes), reference=f"call-recording-{minutes}")


CHECKED_IN = recorded(CHECK_IN)
READY_TO_ESTIMATE = recorded(WALK_AROUND, RECORD_CONCERN, after=CHECKED_IN)
ESTIMATED = recorded(ESTIMATE, after=READY_TO_ESTIMATE)
SIGNED = recorded(SIGN, after=ESTIMATED)
HANDED_OVER = recorded(HAND_OVER, after=SIGNED)
AWAITING_BRAKES = recorded(RECEIVE_BRAKES, after=HANDED_OVER)
READY_FOR_DELIVERY = recorded(READY, after=HANDED_OVER)
SETTLED = recorded(SETTLE, after=READY_FOR_DELIVERY)
