"""What preparation knows of a car (docs/domain.md §1 "Preparation"; seed 003 "接车前准备"): its
service history, the recommendations it declined at earlier visits, and the parts pre-check
of an appointment — read models fed from reception's and parts' published events.

They are projections fed from Kafka (`KafkaProjector`), not policies: booking issues no
command in response, and a read model must stay disposable (rebuilt by replaying the topics).
Everything is kept per dealer group and VIN, so a car that visited another site of the
group brings its history along.

A declined recommendation stays on offer until a later repair order of the same car is
signed with a line of the same labour operation (the work was done); one declined without
priced lines has no operation to match and stays on offer.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from events.catalog.booking import AppointmentBooked
from events.catalog.booking_values import OfferedRecommendation, PartCheck, RequestedJob
from events.catalog.parts import PartsReserved, PartsShortageDetected, ReservationReleased
from events.catalog.reception import AdditionalWorkDeclined, InvoiceSettled, RepairOrderSigned, VehicleDelivered
from events.catalog.workshop import AdditionalWorkFound, MediaRef
from events.connection import Connection
from events.envelope import Envelope
from events.errors import DomainError


class UnknownRecommendation(DomainError):
    code = "unknown_recommendation"


def _vin(value: str) -> str:
    return value.strip().upper()


# --- the feeds ----------------------------------------------------------------------------


class ServiceHistory:
    """One row per visit, from delivery (mileage, next service due) and settlement (the work
    done, from the maintenance health record), whichever comes first."""

    name = "booking.service_history"
    tables = ("service_history",)
    handles = frozenset({VehicleDelivered.event_type, InvoiceSettled.event_type})

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event, tenant = envelope.event, envelope.tenant
        if isinstance(event, VehicleDelivered):
            await conn.execute(
                """INSERT INTO service_history (repair_order_id, group_id, site_id, vin, plate, mileage_km,
                       delivered_at, next_service_due_date, next_service_due_km)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                   ON CONFLICT (repair_order_id) DO UPDATE SET mileage_km = EXCLUDED.mileage_km,
                       delivered_at = EXCLUDED.delivered_at, next_service_due_date = EXCLUDED.next_service_due_date,
                       next_service_due_km = EXCLUDED.next_service_due_km""",
                event.repair_order_id,
                tenant.group_id,
                tenant.site_id,
                _vin(event.vehicle.vin),
                event.vehicle.plate,
                event.mileage_km,
                event.delivered_at,
                event.next_service_due_date,
                event.next_service_due_km,
            )
        elif isinstance(event, InvoiceSettled):
            record = event.health_record
            await conn.execute(
                """INSERT INTO service_history (repair_order_id, group_id, site_id, vin, plate, mileage_km,
                       visited_on, work_done, invoice_number, total, settled_at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                   ON CONFLICT (repair_order_id) DO UPDATE SET visited_on = EXCLUDED.visited_on,
                       work_done = EXCLUDED.work_done, invoice_number = EXCLUDED.invoice_number,
                       total = EXCLUDED.total, settled_at = EXCLUDED.settled_at,
                       mileage_km = coalesce(service_history.mileage_km, EXCLUDED.mileage_km)""",
                event.repair_order_id,
                tenant.group_id,
                tenant.site_id,
                _vin(record.vin),
                record.plate,
                record.mileage_km,
                record.repair_date,
                [item.description for item in record.items],
                event.invoice_number,
                event.total,
                event.settled_at,
            )


class DeclinedRecommendations:
    """Findings the customer declined, kept for the car's next preparation until done."""

    name = "booking.declined_recommendations"
    tables = ("declined_recommendations",)
    handles = frozenset({AdditionalWorkDeclined.event_type, RepairOrderSigned.event_type})

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event, tenant = envelope.event, envelope.tenant
        if isinstance(event, AdditionalWorkDeclined):
            found = event.recommendation
            await conn.execute(
                """INSERT INTO declined_recommendations (finding_id, group_id, site_id, vin, repair_order_id,
                       description, safety_critical, labour_minutes, labour_price, parts_price,
                       labour_operations, declined_at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                   ON CONFLICT (finding_id) DO NOTHING""",
                found.finding_id,
                tenant.group_id,
                tenant.site_id,
                _vin(event.vehicle.vin),
                event.repair_order_id,
                found.description,
                found.safety_critical,
                found.labour_minutes,
                found.labour_price,
                found.parts_price,
                sorted({line.labour_operation.upper() for line in found.lines}),
                event.declined_at,
            )
        elif isinstance(event, RepairOrderSigned):
            await conn.execute(
                """UPDATE declined_recommendations SET done_at = $4, done_by_repair_order_id = $5
                   WHERE group_id = $1 AND vin = $2 AND done_at IS NULL AND declined_at < $4
                     AND labour_operations && $3::text[]""",
                tenant.group_id,
                _vin(event.vehicle.vin),
                [line.labour_operation.upper() for line in event.lines],
                event.signed_at,
                event.repair_order_id,
            )


class FindingEvidence:
    """Each finding's grade and photos, as the workshop reported it: a declined one is offered
    again with its evidence (the advisor shows the customer the photo of last visit)."""

    name = "booking.finding_evidence"
    tables = ("finding_evidence",)
    handles = frozenset({AdditionalWorkFound.event_type})

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event: AdditionalWorkFound = envelope.event
        for found in event.findings:
            await conn.execute(
                """INSERT INTO finding_evidence (finding_id, group_id, severity, media) VALUES ($1, $2, $3, $4::jsonb)
                   ON CONFLICT (finding_id) DO NOTHING""",
                found.finding_id,
                envelope.tenant.group_id,
                found.severity,
                json.dumps([m.model_dump(mode="json") for m in found.media]),
            )


class AppointmentParts:
    """The parts pre-check of appointments: what parts holds for each and what it lacks."""

    name = "booking.appointment_parts"
    tables = ("appointment_parts",)
    handles = frozenset({PartsReserved.event_type, PartsShortageDetected.event_type, ReservationReleased.event_type})

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event = envelope.event
        if event.appointment_id is None:
            return  # a reservation for a repair-order line
        match event:
            case PartsReserved():
                held, missing, at = event.quantity, -event.quantity if event.from_backorder else 0, event.reserved_at
            case PartsShortageDetected():
                held, missing, at = -event.withdrawn_quantity, event.missing_quantity, event.detected_at
            case ReservationReleased():
                held, missing, at = -event.released_quantity, -event.cancelled_backorder_quantity, event.released_at
            case _:
                return
        await conn.execute(
            """INSERT INTO appointment_parts (appointment_id, part_number, group_id, site_id, reserved, missing,
                   updated_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7)
               ON CONFLICT (appointment_id, part_number) DO UPDATE SET
                   reserved = appointment_parts.reserved + EXCLUDED.reserved,
                   missing = appointment_parts.missing + EXCLUDED.missing,
                   updated_at = EXCLUDED.updated_at""",
            event.appointment_id,
            event.part_number,
            envelope.tenant.group_id,
            envelope.tenant.site_id,
            held,
            missing,
            at,
        )


FEEDS = (
    (ServiceHistory(), ("reception",)),
    (DeclinedRecommendations(), ("reception",)),
    (FindingEvidence(), ("workshop",)),
    (AppointmentParts(), ("parts",)),
)


# --- what preparation reads -----------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    repair_order_id: UUID
    on: date | None
    mileage_km: int | None
    work_done: tuple[str, ...]
    invoice_number: str | None


@dataclass(frozen=True)
class OpenRecommendation:
    finding_id: UUID
    repair_order_id: UUID
    description: str
    safety_critical: bool
    labour_minutes: int
    labour_price: int
    parts_price: int
    declined_at: datetime
    site_id: str = ""
    severity: str | None = None
    media: tuple[MediaRef, ...] = ()


@dataclass(frozen=True)
class PartsStatus:
    part_number: str
    reserved: int
    missing: int


# The newest visits preparation lists: what an advisor reads before a visit; a car with more
# says so (`more_history`) rather than seem to have no older ones.
HISTORY_SHOWN = 50


@dataclass(frozen=True)
class Preparation:
    """Everything preparation knows of one appointment's car, newest visit first; `more_history`:
    the car has older visits than `history` holds."""

    history: tuple[Visit, ...]
    recommendations: tuple[OpenRecommendation, ...]
    parts: tuple[PartsStatus, ...]
    more_history: bool = False

    def summary(self) -> str:
        if not self.history:
            return "first visit"
        last = self.history[0]
        work = ", ".join(last.work_done) or "work not recorded"
        km = f" at {last.mileage_km} km" if last.mileage_km is not None else ""
        visits = (
            f"more than {len(self.history)} earlier visits"
            if self.more_history
            else (f"{len(self.history)} earlier visit(s)")
        )
        return f"{visits}; last on {last.on or 'unknown date'}{km}: {work}"

    def offer(self, answers: Mapping[UUID, str]) -> tuple[OfferedRecommendation, ...]:
        """Every open recommendation, with the customer's answer (`undecided` when not asked)."""
        known = {r.finding_id for r in self.recommendations}
        unknown = [str(finding) for finding in answers if finding not in known]
        if unknown:
            raise UnknownRecommendation(
                f"no open recommendation {', '.join(unknown)} for this car; answer those the preparation view lists"
            )
        return tuple(
            OfferedRecommendation(
                finding_id=r.finding_id,
                description=r.description,
                safety_critical=r.safety_critical,
                response=answers.get(r.finding_id, "undecided"),
            )
            for r in self.recommendations
        )

    def parts_check(self, jobs: Sequence[RequestedJob]) -> tuple[PartCheck, ...]:
        """Each requested part, available only when parts holds all of it (nothing heard: not)."""
        needed: Counter[str] = Counter()
        for job in jobs:
            for part in job.parts:
                needed[part.part_number.strip().upper()] += part.quantity
        status = {p.part_number: p for p in self.parts}
        return tuple(
            PartCheck(
                part_number=number,
                quantity=quantity,
                available=number in status and status[number].missing <= 0 and status[number].reserved >= quantity,
            )
            for number, quantity in needed.items()
        )


def _recommendation(row: Any) -> OpenRecommendation:
    media = tuple(MediaRef.model_validate(m) for m in json.loads(row["media"] or "[]"))
    return OpenRecommendation(**{**dict(row), "media": media})


async def read(conn: Connection, group_id: str, booking: AppointmentBooked) -> Preparation:
    vin = _vin(booking.vehicle.vin)
    visits = await conn.fetch(
        """SELECT repair_order_id, coalesce(visited_on, delivered_at::date) AS visited_on, mileage_km, work_done,
                  invoice_number
           FROM service_history WHERE group_id = $1 AND vin = $2
           ORDER BY coalesce(visited_on, delivered_at::date) DESC NULLS LAST, repair_order_id LIMIT $3""",
        group_id,
        vin,
        HISTORY_SHOWN + 1,
    )
    open_ = await conn.fetch(
        """SELECT r.finding_id, r.repair_order_id, r.description, r.safety_critical, r.labour_minutes,
                  r.labour_price, r.parts_price, r.declined_at, r.site_id, e.severity, e.media
           FROM declined_recommendations r
           LEFT JOIN finding_evidence e ON e.finding_id = r.finding_id AND e.group_id = r.group_id
           WHERE r.group_id = $1 AND r.vin = $2 AND r.done_at IS NULL
           ORDER BY r.safety_critical DESC, r.declined_at""",
        group_id,
        vin,
    )
    parts = await conn.fetch(
        "SELECT part_number, reserved, missing FROM appointment_parts WHERE appointment_id = $1 AND group_id = $2",
        booking.appointment_id,
        group_id,
    )
    return Preparation(
        history=tuple(
            Visit(r["repair_order_id"], r["visited_on"], r["mileage_km"], tuple(r["work_done"]), r["invoice_number"])
            for r in visits[:HISTORY_SHOWN]
        ),
        recommendations=tuple(_recommendation(r) for r in open_),
        parts=tuple(PartsStatus(**dict(r)) for r in parts),
        more_history=len(visits) > HISTORY_SHOWN,
    )
