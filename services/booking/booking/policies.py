"""How booking reacts: to its own confirmation clocks when they come due (docs/domain.md §1,
"re-confirm the day before and expect the customer's confirmation about half an hour
before"). Booking reacts to no other service's events: what it reads of reception and parts
feeds preparation's read models (`booking.preparation`), and issues no command.

Each reaction runs in the timer's transaction (`conn`), so a clock fires its command exactly
once; on an appointment that ended meanwhile the command is moot and records nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID, uuid4

from booking.domain.appointment_commands import AppointmentCommand, CheckArrivalConfirmation, RequestConfirmation
from booking.handlers import Booking
from events.connection import Connection
from events.envelope import Metadata
from events.timers import DueTimer, TimerHandler

SYSTEM_ACTOR = "booking.confirmation-clock"
# The customer's appointment link for (site, appointment, slot start): booking.appointment_links.
LinkFor = Callable[[str, UUID, datetime], str]


def day_before_reminder(booking: Booking, link_for: LinkFor | None = None) -> TimerHandler:
    """The day-before clock: ask for the re-confirmation (the advisor or CS agent calls, and the
    message carries the customer's link to confirm, cancel or move it, valid until the slot)."""

    async def fire(conn: Connection, timer: DueTimer) -> None:
        link = None
        if link_for is not None:
            state, _ = await booking.appointment(timer.tenant, UUID(timer.payload["appointment_id"]))
            if state.appointment_id is not None and state.slot_start is not None:
                link = link_for(timer.tenant.site_id, state.appointment_id, state.slot_start)
        await _on_time(booking, conn, timer, RequestConfirmation(booking.now(), link=link))

    return fire


def confirmation_expected(booking: Booking) -> TimerHandler:
    """Half an hour before the slot: flag a customer who has not confirmed, so the advisor calls."""

    async def fire(conn: Connection, timer: DueTimer) -> None:
        await _on_time(booking, conn, timer, CheckArrivalConfirmation(booking.now()))

    return fire


async def _on_time(booking: Booking, conn: Connection, timer: DueTimer, command: AppointmentCommand) -> None:
    metadata = Metadata(timer.tenant, SYSTEM_ACTOR, str(uuid4()), causation_id=timer.timer_id)
    await booking.run(metadata, UUID(timer.payload["appointment_id"]), command, conn=conn)
