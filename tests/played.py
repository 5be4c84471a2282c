"""Other services' events as they publish them, for a test that plays a service it does not run
(reception's delivery of a car, for followup and notifications)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from events.catalog.reception import VehicleDelivered
from events.catalog.reception_values import Contact, VehicleIdentity


def car_delivered(
    customer: uuid.UUID, car: VehicleIdentity, name: str, phone: str, *, next_service_km: int | None = None
) -> tuple[str, VehicleDelivered]:
    """Reception's delivery of `car` to its user, now, on time, the next service due in two weeks
    (followup proposes it: a maintenance reminder); its stream and event."""
    ro, at = uuid.uuid4(), datetime.now(UTC)
    user = Contact(name=name, phone=phone, customer_id=customer)
    return f"repair_order-{ro}", VehicleDelivered(
        repair_order_id=ro,
        vehicle=car,
        customer=user,
        vehicle_user=user,
        mileage_km=15000,
        promised_at=at,
        original_promised_at=at,
        on_time=True,
        work_explained=True,
        old_parts_shown=True,
        old_parts_returned=False,
        next_service_due_date=(at + timedelta(days=14)).date(),
        next_service_due_km=next_service_km,
        delivered_at=at,
    )
