"""Pricing of repair lines, and the national maintenance health record of a settled RO.

Totals are computed from the lines handed in, and the decisions hand in only the lines the
customer approved: a finding that was declined or still awaits approval never reaches the
invoice ("never do unapproved work", docs/domain.md §3). Customer-supplied parts carry no price
(refused at entry), so they add nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from events.catalog.reception import ConcernRecorded, VehicleCheckedIn, WalkAroundRecorded
from events.catalog.reception_values import (
    PAY_TYPES,
    HealthRecordItem,
    HealthRecordPart,
    MaintenanceRecord,
    PayTypeTotal,
    RepairLine,
)

# Only customer-pay lines are paid by the customer at the cashier; warranty, internal, goodwill
# (DEALER / MANUFACTURER), sublet and service-contract lines are billed to someone else.
CUSTOMER_PAY = "CUSTOMER_PAY"


@dataclass(frozen=True)
class Totals:
    by_pay_type: tuple[PayTypeTotal, ...]
    labour: int
    parts: int

    @property
    def total(self) -> int:
        return self.labour + self.parts

    @property
    def customer_pay(self) -> int:
        return sum(t.total for t in self.by_pay_type if t.pay_type == CUSTOMER_PAY)


def price(lines: Iterable[RepairLine]) -> Totals:
    """Labour and parts per pay type, in the published order of pay types."""
    labour: dict[str, int] = {}
    parts: dict[str, int] = {}
    for line in lines:
        labour[line.pay_type] = labour.get(line.pay_type, 0) + line.labour_price
        parts[line.pay_type] = parts.get(line.pay_type, 0) + line.parts_price
    by_pay_type = tuple(
        PayTypeTotal(pay_type=p, labour=labour[p], parts=parts[p], total=labour[p] + parts[p])
        for p in PAY_TYPES
        if p in labour
    )
    return Totals(by_pay_type, sum(labour.values()), sum(parts.values()))


def health_record(
    visit: VehicleCheckedIn,
    walk_around: WalkAroundRecorded,
    concerns: Iterable[ConcernRecorded],
    lines: Iterable[RepairLine],
    invoice_number: str,
    settled_at: datetime,
) -> MaintenanceRecord:
    """What JT/T 1132 asks for: the repair date is the day the car came in, the mileage the
    odometer at the walk-around, the fault description the customer's own words."""
    approved = tuple(lines)
    return MaintenanceRecord(
        plate=visit.vehicle.plate,
        vin=visit.vehicle.vin,
        repair_date=visit.arrived_at.date(),
        mileage_km=walk_around.mileage_km,
        fault_description="; ".join(concern.customer_words for concern in concerns),
        settlement_date=settled_at.date(),
        settlement_number=invoice_number,
        items=tuple(
            HealthRecordItem(
                labour_operation=line.labour_operation,
                description=line.description,
                labour_minutes=line.labour_minutes,
            )
            for line in approved
        ),
        parts=tuple(
            HealthRecordPart(part_number=part.part_number, name=part.description, quantity=part.quantity)
            for line in approved
            for part in line.parts
        ),
    )
