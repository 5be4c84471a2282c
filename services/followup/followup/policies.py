"""How follow-up reacts: reception's delivery records the visit in the customer file and opens
the 72-hour callback; the invoice completes the visit; a declined recommendation becomes an
appointment proposal. On its own events: a completed first call opens the second follow-up,
do-not-call cancels the file's open callbacks, an unreachable customer gets a note for the next
visit.

Each reaction runs inside the consumer's transaction together with its inbox row, so a
redelivered event changes nothing twice. The two halves of a visit (delivery, invoice) arrive
in either order: each is kept in `visit_facts` and the visit is recorded from what is known,
again (an amendment) when the other half comes. Opening a callback reads the file's
do-not-call flag while do-not-call cancels the file's open callbacks — two topics, not ordered
against each other — so both take one advisory lock per customer file first and every callback
opened is listed in `file_callbacks` under that lock: neither can miss the other.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from events.catalog import followup as ev
from events.catalog import followup_files
from events.catalog import reception as reception_events
from events.connection import Connection
from events.contract import REGISTRY
from events.envelope import Envelope, Metadata, Tenant
from events.runtime import Reaction
from followup.domain.callback_state import NEW, OPEN
from followup.domain.commands import (
    AddNextVisitNote,
    CancelCallback,
    OpenCallback,
    ProposeDeclinedWork,
    RecordVisit,
)
from followup.domain.customer_file import CustomerFile
from followup.domain.ids import callback_id_for, file_id_for
from followup.handlers import Followup


async def _lock(conn: Connection, key: str) -> None:
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"followup:{key}")


async def _file(
    followup: Followup, conn: Connection, file_id: UUID, envelope: Envelope[Any]
) -> tuple[CustomerFile, Metadata] | None:
    """The file under its lock, and metadata under the tenant it lives in (the site of the first
    visit: a later visit at another site of the group goes into the same file). None: the
    stream belongs to another group, which is never ours to touch."""
    await _lock(conn, f"file:{file_id}")
    state, home = await followup.current_file(conn, file_id)
    if home is not None and home.group_id != envelope.tenant.group_id:
        return None
    return state, envelope.caused()._replace(tenant=home or envelope.tenant)


async def _open(followup: Followup, conn: Connection, metadata: Metadata, command: OpenCallback) -> None:
    """Open (or skip, for do-not-call) a callback once, and list it under its file."""
    if (await followup.current_callback(conn, command.callback_id)).status != NEW:
        return
    await followup.callback(metadata, command.callback_id, command, conn=conn)
    await conn.execute(
        """INSERT INTO file_callbacks (callback_id, file_id, group_id, site_id) VALUES ($1, $2, $3, $4)
           ON CONFLICT (callback_id) DO NOTHING""",
        command.callback_id,
        command.file_id,
        metadata.tenant.group_id,
        metadata.tenant.site_id,
    )


def _work_done(invoice: reception_events.InvoiceSettled) -> list[str]:
    return [item.description for item in invoice.health_record.items]


async def _keep_half(conn: Connection, envelope: Envelope[Any]) -> Any:
    """Remember this half of the visit; return the row with both halves known so far."""
    event, tenant = envelope.event, envelope.tenant
    delivery = (
        json.dumps(event.model_dump(mode="json")) if isinstance(event, reception_events.VehicleDelivered) else None
    )
    invoice = event if isinstance(event, reception_events.InvoiceSettled) else None
    return await conn.fetchrow(
        """INSERT INTO visit_facts (repair_order_id, group_id, site_id, delivery, invoice_number, work_done)
           VALUES ($1, $2, $3, $4::jsonb, $5, $6)
           ON CONFLICT (repair_order_id) DO UPDATE SET
               delivery = coalesce(EXCLUDED.delivery, visit_facts.delivery),
               invoice_number = coalesce(EXCLUDED.invoice_number, visit_facts.invoice_number),
               work_done = coalesce(EXCLUDED.work_done, visit_facts.work_done)
           RETURNING delivery, invoice_number, work_done""",
        event.repair_order_id,
        tenant.group_id,
        tenant.site_id,
        delivery,
        invoice.invoice_number if invoice else None,
        _work_done(invoice) if invoice else None,
    )


def _delivery(stored: str) -> reception_events.VehicleDelivered:
    """A delivery kept in `visit_facts`, read as every event is: tolerant of fields a newer
    replica of this service wrote (docs/decisions/0005-tolerant-readers.md)."""
    event = REGISTRY.decode(
        reception_events.VehicleDelivered.event_type, reception_events.VehicleDelivered.schema_version, stored
    )
    assert isinstance(event, reception_events.VehicleDelivered)
    return event


async def _record_visit(followup: Followup, conn: Connection, envelope: Envelope[Any], facts: Any) -> None:
    delivered = _delivery(facts["delivery"])
    file_id = file_id_for(delivered.vehicle_user, envelope.tenant.group_id)
    found = await _file(followup, conn, file_id, envelope)
    if found is None:
        return
    _, metadata = found
    visit = RecordVisit(
        file_id=file_id,
        repair_order_id=delivered.repair_order_id,
        vehicle_user=delivered.vehicle_user,
        owner=delivered.customer,
        vehicle=delivered.vehicle,
        visited_at=delivered.delivered_at,
        mileage_km=delivered.mileage_km,
        recorded_at=max(followup.now(), delivered.delivered_at),
        work_done=tuple(facts["work_done"] or ()),
        invoice_number=facts["invoice_number"],
        next_service_due_date=delivered.next_service_due_date,
        next_service_due_km=delivered.next_service_due_km,
        pending_recommendations=delivered.pending_recommendations,
    )
    outcome = await followup.file(metadata, file_id, visit, conn=conn)
    if not isinstance(envelope.event, reception_events.VehicleDelivered):
        return  # the invoice only completes the visit; the callback came with the delivery
    first = OpenCallback(
        callback_id=callback_id_for(delivered.repair_order_id, "first"),
        repair_order_id=delivered.repair_order_id,
        kind="first",
        file_id=file_id,
        contact=delivered.vehicle_user,
        vehicle=delivered.vehicle,
        basis_at=delivered.delivered_at,
        do_not_call=outcome.state.do_not_call,
        opened_at=followup.now(),
    )
    # The callback belongs to the site that delivered the car, whatever the file's home.
    await _open(followup, conn, envelope.caused(), first)


async def _propose_declined(
    followup: Followup, conn: Connection, envelope: Envelope[Any], event: reception_events.AdditionalWorkDeclined
) -> None:
    """Only into an existing file: a first-time customer's recommendation is proposed when the
    delivery records the visit (its pending recommendations)."""
    known = await conn.fetchval("SELECT delivery FROM visit_facts WHERE repair_order_id = $1", event.repair_order_id)
    if known is not None:
        file_id: UUID | None = file_id_for(_delivery(known).vehicle_user, envelope.tenant.group_id)
    else:
        file_id = event.customer_id
    if file_id is None:
        return
    found = await _file(followup, conn, file_id, envelope)
    if found is None or not found[0].exists:
        return
    command = ProposeDeclinedWork(event.repair_order_id, event.vehicle, event.recommendation, event.declined_at)
    await followup.file(found[1], file_id, command, conn=conn)


def deliveries(followup: Followup) -> Reaction:
    """reception → customer file and first callback: the delivery, the invoice, declined work."""

    async def react(conn: Connection, envelope: Envelope[Any]) -> None:
        event = envelope.event
        await _lock(conn, f"ro:{event.repair_order_id}")
        if isinstance(event, reception_events.AdditionalWorkDeclined):
            await _propose_declined(followup, conn, envelope, event)
            return
        facts = await _keep_half(conn, envelope)
        if facts["delivery"] is not None:
            await _record_visit(followup, conn, envelope, facts)

    handles = {
        reception_events.VehicleDelivered.event_type,
        reception_events.InvoiceSettled.event_type,
        reception_events.AdditionalWorkDeclined.event_type,
    }
    return Reaction("deliveries", ["reception"], handles, react)


async def _second(
    followup: Followup, conn: Connection, envelope: Envelope[Any], event: ev.SecondFollowUpScheduled
) -> None:
    found = await _file(followup, conn, event.file_id, envelope)
    first = await followup.current_callback(conn, event.callback_id)
    if found is None or first.contact is None or first.vehicle is None:
        return
    second = OpenCallback(
        callback_id=event.second_callback_id,
        repair_order_id=event.repair_order_id,
        kind="second",
        file_id=event.file_id,
        contact=first.contact,
        vehicle=first.vehicle,
        basis_at=event.scheduled_at,
        do_not_call=found[0].do_not_call,
        opened_at=max(followup.now(), event.scheduled_at),
        agent=first.agent,  # the agent who made the first call makes the second
        first_callback_id=event.callback_id,
    )
    await _open(followup, conn, envelope.caused(), second)


async def _stop_calling(
    followup: Followup, conn: Connection, envelope: Envelope[Any], event: followup_files.DoNotCallSet
) -> None:
    if await _file(followup, conn, event.file_id, envelope) is None:
        return
    rows = await conn.fetch(
        "SELECT callback_id, group_id, site_id FROM file_callbacks WHERE file_id = $1 ORDER BY callback_id",
        event.file_id,
    )
    for row in rows:
        if (await followup.current_callback(conn, row["callback_id"])).status != OPEN:
            continue
        metadata = envelope.caused()._replace(tenant=Tenant(row["group_id"], row["site_id"]))
        cancelled = CancelCallback("do_not_call", event.set_by, event.set_at)
        await followup.callback(metadata, row["callback_id"], cancelled, conn=conn)


async def _note_unreachable(
    followup: Followup, conn: Connection, envelope: Envelope[Any], event: ev.CallbackUnreachable
) -> None:
    found = await _file(followup, conn, event.file_id, envelope)
    if found is None or not found[0].exists:
        return
    note = AddNextVisitNote(
        event.note_for_next_visit, "callback_unreachable", event.given_up_by, event.given_up_at, event.callback_id
    )
    await followup.file(found[1], event.file_id, note, conn=conn)


def own_events(followup: Followup) -> Reaction:
    """followup → followup: the second follow-up, do-not-call honoured, the unreachable note."""

    async def react(conn: Connection, envelope: Envelope[Any]) -> None:
        match envelope.event:
            case ev.SecondFollowUpScheduled() as event:
                await _second(followup, conn, envelope, event)
            case followup_files.DoNotCallSet() as event:
                await _stop_calling(followup, conn, envelope, event)
            case ev.CallbackUnreachable() as event:
                await _note_unreachable(followup, conn, envelope, event)

    handles = {
        ev.SecondFollowUpScheduled.event_type,
        followup_files.DoNotCallSet.event_type,
        ev.CallbackUnreachable.event_type,
    }
    return Reaction("own-events", ["followup"], handles, react)
