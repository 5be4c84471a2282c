"""The reception use cases that need more than one `execute`: check-in looks up what booking
recorded of the car and names the visit its retries will find before it decides; the estimate
and a line added after signing are priced by the catalogue first (`estimates.py`), and the
delivery asks it for the car's next service when the desk gives none. Every other command is
one `events.commands.execute` on the repair order, run by its route (`api.py` and the `*_api.py`
modules beside it, one per resource) or by a reaction to the workshop or billing (`policies.py`).

A use case takes the already-checked `Metadata` (tenant, actor, correlation), the domain
command (built by the HTTP layer with the runtime clock's `now`) and the `If-Match` version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID, uuid4

from events.commands import Outcome, execute, load
from events.envelope import Metadata, Tenant
from events.http import Actor
from events.peers import Peers
from events.runtime import UseCases
from reception.approval_links import ApprovalLinks, configured_links
from reception.booked_appointments import arrival_of
from reception.domain import errors, reception_settings, repair_order
from reception.domain.check_in import appointment_visit_id, keyed_visit_id
from reception.domain.next_service import NextService, by_interval
from reception.domain.pricing import authority_of
from reception.domain.reception_settings import ReceptionSettings
from reception.domain.repair_order_commands import CheckIn
from reception.domain.repair_order_state import RepairOrder, require_in_progress, require_unsigned
from reception.estimates import price_item, price_typed, price_work
from reception.price_schemas import AddLineBody, EstimateBody
from reception.quotes import Catalogue
from reception.schemas import DeliveryBody


@dataclass(frozen=True)
class Reception(UseCases):
    """The use cases, on the service's runtime (its event store and clock). `booking_patience`:
    how long a check-in waits for booking's record of an appointment car's arrival to reach
    reception (seconds)."""

    booking_patience: float = 5.0
    peers: Peers = field(default_factory=Peers)
    links: ApprovalLinks = field(default_factory=configured_links)

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

    # --- priced by the catalogue ------------------------------------------------------------

    async def settings(self, tenant: Tenant) -> ReceptionSettings:
        state, _ = await load(
            self.store,
            reception_settings.reception_settings,
            reception_settings.stream_id(tenant.site_id),
            tenant,
            must_exist=False,
        )
        return state

    def catalogue(self, by: Actor) -> Catalogue:
        return Catalogue(self.peers, by.identity, by.tenant.site_id)

    async def _authority(self, by: Actor) -> int:
        return authority_of(by.identity.roles, (await self.settings(by.tenant)).discount_authority_bp)

    async def prepare_estimate(
        self, by: Actor, repair_order_id: UUID, body: EstimateBody, now: datetime
    ) -> Outcome[RepairOrder]:
        stream = repair_order.stream_id(repair_order_id)
        state, _ = await load(self.store, repair_order.repair_order, stream, by.tenant)
        require_unsigned(state)  # refused before the catalogue is asked anything
        family = _model_family(body.model_family, state)
        lines, price_lists = await price_work(
            self.catalogue(by),
            family,
            menu_id=body.menu_id,
            menu_pay_type=body.menu_pay_type,
            menu_prices=body.menu_prices,
            items=body.items,
            typed=body.lines,
        )
        command = body.command(lines, price_lists, family, await self._authority(by), now)
        return await by.run(self.store, repair_order.repair_order, stream, command)

    async def add_line(
        self, by: Actor, repair_order_id: UUID, body: AddLineBody, now: datetime
    ) -> Outcome[RepairOrder]:
        stream = repair_order.stream_id(repair_order_id)
        state, _ = await load(self.store, repair_order.repair_order, stream, by.tenant)
        require_in_progress(state)
        family = _model_family(body.model_family, state)
        if body.item is not None:
            line, price_lists = await price_item(self.catalogue(by), family, body.item)
        else:
            assert body.line is not None  # the body names exactly one
            line, price_lists = await price_typed(self.catalogue(by), family, body.line)
        command = body.command(line, price_lists, await self._authority(by), now)
        return await by.run(self.store, repair_order.repair_order, stream, command)

    async def deliver(
        self, by: Actor, repair_order_id: UUID, body: DeliveryBody, now: datetime
    ) -> Outcome[RepairOrder]:
        """The next service the desk did not give comes from the catalogue's next service menu for
        the car's model family, else from the site's default interval: every delivered car has one."""
        stream = repair_order.stream_id(repair_order_id)
        state, _ = await load(self.store, repair_order.repair_order, stream, by.tenant)
        computed = None
        # Only for a car that may go (settled, not yet delivered): a refusal is never hidden by a 503.
        if not body.next_service_given and state.settled is not None and not state.delivered:
            computed = await self._next_service(by, state, now)
        return await by.run(self.store, repair_order.repair_order, stream, body.command(now, computed))

    async def _next_service(self, by: Actor, state: RepairOrder, now: datetime) -> NextService:
        assert state.checked_in is not None
        assert state.walk_around is not None
        mileage, family = state.walk_around.mileage_km, state.checked_in.vehicle.model
        if family:
            found = await self.catalogue(by).next_service(family, mileage, now.date())
            if found is not None:
                return found
        return by_interval(mileage, now.date(), (await self.settings(by.tenant)).default_service_interval)


def _model_family(asked: str | None, state: RepairOrder) -> str:
    """The catalogue prices per model family: the one asked, else the car's model."""
    family = asked or (state.checked_in.vehicle.model if state.checked_in else None)
    if not family:
        raise errors.CatalogueModelFamilyRequired(
            "the car's model is not on record: name the model family the catalogue prices it by"
        )
    return family
