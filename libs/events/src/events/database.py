"""Connecting a service to its own database: create it if missing, migrate, open a pool."""

from __future__ import annotations

import contextlib
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from events.migrations import Migration, backbone_migrations, migrate


def database_url(server_url: str, database: str) -> str:
    """`server_url` with its database replaced by `database`."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{database}"))


async def ensure_database(server_url: str, database: str, *, template: str | None = None) -> str:
    """Create `database` on the server unless it exists; return its URL."""
    conn = await asyncpg.connect(database_url(server_url, "postgres"))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            clause = f' TEMPLATE "{template}"' if template else ""
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):  # another replica was first
                await conn.execute(f'CREATE DATABASE "{database}"{clause}')
    finally:
        await conn.close()
    return database_url(server_url, database)


async def _release_without_reset(conn: asyncpg.Connection) -> None:
    """What a pooled connection needs on release. asyncpg's default sends `RESET ALL; UNLISTEN *;
    CLOSE ALL; SELECT pg_advisory_unlock_all()` — a round trip on every release, which costs a
    third of the append rate. Our code leaves no session state: settings are scoped to a transaction or a function,
    there are no LISTENs or cursors, and the one session lock (the relay's leadership) is
    released explicitly. An open transaction would be a bug: roll it back."""
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


async def open_pool(
    url: str,
    *,
    migrations: list[Migration] | None = None,
    min_size: int = 2,
    max_size: int = 20,
) -> asyncpg.Pool:
    """A pool on `url` after applying the backbone's migrations and then `migrations`."""
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn, backbone_migrations() + (migrations or []))
    finally:
        await conn.close()
    pool = await asyncpg.create_pool(url, min_size=min_size, max_size=max_size, reset=_release_without_reset)
    assert pool is not None
    return pool
