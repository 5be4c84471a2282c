"""What the generator remembers between the steps of a visit: customers, repair lines, the
repair order being planned."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from bench.history.reference import Op, Part
from events.catalog import booking_values as bv
from events.catalog import reception_values as rv


@dataclass(slots=True)
class Customer:
    customer_id: UUID
    name: str
    phone: str
    b_contact: bv.Contact
    r_contact: rv.Contact
    b_vehicle: bv.VehicleIdentity
    r_vehicle: rv.VehicleIdentity
    b_user: bv.Contact
    r_user: rv.Contact  # the vehicle user: callbacks go to them; their file is theirs
    file_id: UUID
    model: str
    year: int
    mileage: int
    last_day: int = -1_000
    registered: bool = False  # known to booking's customer database
    file_opened: bool = False
    do_not_call: bool = False
    declined: rv.Recommendation | None = None  # declined at the last visit, offered again


@dataclass(slots=True)
class Line:
    line: rv.RepairLine
    op: Op
    reservations: list[tuple[Part, int, UUID]] = field(default_factory=list)


@dataclass(slots=True)
class Visit:
    """One repair order being planned: what later steps need to know."""

    ro: UUID
    stream: str
    wo: str
    corr: str
    advisor: str
    customer: Customer
    lines: list[Line]
    promised: datetime
    original_promise: datetime
    waiting: bool
    signed: datetime
    last_reception: datetime  # the repair order's last planned event: later ones come after it
    declined: list[rv.Recommendation] = field(default_factory=list)
    old_parts: list[tuple[UUID, bool]] = field(default_factory=list)
