"""Interoperation with the official CloudEvents SDK (PyPI `cloudevents`), not our code against
itself: the SDK's Kafka binding reads records our relay published to a real broker, and our
readers (`from_record`, `RecordDecoder`) read records the SDK made, sent through the broker."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import asyncpg
from aiokafka import ConsumerRecord
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary, to_binary
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from kafka_helpers import running

from events.catalog.testing import CounterIncremented, CounterOpened
from events.contract import schema_id
from events.envelope import Metadata, NewEvent, Tenant
from events.kafka import KafkaSettings, RecordDecoder, from_record, header_map
from events.relay import Relay
from events.store import EventStore
from events.testing import eventually, kafka_for_tests

META = Metadata(
    tenant=Tenant("group-a", "site-1"), actor="advisor-7", correlation_id="c-1", causation_id="e-0",
    traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
)  # fmt: skip
STREAM = "counter-sdk"
VERSIONS = 12  # past 9 → 10, where "10" < "9" as plain strings


def kafka_settings(bootstrap_servers: str, prefix: str) -> KafkaSettings:
    return kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{prefix}.", partitions=1)


async def read_back(kafka: KafkaSettings, topic: str, count: int) -> list[ConsumerRecord[bytes, bytes]]:
    """The first `count` records of `topic`, read with plain aiokafka (as a subscriber would)."""
    reader = kafka.consumer(None, topic)
    await reader.start()
    records: list[ConsumerRecord[bytes, bytes]] = []

    async def more() -> int:
        for batch in (await reader.getmany(timeout_ms=500)).values():
            records.extend(batch)
        return len(records)

    try:
        await eventually(more, until=lambda n: n >= count, timeout=60, what=f"{count} records on {topic}")
    finally:
        await reader.stop()
    return records


def message(record: ConsumerRecord[bytes, bytes]) -> KafkaMessage:
    return KafkaMessage(headers=dict(record.headers), key=record.key, value=record.value or b"")


async def test_the_sdk_reads_what_our_relay_published_with_sequences_in_order_as_strings(
    pool: asyncpg.Pool, bootstrap_servers: str, topic_prefix: str
) -> None:
    store = EventStore(pool)
    kafka = kafka_settings(bootstrap_servers, topic_prefix)
    opened = CounterOpened(counter_id="sdk", label="front desk")
    appended = await store.append(STREAM, 0, [NewEvent(opened, META)])
    for version in range(1, VERSIONS):
        event = CounterIncremented(counter_id="sdk", amount=version, reason="test")
        appended += await store.append(STREAM, version, [NewEvent(event, META)])

    async with running(Relay(store, kafka).run):
        records = await read_back(kafka, kafka.topic("sample"), VERSIONS)

    events = [from_binary(message(r), JSONFormat()) for r in records]
    first = events[0]
    assert first.get_specversion() == "1.0"
    assert first.get_id() == str(appended[0].event_id)
    assert first.get_type() == "com.dealerflow.sample.CounterOpened"
    assert first.get_source() == "/groups/group-a/sites/site-1"
    assert first.get_subject() == STREAM
    assert first.get_time() == appended[0].occurred_at
    assert first.get_dataschema() == schema_id("sample.CounterOpened", 1)
    assert first.get_datacontenttype() == "application/json"
    assert first.get_data() == {"counter_id": "sdk", "label": "front desk"}
    assert first.get_extension("partitionkey") == STREAM
    assert first.get_extension("groupid") == "group-a"
    assert first.get_extension("siteid") == "site-1"
    assert first.get_extension("correlationid") == "c-1"
    assert first.get_extension("causationid") == "e-0"
    assert first.get_extension("traceparent") == META.traceparent
    assert events[-1].get_data() == {"counter_id": "sdk", "amount": VERSIONS - 1, "reason": "test"}
    assert events[-1].get_dataschema() == schema_id("sample.CounterIncremented", 2)

    # The sequence extension: a string that orders lexicographically as the versions do.
    sequences = [e.get_extension("sequence") for e in events]
    assert all(isinstance(s, str) for s in sequences)
    assert [int(s) for s in sequences] == list(range(1, VERSIONS + 1))
    assert sorted(sequences) == sequences, f"not lexicographically ordered: {sequences}"
    assert {len(s) for s in sequences} == {20}


def sdk_event(event_type: str, version: int, sequence: str, data: dict[str, object]) -> CloudEvent:
    return CloudEvent(
        attributes={
            "id": str(uuid.uuid4()),
            "source": "/groups/group-b/sites/site-9",
            "type": f"com.dealerflow.{event_type}",
            "subject": "counter-from-sdk",
            "time": datetime(2026, 3, 1, 9, 30, version, tzinfo=UTC),
            "dataschema": schema_id(event_type, version),
            "datacontenttype": "application/json",
            "sequence": sequence,
            "partitionkey": "counter-from-sdk",
            "groupid": "group-b",
            "siteid": "site-9",
            "actor": "dms-7",
            "correlationid": "dms-corr-1",
        },
        data=data,
    )


async def test_our_readers_decode_records_the_sdk_made(bootstrap_servers: str, topic_prefix: str) -> None:
    kafka = kafka_settings(bootstrap_servers, topic_prefix)
    topic = kafka.topic("sample")
    await kafka.ensure_topics(topic)
    made = [
        sdk_event("sample.CounterOpened", 1, f"{1:020d}", {"counter_id": "x", "label": "from the SDK"}),
        # An unpadded sequence (an older producer, or one that does not pad) still reads as a number.
        sdk_event("sample.CounterIncremented", 2, "2", {"counter_id": "x", "amount": 5, "reason": "dms"}),
    ]
    producer = kafka.producer()
    await producer.start()
    try:
        for event in made:
            sent = to_binary(event, JSONFormat())
            key = sent.key.encode() if isinstance(sent.key, str) else sent.key
            await producer.send_and_wait(topic, sent.value, key=key, headers=list(sent.headers.items()))
    finally:
        await producer.stop()

    records = await read_back(kafka, topic, len(made))
    raw = [(r.value or b"", list(r.headers)) for r in records]
    singly = [from_record(value, header_map(headers)) for value, headers in raw]
    assert RecordDecoder().page(raw, {CounterOpened.event_type, CounterIncremented.event_type}) == singly
    opened, incremented = singly
    assert opened.event == CounterOpened(counter_id="x", label="from the SDK")
    assert incremented.event == CounterIncremented(counter_id="x", amount=5, reason="dms")
    assert [str(e.event_id) for e in singly] == [e.get_id() for e in made]
    assert [e.stream_id for e in singly] == ["counter-from-sdk"] * 2
    assert [e.stream_version for e in singly] == [1, 2]
    assert opened.metadata == Metadata(tenant=Tenant("group-b", "site-9"), actor="dms-7", correlation_id="dms-corr-1")
    assert opened.occurred_at == datetime(2026, 3, 1, 9, 30, 1, tzinfo=UTC)
    assert json.loads(records[0].value or b"{}") == {"counter_id": "x", "label": "from the SDK"}
