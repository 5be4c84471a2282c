"""The booking use cases: load, decide, append — one function each.

Booking, moving and giving back an appointment change two aggregates: the appointment and the
site's capacity (`capacity-<site_id>`). Both appends run in one transaction, so a refused
overbooking writes nothing and a booked appointment always holds its slot. The confirmation
clocks (durable timers) start and stop in the transaction of the events that start and stop
them. Handlers take the already-checked `Metadata` and a domain command; time comes from the
runtime's clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from booking import preparation
from booking.domain.appointment import appointment
from booking.domain.appointment import stream_id as appointment_stream
from booking.domain.appointment_commands import (
    AppointmentCommand,
    BookAppointment,
    CancelAppointment,
    CheckArrivalConfirmation,
    MarkNoShow,
    RecordPreparation,
    RequestConfirmation,
    RescheduleAppointment,
)
from booking.domain.appointment_state import Appointment
from booking.domain.customer_vehicle import Customer, CustomerCommand, RegisterCustomer, customer_vehicle
from booking.domain.customer_vehicle import stream_id as customer_stream
from booking.domain.errors import NothingToChange
from booking.domain.site_capacity import (
    CapacityCommand,
    FreeSlot,
    MoveReservation,
    ReleaseSlot,
    ReserveSlot,
    SetCapacity,
    SiteCapacity,
    free_slots,
    site_capacity,
)
from booking.domain.site_capacity import stream_id as capacity_stream
from events.catalog.booking import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentConfirmed,
    AppointmentNoShow,
    AppointmentRescheduled,
    VehicleArrived,
)
from events.catalog.booking_values import PartCheck
from events.commands import Outcome, execute, load
from events.connection import Connection
from events.envelope import Envelope, Metadata, Tenant
from events.runtime import UseCases
from events.timers import DueTimer, cancel, schedule

# The two confirmation clocks of docs/domain.md §1: re-confirm the day before, and expect the
# customer's own confirmation about half an hour before the slot.
DAY_BEFORE = "booking.confirm-day-before"
BEFORE_ARRIVAL = "booking.expect-confirmation"
CLOCKS = {DAY_BEFORE: timedelta(days=1), BEFORE_ARRIVAL: timedelta(minutes=30)}
SYSTEM_ACTOR = "booking.confirmation-clock"


def timer_id(kind: str, appointment_id: UUID, slot_start: datetime) -> str:
    # The slot is part of the id: a rescheduled appointment gets clocks of its own, even after
    # the old slot's reminder fired.
    return f"{kind}:{appointment_id}:{slot_start.astimezone(UTC).isoformat()}"


async def _start_clocks(conn: Connection, tenant: Tenant, appointment_id: UUID, slot: datetime, now: datetime) -> None:
    """A clock already past is not started: an appointment booked this afternoon for tomorrow
    morning was confirmed on the phone just now."""
    for kind, ahead in CLOCKS.items():
        due = slot - ahead
        if due > now:
            payload = {"appointment_id": str(appointment_id)}
            await schedule(conn, timer_id(kind, appointment_id, slot), kind, due, tenant, payload)


async def _stop_clocks(conn: Connection, appointment_id: UUID, slot: datetime, now: datetime) -> None:
    for kind in CLOCKS:
        await cancel(conn, timer_id(kind, appointment_id, slot), now)


@dataclass(frozen=True)
class Booking(UseCases):
    """The use cases, on the service's runtime (its event store and clock)."""

    # --- capacity ------------------------------------------------------------------------

    async def set_capacity(self, metadata: Metadata, command: SetCapacity) -> tuple[SiteCapacity, int]:
        """PUT semantics: setting the plan in force again changes nothing and is no error."""
        try:
            outcome = await self._capacity(metadata, command)
        except NothingToChange:
            return await self.capacity(metadata.tenant)
        return outcome.state, outcome.version

    async def capacity(self, tenant: Tenant, *, must_exist: bool = True) -> tuple[SiteCapacity, int]:
        stream = capacity_stream(UUID(tenant.site_id))
        return await load(self.store, site_capacity, stream, tenant, must_exist=must_exist)

    async def free_slots(self, tenant: Tenant, day: date, minutes: int, advisor_id: str | None) -> list[FreeSlot]:
        """Slots of the site's local `day` that would take `minutes` of work now (none before
        capacity is set)."""
        state, _ = await self.capacity(tenant, must_exist=False)
        return free_slots(state, day, minutes, advisor_id, not_before=self.now())

    async def _capacity(
        self, metadata: Metadata, command: CapacityCommand, conn: Connection | None = None
    ) -> Outcome[SiteCapacity]:
        stream = capacity_stream(UUID(metadata.tenant.site_id))
        return await execute(self.store, site_capacity, stream, command, metadata, conn=conn)

    @asynccontextmanager
    async def _with_capacity(self, tenant: Tenant) -> AsyncIterator[Connection]:
        """A transaction that changes an appointment and the site's capacity together.

        Every booking of a site goes through its one capacity stream, so they queue for it
        (a lock until the transaction ends; other sites are not held up) before writing
        anything: an appointment written first would give the transaction an id older than a
        rival's that takes the capacity stream meanwhile — and the log never lets an older
        transaction append after a younger one's event, so no retry of it could succeed."""
        async with self.store.transaction() as conn:
            stream = capacity_stream(UUID(tenant.site_id))
            await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", stream)
            yield conn

    # --- appointments --------------------------------------------------------------------

    async def book(self, metadata: Metadata, command: BookAppointment) -> Outcome[Appointment]:
        """Record the appointment and reserve its slot, or neither."""
        reserve = ReserveSlot(
            command.appointment_id, command.slot_start, command.estimated_minutes, command.advisor_id, command.booked_at
        )
        async with self._with_capacity(metadata.tenant) as conn:
            booked = await self.run(metadata, command.appointment_id, command, conn=conn)
            await self._capacity(metadata, reserve, conn)
        return booked

    async def reschedule(
        self, metadata: Metadata, appointment_id: UUID, command: RescheduleAppointment
    ) -> Outcome[Appointment]:
        """Move the appointment and its reservation together; a full new slot moves neither."""
        async with self._with_capacity(metadata.tenant) as conn:
            moved = await self.run(metadata, appointment_id, command, conn=conn)
            state = moved.state
            assert state.slot_start is not None  # a rescheduled appointment has a slot and an advisor
            assert state.advisor_id is not None
            move = MoveReservation(
                appointment_id, state.slot_start, state.estimated_minutes, state.advisor_id, command.rescheduled_at
            )
            await self._capacity(metadata, move, conn)
        return moved

    async def cancel(
        self, metadata: Metadata, appointment_id: UUID, command: CancelAppointment
    ) -> Outcome[Appointment]:
        return await self._end(metadata, appointment_id, command, "cancelled", command.cancelled_at)

    async def mark_no_show(self, metadata: Metadata, appointment_id: UUID, command: MarkNoShow) -> Outcome[Appointment]:
        return await self._end(metadata, appointment_id, command, "no_show", command.recorded_at)

    async def _end(
        self, metadata: Metadata, appointment_id: UUID, command: AppointmentCommand, reason: str, at: datetime
    ) -> Outcome[Appointment]:
        """A cancelled or missed appointment gives its workshop time back, in the same transaction."""
        async with self._with_capacity(metadata.tenant) as conn:
            ended = await self.run(metadata, appointment_id, command, conn=conn)
            await self._capacity(metadata, ReleaseSlot(appointment_id, reason, at), conn)
        return ended

    async def run(
        self,
        metadata: Metadata,
        appointment_id: UUID,
        command: AppointmentCommand,
        *,
        conn: Connection | None = None,
        expected_version: int | None = None,
    ) -> Outcome[Appointment]:
        """Any appointment command on its own (confirm, arrival, preparation, the clocks' checks);
        `conn` when it is part of a larger transaction."""
        return await execute(
            self.store,
            appointment,
            appointment_stream(appointment_id),
            command,
            metadata,
            must_exist=not isinstance(command, BookAppointment),
            expected_version=expected_version,
            after_append=self._keep_confirmation_clocks,
            conn=conn,
        )

    async def appointment(self, tenant: Tenant, appointment_id: UUID) -> tuple[Appointment, int]:
        return await load(self.store, appointment, appointment_stream(appointment_id), tenant)

    async def _keep_confirmation_clocks(self, conn: Connection, recorded: list[Envelope[Any]]) -> None:
        """Start, move or stop the confirmation clocks with the events that change the slot."""
        now = self.now()
        for envelope in recorded:
            event, tenant = envelope.event, envelope.tenant
            match event:
                case AppointmentBooked():
                    await _start_clocks(conn, tenant, event.appointment_id, event.slot_start, now)
                case AppointmentRescheduled() if event.slot_start != event.previous_slot_start:
                    await _stop_clocks(conn, event.appointment_id, event.previous_slot_start, now)
                    await _start_clocks(conn, tenant, event.appointment_id, event.slot_start, now)
                case AppointmentConfirmed():
                    kind = DAY_BEFORE if event.confirmation == "day_before" else BEFORE_ARRIVAL
                    await cancel(conn, timer_id(kind, event.appointment_id, event.slot_start), now)
                case AppointmentCancelled() | AppointmentNoShow() | VehicleArrived():
                    await _stop_clocks(conn, event.appointment_id, event.slot_start, now)

    # --- the clocks ----------------------------------------------------------------------

    async def remind(self, conn: Connection, timer: DueTimer) -> None:
        """The day-before clock: ask for the re-confirmation (moot if the appointment ended)."""
        await self.run(
            self._clock(timer), UUID(timer.payload["appointment_id"]), RequestConfirmation(self.now()), conn=conn
        )

    async def expect_confirmation(self, conn: Connection, timer: DueTimer) -> None:
        """Half an hour before: flag a customer who has not confirmed, so the advisor calls."""
        command = CheckArrivalConfirmation(self.now())
        await self.run(self._clock(timer), UUID(timer.payload["appointment_id"]), command, conn=conn)

    def _clock(self, timer: DueTimer) -> Metadata:
        return Metadata(timer.tenant, SYSTEM_ACTOR, str(uuid4()), causation_id=timer.timer_id)

    # --- preparation ---------------------------------------------------------------------

    async def prepare(
        self,
        metadata: Metadata,
        appointment_id: UUID,
        answers: dict[UUID, str],
        history_summary: str | None = None,
        parts_checked: tuple[PartCheck, ...] | None = None,
    ) -> Outcome[Appointment]:
        """Record the preparation from what this service knows of the car: its history, the
        recommendations it declined before (each offered, with the customer's answer or
        `undecided`) and the parts pre-check; the advisor may override summary and parts."""
        state, _ = await self.appointment(metadata.tenant, appointment_id)
        assert state.booked is not None  # a loaded appointment was booked
        async with self.store.pool.acquire() as conn:
            view = await preparation.read(conn, metadata.tenant.group_id, state.booked)
        last = view.history[0] if view.history else None
        command = RecordPreparation(
            history_summary=history_summary or view.summary(),
            prepared_by=metadata.actor,
            prepared_at=self.now(),
            last_service_on=last.on if last else None,
            last_service_km=last.mileage_km if last else None,
            recommendations=view.offer(answers),
            parts_checked=view.parts_check(state.booked.requested_jobs) if parts_checked is None else parts_checked,
        )
        return await self.run(metadata, appointment_id, command)

    # --- customers and vehicles ----------------------------------------------------------

    async def register_customer(self, metadata: Metadata, command: RegisterCustomer) -> Outcome[Customer]:
        return await execute(self.store, customer_vehicle, customer_stream(command.customer_id), command, metadata)

    async def change_customer(
        self, metadata: Metadata, customer_id: UUID, command: CustomerCommand
    ) -> Outcome[Customer]:
        """Register a vehicle or update the contact of a registered customer."""
        stream = customer_stream(customer_id)
        return await execute(self.store, customer_vehicle, stream, command, metadata, must_exist=True)

    async def customer(self, tenant: Tenant, customer_id: UUID) -> tuple[Customer, int]:
        return await load(self.store, customer_vehicle, customer_stream(customer_id), tenant)
