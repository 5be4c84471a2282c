"""Views: a reader decodes the fields of a contract it reads, from the log and from Kafka alike."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
from kafka_helpers import running

from events.catalog.testing import CounterIncremented, CounterOpened
from events.contract import Event
from events.envelope import Envelope, Metadata, NewEvent, StoredEvent, Tenant
from events.errors import InvalidEventPayload
from events.kafka import RecordDecoder, to_record
from events.projection import KafkaProjector, LogProjector
from events.relay import Relay
from events.rows import Key, RowProjection, Rows, Table
from events.store import EventStore
from events.testing import eventually, kafka_for_tests, log_settled
from events.views import View, Views, view, view_of

META = Metadata(tenant=Tenant("group-a", "site-1"), actor="tester", correlation_id="c-1")


@view(of=CounterIncremented)
class Increment(View):
    counter_id: str
    amount: int


def test_a_view_decodes_its_fields_of_the_contract_and_ignores_the_rest() -> None:
    raw = CounterIncremented(counter_id="c1", amount=3, reason="service").model_dump_json()
    decoded = Views([Increment]).decode("sample.CounterIncremented", 2, raw)
    assert decoded == Increment(counter_id="c1", amount=3)
    assert decoded.event_type == "sample.CounterIncremented"
    with pytest.raises(dataclasses.FrozenInstanceError):
        decoded.amount = 4  # type: ignore[misc]


@view()
class OnCounter(View):
    counter_id: str


Opened = view_of(CounterOpened, like=OnCounter)


def test_a_view_with_just_the_fields_of_another_is_one_line() -> None:
    decoded = Views([Opened]).decode(
        "sample.CounterOpened", 1, CounterOpened(counter_id="c1", label="bay").model_dump_json()
    )
    assert decoded == Opened(counter_id="c1")
    assert isinstance(decoded, OnCounter)
    assert (type(decoded).__name__, decoded.event_type) == ("CounterOpened", "sample.CounterOpened")


def test_an_old_version_is_upcast_and_validated_whole_then_narrowed() -> None:
    views = Views([Increment])
    assert views.decode("sample.CounterIncremented", 1, '{"counter_id": "c1", "amount": 3}') == Increment("c1", 3)
    with pytest.raises(InvalidEventPayload, match="amount"):
        views.decode("sample.CounterIncremented", 1, '{"counter_id": "c1", "amount": "three"}')


def test_a_payload_its_fields_do_not_fit_is_invalid_and_names_them() -> None:
    with pytest.raises(InvalidEventPayload, match="amount"):
        Views([Increment]).decode("sample.CounterIncremented", 2, '{"counter_id": "c1", "reason": "x"}')


def test_a_view_is_checked_against_its_contract_when_declared() -> None:
    with pytest.raises(TypeError, match="has no field 'colour'"):

        @view(of=CounterOpened)
        class Colour(View):
            colour: str

    with pytest.raises(TypeError, match="amount is <class 'str'>"):

        @view(of=CounterIncremented)
        class Wrong(View):
            amount: str

    @view(of=CounterIncremented)
    class Again(View):
        amount: int

    with pytest.raises(ValueError, match=r"two views of sample\.CounterIncremented"):
        Views([Increment, Again])


def test_a_record_decoder_gives_views_for_their_types_and_contracts_for_the_others() -> None:
    events = [CounterOpened(counter_id="c1", label="bay"), CounterIncremented(counter_id="c1", amount=2, reason="r")]
    records = [to_record(_stored(event, version))[1:] for version, event in enumerate(events, 1)]
    page = RecordDecoder(views=Views([Increment])).page(records, {"sample.CounterOpened", "sample.CounterIncremented"})
    assert [e.event for e in page] == [events[0], Increment("c1", 2)]
    assert [e.stream_version for e in page] == [1, 2]


def _stored(event: Event, version: int) -> StoredEvent:
    now = datetime.now(UTC)
    return StoredEvent(
        0, 0, "counter-1", version, uuid4(), event.event_type, type(event).schema_version, event.model_dump_json(),
        "group-a", "site-1", "tester", "c-1", None, None, None, now, now,
    )  # fmt: skip


# --- a projection that reads a view, fed from the log and from Kafka ---------------------------

TOTALS = Table("view_totals", ("counter_id",), ("counter_id", "total"), {"total": 0})


class ViewTotals(RowProjection):
    name = "view_totals"
    views = (Increment,)  # handled, without naming it in `handles` too
    models = (TOTALS,)

    def reads(self, envelope: Envelope[Any]) -> Iterable[tuple[Table, Key]]:
        return ((TOTALS, envelope.event.counter_id),)

    def fold(self, rows: Rows, envelope: Envelope[Any]) -> None:
        event = envelope.event
        assert isinstance(event, Increment), f"a view, not {type(event).__name__}"
        total = rows.get(TOTALS, event.counter_id) or TOTALS.new(counter_id=event.counter_id)
        rows.put(TOTALS, total | {"total": total["total"] + event.amount})


async def _seed(store: EventStore) -> dict[str, int]:
    expected: dict[str, int] = {}
    for c in range(3):
        stream = f"counter-{c}"
        events = [NewEvent(CounterOpened(counter_id=f"c{c}", label="bay"), META)]
        events += [NewEvent(CounterIncremented(counter_id=f"c{c}", amount=i, reason="r"), META) for i in range(1, 6)]
        await store.append(stream, 0, events)
        expected[f"c{c}"] = 15
    await log_settled(store.pool)
    return expected


async def _totals(pool: asyncpg.Pool) -> dict[str, int]:
    return {r["counter_id"]: r["total"] for r in await pool.fetch("TABLE view_totals")}


async def test_a_projection_reads_its_views_from_the_log_and_from_kafka(
    pool: asyncpg.Pool, bootstrap_servers: str, topic_prefix: str
) -> None:
    assert ViewTotals.handles == {"sample.CounterIncremented"}  # its views' types
    await pool.execute("CREATE TABLE view_totals (counter_id text PRIMARY KEY, total bigint NOT NULL DEFAULT 0)")
    store = EventStore(pool)
    expected = await _seed(store)
    assert await LogProjector(store, ViewTotals()).rebuild() == 18
    assert await _totals(pool) == expected

    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.", partitions=2)
    relay = Relay(store, kafka)
    async with running(relay.run):
        await eventually(relay.backlog, until=lambda n: n == 0, what="published")
    projector = KafkaProjector(pool, ViewTotals(), kafka, [kafka.topic("sample")])
    await projector.rebuild()
    async with running(projector.run):
        await eventually(lambda: _totals(pool), until=lambda t: t == expected, what="projected from Kafka")
