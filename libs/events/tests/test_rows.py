"""Row projections (events.rows): a page folded in memory and written in bulk gives the same read
model as the events applied one at a time, live or rebuilt, from the log or from Kafka."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import asyncpg
import pytest
from kafka_helpers import running

from events.catalog.testing import CounterIncremented, CounterOpened, CounterPoisoned
from events.connection import Connection
from events.envelope import Envelope, Metadata, NewEvent, Tenant
from events.projection import KafkaProjector, LogProjector
from events.relay import Relay
from events.rows import Key, RowProjection, Rows, Table
from events.store import EventStore
from events.testing import eventually, kafka_for_tests, log_settled

META = Metadata(tenant=Tenant("group-a", "site-1"), actor="tester", correlation_id="c-1")
TOTALS = Table("row_totals", ("counter_id",), ("counter_id", "label", "total", "increments"), {"total": 0})
# A composite key: per counter and reason, how much (the reason "drop" removes the counter's total row).
BY_REASON = Table("row_by_reason", ("counter_id", "reason"), ("counter_id", "reason", "amount"))
DDL = """
CREATE TABLE row_totals (counter_id text PRIMARY KEY, label text, total bigint NOT NULL, increments integer);
CREATE TABLE row_by_reason (counter_id text, reason text, amount bigint NOT NULL, PRIMARY KEY (counter_id, reason));
"""


class RowTotals(RowProjection):
    name = "row_totals"
    handles = frozenset({"sample.CounterOpened", "sample.CounterIncremented", "sample.CounterPoisoned"})
    models = (TOTALS, BY_REASON)

    def reads(self, envelope: Envelope[Any]) -> Iterable[tuple[Table, Key]]:
        event = envelope.event
        if isinstance(event, CounterIncremented):
            return ((TOTALS, event.counter_id), (BY_REASON, (event.counter_id, event.reason)))
        return ((TOTALS, event.counter_id),)

    def fold(self, rows: Rows, envelope: Envelope[Any]) -> None:
        event = envelope.event
        if isinstance(event, CounterPoisoned):
            raise RuntimeError("this projection cannot take a poisoned counter")
        if isinstance(event, CounterOpened):
            rows.put(TOTALS, TOTALS.new(counter_id=event.counter_id, label=event.label, increments=0))
            return
        assert isinstance(event, CounterIncremented)
        if event.reason == "drop":
            rows.delete(TOTALS, event.counter_id)
            return
        total = rows.get(TOTALS, event.counter_id)
        if total is not None:
            rows.update(
                TOTALS, event.counter_id, total=total["total"] + event.amount, increments=total["increments"] + 1
            )
        key = (event.counter_id, event.reason)
        earlier = rows.get(BY_REASON, key)
        amount = event.amount + (earlier["amount"] if earlier else 0)
        rows.put(BY_REASON, BY_REASON.new(counter_id=event.counter_id, reason=event.reason, amount=amount))
        rows.notify("row_totals", event.counter_id)


def history(counters: int, increments: int) -> tuple[dict[str, list[NewEvent]], dict[str, Any]]:
    """Events per counter, and the read model they must give."""
    streams: dict[str, list[NewEvent]] = {}
    totals: dict[str, tuple[str, int, int]] = {}
    reasons: dict[tuple[str, str], int] = {}
    for c in range(counters):
        counter = f"c{c}"
        events = [NewEvent(CounterOpened(counter_id=counter, label=f"label {c}"), META)]
        total = 0
        for i in range(increments):
            reason = ("service", "repair", "drop")[i % 3] if c == 0 else ("service", "repair")[i % 2]
            events.append(NewEvent(CounterIncremented(counter_id=counter, amount=i + 1, reason=reason), META))
            if reason != "drop":
                total += i + 1
                reasons[(counter, reason)] = reasons.get((counter, reason), 0) + i + 1
        streams[f"counter-{c}"] = events
        if c != 0:  # counter 0 was dropped (and its later increments find no row)
            totals[counter] = (f"label {c}", total, increments)
    return streams, {"totals": totals, "reasons": reasons}


async def read_model(pool: asyncpg.Pool) -> dict[str, Any]:
    totals = {r["counter_id"]: (r["label"], r["total"], r["increments"]) for r in await pool.fetch("TABLE row_totals")}
    reasons = {(r["counter_id"], r["reason"]): r["amount"] for r in await pool.fetch("TABLE row_by_reason")}
    return {"totals": totals, "reasons": reasons}


async def seed(store: EventStore, counters: int = 5, increments: int = 9) -> dict[str, Any]:
    streams, expected = history(counters, increments)
    for stream, events in streams.items():
        for event in events:  # one append each: every page mixes streams
            await store.append(stream, events.index(event), [event])
    await log_settled(store.pool)
    return expected


async def test_a_page_folded_in_memory_equals_the_events_one_at_a_time(pool: asyncpg.Pool) -> None:
    await pool.execute(DDL)
    store = EventStore(pool)
    expected = await seed(store)
    one_by_one = LogProjector(store, RowTotals(), page_size=1)
    assert await one_by_one.catch_up() == 50
    assert await read_model(pool) == expected

    in_pages = LogProjector(store, RowTotals(), page_size=17)
    assert await in_pages.rebuild() == 50
    assert await read_model(pool) == expected


async def test_a_row_a_page_changes_many_times_is_written_once(pool: asyncpg.Pool) -> None:
    await pool.execute(DDL)
    await pool.execute("CREATE TABLE row_writes (n integer)")
    await pool.execute(
        """CREATE FUNCTION count_write() RETURNS trigger LANGUAGE plpgsql AS
           $$ BEGIN INSERT INTO row_writes VALUES (1); RETURN NEW; END $$;
           CREATE TRIGGER counted BEFORE INSERT OR UPDATE ON row_totals FOR EACH ROW EXECUTE FUNCTION count_write()"""
    )
    store = EventStore(pool)
    await seed(store, counters=2, increments=9)
    notified: list[str] = []

    def note(*args: Any) -> None:
        notified.append(args[-1])

    listener = await pool.acquire()
    await listener.add_listener("row_totals", note)
    try:
        assert await LogProjector(store, RowTotals(), page_size=100).catch_up() == 20
        # counter 0 is dropped within the page (a delete), counter 1's row is written once for 10 events
        assert await pool.fetchval("SELECT count(*) FROM row_writes") == 1
        await eventually(lambda: _done(notified), until=lambda n: n == ["c0", "c1"], what="one NOTIFY per payload")
    finally:
        await listener.remove_listener("row_totals", note)
        await pool.release(listener)


async def _done(notified: list[str]) -> list[str]:
    return sorted(notified)


async def test_a_row_not_declared_in_reads_is_a_mistake_named_as_such() -> None:
    rows = Rows()
    with pytest.raises(LookupError, match="row_totals row 'c9' was not declared in reads"):
        rows.get(TOTALS, "c9")
    with pytest.raises(ValueError, match="no columns"):
        TOTALS.new(counter_id="c1", colour="red")


async def test_a_kafka_fed_backlog_is_applied_in_pages_once_and_a_failing_page_one_by_one(
    pool: asyncpg.Pool, bootstrap_servers: str, topic_prefix: str
) -> None:
    await pool.execute(DDL)
    store = EventStore(pool)
    expected = await seed(store, counters=4, increments=40)  # 164 events: a backlog on each partition
    await store.append("counter-poison", 0, [NewEvent(CounterPoisoned(counter_id="c0"), META)])
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.", partitions=2)
    relay = Relay(store, kafka)
    async with running(relay.run):
        await eventually(relay.backlog, until=lambda n: n == 0, what="published")
    projector = KafkaProjector(pool, RowTotals(), kafka, [kafka.topic("sample")])
    async with running(projector.run):
        await eventually(lambda: read_model(pool), until=lambda m: m == expected, what="projection caught up")
        consumer = projector.consumer
        assert consumer is not None
        poisoned = "the poison dead-lettered"
        await eventually(lambda: _count(consumer.dead_lettered), until=lambda n: n == 1, what=poisoned)
        assert consumer.pages >= 1, "a partition's backlog is applied as a page"
    assert (await projector.lag()).events_applied == 164
    # A page seen again (a redelivery) changes nothing.
    page = [e for e in await store.read_log() if e.event_type != "sample.CounterPoisoned"]
    async with pool.acquire() as conn, conn.transaction():
        assert await projector.apply_page_once(conn, page) == 0
    assert await read_model(pool) == expected


async def _count(value: int) -> int:
    return value


async def test_two_topics_changing_one_row_at_once_lose_neither_change(pool: asyncpg.Pool) -> None:
    """A Kafka-fed projection handles partitions concurrently (and replicas own different ones):
    two events about one row, from two streams, applied in overlapping transactions. The second
    waits for the first to commit and folds on its result, instead of writing back what it read."""
    await pool.execute(DDL)
    store = EventStore(pool)
    await store.append("counter-0", 0, [NewEvent(CounterOpened(counter_id="c0", label="label 0"), META)])
    await store.append("desk", 0, [NewEvent(CounterIncremented(counter_id="c0", amount=5, reason="service"), META)])
    await store.append("workshop", 0, [NewEvent(CounterIncremented(counter_id="c0", amount=7, reason="repair"), META)])
    await log_settled(pool)
    opened, desk, workshop = await store.read_log()
    projector = KafkaProjector(pool, RowTotals(), kafka_for_tests(bootstrap_servers="unused:9092"), ["unused"])
    async with pool.acquire() as conn, conn.transaction():
        assert await projector.apply_once(conn, opened)

    async def apply_in_own_transaction(envelope: Envelope[Any]) -> bool:
        async with pool.acquire() as conn, conn.transaction():
            return await projector.apply_once(conn, envelope)

    first = await pool.acquire()
    transaction = first.transaction()
    await transaction.start()
    try:
        assert await projector.apply_once(first, desk)
        second = asyncio.create_task(apply_in_own_transaction(workshop))
        await eventually(_lock_waits(pool), until=lambda n: n == 1, what="the second writer waiting for the first")
        await transaction.commit()
    except BaseException:
        await transaction.rollback()
        raise
    finally:
        await pool.release(first)
    assert await second
    totals = await pool.fetchrow("SELECT total, increments FROM row_totals WHERE counter_id = 'c0'")
    assert totals is not None
    assert (totals["total"], totals["increments"]) == (12, 2)


def _lock_waits(pool: asyncpg.Pool) -> Callable[[], Awaitable[int]]:
    async def count() -> int:
        return int(
            await pool.fetchval("""SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'advisory'
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())""")
        )

    return count


async def test_a_page_reads_its_rows_by_key_before_the_table_has_statistics(pool: asyncpg.Pool) -> None:
    """A read model emptied for a rebuild has no statistics until autovacuum analyzes it, and
    without them the planner takes a page's few hundred keys for the whole table: a year's
    rebuild of the callback queue scanned the growing table once per page."""
    await pool.execute(DDL)
    store = EventStore(pool)
    await seed(store, counters=300, increments=1)  # a page of 600 events about 300 rows
    page = await store.read_log()
    projector = KafkaProjector(pool, RowTotals(), kafka_for_tests(bootstrap_servers="unused:9092"), ["unused"])

    async def apply_again(conn: Connection) -> int:
        async with conn.transaction():
            await conn.execute("DELETE FROM projection_streams WHERE projection = 'row_totals'")
            assert await projector.apply_page_once(conn, page) == len(page)
            return int(
                await conn.fetchval("SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = 'row_totals'")
            )

    async with pool.acquire() as conn:
        for _ in range(6):  # past the five custom plans after which a prepared statement may keep a generic one
            await apply_again(conn)
        await conn.execute("INSERT INTO row_totals SELECT 'grown-' || n, NULL, 0, 0 FROM generate_series(1, 20000) n")
        assert await apply_again(conn) == 0
