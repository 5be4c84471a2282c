"""Gap safety of the global log (architecture invariant 6): under concurrent writers whose
transactions commit out of position order, a tailing reader and the relay see every event
exactly once, and each stream in order."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import asyncpg
from kafka_helpers import running

from events.catalog.testing import CounterIncremented, CounterOpened
from events.envelope import Envelope, Metadata, NewEvent, Tenant
from events.kafka import KafkaSettings, from_record, header_map
from events.relay import Relay
from events.store import START, EventStore
from events.testing import eventually, kafka_for_tests, log_settled

META = Metadata(tenant=Tenant("group-a", "site-1"), actor="tester", correlation_id="c-1")
WRITERS = 8
STREAMS_PER_WRITER = 5
EVENTS_PER_STREAM = 60  # 8 x 5 x 60 = 2,400 events


async def writer(store: EventStore, w: int, seed: int) -> None:
    """Appends to its own streams, one event per transaction, sometimes holding the
    transaction open after the insert so that later positions commit before earlier ones."""
    rnd = random.Random(seed)
    for v in range(EVENTS_PER_STREAM):
        for s in range(STREAMS_PER_WRITER):
            stream = f"counter-{w}-{s}"
            event = (
                CounterOpened(counter_id=stream, label="x")
                if v == 0
                else CounterIncremented(counter_id=stream, amount=v, reason="load")
            )
            async with store.transaction() as conn:
                await store.append(stream, v, [NewEvent(event, META)], conn=conn)
                if rnd.random() < 0.05:
                    await conn.execute("SELECT pg_sleep($1)", rnd.uniform(0.005, 0.05))


async def tail(store: EventStore, seen: list[Envelope[Any]], stop: asyncio.Event) -> None:
    after = START
    while True:
        stopping = stop.is_set()
        page = await store.read_log(after, limit=300)
        seen.extend(page)
        if page:
            after = page[-1].log_position
        if stopping and not page:
            return
        if not page:
            await asyncio.sleep(0.005)  # polling interval of the tailing reader


def assert_exactly_once_in_stream_order(envelopes: list[tuple[str, int]]) -> None:
    total = WRITERS * STREAMS_PER_WRITER * EVENTS_PER_STREAM
    assert len(envelopes) == total, f"saw {len(envelopes)} of {total}"
    assert len(set(envelopes)) == total, "an event was seen twice"
    last: dict[str, int] = {}
    for stream, version in envelopes:
        assert version == last.get(stream, 0) + 1, f"{stream}: v{version} after v{last.get(stream, 0)}"
        last[stream] = version


async def test_tailing_reader_and_relay_see_every_event_once_in_stream_order(
    pool: asyncpg.Pool, bootstrap_servers: str, topic_prefix: str
) -> None:
    store = EventStore(pool)
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.", partitions=4)
    relay = Relay(store, kafka, page_size=200)
    seen: list[Envelope[Any]] = []
    reader_stop = asyncio.Event()
    reader = asyncio.create_task(tail(store, seen, reader_stop))

    async with running(relay.run):
        await asyncio.gather(*(writer(store, w, seed=w) for w in range(WRITERS)))
        # The reader stops at its first empty page after this: only once every write is below the
        # (server-wide) horizon is an empty page the end rather than a wait.
        await log_settled(pool)
        reader_stop.set()
        await asyncio.wait_for(reader, timeout=60)
        await eventually(relay.backlog, until=lambda n: n == 0, timeout=60, what="relay caught up")

    # Out-of-order commits did happen: positions seen are not monotonic.
    positions = [e.position or 0 for e in seen]
    assert positions != sorted(positions), "the test did not produce any late commit"
    assert_exactly_once_in_stream_order([(e.stream_id, e.stream_version) for e in seen])

    published = await read_topic(kafka, kafka.topic("sample"), expected=len(seen))
    assert_exactly_once_in_stream_order(published)


async def read_topic(kafka: KafkaSettings, topic: str, expected: int) -> list[tuple[str, int]]:
    """Everything on `topic`, per partition in offset order (stream order is per partition)."""
    consumer = kafka.consumer(None, topic)
    await consumer.start()
    out: list[tuple[str, int]] = []
    try:
        deadline = asyncio.get_running_loop().time() + 60
        while len(out) < expected and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    envelope = from_record(record.value, header_map(record.headers))
                    out.append((envelope.stream_id, envelope.stream_version))
    finally:
        await consumer.stop()
    return out
