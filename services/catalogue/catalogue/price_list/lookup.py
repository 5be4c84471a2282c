"""Prices from the group's price list as it was in force on a date: for the HTTP reads and for
the catalogue's quotes (`prices`). Reads only; every query names the group, so one group never
sees another's list.

The version in force on a day is the one with the latest `effective_from` on or before it, the
highest version among those of the same date. A version holds the group's whole list: a part
not in it has no price on that day, whatever earlier versions said.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import asyncpg

from events.connection import Connection
from events.paging import Key, Listing, Window

_IN_FORCE = """
SELECT list_key, version FROM price_list_versions
WHERE group_id = $1 AND effective_from <= $2
ORDER BY effective_from DESC, version DESC LIMIT 1"""

_PARTS = """
SELECT part_number, description, list_price, cost, oem, superseded_by FROM price_list_parts
WHERE list_key = $1 AND part_number = ANY($2::text[])"""

VERSIONS = Listing("catalogue.price_lists", (Key("version", int, descending=True, nullable=False),))


@dataclass(frozen=True, slots=True)
class PartPrice:
    """One part as a price-list version lists it; money in fen."""

    part_number: str
    description: str
    list_price: int
    cost: int
    oem: bool
    superseded_by: str | None
    price_list_version: int


def normalise(part_number: str) -> str:
    """Part numbers are compared upper-cased, without surrounding blanks (as the file's are)."""
    return part_number.strip().upper()


async def version_in_force(connection: Connection, group_id: str, at: date) -> int | None:
    """The group's price-list version in force on `at` (None: no list yet on that day)."""
    row = await connection.fetchrow(_IN_FORCE, group_id, at)
    return None if row is None else int(row["version"])


async def prices(
    connection: Connection, group_id: str, part_numbers: Sequence[str], at: date, *, follow: bool = False
) -> dict[str, PartPrice]:
    """The parts of `part_numbers` in the group's price list in force on `at`, keyed by the part
    numbers as given; a part the list does not hold is absent. `follow`: a superseded part
    answers with the part at the end of its chain (its own number, description and prices)."""
    in_force = await connection.fetchrow(_IN_FORCE, group_id, at)
    if in_force is None or not part_numbers:
        return {}
    list_key, version = in_force["list_key"], in_force["version"]
    wanted = {normalise(p) for p in part_numbers}
    found = {row["part_number"]: row for row in await connection.fetch(_PARTS, list_key, list(wanted))}
    if follow:
        # Chains are short and cycle-free (checked at import): one query per link.
        missing = {row["superseded_by"] for row in found.values() if row["superseded_by"]} - found.keys()
        while missing:
            found |= {row["part_number"]: row for row in await connection.fetch(_PARTS, list_key, list(missing))}
            missing = {row["superseded_by"] for row in found.values() if row["superseded_by"]} - found.keys()
    answer: dict[str, PartPrice] = {}
    for asked in part_numbers:
        row = found.get(normalise(asked))
        while follow and row is not None and row["superseded_by"]:
            row = found.get(row["superseded_by"])
        if row is not None:
            answer[asked] = PartPrice(
                row["part_number"],
                row["description"],
                row["list_price"],
                row["cost"],
                row["oem"],
                row["superseded_by"],
                version,
            )
    return answer


async def versions(
    connection: Connection, group_id: str, cursor: str | None, limit: int
) -> tuple[Window, list[asyncpg.Record]]:
    """A page of the group's price-list versions, the latest first."""
    window = VERSIONS.window(cursor, limit, first=2)
    rows = await connection.fetch(
        f"""SELECT price_list_id, version, effective_from, rows, superseded, site_id, imported_by, imported_at
           FROM price_list_versions WHERE group_id = $1 AND {window.after} {window.order}""",
        group_id,
        *window.params,
    )
    return window, rows
