"""How a paging consumer (a projection's) cuts a fetch into transactions: a backlog across
partitions is one page; if that page fails, each partition's backlog is tried as its own page.
The fetch is handed to the consumer directly: no broker, a real database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import asyncpg
from aiokafka.structs import ConsumerRecord, TopicPartition

from events.catalog.testing import CounterIncremented
from events.connection import Connection
from events.consumer import Consumer
from events.envelope import Envelope, StoredEvent
from events.kafka import to_record
from events.testing import kafka_for_tests

FIRST, SECOND = TopicPartition("sample", 0), TopicPartition("sample", 1)
AT = datetime(2026, 3, 1, tzinfo=UTC)


def fetched(tp: TopicPartition, stream: str, count: int) -> list[ConsumerRecord[Any, Any]]:
    records = []
    for version in range(1, count + 1):
        event = CounterIncremented(counter_id=stream, amount=version, reason="test")
        stored = StoredEvent(
            version, 1, stream, version, uuid4(), event.event_type, event.schema_version, event.model_dump_json(),
            "group-a", "site-1", "tester", "c-1", None, None, None,
            AT, AT,
        )  # fmt: skip
        key, value, headers = to_record(stored)
        records.append(
            ConsumerRecord(tp.topic, tp.partition, version - 1, 0, 0, key, value, None, len(key), len(value), headers)
        )
    return records


class Pages:
    """A page handler that remembers the pages it applied, refusing those over `largest`."""

    def __init__(self, largest: int) -> None:
        self.largest = largest
        self.applied: list[list[str]] = []

    async def __call__(self, conn: Connection, envelopes: Sequence[Envelope[Any]]) -> None:
        if len(envelopes) > self.largest:
            raise RuntimeError(f"a page of {len(envelopes)}")
        self.applied.append([f"{e.stream_id}@{e.stream_version}" for e in envelopes])

    async def one(self, conn: Connection, envelope: Envelope[Any]) -> None:
        self.applied.append([f"{envelope.stream_id}@{envelope.stream_version}"])


def consumer(pool: asyncpg.Pool, pages: Pages) -> Consumer:
    settings = kafka_for_tests(bootstrap_servers="unused:9092")
    handles = {CounterIncremented.event_type}
    return Consumer("pages", ["sample"], handles, pages.one, pool, settings, dedupe=False, page_handler=pages)


async def test_a_backlog_across_partitions_is_one_page_each_stream_in_order(pool: asyncpg.Pool) -> None:
    pages = Pages(largest=1000)
    reader = consumer(pool, pages)
    await reader.handle_fetch({FIRST: fetched(FIRST, "a", 30), SECOND: fetched(SECOND, "b", 30)})
    assert pages.applied == [[f"a@{v}" for v in range(1, 31)] + [f"b@{v}" for v in range(1, 31)]]
    assert reader.pages == 1


async def test_a_failing_page_falls_back_to_each_partitions_page_then_one_by_one(pool: asyncpg.Pool) -> None:
    pages = Pages(largest=70)  # the fetch's page (140) fails; a's (60) and b's (80: fails again) follow
    reader = consumer(pool, pages)
    await reader.handle_fetch({FIRST: fetched(FIRST, "a", 60), SECOND: fetched(SECOND, "b", 80)})
    assert [f"a@{v}" for v in range(1, 61)] in pages.applied
    assert [[f"b@{v}"] for v in range(1, 81)] == [page for page in pages.applied if page[0].startswith("b")]
    assert reader.pages == 1


async def test_a_live_trickle_is_handled_record_by_record(pool: asyncpg.Pool) -> None:
    pages = Pages(largest=1000)
    reader = consumer(pool, pages)
    await reader.handle_fetch({FIRST: fetched(FIRST, "a", 3), SECOND: fetched(SECOND, "b", 2)})
    assert sorted(pages.applied) == [["a@1"], ["a@2"], ["a@3"], ["b@1"], ["b@2"]]
    assert reader.pages == 0


async def test_a_fetch_decoded_ahead_is_applied_as_decoded_then(pool: asyncpg.Pool) -> None:
    """The group decodes the next fetch while the one before is handled: what was decoded is
    applied, not decoded again (the decoder is gone by then), in the same pages."""
    pages = Pages(largest=1000)
    reader = consumer(pool, pages)
    fetch = {FIRST: fetched(FIRST, "a", 30), SECOND: fetched(SECOND, "b", 30)}
    ahead = await reader.decode_ahead(fetch)
    assert ahead is not None
    assert len(ahead.envelopes) == 60
    reader.decoder = None  # type: ignore[assignment]  # decoding now would fail the page
    await reader.handle_fetch(fetch, ahead)
    assert pages.applied == [[f"a@{v}" for v in range(1, 31)] + [f"b@{v}" for v in range(1, 31)]]
    assert reader.pages == 1


async def test_a_live_trickle_is_not_decoded_ahead(pool: asyncpg.Pool) -> None:
    reader = consumer(pool, Pages(largest=1000))
    assert await reader.decode_ahead({FIRST: fetched(FIRST, "a", 3)}) is None
