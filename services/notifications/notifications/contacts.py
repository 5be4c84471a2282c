"""How to reach the person a message is for, learnt from the services that meet them (a table
of this service, fed in the consumers' transactions):

- reception's check-in (`VehicleCheckedIn`): the repair order's car user — the person waiting for
  the car, the one "your car is ready" and the late warning are for — with the plate;
- booking's registry (`CustomerRegistered`, `CustomerContactUpdated`): a customer's first phone;
- booking's appointment (`AppointmentBooked`): the car's user and the plate booked in, which the
  day-before confirmation and the arrival check name (their events carry no car).

Only what a message needs is kept (name, phone, plate), under the personal-data subject (the
customer, or the phone's own subject); an erasure (`privacy.PersonalDataErased`) blanks the
subject's name and phone — this service never logged those values, so the runtime's scrub could not
find them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from events.catalog import booking, reception
from events.catalog.privacy import PersonalDataErased
from events.connection import Connection
from events.envelope import Envelope
from events.personal_data import ERASED, phone_subject
from events.runtime import Reaction


@dataclass(frozen=True)
class Known:
    name: str
    phone: str
    plate: str
    customer_id: UUID | None


def subject_of(customer_id: UUID | None, phone: str) -> UUID:
    return customer_id or phone_subject(phone)


async def remember(
    conn: Connection, group_id: str, key: str, customer_id: UUID | None, name: str, phone: str, plate: str, at: Any
) -> None:
    await conn.execute(
        """INSERT INTO contacts (group_id, key, customer_id, subject, name, phone, plate, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (group_id, key) DO UPDATE SET customer_id = EXCLUDED.customer_id, subject = EXCLUDED.subject,
             name = EXCLUDED.name, phone = EXCLUDED.phone, plate = EXCLUDED.plate, updated_at = EXCLUDED.updated_at""",
        group_id,
        key,
        customer_id,
        subject_of(customer_id, phone),
        name,
        phone,
        plate,
        at,
    )


async def find(conn: Connection, group_id: str, key: str) -> Known | None:
    row = await conn.fetchrow(
        "SELECT name, phone, plate, customer_id FROM contacts WHERE group_id = $1 AND key = $2", group_id, key
    )
    return Known(row["name"], row["phone"], row["plate"], row["customer_id"]) if row else None


async def learn(conn: Connection, envelope: Envelope[Any]) -> str | None:
    """Remember whom the event names; the contact's key (None: the event names no one)."""
    event, group = envelope.event, envelope.tenant.group_id
    if isinstance(event, reception.VehicleCheckedIn):
        user = event.vehicle_user
        phone = event.contact_phone or user.phone
        key = f"ro:{event.repair_order_id}"
        await remember(
            conn,
            group,
            key,
            user.customer_id or event.customer.customer_id,
            user.name,
            phone,
            event.vehicle.plate,
            envelope.recorded_at,
        )
    elif isinstance(event, booking.AppointmentBooked):
        driver = event.vehicle_user
        key = f"appointment:{event.appointment_id}"
        await remember(
            conn,
            group,
            key,
            driver.customer_id or event.customer.customer_id,
            driver.name,
            driver.phone,
            event.vehicle.plate,
            envelope.recorded_at,
        )
    elif isinstance(event, booking.CustomerRegistered | booking.CustomerContactUpdated):
        phone = event.phones[0] if event.phones else ""
        key = f"customer:{event.customer_id}"
        await remember(conn, group, key, event.customer_id, event.name, phone, "", envelope.recorded_at)
    else:
        return None
    return key


async def forget(conn: Connection, envelope: Envelope[Any]) -> None:
    erased: PersonalDataErased = envelope.event
    # The row stays, without the person: a later trigger still knows whose message it would be, and
    # publishes it as undeliverable to that customer's file instead of a stranger's.
    await conn.execute(
        "UPDATE contacts SET name = $2, phone = $2 WHERE subject = ANY($1::uuid[])", list(erased.subject_ids), ERASED
    )


# What tells notifications whom a message goes to (their services: `LEARNED_FROM`).
LEARNED = frozenset(
    e.event_type
    for e in (
        reception.VehicleCheckedIn,
        booking.AppointmentBooked,
        booking.CustomerRegistered,
        booking.CustomerContactUpdated,
    )
)
LEARNED_FROM = ("reception", "booking")


def erasing() -> Reaction:
    return Reaction("erasure", ["privacy"], {PersonalDataErased.event_type}, forget)
