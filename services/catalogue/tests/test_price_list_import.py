"""Importing price-list versions and looking prices up, on a real PostgreSQL: all or nothing,
the version in force on a date, old versions never change, one group never sees another's."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
import pytest

import catalogue
from catalogue.domain.errors import Unprocessable
from catalogue.price_list import lookup
from catalogue.price_list.importer import Imported, import_price_list, stream_id
from catalogue.price_list.rows import InvalidRows
from events.catalog.catalogue_prices import PriceListImported
from events.database import open_pool
from events.envelope import Metadata, Tenant
from events.migrations import load_folder
from events.store import EventStore

GROUP_A, GROUP_B = str(uuid.uuid4()), str(uuid.uuid4())
SITE_A, SITE_B = str(uuid.uuid4()), str(uuid.uuid4())
HEADER = "part_number,description,list_price,cost,oem,superseded_by\n"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
MARCH, APRIL, MAY = date(2026, 3, 2), date(2026, 4, 1), date(2026, 5, 1)


def metadata(group: str = GROUP_A, site: str = SITE_A) -> Metadata:
    return Metadata(Tenant(group, site), "parts-manager-1", str(uuid.uuid4()))


def price_file(*rows: str) -> bytes:
    return (HEADER + "".join(f"{row}\n" for row in rows)).encode()


@pytest.fixture
async def db(database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(database, migrations=load_folder("catalogue", Path(catalogue.__file__).parent / "sql"))
    yield pool
    await pool.close()


async def load(
    pool: asyncpg.Pool, data: bytes, effective_from: date, *, group: str = GROUP_A, site: str = SITE_A
) -> Imported:
    return await import_price_list(EventStore(pool), metadata(group, site), data, effective_from, now=NOW, today=TODAY)


async def test_an_import_records_a_version_its_parts_and_its_event(db: asyncpg.Pool) -> None:
    imported = await load(db, price_file("90915-YZZE1,Oil filter,6800,4420,Y,", "A-1,Old,100,50,N,90915-yzze1"), APRIL)
    assert (imported.version, imported.rows, imported.effective_from, imported.replayed) == (1, 2, APRIL, False)

    [recorded] = await EventStore(db).read_stream(stream_id(GROUP_A))
    event = recorded.event
    assert isinstance(event, PriceListImported)
    assert (event.price_list_id, event.version, event.rows, event.superseded) == (imported.price_list_id, 1, 2, 1)
    assert event.effective_from == APRIL
    assert recorded.tenant == Tenant(GROUP_A, SITE_A)

    async with db.acquire() as conn:
        found = await lookup.prices(conn, GROUP_A, ["90915-yzze1", "A-1", "NOPE"], APRIL)
    assert set(found) == {"90915-yzze1", "A-1"}, "keyed by the part numbers as asked; unknown ones absent"
    assert found["90915-yzze1"] == lookup.PartPrice("90915-YZZE1", "Oil filter", 6800, 4420, True, None, 1)
    assert found["A-1"].superseded_by == "90915-YZZE1"


async def test_a_file_with_a_bad_row_imports_nothing(db: asyncpg.Pool) -> None:
    bad = price_file("90915-YZZE1,Oil filter,6800,4420,Y,", "04465-02220,Pads,480.00,312,N,")
    with pytest.raises(InvalidRows) as refused:
        await load(db, bad, APRIL)
    assert [(e.line, e.field) for e in refused.value.errors.listed] == [(3, "list_price")]
    assert await db.fetchval("SELECT count(*) FROM price_list_versions") == 0
    assert await db.fetchval("SELECT count(*) FROM price_list_parts") == 0
    assert await EventStore(db).read_stream(stream_id(GROUP_A)) == []


async def test_a_supersession_cycle_imports_nothing(db: asyncpg.Pool) -> None:
    with pytest.raises(InvalidRows):
        await load(db, price_file("A-1,One,100,50,Y,A-2", "A-2,Two,100,50,Y,A-1"), APRIL)
    assert await db.fetchval("SELECT count(*) FROM price_list_parts") == 0


async def test_the_version_in_force_on_a_date_answers(db: asyncpg.Pool) -> None:
    await load(db, price_file("P-1,Pads,1000,600,Y,", "P-2,Disc,5000,3000,Y,"), MARCH)
    await load(db, price_file("P-1,Pads,1100,650,Y,"), MAY)  # v2, from May
    await load(db, price_file("P-1,Pads,1050,620,Y,"), APRIL)  # v3, from April: between the two

    async def price_on(day: date) -> tuple[int, int] | None:
        async with db.acquire() as conn:
            found = await lookup.prices(conn, GROUP_A, ["P-1"], day)
        return (found["P-1"].list_price, found["P-1"].price_list_version) if found else None

    assert await price_on(date(2026, 3, 1)) is None, "nothing in force before the first version"
    assert await price_on(MARCH) == (1000, 1)
    assert await price_on(date(2026, 3, 31)) == (1000, 1)
    assert await price_on(APRIL) == (1050, 3)
    assert await price_on(date(2026, 4, 30)) == (1050, 3)
    assert await price_on(MAY) == (1100, 2)
    async with db.acquire() as conn:
        assert await lookup.version_in_force(conn, GROUP_A, date(2026, 4, 15)) == 3
        # A version replaces the whole list: P-2 is not in the May list.
        assert await lookup.prices(conn, GROUP_A, ["P-2"], MAY) == {}


async def test_a_later_version_of_the_same_date_replaces_it(db: asyncpg.Pool) -> None:
    await load(db, price_file("P-1,Pads,1000,600,Y,"), APRIL)
    await load(db, price_file("P-1,Pads,990,600,Y,"), APRIL)
    async with db.acquire() as conn:
        found = await lookup.prices(conn, GROUP_A, ["P-1"], APRIL)
    assert (found["P-1"].list_price, found["P-1"].price_list_version) == (990, 2)


async def test_a_price_change_never_alters_an_earlier_version(db: asyncpg.Pool) -> None:
    await load(db, price_file("P-1,Pads,1000,600,Y,"), MARCH)
    async with db.acquire() as conn:
        before = await lookup.prices(conn, GROUP_A, ["P-1"], MARCH)
    await load(db, price_file("P-1,Pads,1500,600,Y,"), APRIL)
    async with db.acquire() as conn:
        assert await lookup.prices(conn, GROUP_A, ["P-1"], MARCH) == before
        assert (await lookup.prices(conn, GROUP_A, ["P-1"], APRIL))["P-1"].list_price == 1500
        # Nor can anyone edit a version in place: the database refuses.
        for statement in (
            "UPDATE price_list_parts SET list_price = 1 WHERE part_number = 'P-1'",
            "DELETE FROM price_list_parts",
            "UPDATE price_list_versions SET effective_from = '2026-01-01'",
            "DELETE FROM price_list_versions",
            "TRUNCATE price_list_parts",
        ):
            with pytest.raises(asyncpg.IntegrityConstraintViolationError, match="never changes"):
                await conn.execute(statement)
        assert await lookup.prices(conn, GROUP_A, ["P-1"], MARCH) == before


async def test_another_groups_price_list_is_invisible(db: asyncpg.Pool) -> None:
    await load(db, price_file("P-1,Pads,1000,600,Y,"), MARCH)
    await load(db, price_file("P-1,Pads,2000,900,N,"), MARCH, group=GROUP_B, site=SITE_B)
    async with db.acquire() as conn:
        mine = await lookup.prices(conn, GROUP_A, ["P-1"], MARCH)
        theirs = await lookup.prices(conn, GROUP_B, ["P-1"], MARCH)
        listed = await lookup.versions(conn, GROUP_A, None, 10)
    assert (mine["P-1"].list_price, theirs["P-1"].list_price) == (1000, 2000)
    assert mine["P-1"].price_list_version == theirs["P-1"].price_list_version == 1, "versions count per group"
    assert [(v["version"], v["rows"]) for v in listed[1]] == [(1, 1)]


async def test_a_retried_import_records_no_second_version(db: asyncpg.Pool) -> None:
    data = price_file("P-1,Pads,1000,600,Y,")
    first = await load(db, data, APRIL)
    again = await load(db, data, APRIL)
    assert again.replayed
    assert (again.price_list_id, again.version) == (first.price_list_id, 1)
    assert len(await EventStore(db).read_stream(stream_id(GROUP_A))) == 1
    # The same file for another date is a new version.
    assert (await load(db, data, MAY)).version == 2


async def test_an_effective_date_in_the_past_is_refused(db: asyncpg.Pool) -> None:
    with pytest.raises(Unprocessable, match="before today"):
        await load(db, price_file("P-1,Pads,1000,600,Y,"), date(2026, 3, 1))
    assert await db.fetchval("SELECT count(*) FROM price_list_versions") == 0


async def test_concurrent_imports_of_one_group_each_get_their_own_version(db: asyncpg.Pool) -> None:
    files = [price_file(f"P-1,Pads,{1000 + i},600,Y,") for i in range(4)]
    done = await asyncio.gather(*(load(db, data, APRIL) for data in files))
    assert sorted(i.version for i in done) == [1, 2, 3, 4]
    assert [e.stream_version for e in await EventStore(db).read_stream(stream_id(GROUP_A))] == [1, 2, 3, 4]


async def test_follow_takes_a_superseded_part_to_the_current_one(db: asyncpg.Pool) -> None:
    await load(db, price_file("A-1,Old,100,50,Y,A-2", "A-2,Newer,110,55,Y,A-3", "A-3,Newest,120,60,Y,"), APRIL)
    async with db.acquire() as conn:
        followed = await lookup.prices(conn, GROUP_A, ["a-1", "A-3"], APRIL, follow=True)
        plain = await lookup.prices(conn, GROUP_A, ["a-1"], APRIL)
    current = followed["a-1"]
    assert (current.part_number, current.list_price, current.superseded_by) == ("A-3", 120, None)
    assert followed["A-3"].part_number == "A-3"
    assert (plain["a-1"].part_number, plain["a-1"].superseded_by) == ("A-1", "A-2")
