"""Recording a price file as a new version of the group's price list: the version's row, its
parts (`copy_records_to_table`: a binary `COPY`) and its `catalogue.PriceListImported` event,
in one transaction — a version is there whole, with its event, or not at all.

Imports of one group take turns (a transaction-scoped advisory lock), so each gets the next
version and a retry can be recognised: the same file for the same date as the latest version
is that version again, not a new one.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID, uuid4

from catalogue.domain.effective import effective_from as checked_effective_from
from catalogue.price_list.rows import PriceFile, read_price_file
from events.catalog.catalogue_prices import PriceListImported
from events.envelope import Metadata, NewEvent
from events.log_pages import collection_paused
from events.store import EventStore

COPY_COLUMNS = ("list_key", "part_number", "description", "list_price", "cost", "oem", "superseded_by")

_LATEST = """
SELECT price_list_id, version, effective_from, rows, checksum FROM price_list_versions
WHERE group_id = $1 ORDER BY version DESC LIMIT 1"""

_INSERT_VERSION = """
INSERT INTO price_list_versions (price_list_id, list_key, group_id, version, effective_from, rows, superseded,
                                 checksum, site_id, imported_by, imported_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"""


def stream_id(group_id: str) -> str:
    """The group's price-list stream: one `PriceListImported` per version, its stream version."""
    return f"price_list-{group_id}"


@dataclass(frozen=True)
class Imported:
    """A version of the price list; `replayed`: a retry of the import that recorded it."""

    price_list_id: UUID
    version: int
    rows: int
    effective_from: date
    replayed: bool = False


async def import_price_list(
    store: EventStore, metadata: Metadata, data: bytes, effective_from: date, *, now: datetime, today: date
) -> Imported:
    """Record the price file `data` as the group's next price-list version, in force from
    `effective_from` (today at the site or later: `Unprocessable` otherwise). `InvalidRows`,
    and nothing recorded, when any row is bad."""
    checked_effective_from(effective_from, today)
    # Taken before reading, as the parts carry it; a refused file leaves a gap in the keys, harmless.
    list_key = await store.pool.fetchval("SELECT nextval('price_list_key')")
    # A hundred thousand parts, nothing cyclic among them: the collector would walk them all for
    # nothing (a quarter of the import's CPU). Paused until they are freed, so it never does.
    with collection_paused():
        # Reading and checking is ~0.2 s of CPU: off the event loop, which serves other requests.
        parsed = await asyncio.to_thread(read_price_file, data, list_key)
        imported = await _record(store, metadata, effective_from, now, parsed, list_key)
        del parsed
    return imported


async def _record(
    store: EventStore, metadata: Metadata, effective_from: date, now: datetime, parsed: PriceFile, list_key: int
) -> Imported:
    price_list_id = uuid4()
    group = metadata.tenant.group_id
    async with store.transaction() as conn:
        await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", stream_id(group))
        latest = await conn.fetchrow(_LATEST, group)
        if latest is not None and (latest["checksum"], latest["effective_from"]) == (parsed.checksum, effective_from):
            return Imported(latest["price_list_id"], latest["version"], latest["rows"], effective_from, replayed=True)
        version = 1 if latest is None else latest["version"] + 1
        rows = len(parsed.records)
        await conn.execute(
            _INSERT_VERSION,
            price_list_id,
            list_key,
            group,
            version,
            effective_from,
            rows,
            parsed.superseded,
            parsed.checksum,
            metadata.tenant.site_id,
            metadata.actor,
            now,
        )
        await conn.copy_records_to_table("price_list_parts", records=parsed.records, columns=COPY_COLUMNS)
        event = PriceListImported(
            price_list_id=price_list_id,
            version=version,
            effective_from=effective_from,
            rows=rows,
            superseded=parsed.superseded,
            checksum=parsed.checksum,
            imported_at=now,
        )
        # The stream's version is the list's: a version recorded without its event (or the
        # reverse) would be a conflict here, and the whole import is rolled back.
        await store.append(stream_id(group), version - 1, [NewEvent(event, metadata, occurred_at=now)], conn=conn)
    return Imported(price_list_id, version, rows, effective_from)
