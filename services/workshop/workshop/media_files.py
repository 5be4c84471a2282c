"""The inspection's photos and videos: kept in the media store (`events.media`: a folder under
`var/media/` locally, S3 in deploy/), described by a row of `media` (which RO and item, kind, type,
size, keys). A photo of a car is the customer's personal data (decision 0004): an erasure of the
customer deletes the media of their cars' repair orders from the store (the rows stay, marked
erased, so the history still says a photo was taken).

Whose car an RO is comes from reception's check-in (`repair_order_subjects`): the customer's and
the car user's subject ids, as every service derives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from events.catalog.privacy import PersonalDataErased
from events.catalog.reception import VehicleCheckedIn
from events.catalog.reception_values import Contact
from events.connection import Connection
from events.envelope import Envelope, Tenant
from events.media import CheckedUpload, Limits, MediaStore
from events.personal_data import phone_subject
from events.runtime import Reaction


@dataclass(frozen=True)
class MediaFiles:
    """The service's media store and the upload limits it enforces."""

    store: MediaStore
    limits: Limits


def storage_key(tenant: Tenant, media_id: UUID) -> str:
    return f"{tenant.group_id}/{tenant.site_id}/{media_id}"


def thumbnail_key(tenant: Tenant, media_id: UUID) -> str:
    return f"{storage_key(tenant, media_id)}.thumbnail.jpg"


async def keep(files: MediaFiles, tenant: Tenant, media_id: UUID, upload: CheckedUpload) -> None:
    """The bytes into the store, before the event that names them is recorded: a failed append
    leaves an unreferenced file (harmless), never an event naming a missing photo."""
    await files.store.put(storage_key(tenant, media_id), upload.content, upload.content_type)
    if upload.thumbnail is not None:
        await files.store.put(thumbnail_key(tenant, media_id), upload.thumbnail, "image/jpeg")


async def record(
    conn: Connection,
    tenant: Tenant,
    media_id: UUID,
    repair_order_id: UUID,
    item_id: str,
    upload: CheckedUpload,
    uploaded_by: str,
    at: datetime,
) -> None:
    await conn.execute(
        """INSERT INTO media (media_id, group_id, site_id, repair_order_id, item_id, kind, content_type, bytes,
               storage_key, thumbnail_key, uploaded_by, uploaded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)""",
        media_id,
        tenant.group_id,
        tenant.site_id,
        repair_order_id,
        item_id,
        upload.kind,
        upload.content_type,
        len(upload.content),
        storage_key(tenant, media_id),
        thumbnail_key(tenant, media_id) if upload.thumbnail is not None else None,
        uploaded_by,
        at,
    )


async def find(conn: Any, media_id: UUID) -> Any:
    """The media's row (any tenant: the caller checks whose it is), or None."""
    return await conn.fetchrow(
        """SELECT media_id, group_id, site_id, repair_order_id, item_id, kind, content_type, storage_key,
                  thumbnail_key, erased_at
           FROM media WHERE media_id = $1""",
        media_id,
    )


# --- erasure --------------------------------------------------------------------------------


def _subjects(*contacts: Contact) -> list[UUID]:
    return sorted({c.customer_id or phone_subject(c.phone) for c in contacts}, key=str)


def owners() -> Reaction:
    """reception.VehicleCheckedIn → whose car the repair order is (for an erasure later)."""

    async def react(conn: Connection, envelope: Envelope[Any]) -> None:
        event: VehicleCheckedIn = envelope.event
        await conn.execute(
            """INSERT INTO repair_order_subjects (repair_order_id, group_id, subject_ids) VALUES ($1, $2, $3)
               ON CONFLICT (repair_order_id) DO UPDATE SET subject_ids = EXCLUDED.subject_ids""",
            event.repair_order_id,
            envelope.tenant.group_id,
            _subjects(event.customer, event.vehicle_user),
        )

    return Reaction("media-owners", ["reception"], {VehicleCheckedIn.event_type}, react)


async def erase(conn: Connection, store: MediaStore, subjects: tuple[UUID, ...], at: datetime) -> int:
    """The media of `subjects`' repair orders deleted from the store, their rows marked erased;
    the number erased. Deleting is idempotent: a redelivery after a crash deletes what is left."""
    rows = await conn.fetch(
        """SELECT m.media_id, m.storage_key, m.thumbnail_key FROM media m
           JOIN repair_order_subjects s ON s.repair_order_id = m.repair_order_id
           WHERE s.subject_ids && $1::uuid[] AND m.erased_at IS NULL""",
        list(subjects),
    )
    for row in rows:
        await store.delete(row["storage_key"])
        if row["thumbnail_key"]:
            await store.delete(row["thumbnail_key"])
    if rows:
        await conn.execute(
            "UPDATE media SET erased_at = $2 WHERE media_id = ANY($1::uuid[])", [r["media_id"] for r in rows], at
        )
    return len(rows)


def erasures(store: MediaStore) -> Reaction:
    """privacy.PersonalDataErased → the photos and videos of the customer's cars deleted."""

    async def react(conn: Connection, envelope: Envelope[Any]) -> None:
        erased: PersonalDataErased = envelope.event
        await erase(conn, store, erased.subject_ids, erased.requested_at)

    return Reaction("media-erasure", ["privacy"], {PersonalDataErased.event_type}, react)
