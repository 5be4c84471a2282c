"""Read models as rows folded in memory: a page of events becomes one read of the rows it
touches, a pure fold, and one bulk write.

Applying events one statement at a time costs a round trip to PostgreSQL per event: a few
thousand events a second, so a year of a large site (a million events and more) would take
minutes to rebuild. A `RowProjection` says which rows an event reads (`reads`) and how it
changes them (`fold`, pure Python over plain dicts, testable without a database); `apply_page`
loads those rows with one `SELECT … = ANY` per table, folds the whole page, deletes what the
page deleted and upserts what it changed with one pipelined statement per table. A row that
ten events of the page change is written once.

Live, a page is whatever arrived (often one event): the same code, the same result.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import orjson

from events.connection import Connection
from events.envelope import Envelope
from events.views import View

Row = dict[str, Any]


def _json_value(value: Any) -> str:
    """What orjson does not know (a Decimal) as PostgreSQL reads it back."""
    return str(value)


Key = Hashable  # a single-column key's value, or a tuple of a composite key's values


@dataclass(frozen=True, eq=False)  # one object per table: compared and hashed by identity, at C speed
class Table:
    """A read-model table: its name, key columns and every column (the key's included).
    Names are the code's own constants (never input), so they go into the SQL as they are."""

    name: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    defaults: Mapping[str, Any] = field(default_factory=dict)  # the columns' DEFAULTs in the schema

    def new(self, **values: Any) -> Row:
        """A whole row: the values given, the defaults, None for the rest."""
        unknown = values.keys() - set(self.columns)
        if unknown:
            raise ValueError(f"{self.name} has no columns {sorted(unknown)}")
        return {c: values[c] if c in values else self.defaults.get(c) for c in self.columns}

    def key_of(self, row: Row) -> Key:
        return row[self.key[0]] if len(self.key) == 1 else tuple(row[c] for c in self.key)

    @cached_property
    def _select(self) -> str:
        where = " AND ".join(f"{c} = ANY(${i})" for i, c in enumerate(self.key, 1))
        return f"SELECT {', '.join(self.columns)} FROM {self.name} WHERE {where}"

    @cached_property
    def _upsert(self) -> str:
        # One statement for the page's rows, whatever their count and column types: the rows
        # travel as one JSON array, and PostgreSQL builds typed rows from it with the table's
        # own row type (arrays and timestamps included). As `json`, read once, not converted to
        # `jsonb` first: a third less of the statement's time (bench/results/design-notes.md).
        rest = [c for c in self.columns if c not in self.key]
        action = f"UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in rest)}" if rest else "NOTHING"
        names = ", ".join(self.columns)
        return (
            f"INSERT INTO {self.name} ({names}) SELECT {names} "
            f"FROM json_populate_recordset(NULL::{self.name}, $1::json) ON CONFLICT ({', '.join(self.key)}) DO {action}"
        )

    @cached_property
    def _delete(self) -> str:
        where = " AND ".join(f"{c} = ${i}" for i, c in enumerate(self.key, 1))
        return f"DELETE FROM {self.name} WHERE {where}"

    async def load(self, conn: Connection, keys: Collection[Key]) -> dict[Key, Row]:
        """The rows with these keys that exist."""
        if len(self.key) == 1:
            rows = await conn.fetch(self._select, list(keys))
            return {r[0]: dict(r) for r in rows}
        # Each key column matched on its own is a superset (the cross product): keep the wanted.
        columns = [list({k[i] for k in keys}) for i in range(len(self.key))]  # type: ignore[index]
        found = {self.key_of(row): row for row in map(dict, await conn.fetch(self._select, *columns))}
        return {k: found[k] for k in keys if k in found}

    async def write(self, conn: Connection, changed: Iterable[Row], deleted: Iterable[Key]) -> None:
        gone = [k if isinstance(k, tuple) else (k,) for k in deleted]
        if gone:
            await conn.executemany(self._delete, gone)
        rows = list(changed)
        if rows:
            # orjson writes UUIDs, timestamps and dates itself (as `isoformat`), without calling
            # back into Python for each: a rebuild's page has thousands (bench/results/design-notes.md).
            await conn.execute(self._upsert, orjson.dumps(rows, default=_json_value).decode())


@dataclass
class Rows:
    """The rows a page of events reads and writes, in memory. `get` only knows the rows the
    page's events declared in `reads`: asking for another is a mistake in the projection."""

    _rows: dict[Table, dict[Key, Row | None]] = field(default_factory=dict)
    _dirty: dict[Table, set[Key]] = field(default_factory=dict)
    notifications: set[tuple[str, str]] = field(default_factory=set)

    async def load(self, conn: Connection, wanted: dict[Table, set[Key]]) -> None:
        for table, keys in wanted.items():
            known = self._rows.setdefault(table, {})
            missing = [k for k in keys if k not in known]
            if missing:
                found = await table.load(conn, missing)
                for key in missing:
                    known[key] = found.get(key)

    def get(self, table: Table, key: Key) -> Row | None:
        try:
            return self._rows[table][key]
        except KeyError:
            raise LookupError(f"{table.name} row {key!r} was not declared in reads()") from None

    def put(self, table: Table, row: Row) -> Row:
        """Insert or replace a row (its key is in it)."""
        key = table.key_of(row)
        self._rows.setdefault(table, {})[key] = row
        self._dirty.setdefault(table, set()).add(key)
        return row

    def update(self, table: Table, key: Key, **changes: Any) -> Row | None:
        """Change an existing row; None (and nothing written) if there is none."""
        row = self.get(table, key)
        if row is not None:
            row.update(changes)
            self._dirty.setdefault(table, set()).add(key)
        return row

    def delete(self, table: Table, key: Key) -> None:
        self.get(table, key)  # declared?
        self._rows[table][key] = None
        self._dirty.setdefault(table, set()).add(key)

    def notify(self, channel: str, payload: str) -> None:
        """`NOTIFY channel, payload` when the page is written (once per distinct pair)."""
        self.notifications.add((channel, payload))

    async def write(self, conn: Connection) -> None:
        for table, keys in self._dirty.items():
            rows = self._rows[table]
            changed = [row for k in keys if (row := rows[k]) is not None]
            await table.write(conn, changed, [k for k in keys if rows[k] is None])
        self._dirty.clear()
        for channel, payload in sorted(self.notifications):
            await conn.execute("SELECT pg_notify($1, $2)", channel, payload)
        self.notifications.clear()


class RowProjection(ABC):
    """A projection written as a fold over rows (see the module's docstring). Subclasses give
    `name`, `handles`, `models` (their tables), `reads` and `fold`, and may give `views`: the
    events of those types reach `reads` and `fold` as views (`events.views`), and are handled
    without being named in `handles` too."""

    name: str
    handles: frozenset[str]
    models: tuple[Table, ...]
    views: tuple[type[View], ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "views" in vars(cls):
            cls.handles = frozenset(vars(cls).get("handles", ())) | {view.event_type for view in cls.views}

    @property
    def tables(self) -> Sequence[str]:
        return [t.name for t in self.models]

    @abstractmethod
    def reads(self, envelope: Envelope[Any]) -> Iterable[tuple[Table, Key]]:
        """The rows `fold` may read or change for this event."""

    @abstractmethod
    def fold(self, rows: Rows, envelope: Envelope[Any]) -> None:
        """Apply one event to the rows: pure, no I/O."""

    async def apply(self, conn: Connection, envelope: Envelope[Any]) -> None:
        await self.apply_page(conn, [envelope])

    async def apply_page(self, conn: Connection, envelopes: Sequence[Envelope[Any]]) -> None:
        wanted: dict[Table, set[Key]] = {}
        for envelope in envelopes:
            for table, key in self.reads(envelope):
                wanted.setdefault(table, set()).add(key)
        rows = Rows()
        await rows.load(conn, wanted)
        for envelope in envelopes:
            self.fold(rows, envelope)
        await rows.write(conn)
