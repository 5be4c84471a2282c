"""The CloudEvents binary-mode mapping: a stored event as a Kafka record and back, one record at
a time (`from_record`) and a consumer's page at a time (`RecordDecoder`). Pure: no broker."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from events.catalog.testing import CounterIncremented, CounterOpened
from events.contract import Event
from events.envelope import StoredEvent
from events.errors import InvalidEventPayload
from events.kafka import _SLICE, RecordDecoder, from_record, header_map, to_record

AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
OPENED, INCREMENTED = CounterOpened.event_type, CounterIncremented.event_type

Record = tuple[bytes, list[tuple[str, bytes]]]


def record(event: Event, version: int = 1, *, site: str = "site-1", correlation: str = "c-1", **more: str) -> Record:
    stored = StoredEvent(
        position=version, tx_id=1, stream_id="counter-1", stream_version=version, event_id=uuid4(),
        event_type=event.event_type, schema_version=event.schema_version, data=event.model_dump_json(),
        group_id="group-a", site_id=site, actor="advisor-7", correlation_id=correlation,
        causation_id=more.get("causation"), traceparent=more.get("traceparent"), tracestate=None,
        occurred_at=AT + timedelta(seconds=version), recorded_at=AT + timedelta(seconds=version, milliseconds=5),
    )  # fmt: skip
    _, value, headers = to_record(stored)
    return value, headers


def opened() -> CounterOpened:
    return CounterOpened(counter_id="c1", label="front desk")


def incremented(amount: int) -> CounterIncremented:
    return CounterIncremented(counter_id="c1", amount=amount, reason="test")


def test_a_page_decodes_as_each_record_does_alone() -> None:
    page = [
        record(opened(), 1),
        record(incremented(2), 2),  # the same append's metadata: shared
        record(incremented(3), 3, site="site-2", correlation="c-2", causation="e-1", traceparent="00-ab-cd-01"),
        record(incremented(4), 4),  # back to the first: built again, equal
    ]
    decoded = RecordDecoder().page(page, {OPENED, INCREMENTED})
    assert decoded == [from_record(value, header_map(headers)) for value, headers in page]
    assert [e.event for e in decoded] == [opened(), incremented(2), incremented(3), incremented(4)]
    assert [e.metadata.tenant.site_id for e in decoded] == ["site-1", "site-1", "site-2", "site-1"]
    assert decoded[2].metadata.causation_id == "e-1"
    assert decoded[2].metadata.traceparent == "00-ab-cd-01"
    assert decoded[1].recorded_at == AT + timedelta(seconds=2, milliseconds=5)
    assert all(isinstance(e.event_id, UUID) and e.position is None for e in decoded)


async def test_a_page_decoded_in_slices_is_the_page_and_gives_the_loop_turns_meanwhile() -> None:
    """Decoding ahead (`page_in_slices`) must let a transaction waiting for the database go on."""
    page = [record(incremented(n), n) for n in range(1, 1001)]
    turns = 0

    async def other_task() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    counting = asyncio.create_task(other_task())
    await asyncio.sleep(0)  # the other task runs up to its first turn
    decoded = await RecordDecoder().page_in_slices(page, {INCREMENTED})
    counting.cancel()
    assert decoded == RecordDecoder().page(page, {INCREMENTED})
    assert turns > 1000 // _SLICE  # a turn after each slice


def test_records_the_consumer_does_not_handle_are_skipped_undecoded() -> None:
    foreign = (b"not json at all", [("ce_type", b"org.example.Other"), ("ce_id", b"x")])
    untyped = (b"{}", [("content-type", b"application/json")])
    unhandled = (b"not json either", [("ce_type", b"com.dealerflow." + OPENED.encode())])
    decoded = RecordDecoder().page([foreign, untyped, unhandled, record(incremented(5), 2)], {INCREMENTED})
    assert [e.event for e in decoded] == [incremented(5)]


def test_optional_headers_take_from_record_defaults() -> None:
    value, headers = record(opened(), 1)
    kept = [(k, v) for k, v in headers if k not in {"ce_actor", "ce_correlationid", "ce_recordedtime"}]
    (envelope,) = RecordDecoder().page([(value, kept)], {OPENED})
    assert envelope == from_record(value, header_map(kept))
    assert envelope.metadata.actor == "unknown"
    assert envelope.metadata.correlation_id == str(envelope.event_id)
    assert envelope.recorded_at == envelope.occurred_at


def test_a_handled_record_that_is_not_one_of_ours_raises_as_from_record_does() -> None:
    value, headers = record(opened(), 1)
    without_site = [(k, v) for k, v in headers if k != "ce_siteid"]
    with pytest.raises(KeyError):
        RecordDecoder().page([(value, without_site)], {OPENED})
    with pytest.raises(KeyError):
        from_record(value, header_map(without_site))
    without_schema = [(k, v) for k, v in headers if k != "ce_dataschema"]
    with pytest.raises(KeyError, match="ce_dataschema"):
        RecordDecoder().page([(value, without_schema)], {OPENED})
    with pytest.raises(InvalidEventPayload, match="label"):
        RecordDecoder().page([(b'{"counter_id": "c1"}', headers)], {OPENED})
