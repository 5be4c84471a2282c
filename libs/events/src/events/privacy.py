"""What a service does with customers' personal data beyond its event store: shows it only to the
roles that need it (and records who read whose), and honours an erasure in its read models
(docs/decisions/0004-personal-data.md).

    rows = await personal_view(pool, identity, request, rows, fields=("customer_name",), subject="customer_id")

Each service declares where personal data sits in its read models (`PersonalColumn`s, handed to
its `ServiceRuntime`); the runtime consumes `privacy.PersonalDataErased` for every service and
calls `erase_personal_data` with them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from fastapi import Request

from events.connection import Connection
from events.identity import ADVISOR, CASHIER, CS_AGENT, GROUP_ADMIN, SERVICE_MANAGER, Identity
from events.personal_data import ERASED, TOKEN, PersonalDataKeys, erase_keys, open_token

# The people whose work needs a customer's name and phone: they talk to the customer or bill them.
# A technician, dispatcher, parts clerk or QC inspector works on the car and sees its plate.
PERSONAL_DATA_READERS = frozenset({ADVISOR, CASHIER, CS_AGENT, SERVICE_MANAGER, GROUP_ADMIN})
WITHHELD = "[withheld]"  # what other roles get in place of a personal field


def sees_personal_data(identity: Identity) -> bool:
    return bool(identity.roles & PERSONAL_DATA_READERS)


async def personal_view(
    pool: asyncpg.Pool | Connection,
    identity: Identity,
    request: Request,
    rows: Sequence[dict[str, Any]],
    *,
    fields: Sequence[str],
    subject: str,
) -> list[dict[str, Any]]:
    """`rows` as `identity` may see them. For a reader of personal data, the read of each row's
    subject (`row[subject]`, e.g. the customer or the appointment) is recorded in
    `personal_data_reads`; for anyone else the `fields` are withheld (and nothing was read)."""
    if not sees_personal_data(identity):
        return [{**row, **{f: _withheld(row[f]) for f in fields if row.get(f) is not None}} for row in rows]
    subjects = sorted({str(row[subject]) for row in rows if row.get(subject) is not None})
    if subjects:
        route = request.scope.get("route")
        endpoint = f"{request.method} {getattr(route, 'path', request.url.path)}"
        await pool.execute(
            """INSERT INTO personal_data_reads (user_id, roles, group_id, subject_id, endpoint)
               SELECT $1, $2, $3, s, $4 FROM unnest($5::text[]) s""",
            identity.user_id,
            sorted(identity.roles),
            identity.group_id,
            endpoint,
            subjects,
        )
    return list(rows)


def _withheld(value: Any) -> Any:
    return [WITHHELD for _ in value] if isinstance(value, list) else WITHHELD  # the shape stays


@dataclass(frozen=True)
class PersonalColumn:
    """A read-model column that holds customers' personal data (text, or text[] if `array`)."""

    table: str
    column: str
    array: bool = False


async def erase_personal_data(
    conn: Connection, keys: PersonalDataKeys, subjects: Sequence[uuid.UUID], columns: Iterable[PersonalColumn]
) -> int:
    """Erase `subjects` here, in the caller's transaction: their values in `columns` become
    `ERASED` (the rows stay: the business history does), then their keys are shredded. The
    values are the ones this service's own log holds for them, opened before the keys go — so a
    read model is scrubbed of what this service recorded, whichever table it went to. Returns
    the number of distinct values scrubbed.

    The log is scanned for the subjects' tokens: an erasure is rare, and a scan keeps every
    append free of an index it would otherwise maintain."""
    patterns = [f"%pd1.{s}.%" for s in subjects]
    found = await conn.fetch("SELECT data::text FROM events WHERE data::text LIKE ANY($1::text[])", patterns)
    wanted = set(subjects)
    held = await keys.for_reading(wanted, conn)
    values: set[str] = set()
    for (text,) in found:
        for match in TOKEN.finditer(text):
            subject = uuid.UUID(match.group(1))
            if subject in wanted:
                value = open_token(held.get(subject), subject, match.group(2))
                # An empty value (an optional field left blank) is everyone's: scrubbing it would hit other rows.
                if value and value != ERASED and not value.startswith("["):
                    values.add(value)
    if values:
        chosen = sorted(values)
        for column in columns:
            table, name = _identifier(column.table), _identifier(column.column)
            if column.array:
                await conn.execute(
                    f"""UPDATE {table} SET {name} = ARRAY(
                            SELECT CASE WHEN v = ANY($1::text[]) THEN $2 ELSE v END FROM unnest({name}) v)
                        WHERE {name} && $1::text[]""",
                    chosen,
                    ERASED,
                )
            else:
                await conn.execute(f"UPDATE {table} SET {name} = $2 WHERE {name} = ANY($1::text[])", chosen, ERASED)
    await erase_keys(conn, list(subjects))
    keys.forget(subjects)
    return len(values)


_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def _identifier(name: str) -> str:
    """Table and column names come from code, never from a request; checked all the same."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name
