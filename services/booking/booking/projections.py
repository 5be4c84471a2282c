"""The booking read models fed from the service's own event log: the appointments of each site
with their status (the advisors' day lists and the advisor board's appointment column), and
the customer database (customers and their vehicles, found by phone or VIN) — and the queries
the API reads them with."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from events.catalog import booking as ev
from events.connection import Connection
from events.envelope import Envelope, Tenant
from events.paging import Key, Listing, Window
from events.privacy import PersonalColumn

# Where this service's read models hold customers' personal data: scrubbed on an erasure (decision 0004).
PERSONAL_COLUMNS = (
    PersonalColumn("appointments", "customer_name"),
    PersonalColumn("appointments", "customer_phone"),
    PersonalColumn("appointments", "user_name"),
    PersonalColumn("appointments", "user_phone"),
    PersonalColumn("customers", "name"),
    PersonalColumn("customers", "phones", array=True),
    PersonalColumn("vehicles", "user_name"),
    PersonalColumn("vehicles", "user_phone"),
)


class Appointments:
    name = "booking.appointments"
    tables = ("appointments",)
    handles = frozenset(
        {
            ev.AppointmentBooked.event_type,
            ev.ConfirmationRequested.event_type,
            ev.ArrivalConfirmationOverdue.event_type,
            ev.AppointmentConfirmed.event_type,
            ev.AppointmentRescheduled.event_type,
            ev.AppointmentCancelled.event_type,
            ev.AppointmentNoShow.event_type,
            ev.VehicleArrived.event_type,
            ev.AppointmentPrepared.event_type,
        }
    )

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event, at = envelope.event, envelope.recorded_at
        match event:
            case ev.AppointmentBooked():
                await self._booked(conn, envelope, event)
            case ev.ConfirmationRequested():
                await self._set(conn, envelope, "reminded_at = $2", event.requested_at)
            case ev.ArrivalConfirmationOverdue():
                await self._set(conn, envelope, "confirmation_overdue = $2", True)
            case ev.AppointmentConfirmed():
                await self._set(conn, envelope, "confirmations = array_append(confirmations, $2)", event.confirmation)
            case ev.AppointmentRescheduled():
                await conn.execute(
                    """UPDATE appointments SET slot_start = $2, advisor_id = $3, estimated_minutes = $4,
                           confirmations = '{}', reminded_at = NULL, confirmation_overdue = false, updated_at = $5
                       WHERE appointment_id = $1""",
                    event.appointment_id,
                    event.slot_start,
                    event.advisor_id,
                    event.estimated_minutes,
                    at,
                )
            case ev.AppointmentCancelled():
                await self._set(conn, envelope, "status = $2", "cancelled")
            case ev.AppointmentNoShow():
                await self._set(conn, envelope, "status = $2", "no_show")
            case ev.VehicleArrived():
                await conn.execute(
                    """UPDATE appointments SET status = 'arrived', arrived_at = $2, priority = $3, updated_at = $4
                       WHERE appointment_id = $1""",
                    event.appointment_id,
                    event.arrived_at,
                    event.priority,
                    at,
                )
            case ev.AppointmentPrepared():
                await self._set(conn, envelope, "parts_ready = $2", event.parts_ready)

    async def _booked(self, conn: Connection, envelope: Envelope[Any], event: ev.AppointmentBooked) -> None:
        await conn.execute(
            """INSERT INTO appointments (appointment_id, group_id, site_id, advisor_id, slot_start, estimated_minutes,
                   status, kind, reason, customer_name, customer_phone, user_name, user_phone, vin, plate, model,
                   jobs, booked_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, 'booked', $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
               ON CONFLICT (appointment_id) DO NOTHING""",
            event.appointment_id,
            envelope.tenant.group_id,
            envelope.tenant.site_id,
            event.advisor_id,
            event.slot_start,
            event.estimated_minutes,
            event.kind,
            event.reason,
            event.customer.name,
            event.customer.phone,
            event.vehicle_user.name,
            event.vehicle_user.phone,
            event.vehicle.vin,
            event.vehicle.plate,
            event.vehicle.model,
            [job.description for job in event.requested_jobs],
            event.booked_at,
            envelope.recorded_at,
        )

    async def _set(self, conn: Connection, envelope: Envelope[Any], assignment: str, value: Any) -> None:
        """One column change; a prepared appointment also gets its `prepared` mark."""
        prepared = ", prepared = true" if isinstance(envelope.event, ev.AppointmentPrepared) else ""
        await conn.execute(
            f"UPDATE appointments SET {assignment}{prepared}, updated_at = $3 WHERE appointment_id = $1",
            envelope.event.appointment_id,
            value,
            envelope.recorded_at,
        )


class Customers:
    name = "booking.customers"
    tables = ("customers", "vehicles")
    handles = frozenset(
        {ev.CustomerRegistered.event_type, ev.VehicleRegistered.event_type, ev.CustomerContactUpdated.event_type}
    )

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event, tenant = envelope.event, envelope.tenant
        match event:
            case ev.CustomerRegistered() | ev.CustomerContactUpdated():
                await conn.execute(
                    """INSERT INTO customers (customer_id, group_id, site_id, name, phones, preferred_contact,
                           do_not_call)
                       VALUES ($1, $2, $3, $4, $5, $6, $7)
                       ON CONFLICT (customer_id) DO UPDATE SET name = EXCLUDED.name, phones = EXCLUDED.phones,
                           preferred_contact = EXCLUDED.preferred_contact, do_not_call = EXCLUDED.do_not_call""",
                    event.customer_id,
                    tenant.group_id,
                    tenant.site_id,
                    event.name,
                    list(event.phones),
                    event.preferred_contact,
                    event.do_not_call,
                )
            case ev.VehicleRegistered():
                user = event.vehicle_user
                await conn.execute(
                    """INSERT INTO vehicles (vehicle_id, customer_id, group_id, site_id, vin, plate, model, year,
                           user_name, user_phone)
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                       ON CONFLICT (vehicle_id) DO NOTHING""",
                    event.vehicle_id,
                    event.customer_id,
                    tenant.group_id,
                    tenant.site_id,
                    event.vin,
                    event.plate,
                    event.model,
                    event.year,
                    user.name if user else None,
                    user.phone if user else None,
                )


# --- what the API reads ---------------------------------------------------------------------


async def day_list(
    pool: asyncpg.Pool, tenant: Tenant, start: datetime, end: datetime, advisor: str | None
) -> list[asyncpg.Record]:
    """The site's appointments starting in [start, end) (one advisor's, if named) in arrival
    order; a booked appointment the customer confirmed shows as `confirmed`."""
    return await pool.fetch(
        """SELECT appointment_id, advisor_id, slot_start, estimated_minutes,
                  CASE WHEN status = 'booked' AND cardinality(confirmations) > 0 THEN 'confirmed' ELSE status END
                      AS status,
                  kind, reason, user_name, user_phone, plate, vin, model, jobs, confirmations, confirmation_overdue,
                  prepared, parts_ready, arrived_at, priority
           FROM appointments
           WHERE group_id = $1 AND site_id = $2 AND slot_start >= $3 AND slot_start < $4
             AND ($5::text IS NULL OR advisor_id = $5)
           ORDER BY slot_start, booked_at, appointment_id""",
        tenant.group_id,
        tenant.site_id,
        start,
        end,
        advisor,
    )


# By id, not by name: a cursor carries its row's sort key, and a name is personal data that some
# readers of this list may not see (docs/decisions/0004-personal-data.md).
CUSTOMERS = Listing("booking.customers", (Key("customer_id", UUID, nullable=False),))


async def customers_by_phone(
    pool: asyncpg.Pool, tenant: Tenant, phone: str, cursor: str | None, limit: int
) -> tuple[Window, list[asyncpg.Record]]:
    """A page of the site's customers who gave `phone` (spaces ignored)."""
    window = CUSTOMERS.window(cursor, limit, first=4)
    rows = await pool.fetch(
        f"""SELECT customer_id, name, phones, preferred_contact, do_not_call FROM customers
           WHERE group_id = $1 AND site_id = $2 AND $3 = ANY(phones) AND {window.after} {window.order}""",
        tenant.group_id,
        tenant.site_id,
        " ".join(phone.split()),
        *window.params,
    )
    return window, rows


VEHICLES = Listing(
    "booking.vehicles",
    (Key("plate", str, nullable=False, sql="v.plate"), Key("vehicle_id", UUID, nullable=False, sql="v.vehicle_id")),
)


async def vehicles(
    pool: asyncpg.Pool, tenant: Tenant, vin: str | None, plate: str | None, cursor: str | None, limit: int
) -> tuple[Window, list[asyncpg.Record]]:
    """A page of the site's vehicles (with that VIN or plate, if named), with their owners."""
    window = VEHICLES.window(cursor, limit, first=5)
    rows = await pool.fetch(
        f"""SELECT v.vehicle_id, v.customer_id, v.vin, v.plate, v.model, v.year, v.user_name, v.user_phone,
                  c.name AS customer_name, c.phones AS customer_phones
           FROM vehicles v LEFT JOIN customers c USING (customer_id)
           WHERE v.group_id = $1 AND v.site_id = $2
             AND ($3::text IS NULL OR v.vin = $3) AND ($4::text IS NULL OR v.plate = $4) AND {window.after}
           {window.order}""",
        tenant.group_id,
        tenant.site_id,
        vin.strip().upper() if vin else None,
        plate.strip().upper() if plate else None,
        *window.params,
    )
    return window, rows
