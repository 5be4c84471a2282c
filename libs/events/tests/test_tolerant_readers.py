"""Readers tolerate fields they do not know; writers stay strict (docs/decisions/0005).

During a rolling deploy a replica one revision older reads what a newer one wrote: the same
schema version with an optional field more, at the top and inside a nested value. Every read
path (the registry, views, Kafka records, the store's stream and log reads) decodes it as the
older model, dropping what it does not know; our own construction of an event with an unknown
field still fails."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pydantic
import pytest

from events.catalog import workshop
from events.catalog.testing import CounterIncremented
from events.catalog.workshop import Job
from events.contract import REGISTRY
from events.envelope import Metadata, NewEvent, StoredEvent, Tenant
from events.errors import InvalidEventPayload
from events.kafka import RecordDecoder, from_record, header_map, to_record
from events.store import EventStore
from events.testing import log_settled
from events.views import View, Views, view

META = Metadata(tenant=Tenant("group-a", "site-1"), actor="tester", correlation_id="c-1")
JOB = Job(job_id=uuid4(), labour_operation="OIL-10K", description="10,000 km service", planned_minutes=40)
ADDED = workshop.JobsAdded(repair_order_id=uuid4(), jobs=(JOB,), added_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
TYPE = "workshop.JobsAdded"


def newer(event: pydantic.BaseModel) -> dict[str, Any]:
    """`event` as a writer one revision newer writes it: an optional field more at the top and
    one more in the nested job."""
    data: dict[str, Any] = json.loads(event.model_dump_json())
    data["courtesy_car"] = "loaner"
    data["jobs"][0]["bay"] = "B3"
    return data


NEWER = json.dumps(newer(ADDED))


@pytest.mark.parametrize("raw", [NEWER, NEWER.encode(), newer(ADDED)], ids=["text", "bytes", "dict"])
def test_the_registry_reads_a_newer_writers_event_as_the_model_it_knows(raw: str | bytes | dict[str, Any]) -> None:
    assert REGISTRY.decode(TYPE, 1, raw) == ADDED


def test_an_old_version_with_unknown_fields_is_upcast_and_read() -> None:
    raw = '{"counter_id": "c1", "amount": 3, "note": "from a newer v1 writer"}'
    assert REGISTRY.decode("sample.CounterIncremented", 1, raw) == CounterIncremented(
        counter_id="c1", amount=3, reason="unspecified"
    )


def test_a_known_field_that_does_not_fit_is_still_refused_by_name() -> None:
    data = newer(ADDED)
    data["jobs"][0]["planned_minutes"] = "forty"
    with pytest.raises(InvalidEventPayload, match=r"jobs\.0\.planned_minutes"):
        REGISTRY.decode(TYPE, 1, json.dumps(data))


@view(of=workshop.JobsAdded)
class Added(View):
    repair_order_id: UUID
    jobs: tuple[Job, ...]


def test_a_view_reads_a_newer_writers_event_nested_values_included() -> None:
    assert Views([Added]).decode(TYPE, 1, NEWER) == Added(ADDED.repair_order_id, (JOB,))


def stored(data: str) -> StoredEvent:
    return StoredEvent(
        1, 1, f"work_order-{ADDED.repair_order_id}", 2, uuid4(), TYPE, 1, data, "group-a", "site-1", "tester", "c-1",
        None, None, None, ADDED.added_at, ADDED.added_at,
    )  # fmt: skip


def test_a_kafka_record_from_a_newer_writer_is_read_not_dead_lettered() -> None:
    _, value, headers = to_record(stored(NEWER))
    assert from_record(value, header_map(headers)).event == ADDED
    [whole] = RecordDecoder().page([(value, headers)], {TYPE})
    [narrow] = RecordDecoder(views=Views([Added])).page([(value, headers)], {TYPE})
    assert (whole.event, narrow.event) == (ADDED, Added(ADDED.repair_order_id, (JOB,)))


async def test_the_store_reads_what_a_newer_replica_appended(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EventStore(pool)
    stream = f"work_order-{ADDED.repair_order_id}"
    # Two: the log decodes the first of a type through `decode`, the next with its validator directly.
    await store.append(stream, 0, [NewEvent(ADDED, META), NewEvent(ADDED, META)])
    # What a newer replica of the same service appends to the same store.
    await pool.execute(
        """UPDATE events SET data = jsonb_set(data || '{"courtesy_car": "loaner"}', '{jobs,0,bay}', '"B3"')
           WHERE stream_id = $1""",
        stream,
    )
    await log_settled(pool)
    [row, _] = await store.read_log_stored()
    assert json.loads(row.data) == newer(ADDED)
    assert [e.event for e in await store.read_stream(stream)] == [ADDED, ADDED]
    assert store.decode(row).event == ADDED
    assert store.decode(row, Views([Added])).event == Added(ADDED.repair_order_id, (JOB,))

    def careful_path(*_: object) -> None:
        raise AssertionError("the log fell back to decoding row by row")

    # In one pass: the log's fast path falls back to the careful one on any row it cannot read.
    monkeypatch.setattr(store, "_envelope", careful_path)
    assert [e.event for e in await store.read_log()] == [ADDED, ADDED]


def test_a_writer_still_refuses_a_field_its_contract_does_not_have() -> None:
    fields = ADDED.model_dump()
    with pytest.raises(pydantic.ValidationError, match="courtesy_car"):
        workshop.JobsAdded(**{**fields, "courtesy_car": "loaner"})
    with pytest.raises(pydantic.ValidationError, match=r"jobs\.0\.bay"):
        workshop.JobsAdded(**{**fields, "jobs": [{**JOB.model_dump(), "bay": "B3"}]})
    with pytest.raises(pydantic.ValidationError, match="bay"):
        Job(**{**JOB.model_dump(), "bay": "B3"})
    with pytest.raises(pydantic.ValidationError, match="courtesy_car"):
        workshop.JobsAdded.model_validate_json(NEWER)
