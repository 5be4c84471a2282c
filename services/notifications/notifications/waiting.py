"""Triggers waiting for the person they are about.

Whom a message goes to is learnt from other services' events (`contacts`), and a trigger and
the event naming its customer may come on different topics — a workshop's "car ready" and
reception's check-in — with no order between them. A trigger handled first would find no one
and be recorded undeliverable: a message lost to a race. So it waits, as a row here, in the
consumer's transaction that received it:

- the event that teaches one of its keys (`ro:<id>`, `customer:<id>`) takes it, and the trigger
  is handled in that event's transaction, right after the contact is remembered;
- a durable timer gives up after `CONTACT_WAIT` (no such visit ever comes: a check-in lost, a
  customer never registered): the trigger is handled as it is, and a message no one can receive
  is published as failed for a person, as before.

A row holds the trigger's event as received (type, version and JSON: decoded again with the
contracts' registry, upcasters included) for at most `CONTACT_WAIT`.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from events.connection import Connection
from events.contract import REGISTRY
from events.envelope import Envelope, Metadata, Tenant
from events.timers import schedule

WAITED = "notifications.contact-waited"
# Longer than any lag between two topics of one consumer in a working system (seconds), short
# enough that a message no one can receive reaches a person while the car is still there.
CONTACT_WAIT = timedelta(minutes=2)


async def park(conn: Connection, envelope: Envelope[Any], keys: list[str], at: datetime) -> None:
    """Keep the trigger until a key is learnt or `CONTACT_WAIT` has passed (a trigger already
    waiting stays as it was: a redelivery does not move its timer)."""
    meta = envelope.metadata
    parked = await conn.fetchval(
        """INSERT INTO waiting_triggers (event_id, group_id, keys, event_type, schema_version, data, stream_id,
             stream_version, metadata, occurred_at, recorded_at, parked_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           ON CONFLICT (event_id) DO NOTHING RETURNING true""",
        envelope.event_id,
        envelope.tenant.group_id,
        keys,
        envelope.event_type,
        envelope.event.schema_version,
        envelope.event.model_dump_json(),
        envelope.stream_id,
        envelope.stream_version,
        json.dumps({**meta._asdict(), "tenant": list(meta.tenant)}),
        envelope.occurred_at,
        envelope.recorded_at,
        at,
    )
    if parked:
        payload = {"event_id": str(envelope.event_id)}
        await schedule(conn, f"contact-wait-{envelope.event_id}", WAITED, at + CONTACT_WAIT, envelope.tenant, payload)


async def take_for(conn: Connection, group_id: str, key: str) -> list[Envelope[Any]]:
    """The triggers waiting for `key`, in the order they came; they wait no more."""
    rows = await conn.fetch(
        "DELETE FROM waiting_triggers WHERE group_id = $1 AND keys @> ARRAY[$2] RETURNING *", group_id, key
    )
    return [_envelope(row) for row in sorted(rows, key=lambda row: int(row["seq"]))]


async def take(conn: Connection, event_id: UUID) -> Envelope[Any] | None:
    """The trigger, if it still waits (not taken by its contact meanwhile)."""
    row = await conn.fetchrow("DELETE FROM waiting_triggers WHERE event_id = $1 RETURNING *", event_id)
    return _envelope(row) if row else None


def _envelope(row: Any) -> Envelope[Any]:
    meta = json.loads(row["metadata"])
    return Envelope(
        event=REGISTRY.decode(row["event_type"], row["schema_version"], row["data"]),
        event_id=row["event_id"],
        stream_id=row["stream_id"],
        stream_version=row["stream_version"],
        metadata=Metadata(**{**meta, "tenant": Tenant(*meta["tenant"])}),
        occurred_at=row["occurred_at"],
        recorded_at=row["recorded_at"],
    )
