"""Versioned SQL migrations, applied at start-up.

Each component (the backbone itself, then each service) has a folder of `NNNN_name.sql` files.
A migration runs once, in its own transaction, in file order; concurrent starters serialise on
an advisory lock, so several replicas of a service may start at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from events.connection import Connection

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_LOCK_KEY = 7_210_401  # any constant; shared by every migrating process of this database


@dataclass(frozen=True)
class Migration:
    component: str
    version: int
    name: str
    sql: str


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
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   component text NOT NULL,
                   version integer NOT NULL,
                   name text NOT NULL,
                   applied_at timestamptz NOT NULL DEFAULT now(),
                   PRIMARY KEY (component, version))"""
        )
        rows = await conn.fetch("SELECT component, version FROM schema_migrations")
        done = {(r["component"], r["version"]) for r in rows}
        for migration in migrations:
            if (migration.component, migration.version) in done:
                continue
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (component, version, name) VALUES ($1, $2, $3)",
                    migration.component,
                    migration.version,
                    migration.name,
                )
            applied_now.append(f"{migration.component}/{migration.name}")
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    return applied_now
