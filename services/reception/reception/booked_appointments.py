"""What reception has heard from booking of each appointment: booked, arrived (when, with which
priority), cancelled or a no-show. Fed from booking's topic (a Kafka-fed read model, rebuilt
from it); a check-in of an appointment car reads it (docs/decisions/0006-check-in-from-booking.md).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any
from uuid import UUID

import asyncpg

from events.catalog import booking
from events.connection import Connection
from events.envelope import Envelope, Tenant
from reception.domain.repair_order_commands import BookedAppointment

# Every event of an appointment's stream reaches this read model in stream order, so the last
# word wins; an arrival recorded after a no-show (a car that came after all) counts as arrived.
_UPSERT = """
INSERT INTO booked_appointments (appointment_id, group_id, site_id, status, arrived_at, priority, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (appointment_id) DO UPDATE SET status = EXCLUDED.status,
    arrived_at = coalesce(EXCLUDED.arrived_at, booked_appointments.arrived_at),
    priority = coalesce(EXCLUDED.priority, booked_appointments.priority), updated_at = EXCLUDED.updated_at
"""
_STATUS = {
    booking.AppointmentBooked.event_type: "booked",
    booking.VehicleArrived.event_type: "arrived",
    booking.AppointmentCancelled.event_type: "cancelled",
    booking.AppointmentNoShow.event_type: "no_show",
}
# The statuses after which nothing booking may still publish changes what a check-in decides.
_SETTLED = ("arrived", "cancelled")
_LOOK_AGAIN_SECONDS = 0.1


class BookedAppointments:
    name = "reception.booked_appointments"
    tables = ("booked_appointments",)
    handles = frozenset(_STATUS)

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event = envelope.event
        arrived = isinstance(event, booking.VehicleArrived)
        await conn.execute(
            _UPSERT,
            event.appointment_id,
            envelope.tenant.group_id,
            envelope.tenant.site_id,
            _STATUS[envelope.event_type],
            event.arrived_at if arrived else None,
            event.priority if arrived else None,
            envelope.recorded_at,
        )


async def heard_of(pool: asyncpg.Pool, tenant: Tenant, appointment_id: UUID) -> BookedAppointment | None:
    """The appointment as reception has heard of it at the tenant's site (None: not at all)."""
    row = await pool.fetchrow(
        """SELECT status, arrived_at, priority FROM booked_appointments
           WHERE appointment_id = $1 AND group_id = $2 AND site_id = $3""",
        appointment_id,
        tenant.group_id,
        tenant.site_id,
    )
    if row is None:
        return None
    return BookedAppointment(appointment_id, row["status"], row["arrived_at"], row["priority"])


async def arrival_of(
    pool: asyncpg.Pool, tenant: Tenant, appointment_id: UUID, patience: float
) -> BookedAppointment | None:
    """The appointment once booking's arrival (or cancellation) has reached reception, waiting
    up to `patience` seconds for it: a desk checks a car in moments after booking recorded its
    arrival, and the topic may be that moment behind. After that, what has been heard so far."""
    deadline = time.monotonic() + patience
    while True:
        heard = await heard_of(pool, tenant, appointment_id)
        if (heard is not None and heard.status in _SETTLED) or time.monotonic() >= deadline:
            return heard
        await asyncio.sleep(_LOOK_AGAIN_SECONDS)
