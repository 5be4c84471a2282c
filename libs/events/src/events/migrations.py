"""Versioned SQL migrations, applied at start-up.

Each component (the backbone itself, then each service) has a folder of `NNNN_name.sql` files.
A migration runs once, in its own transaction, in file order; concurrent starters serialise on
an advisory lock, so several replicas of a service may start at once.

Each applied migration keeps the sha256 of its SQL. A file edited after it was applied is
refused at start-up (`MigrationChanged`, naming the file): databases migrated before and after
the edit would differ silently. A change goes into a new migration. `status` reports applied,
pending and changed migrations for the operator (`dealerflow migrations <service> status`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Literal

from events.connection import Connection
from events.errors import EventsError

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_LOCK_KEY = 7_210_401  # any constant; shared by every migrating process of this database


@dataclass(frozen=True)
class Migration:
    component: str
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()

    @property
    def path(self) -> str:
        return f"{self.component}/{self.name}"


class MigrationChanged(EventsError):
    """An applied migration's file no longer has the SQL that was applied."""

    code = "migration_changed"

    def __init__(self, migration: Migration, recorded: str) -> None:
        self.migration = migration
        super().__init__(
            f"migration {migration.path} was edited after it was applied (applied sha256 {recorded[:12]}…, "
            f"file now {migration.checksum[:12]}…): restore the file and put the change in a new migration"
        )


def load_folder(component: str, folder: Path | resources.abc.Traversable) -> list[Migration]:
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(component, int(match.group(1)), entry.name, entry.read_text()))
    return sorted(found, key=lambda m: m.version)


def backbone_migrations() -> list[Migration]:
    """The tables every service has: events, checkpoints, inbox, dead letters, timers, projections."""
    return load_folder("events", resources.files("events") / "sql")


async def migrate(conn: Connection, migrations: list[Migration]) -> list[str]:
    """Apply what is missing; return the names applied now."""
    applied_now: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        # A new database gets the checksum column at once; an older one from 0006.
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   component text NOT NULL,
                   version integer NOT NULL,
                   name text NOT NULL,
                   applied_at timestamptz NOT NULL DEFAULT now(),
                   checksum text,
                   PRIMARY KEY (component, version))"""
        )
        recorded = await _recorded(conn)
        # Checked before anything is applied: a refused start changes nothing.
        for migration in migrations:
            checksum = recorded.get((migration.component, migration.version))
            if checksum is not None and checksum != migration.checksum:
                raise MigrationChanged(migration, checksum)
        for migration in migrations:
            if (migration.component, migration.version) in recorded:
                continue
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (component, version, name, checksum) VALUES ($1, $2, $3, $4)",
                    migration.component,
                    migration.version,
                    migration.name,
                    migration.checksum,
                )
            applied_now.append(migration.path)
        # Rows applied before checksums were kept: their files as they are now are taken as applied.
        unrecorded = [
            m for m in migrations if (m.component, m.version) in recorded and recorded[m.component, m.version] is None
        ]
        if unrecorded:
            await conn.executemany(
                """UPDATE schema_migrations SET checksum = $3
                   WHERE component = $1 AND version = $2 AND checksum IS NULL""",
                [(m.component, m.version, m.checksum) for m in unrecorded],
            )
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    return applied_now


async def _recorded(conn: Connection) -> dict[tuple[str, int], str | None]:
    """Applied migrations and their checksums (None: applied before checksums were kept); empty
    if nothing was ever migrated."""
    if not await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL"):
        return {}
    has_checksums = await conn.fetchval(
        """SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'schema_migrations'::regclass
                          AND attname = 'checksum' AND NOT attisdropped)"""
    )
    checksum = "checksum" if has_checksums else "NULL::text AS checksum"
    rows = await conn.fetch(f"SELECT component, version, {checksum} FROM schema_migrations")
    return {(r["component"], r["version"]): r["checksum"] for r in rows}


State = Literal["applied", "pending", "changed", "unrecorded", "no_file"]


@dataclass(frozen=True)
class MigrationStatus:
    """One migration as an operator sees it. `unrecorded`: applied before checksums were kept
    (the next start records its file's); `no_file`: applied, but no file of it is shipped."""

    component: str
    version: int
    name: str
    state: State
    file_checksum: str | None
    recorded_checksum: str | None
    applied_at: datetime | None


async def status(conn: Connection, migrations: list[Migration]) -> list[MigrationStatus]:
    """Every migration of `migrations` and every one applied, in order; changes nothing."""
    recorded = await _recorded(conn)
    applied_at: dict[tuple[str, int], tuple[str, datetime]] = {}
    if recorded:
        rows = await conn.fetch("SELECT component, version, name, applied_at FROM schema_migrations")
        applied_at = {(r["component"], r["version"]): (r["name"], r["applied_at"]) for r in rows}
    report = []
    for m in migrations:
        key = (m.component, m.version)
        if key not in recorded:
            report.append(MigrationStatus(m.component, m.version, m.name, "pending", m.checksum, None, None))
            continue
        checksum = recorded[key]
        state: State = "unrecorded" if checksum is None else "applied" if checksum == m.checksum else "changed"
        report.append(MigrationStatus(m.component, m.version, m.name, state, m.checksum, checksum, applied_at[key][1]))
    shipped = {(m.component, m.version) for m in migrations}
    for key, (name, at) in sorted(applied_at.items()):
        if key not in shipped and key[0] in {m.component for m in migrations}:
            report.append(MigrationStatus(key[0], key[1], name, "no_file", None, recorded[key], at))
    return report
