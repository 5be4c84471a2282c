"""The reception use cases that need more than one `execute`: check-in looks up what booking
recorded of the car and names the visit its retries will find before it decides. Every other
command is one `events.commands.execute` on the repair order, run by its route (`api.py`) or by
a reaction to the workshop (`policies.py`).

A use case takes the already-checked `Metadata` (tenant, actor, correlation), the domain
command (built by the HTTP layer with the runtime clock's `now`) and the `If-Match` version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from uuid import UUID, uuid4

from events.commands import Outcome, execute
from events.envelope import Metadata
from events.runtime import UseCases
from reception.booked_appointments import arrival_of
from reception.domain import repair_order
from reception.domain.check_in import appointment_visit_id, keyed_visit_id
from reception.domain.repair_order_commands import CheckIn
from reception.domain.repair_order_state import RepairOrder


@dataclass(frozen=True)
class Reception(UseCases):
    """The use cases, on the service's runtime (its event store and clock). `booking_patience`:
    how long a check-in waits for booking's record of an appointment car's arrival to reach
    reception (seconds)."""

    booking_patience: float = 5.0

    async def check_in(
        self,
        metadata: Metadata,
        build: Callable[[UUID], CheckIn],
        *,
        appointment_id: UUID | None = None,
        chosen_id: UUID | None = None,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> Outcome[RepairOrder]:
        """Start a visit, or find the one this check-in started before (nothing is recorded
        then). Its id: the appointment's one visit; else the caller's key or chosen id, so that
        a retry finds its visit; else a new one. An appointment car comes with what booking
        recorded of it (decision 0006)."""
        tenant = metadata.tenant
        if appointment_id is not None:
            repair_order_id = appointment_visit_id(tenant.group_id, tenant.site_id, appointment_id)
        elif idempotency_key is not None:
            repair_order_id = keyed_visit_id(tenant.group_id, tenant.site_id, metadata.actor, idempotency_key)
        else:
            repair_order_id = chosen_id or uuid4()
        command = build(repair_order_id)
        if command.appointment_id is not None:
            booked = await arrival_of(self.runtime.pool, tenant, command.appointment_id, self.booking_patience)
            command = replace(command, booking=booked)
        stream = repair_order.stream_id(repair_order_id)
        return await execute(
            self.store, repair_order.repair_order, stream, command, metadata, expected_version=expected_version
        )
