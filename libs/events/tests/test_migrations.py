"""Migrations: applied once, in order, even when several replicas start at the same time."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import asyncpg
import pytest

from events.database import ensure_database
from events.migrations import Migration, backbone_migrations, load_folder, migrate


async def test_concurrent_starters_apply_each_migration_once(postgres_url: str, tmp_path: Path) -> None:
    (tmp_path / "0001_boards.sql").write_text("CREATE TABLE boards (id int PRIMARY KEY);")
    (tmp_path / "0002_board_names.sql").write_text("ALTER TABLE boards ADD COLUMN name text;")
    (tmp_path / "notes.txt").write_text("not a migration")
    service = load_folder("booking", tmp_path)
    assert [m.name for m in service] == ["0001_boards.sql", "0002_board_names.sql"]

    url = await ensure_database(postgres_url, f"t_{uuid.uuid4().hex[:12]}")
    connections = [await asyncpg.connect(url) for _ in range(3)]
    try:
        applied = await asyncio.gather(*(migrate(c, backbone_migrations() + service) for c in connections))
        assert sum(len(a) for a in applied) == len(backbone_migrations()) + 2, "each applied exactly once"
        assert await migrate(connections[0], backbone_migrations() + service) == [], "a restart applies nothing"
        rows = await connections[0].fetch("SELECT component, version FROM schema_migrations ORDER BY 1, 2")
        assert [(r["component"], r["version"]) for r in rows] == [
            ("booking", 1),
            ("booking", 2),
            ("events", 1),
            ("events", 2),
            ("events", 3),
            ("events", 4),
            ("events", 5),
            ("events", 6),
        ]
        await connections[0].execute("INSERT INTO boards (id, name) VALUES (1, 'bay 3')")
    finally:
        for c in connections:
            await c.close()


async def test_a_failing_migration_leaves_nothing_half_applied(database: str) -> None:
    broken = Migration("booking", 1, "0001_broken.sql", "CREATE TABLE half (id int); SELECT no_such_function();")
    conn = await asyncpg.connect(database)
    try:
        with pytest.raises(asyncpg.UndefinedFunctionError):
            await migrate(conn, [broken])
        assert await conn.fetchval("SELECT to_regclass('half')") is None
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations WHERE component = 'booking'") == 0
    finally:
        await conn.close()
