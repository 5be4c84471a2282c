"""The inspections' read model, fed from the service's own log: each inspection and each item's
last grade, note, measured value and media, which finding it became and whether the customer
declined it. It answers "what did this car's last inspection find?" (by VIN, across the group's
sites) when the next one is opened."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from events.catalog import workshop as ev
from events.catalog import workshop_inspection as inspection
from events.catalog.workshop import MediaRef
from events.catalog.workshop_inspection import PreviousResult
from events.connection import Connection
from events.envelope import Envelope


class Inspections:
    name = "workshop.inspections"
    tables = ("inspections", "inspection_items")
    handles = frozenset(
        {
            inspection.InspectionOpened.event_type,
            inspection.InspectionItemRecorded.event_type,
            inspection.InspectionMediaAttached.event_type,
            inspection.InspectionCompleted.event_type,
            ev.FindingDeclined.event_type,
        }
    )

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event, tenant = envelope.event, envelope.tenant
        ro = event.repair_order_id
        match event:
            case inspection.InspectionOpened():
                await conn.execute(
                    """INSERT INTO inspections (repair_order_id, group_id, site_id, vin, template_id, opened_at)
                       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (repair_order_id) DO NOTHING""",
                    ro,
                    tenant.group_id,
                    tenant.site_id,
                    event.vin,
                    event.template_id,
                    event.opened_at,
                )
            case inspection.InspectionItemRecorded():
                await conn.execute(
                    """INSERT INTO inspection_items (repair_order_id, item_id, grade, note, measured)
                       VALUES ($1, $2, $3, $4, $5)
                       ON CONFLICT (repair_order_id, item_id) DO UPDATE SET grade = EXCLUDED.grade,
                           note = EXCLUDED.note, measured = EXCLUDED.measured""",
                    ro,
                    event.item_id,
                    event.grade,
                    event.note,
                    event.measured,
                )
            case inspection.InspectionMediaAttached():
                # Media may come before the item's grade: the row waits with a provisional grade.
                await conn.execute(
                    """INSERT INTO inspection_items (repair_order_id, item_id, grade, media)
                       VALUES ($1, $2, 'green', jsonb_build_array($3::jsonb))
                       ON CONFLICT (repair_order_id, item_id) DO UPDATE SET
                           media = inspection_items.media || jsonb_build_array($3::jsonb)""",
                    ro,
                    event.item_id,
                    event.media.model_dump_json(),
                )
            case inspection.InspectionCompleted():
                await conn.execute(
                    """UPDATE inspections SET completed_at = $2, green = $3, yellow = $4, red = $5
                       WHERE repair_order_id = $1""",
                    ro,
                    event.completed_at,
                    event.green,
                    event.yellow,
                    event.red,
                )
                for found in event.findings:
                    await conn.execute(
                        "UPDATE inspection_items SET finding_id = $3 WHERE repair_order_id = $1 AND item_id = $2",
                        ro,
                        found.item_id,
                        found.finding_id,
                    )
            case ev.FindingDeclined():
                await conn.execute(
                    "UPDATE inspection_items SET declined = true WHERE repair_order_id = $1 AND finding_id = $2",
                    ro,
                    event.finding_id,
                )


async def last_inspection(
    conn: Connection, group_id: str, vin: str, before: UUID
) -> tuple[UUID | None, tuple[PreviousResult, ...]]:
    """The car's last completed inspection other than `before`'s, with each item's result."""
    previous = await conn.fetchval(
        """SELECT repair_order_id FROM inspections
           WHERE group_id = $1 AND vin = $2 AND completed_at IS NOT NULL AND repair_order_id <> $3
           ORDER BY completed_at DESC LIMIT 1""",
        group_id,
        vin.strip().upper(),
        before,
    )
    if previous is None:
        return None, ()
    rows = await conn.fetch(
        """SELECT item_id, grade, measured, note, finding_id, declined, media FROM inspection_items
           WHERE repair_order_id = $1 ORDER BY item_id""",
        previous,
    )
    return previous, tuple(
        PreviousResult(
            item_id=row["item_id"],
            grade=row["grade"],
            measured=row["measured"],
            note=row["note"],
            finding_id=row["finding_id"],
            declined=row["declined"],
            media=tuple(MediaRef.model_validate(m) for m in json.loads(row["media"])),
        )
        for row in rows
    )
