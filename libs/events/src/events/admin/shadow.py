"""Shadow tables: a read model rebuilt beside the live one, compared with it row for row, and
swapped in only when the operator says so.

A shadow is a scratch schema holding empty copies (`LIKE … INCLUDING ALL`) of the read model's
tables and of the projection bookkeeping (`projection_state`, `projection_streams`). With the
schema first on `search_path` the projection's own SQL, which names its tables unqualified,
writes the copies and still reads anything else from the live schema.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from events.connection import Connection
from events.projection import Projection

# The bookkeeping a projector writes beside the read model's own tables.
_BOOKKEEPING = ("projection_state", "projection_streams")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class TableDiff:
    """One table, live against rebuilt: rows only in one of them (counted with repeats), and
    the first few of each as JSON."""

    table: str
    live_rows: int
    rebuilt_rows: int
    only_live: int
    only_rebuilt: int
    first_only_live: Sequence[str]
    first_only_rebuilt: Sequence[str]

    @property
    def equal(self) -> bool:
        return self.only_live == 0 and self.only_rebuilt == 0


@dataclass(frozen=True)
class Comparison:
    tables: Sequence[TableDiff]

    @property
    def equal(self) -> bool:
        return all(t.equal for t in self.tables)


class Shadow:
    """The scratch schema of one read model's rebuild."""

    def __init__(self, projection: Projection, *, fed_from_topics: bool, live_schema: str = "public") -> None:
        self.projection = projection
        self.fed_from_topics = fed_from_topics
        self.live_schema = live_schema
        self.schema = "shadow_" + re.sub(r"[^a-z0-9_]", "_", projection.name.lower())

    def _live(self, table: str) -> str:
        return f"{_quoted(self.live_schema)}.{_quoted(table)}"

    def _rebuilt(self, table: str) -> str:
        return f"{_quoted(self.schema)}.{_quoted(table)}"

    async def create(self, conn: Connection) -> None:
        """Empty copies of the tables; a shadow left by an interrupted rebuild is replaced."""
        async with conn.transaction():
            await conn.execute(f"DROP SCHEMA IF EXISTS {_quoted(self.schema)} CASCADE")
            await conn.execute(f"CREATE SCHEMA {_quoted(self.schema)}")
            for table in (*self.projection.tables, *_BOOKKEEPING):
                await conn.execute(f"CREATE TABLE {self._rebuilt(table)} (LIKE {self._live(table)} INCLUDING ALL)")
            await conn.execute(
                f"INSERT INTO {self._rebuilt('projection_state')} (projection) VALUES ($1)", self.projection.name
            )

    async def drop(self, conn: Connection) -> None:
        await conn.execute(f"DROP SCHEMA IF EXISTS {_quoted(self.schema)} CASCADE")

    async def use(self, conn: Connection) -> None:
        """Point the rest of `conn`'s transaction at the shadow: unqualified names find the
        copies first, then the live schema."""
        await conn.execute(f"SET LOCAL search_path TO {_quoted(self.schema)}, {_quoted(self.live_schema)}")

    async def compare(self, conn: Connection, *, first: int = 5) -> Comparison:
        """Live against rebuilt, every row as JSON (every column type compares that way);
        a projection fed from topics also compares the per-stream versions it has applied."""
        diffs = [await self._compare(conn, table, "", first) for table in self.projection.tables]
        if self.fed_from_topics:
            mine = f"WHERE projection = {_literal(self.projection.name)}"
            diffs.append(await self._compare(conn, "projection_streams", mine, first))
        return Comparison(diffs)

    async def _compare(self, conn: Connection, table: str, where: str, first: int) -> TableDiff:
        row = await conn.fetchrow(
            f"""WITH live AS (SELECT row_to_json(x)::text AS r FROM {self._live(table)} x {where}),
                     rebuilt AS (SELECT row_to_json(x)::text AS r FROM {self._rebuilt(table)} x {where}),
                     only_live AS (SELECT r FROM live EXCEPT ALL SELECT r FROM rebuilt),
                     only_rebuilt AS (SELECT r FROM rebuilt EXCEPT ALL SELECT r FROM live)
                SELECT (SELECT count(*) FROM live) AS live_rows,
                       (SELECT count(*) FROM rebuilt) AS rebuilt_rows,
                       (SELECT count(*) FROM only_live) AS only_live,
                       (SELECT count(*) FROM only_rebuilt) AS only_rebuilt,
                       ARRAY(SELECT r FROM only_live ORDER BY r LIMIT $1) AS first_only_live,
                       ARRAY(SELECT r FROM only_rebuilt ORDER BY r LIMIT $1) AS first_only_rebuilt""",
            first,
        )
        assert row is not None  # a SELECT without FROM returns its row
        return TableDiff(table, *row)

    async def swap(self, conn: Connection) -> None:
        """Replace the live rows with the rebuilt ones, in the caller's transaction (which holds
        the projection's lock). The live tables keep their definitions, indexes and grants;
        identity sequences continue from where the rebuild left theirs."""
        tables = self.projection.tables
        await conn.execute(f"TRUNCATE {', '.join(self._live(t) for t in tables)}")
        for table in tables:
            columns = await conn.fetch(
                """SELECT attname, attidentity <> '' AS identity FROM pg_attribute
                   WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
                   ORDER BY attnum""",
                self._live(table),
            )
            names = ", ".join(_quoted(c["attname"]) for c in columns)
            await conn.execute(
                f"INSERT INTO {self._live(table)} ({names}) OVERRIDING SYSTEM VALUE "
                f"SELECT {names} FROM {self._rebuilt(table)}"
            )
            for column in (c["attname"] for c in columns if c["identity"]):
                await conn.execute(
                    "SELECT setval(pg_get_serial_sequence($1, $2), s.last_value, s.is_called) "
                    f"FROM {await _sequence(conn, self._rebuilt(table), column)} s",
                    self._live(table),
                    column,
                )
        if self.fed_from_topics:
            name = self.projection.name
            await conn.execute(f"DELETE FROM {self._live('projection_streams')} WHERE projection = $1", name)
            await conn.execute(
                f"""INSERT INTO {self._live("projection_streams")} (projection, stream_id, version)
                    SELECT projection, stream_id, version FROM {self._rebuilt("projection_streams")}
                    WHERE projection = $1""",
                name,
            )


async def _sequence(conn: Connection, table: str, column: str) -> str:
    name = await conn.fetchval("SELECT pg_get_serial_sequence($1, $2)", table, column)
    assert name is not None, f"{table}.{column} is an identity column"
    return str(name)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
