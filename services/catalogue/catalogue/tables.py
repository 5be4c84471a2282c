"""The catalogue's versioned tables (sql/0001_catalogue.sql): the writes, each in the transaction
of the event that names it, and the lookups "in force on a date". Rows are only ever inserted.

In force on a date, per key: the row with the latest `effective_from` on or before the date, the
latest recorded (`seq`) among rows of that same date."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from catalogue.domain.labour import LabourOperation, LabourVersion
from events.catalog.catalogue import LabourOperationChanged, LabourOperationsImported, LabourRatesSet, ServiceMenuSet
from events.connection import Connection
from events.envelope import Envelope, Tenant
from events.paging import Key, Listing, Window

Db = Connection | asyncpg.Pool

_LABOUR_COLUMNS = (
    "group_id",
    "site_id",
    "scope",
    "code",
    "model_family",
    "description_zh",
    "description_en",
    "flat_rate_minutes",
    "skill_level",
    "effective_from",
    "source_id",
    "recorded_by",
    "recorded_at",
)


# --- labour operations ---------------------------------------------------------------------------


async def write_import(
    conn: Connection, envelope: Envelope[LabourOperationsImported], operations: Sequence[LabourOperation]
) -> None:
    """The import's rows (`COPY`: one round trip for the whole file) and its record."""
    event, tenant = envelope.event, envelope.tenant
    site = tenant.site_id if event.scope == "site" else None
    common = (event.effective_from, event.import_id, event.imported_by, envelope.recorded_at)
    records = [
        (
            tenant.group_id,
            site,
            event.scope,
            op.code,
            op.model_family,
            op.description_zh,
            op.description_en,
            op.flat_rate_minutes,
            op.skill_level,
            *common,
        )
        for op in operations
    ]
    await conn.copy_records_to_table("labour_operation_versions", records=records, columns=_LABOUR_COLUMNS)
    await conn.execute(
        """INSERT INTO labour_imports (import_id, group_id, site_id, scope, effective_from, rows, operations, sha256,
                                      imported_by, imported_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
        event.import_id,
        tenant.group_id,
        tenant.site_id,
        event.scope,
        event.effective_from,
        event.rows,
        event.operations,
        event.sha256,
        event.imported_by,
        envelope.recorded_at,
    )


async def labour_import(db: Db, group_id: str, import_id: UUID) -> asyncpg.Record | None:
    """An import of the group (a group-wide one may have been sent through any of its sites)."""
    return await db.fetchrow("SELECT * FROM labour_imports WHERE import_id = $1 AND group_id = $2", import_id, group_id)


async def write_change(conn: Connection, envelope: Envelope[LabourOperationChanged]) -> None:
    event, tenant = envelope.event, envelope.tenant
    await conn.execute(
        f"""INSERT INTO labour_operation_versions ({", ".join(_LABOUR_COLUMNS)})
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)""",
        tenant.group_id,
        tenant.site_id if event.scope == "site" else None,
        event.scope,
        event.code,
        event.model_family,
        event.description_zh,
        event.description_en,
        event.flat_rate_minutes,
        event.skill_level,
        event.effective_from,
        event.change_id,
        event.changed_by,
        envelope.recorded_at,
    )


def _version(row: asyncpg.Record) -> LabourVersion:
    op = LabourOperation(
        row["code"],
        row["model_family"],
        row["description_zh"],
        row["description_en"],
        row["flat_rate_minutes"],
        row["skill_level"],
    )
    return LabourVersion(op, row["scope"], row["effective_from"])


# The latest version on or before $3 of each (code, family, scope) the site sees.
_LATEST = """
SELECT DISTINCT ON (code, model_family, scope) *
FROM labour_operation_versions
WHERE group_id = $1 AND (site_id IS NULL OR site_id = $2) AND effective_from <= $3 {where}
ORDER BY code, model_family, scope, effective_from DESC, seq DESC
"""


async def labour_versions(
    db: Db, tenant: Tenant, codes: Sequence[str], model_family: str, at: date
) -> dict[str, list[LabourVersion]]:
    """The latest versions of `codes` for `model_family` (or `*`) on `at`, by code."""
    rows = await db.fetch(
        _LATEST.format(where="AND code = ANY($4::text[]) AND model_family IN ($5, '*')"),
        tenant.group_id,
        tenant.site_id,
        at,
        list(codes),
        model_family,
    )
    found: dict[str, list[LabourVersion]] = {}
    for row in rows:
        found.setdefault(row["code"], []).append(_version(row))
    return found


async def latest_labour_version(
    db: Db, tenant: Tenant, scope: str, code: str, model_family: str
) -> LabourVersion | None:
    """The latest recorded version of one (scope, code, family), whatever its date: what an edit
    sent again is compared with."""
    row = await db.fetchrow(
        """SELECT * FROM labour_operation_versions
           WHERE group_id = $1 AND scope = $2 AND (CASE WHEN $2 = 'site' THEN site_id = $3 ELSE site_id IS NULL END)
             AND code = $4 AND model_family = $5
           ORDER BY seq DESC LIMIT 1""",
        tenant.group_id,
        scope,
        tenant.site_id,
        code,
        model_family,
    )
    return None if row is None else _version(row)


LABOUR = Listing(
    "catalogue.labour_operations",
    (Key("code", str, nullable=False), Key("model_family", str, nullable=False)),
)


async def labour_page(
    pool: asyncpg.Pool, tenant: Tenant, model_family: str | None, at: date, cursor: str | None, limit: int
) -> tuple[Window, list[asyncpg.Record]]:
    """The operations in force at the site on `at`: for one family, one row per code (the one
    that applies to it); without a family, one row per code and family (the site's row where it
    overrides the group's)."""
    window = LABOUR.window(cursor, limit, first=5)
    rows: list[asyncpg.Record] = await pool.fetch(
        f"""WITH latest AS ({_LATEST.format(where="AND ($4::text IS NULL OR model_family IN ($4, '*'))")}),
                 chosen AS (
                     SELECT DISTINCT ON (code, CASE WHEN $4::text IS NULL THEN model_family END) *
                     FROM latest
                     ORDER BY code, CASE WHEN $4::text IS NULL THEN model_family END,
                              scope = 'site' DESC, model_family = $4 DESC)
            SELECT * FROM chosen WHERE {window.after} {window.order}""",
        tenant.group_id,
        tenant.site_id,
        at,
        model_family,
        *window.params,
    )
    return window, rows


# --- labour rates ----------------------------------------------------------------------------------


async def write_rates(conn: Connection, envelope: Envelope[LabourRatesSet]) -> None:
    event, tenant = envelope.event, envelope.tenant
    await conn.execute(
        """INSERT INTO labour_rate_versions (group_id, site_id, effective_from, rates, recorded_by, recorded_at)
           VALUES ($1, $2, $3, $4::jsonb, $5, $6)""",
        tenant.group_id,
        tenant.site_id,
        event.effective_from,
        json.dumps(event.rates),
        event.set_by,
        envelope.recorded_at,
    )


async def rates_at(db: Db, tenant: Tenant, at: date) -> asyncpg.Record | None:
    """The site's rates in force on `at` (`effective_from`, `rates`, who and when), or None."""
    return await db.fetchrow(
        """SELECT effective_from, rates, recorded_by, recorded_at FROM labour_rate_versions
           WHERE group_id = $1 AND site_id = $2 AND effective_from <= $3
           ORDER BY effective_from DESC, seq DESC LIMIT 1""",
        tenant.group_id,
        tenant.site_id,
        at,
    )


# --- service menus ---------------------------------------------------------------------------------


async def write_menu(conn: Connection, envelope: Envelope[ServiceMenuSet]) -> None:
    event, tenant = envelope.event, envelope.tenant
    await conn.execute(
        """INSERT INTO service_menu_versions (group_id, site_id, menu_id, model_family, name_zh, name_en, interval_km,
                                             interval_months, items, effective_from, recorded_by, recorded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12)""",
        tenant.group_id,
        tenant.site_id,
        event.menu_id,
        event.model_family,
        event.name_zh,
        event.name_en,
        event.interval_km,
        event.interval_months,
        json.dumps([item.model_dump() for item in event.items]),
        event.effective_from,
        event.set_by,
        envelope.recorded_at,
    )


_MENUS = """
SELECT * FROM (
    SELECT DISTINCT ON (menu_id) * FROM service_menu_versions
    WHERE group_id = $1 AND site_id = $2 AND effective_from <= $3 {where}
    ORDER BY menu_id, effective_from DESC, seq DESC
) latest {filter} ORDER BY model_family, interval_km, menu_id
"""


async def menus_at(db: Db, tenant: Tenant, at: date, model_family: str | None = None) -> list[dict[str, Any]]:
    """The site's menus in force on `at` (of one family, if named), by family and interval."""
    rows = await db.fetch(
        _MENUS.format(where="", filter="WHERE $4::text IS NULL OR model_family = $4"),
        tenant.group_id,
        tenant.site_id,
        at,
        model_family,
    )
    return [_menu(row) for row in rows]


async def menu_at(db: Db, tenant: Tenant, menu_id: str, at: date) -> dict[str, Any] | None:
    rows = await db.fetch(
        _MENUS.format(where="AND menu_id = $4", filter=""), tenant.group_id, tenant.site_id, at, menu_id
    )
    return _menu(rows[0]) if rows else None


MENUS = Listing(
    "catalogue.service_menus",
    (
        Key("model_family", str, nullable=False),
        Key("interval_km", int, nullable=False),
        Key("menu_id", str, nullable=False),
    ),
)


async def menus_page(
    pool: asyncpg.Pool, tenant: Tenant, at: date, model_family: str | None, cursor: str | None, limit: int
) -> tuple[Window, list[dict[str, Any]]]:
    """A page of the site's menus in force on `at` (of one family, if named), by family and interval."""
    window = MENUS.window(cursor, limit, first=5)
    rows = await pool.fetch(
        f"""SELECT * FROM (
                SELECT DISTINCT ON (menu_id) * FROM service_menu_versions
                WHERE group_id = $1 AND site_id = $2 AND effective_from <= $3
                ORDER BY menu_id, effective_from DESC, seq DESC
            ) latest
            WHERE ($4::text IS NULL OR model_family = $4) AND {window.after} {window.order}""",
        tenant.group_id,
        tenant.site_id,
        at,
        model_family,
        *window.params,
    )
    return window, [_menu(row) for row in rows]


def _menu(row: asyncpg.Record) -> dict[str, Any]:
    menu = {k: row[k] for k in ("menu_id", "model_family", "name_zh", "name_en", "interval_km", "interval_months")}
    return {**menu, "items": json.loads(row["items"]), "effective_from": row["effective_from"]}
