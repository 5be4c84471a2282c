"""Keyset pages: walked to the end, every row comes once, in the list's order — for any mix of
directions, NULL placements, NULLs and ties in the leading keys; the cursor round-trips its typed
values and refuses anyone else's; the Link header carries the query on.

The order's truth is an in-memory sort; the pages come from the helper's SQL, run by SQLite (any
data, fast) and once by PostgreSQL (the database the services use)."""

from __future__ import annotations

import base64
import json
import sqlite3
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.paging import InvalidCursor, Key, Listing, next_link

NAMES = ("a", "b", "c")


def sort_in_memory(rows: list[dict[str, Any]], keys: tuple[Key, ...]) -> list[dict[str, Any]]:
    """Python's stable sort, one key at a time from the last: NULLs placed as PostgreSQL places them."""
    for key in reversed(keys):
        nulls_first = key.descending if key.nulls_first is None else key.nulls_first
        present = sorted(
            (r for r in rows if r[key.name] is not None), key=lambda r: r[key.name], reverse=key.descending
        )
        absent = [r for r in rows if r[key.name] is None]
        rows = absent + present if nulls_first else present + absent
    return rows


def walk_sqlite(rows: list[dict[str, Any]], listing: Listing, limit: int) -> list[list[int]]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (a, b, c, id INTEGER PRIMARY KEY)")
    db.executemany("INSERT INTO t VALUES (:a, :b, :c, :id)", rows)
    pages: list[list[int]] = []
    cursor: str | None = None
    while True:
        window = listing.window(cursor, limit, first=2)
        sql = f"SELECT a, b, c, id FROM t WHERE id > $1 AND {window.after} {window.order}"
        # SQLite names `$n` parameters "n": the same numbering PostgreSQL reads positionally.
        found = db.execute(sql, {str(n): v for n, v in enumerate((-1, *window.params), start=1)}).fetchall()
        page, cursor = window.page([dict(zip(("a", "b", "c", "id"), r, strict=True)) for r in found])
        pages.append([row["id"] for row in page])
        assert len(pages) <= len(rows) + 1, "the walk does not end"
        if cursor is None:
            return pages


nullable_ints = st.one_of(st.none(), st.integers(min_value=0, max_value=3))
keys = st.lists(
    st.tuples(st.sampled_from(NAMES), st.booleans(), st.sampled_from([None, True, False])),
    min_size=0,
    max_size=3,
    unique_by=lambda k: k[0],
)


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.tuples(nullable_ints, nullable_ints, nullable_ints), max_size=30),
    leading=keys,
    id_descending=st.booleans(),
    limit=st.integers(min_value=1, max_value=7),
)
def test_every_page_walked_is_the_whole_sorted_list_once(
    values: list[tuple[int | None, int | None, int | None]],
    leading: list[tuple[str, bool, bool | None]],
    id_descending: bool,
    limit: int,
) -> None:
    rows = [{"a": a, "b": b, "c": c, "id": i} for i, (a, b, c) in enumerate(values)]
    listing = Listing(
        "test.rows",
        (
            *(Key(name, int, descending=d, nulls_first=n) for name, d, n in leading),
            Key("id", int, descending=id_descending, nullable=False),
        ),
    )
    pages = walk_sqlite(rows, listing, limit)
    assert [i for page in pages for i in page] == [r["id"] for r in sort_in_memory(rows, listing.keys)]
    assert all(len(page) == limit for page in pages[:-1]), "only the last page is short"
    assert len(pages[-1]) <= limit
    assert len(pages) == max(1, -(-len(rows) // limit)), "no empty page after a full one"


MOMENT = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
TYPED = Listing(
    "test.typed",
    (
        Key("flag", bool, descending=True),
        Key("at", datetime, nulls_first=True),
        Key("day", date, descending=True, nulls_first=False),
        Key("label", str),
        Key("id", uuid.UUID, nullable=False),
    ),
)


@given(
    flag=st.one_of(st.none(), st.booleans()),
    at=st.one_of(st.none(), st.datetimes(timezones=st.just(UTC))),
    day=st.one_of(st.none(), st.dates()),
    label=st.one_of(st.none(), st.text(max_size=20)),
    id_=st.uuids(),
)
def test_a_cursor_gives_back_the_typed_key_it_was_made_from(
    flag: bool | None, at: datetime | None, day: date | None, label: str | None, id_: uuid.UUID
) -> None:
    row = {"flag": flag, "at": at, "day": day, "label": label, "id": id_, "other": "not in the key"}
    cursor = TYPED.cursor(row)
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), "url-safe as is"
    decoded = TYPED.decode(cursor)
    assert decoded == (flag, at, day, label, id_)
    assert [type(v) for v in decoded] == [type(v) for v in (flag, at, day, label, id_)]


def test_the_sql_names_every_key_its_direction_and_nulls_and_numbers_parameters_from_first() -> None:
    row = {"flag": True, "at": None, "day": date(2024, 5, 1), "label": "x", "id": uuid.uuid4()}
    window = TYPED.window(TYPED.cursor(row), 10, first=4)
    assert window.order == (
        "ORDER BY flag DESC NULLS FIRST, at ASC NULLS FIRST, day DESC NULLS LAST, label ASC NULLS LAST, "
        "id ASC NULLS LAST LIMIT $8"
    )
    assert window.params == (True, date(2024, 5, 1), "x", row["id"], 11), "a NULL takes no parameter"
    assert window.after.startswith("((flag < $4) OR (flag = $4 AND at IS NOT NULL) OR ")
    first = TYPED.window(None, 10, first=4)
    assert (first.after, first.params, first.order.endswith("LIMIT $4")) == ("TRUE", (11,), True)


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        "e30",  # {}
        "bnVsbA",  # null
        Listing("test.other", (Key("id", uuid.UUID, nullable=False),)).cursor({"id": uuid.uuid4()}),
        # this list's name, another sort of it
        Listing("test.typed", (Key("id", uuid.UUID, nullable=False),)).cursor({"id": uuid.uuid4()}),
        "x" * 3000,
    ],
)
def test_a_cursor_that_does_not_decode_or_is_another_lists_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        TYPED.window(cursor, 10, first=1)


def test_a_tampered_value_of_the_wrong_type_is_refused() -> None:
    good = TYPED.cursor({"flag": True, "at": MOMENT, "day": None, "label": None, "id": uuid.uuid4()})
    document = json.loads(base64.urlsafe_b64decode(good + "=" * (-len(good) % 4)))
    for index, wrong in [(0, "yes"), (1, {"t": "yesterday"}), (4, None), (4, {"u": "42"}), (3, 7)]:
        changed = {**document, "k": [wrong if i == index else v for i, v in enumerate(document["k"])]}
        text = base64.urlsafe_b64encode(json.dumps(changed).encode()).decode()
        with pytest.raises(InvalidCursor):
            TYPED.decode(text)


def test_the_last_key_must_make_the_order_total() -> None:
    with pytest.raises(ValueError, match="last sort key"):
        Listing("test.loose", (Key("name", str),))


def test_the_link_carries_the_cursor_the_limit_and_the_other_parameters_as_given() -> None:
    query = [("step", "listened"), ("cursor", "old"), ("kind", "a b"), ("limit", "3"), ("step", "decided")]
    assert next_link(query, "abc_-1", 3) == ('<?cursor=abc_-1&limit=3&step=listened&kind=a+b&step=decided>; rel="next"')


async def test_pages_follow_postgresqls_own_order(pool: asyncpg.Pool) -> None:
    listing = Listing(
        "test.pg",
        (
            Key("late", bool, descending=True),
            Key("due", datetime),
            Key("day", date, descending=True, nulls_first=False),
            Key("id", uuid.UUID, nullable=False),
        ),
    )
    await pool.execute("CREATE TABLE paged (late boolean, due timestamptz, day date, id uuid PRIMARY KEY)")
    keyed = [
        (
            late,
            None if i % 5 == 0 else MOMENT + timedelta(hours=i % 3),
            None if i % 4 == 0 else date(2024, 1, i % 2 + 1),
        )
        for i, late in enumerate([True, False, None] * 9)
    ]
    rows = [(*row, uuid.uuid4()) for row in keyed]
    await pool.executemany("INSERT INTO paged VALUES ($1, $2, $3, $4)", rows)
    whole = [r["id"] for r in await pool.fetch(f"SELECT id FROM paged ORDER BY {listing.order_by}")]
    walked: list[uuid.UUID] = []
    cursor: str | None = None
    for _ in range(len(rows)):
        window = listing.window(cursor, 4, first=2)
        found = await pool.fetch(
            f"SELECT * FROM paged WHERE id <> $1 AND {window.after} {window.order}", uuid.uuid4(), *window.params
        )
        page, cursor = window.page(found)
        walked += [r["id"] for r in page]
        if cursor is None:
            break
    assert walked == whole
    assert len(set(walked)) == len(rows)
