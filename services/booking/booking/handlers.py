"""The booking use cases that need more than one `events.commands.execute`: two streams in one
transaction, a read before deciding, or the confirmation clocks kept with every appointment
command (`run`). A command that needs none of that (the customer database's) runs `execute`
from its route; the clocks' reactions when they come due are in `booking.policies`.

Booking, moving and giving back an appointment change two aggregates: the appointment and the
site's capacity (`capacity-<site_id>`). Both appends run in one transaction, so a refused
overbooking writes nothing and a booked appointment always holds its slot. The confirmation
clocks (durable timers; the rule is `booking.domain.clocks`) start and stop in the transaction
of the events that start and stop them. Handlers take the already-checked `Metadata` and a
domain command; time comes from the runtime's clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from booking import catalogue, preparation
from booking.catalogue import CataloguePick
from booking.domain.appointment import appointment
from booking.domain.appointment import stream_id as appointment_stream
from booking.domain.appointment_commands import (
    AppointmentCommand,
    BookAppointment,
    CancelAppointment,
    MarkNoShow,
    RecordPreparation,
    RescheduleAppointment,
)
from booking.domain.appointment_state import Appointment
from booking.domain.clocks import confirmation_clocks
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
from events.catalog.booking_values import PartCheck, RequestedJob
from events.commands import Outcome, execute, load
from events.connection import Connection
from events.envelope import Metadata, Tenant
from events.identity import Identity
from events.peers import Peers
from events.runtime import UseCases
from events.timers import keeping

# What a caller checks and writes in a use case's own transaction before its events (a customer's
# booking limit, a link spent): refused there, nothing of the command is written.
Guard = Callable[[Connection], Awaitable[None]]


@dataclass(frozen=True)
class Booking(UseCases):
    """The use cases, on the service's runtime (its event store and clock), and the peers it
    asks (the catalogue, for the work of a service menu)."""

    peers: Peers

    # --- capacity ------------------------------------------------------------------------

    async def set_capacity(
        self, metadata: Metadata, command: SetCapacity, expected_version: int | None = None
    ) -> tuple[SiteCapacity, int]:
        """PUT semantics: setting the plan in force again changes nothing and is no error."""
        try:
            outcome = await self._capacity(metadata, command, expected_version=expected_version)
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

    async def menu_minutes(self, identity: Identity, tenant: Tenant, pick: CataloguePick) -> int:
        """The flat-rate minutes of a service menu (or operations) for a car, by the catalogue."""
        return await catalogue.quoted_minutes(self.peers, identity, tenant.site_id, pick)

    async def _capacity(
        self,
        metadata: Metadata,
        command: CapacityCommand,
        conn: Connection | None = None,
        *,
        expected_version: int | None = None,
    ) -> Outcome[SiteCapacity]:
        stream = capacity_stream(UUID(metadata.tenant.site_id))
        return await execute(
            self.store, site_capacity, stream, command, metadata, expected_version=expected_version, conn=conn
        )

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

    async def quoted_jobs(self, identity: Identity, tenant: Tenant, pick: CataloguePick) -> tuple[RequestedJob, ...]:
        """The catalogue's jobs for what the booker picked, asked before anything is written: a
        catalogue that cannot answer books nothing (503)."""
        return await catalogue.quoted_jobs(self.peers, identity, tenant.site_id, pick)

    async def book(
        self, metadata: Metadata, command: BookAppointment, guard: Guard | None = None
    ) -> Outcome[Appointment]:
        """Record the appointment and reserve its slot, or neither."""
        reserve = ReserveSlot(
            command.appointment_id, command.slot_start, command.estimated_minutes, command.advisor_id, command.booked_at
        )
        async with self._with_capacity(metadata.tenant) as conn:
            if guard is not None:
                await guard(conn)
            booked = await self.run(metadata, command.appointment_id, command, conn=conn)
            await self._capacity(metadata, reserve, conn)
        return booked

    async def reschedule(
        self,
        metadata: Metadata,
        appointment_id: UUID,
        command: RescheduleAppointment,
        expected_version: int | None = None,
        guard: Guard | None = None,
    ) -> Outcome[Appointment]:
        """Move the appointment and its reservation together; a full new slot moves neither.
        `expected_version` is the appointment's (`If-Match`)."""
        async with self._with_capacity(metadata.tenant) as conn:
            if guard is not None:
                await guard(conn)
            moved = await self.run(metadata, appointment_id, command, conn=conn, expected_version=expected_version)
            state = moved.state
            assert state.slot_start is not None  # a rescheduled appointment has a slot and an advisor
            assert state.advisor_id is not None
            move = MoveReservation(
                appointment_id, state.slot_start, state.estimated_minutes, state.advisor_id, command.rescheduled_at
            )
            await self._capacity(metadata, move, conn)
        return moved

    async def cancel(
        self,
        metadata: Metadata,
        appointment_id: UUID,
        command: CancelAppointment,
        expected_version: int | None = None,
        guard: Guard | None = None,
    ) -> Outcome[Appointment]:
        return await self._end(
            metadata, appointment_id, command, "cancelled", command.cancelled_at, expected_version, guard
        )

    async def mark_no_show(
        self, metadata: Metadata, appointment_id: UUID, command: MarkNoShow, expected_version: int | None = None
    ) -> Outcome[Appointment]:
        return await self._end(metadata, appointment_id, command, "no_show", command.recorded_at, expected_version)

    async def _end(
        self,
        metadata: Metadata,
        appointment_id: UUID,
        command: AppointmentCommand,
        reason: str,
        at: datetime,
        expected_version: int | None,
        guard: Guard | None = None,
    ) -> Outcome[Appointment]:
        """A cancelled or missed appointment gives its workshop time back, in the same transaction."""
        async with self._with_capacity(metadata.tenant) as conn:
            if guard is not None:
                await guard(conn)
            ended = await self.run(metadata, appointment_id, command, conn=conn, expected_version=expected_version)
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
        """Any appointment command on its own (confirm, arrival, preparation, the clocks' checks),
        keeping the confirmation clocks in its transaction; `conn` when it is part of a larger
        transaction; `expected_version` the appointment's version the caller saw (`If-Match`)."""
        return await execute(
            self.store,
            appointment,
            appointment_stream(appointment_id),
            command,
            metadata,
            must_exist=not isinstance(command, BookAppointment),
            expected_version=expected_version,
            after_append=keeping(confirmation_clocks, clock=self.runtime.clock),
            conn=conn,
        )

    async def appointment(self, tenant: Tenant, appointment_id: UUID) -> tuple[Appointment, int]:
        return await load(self.store, appointment, appointment_stream(appointment_id), tenant)

    # --- preparation ---------------------------------------------------------------------

    async def prepare(
        self,
        metadata: Metadata,
        appointment_id: UUID,
        answers: dict[UUID, str],
        history_summary: str | None = None,
        parts_checked: tuple[PartCheck, ...] | None = None,
        expected_version: int | None = None,
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
        return await self.run(metadata, appointment_id, command, expected_version=expected_version)
