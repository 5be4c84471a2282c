"""Migration checksums: an applied migration edited afterwards stops start-up and shows in status."""

from __future__ import annotations

import hashlib
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest

from events.database import database_url, ensure_database
from events.migrations import MigrationChanged, backbone_migrations, load_folder, migrate, status


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_text().encode()).hexdigest()


async def test_each_applied_migration_keeps_the_checksum_of_its_file(database: str, tmp_path: Path) -> None:
    (tmp_path / "0001_boards.sql").write_text("CREATE TABLE boards (id int PRIMARY KEY);")
    conn = await asyncpg.connect(database)
    try:
        await migrate(conn, backbone_migrations() + load_folder("booking", tmp_path))
        recorded = await conn.fetchval("SELECT checksum FROM schema_migrations WHERE component = 'booking'")
        assert recorded == _sha256(tmp_path / "0001_boards.sql")
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations WHERE checksum IS NULL") == 0
    finally:
        await conn.close()


async def test_an_edited_applied_migration_stops_start_up_and_status_names_it(database: str, tmp_path: Path) -> None:
    (tmp_path / "0001_boards.sql").write_text("CREATE TABLE boards (id int PRIMARY KEY);")
    (tmp_path / "0002_board_names.sql").write_text("ALTER TABLE boards ADD COLUMN name text;")
    conn = await asyncpg.connect(database)
    try:
        await migrate(conn, backbone_migrations() + load_folder("booking", tmp_path))
        # Someone "fixes" an applied migration in place, and adds a new one.
        (tmp_path / "0002_board_names.sql").write_text("ALTER TABLE boards ADD COLUMN name text NOT NULL;")
        (tmp_path / "0003_board_bays.sql").write_text("ALTER TABLE boards ADD COLUMN bay int;")
        edited = backbone_migrations() + load_folder("booking", tmp_path)

        with pytest.raises(MigrationChanged, match=r"booking/0002_board_names\.sql"):
            await migrate(conn, edited)
        assert await conn.fetchval("SELECT to_regclass('boards') IS NOT NULL")
        columns = await conn.fetchval("SELECT count(*) FROM information_schema.columns WHERE table_name = 'boards'")
        assert columns == 2, "nothing applied after the refusal (0003 still pending)"

        report = {(s.component, s.name): s for s in await status(conn, edited)}
        assert report["booking", "0001_boards.sql"].state == "applied"
        changed = report["booking", "0002_board_names.sql"]
        assert changed.state == "changed"
        assert changed.recorded_checksum != changed.file_checksum
        assert changed.file_checksum == _sha256(tmp_path / "0002_board_names.sql")
        assert report["booking", "0003_board_bays.sql"].state == "pending"
        assert report["events", "0006_migration_checksums.sql"].state == "applied"
    finally:
        await conn.close()


async def test_a_database_migrated_before_checksums_gets_them_backfilled(database: str, tmp_path: Path) -> None:
    (tmp_path / "0001_boards.sql").write_text("CREATE TABLE boards (id int PRIMARY KEY);")
    conn = await asyncpg.connect(database)
    try:
        await migrate(conn, backbone_migrations() + load_folder("booking", tmp_path))
        # As the table was before 0006: no checksum column, 0006 not applied.
        await conn.execute("ALTER TABLE schema_migrations DROP COLUMN checksum")
        await conn.execute("DELETE FROM schema_migrations WHERE component = 'events' AND version = 6")

        assert await migrate(conn, backbone_migrations() + load_folder("booking", tmp_path)) == [
            "events/0006_migration_checksums.sql"
        ]
        rows = await conn.fetch("SELECT component, name, checksum FROM schema_migrations")
        assert all(r["checksum"] is not None for r in rows)
        booking = next(r for r in rows if r["component"] == "booking")
        assert booking["checksum"] == _sha256(tmp_path / "0001_boards.sql")
        states = {s.state for s in await status(conn, backbone_migrations() + load_folder("booking", tmp_path))}
        assert states == {"applied"}
    finally:
        await conn.close()


async def test_status_of_an_empty_database_lists_everything_pending(postgres_url: str) -> None:
    name = f"t_{uuid4().hex[:16]}"
    url = await ensure_database(postgres_url, name)
    conn = await asyncpg.connect(url)
    try:
        report = await status(conn, backbone_migrations())
        assert [s.state for s in report] == ["pending"] * len(backbone_migrations())
        assert all(s.recorded_checksum is None and len(s.file_checksum or "") == 64 for s in report)
    finally:
        await conn.close()
        admin = await asyncpg.connect(database_url(postgres_url, "postgres"))
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
