"""One trace from an HTTP request through the append, the relay, Kafka and a consumer."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from kafka_helpers import EFFECTS_TABLE, record_effect, running
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from events.catalog.testing import CounterIncremented, CounterOpened
from events.commands import execute
from events.consumer import Consumer
from events.contract import Event
from events.decider import Decider
from events.envelope import Metadata, Tenant
from events.relay import Relay
from events.store import EventStore
from events.testing import eventually, kafka_for_tests
from events.tracing import configure_tracing, current_trace_headers, instrument_app, uninstrument_clients


@dataclass(frozen=True)
class Increment:
    counter_id: str
    amount: int


def _counter_decide(state: int, command: Increment) -> Sequence[Event]:
    opened = [CounterOpened(counter_id=command.counter_id, label="new")] if state == 0 else []
    return [
        *opened,
        CounterIncremented(counter_id=command.counter_id, amount=command.amount, reason="api"),
    ]


def _counter_evolve(state: int, event: Event) -> int:
    return state + 1


COUNTER = Decider(0, _counter_decide, _counter_evolve)


@pytest.fixture(scope="module")
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    configure_tracing("tracing-test", SimpleSpanProcessor(exporter))
    yield exporter
    uninstrument_clients()  # the next module's httpx clients send the trace context they are given


def counter_app(store: EventStore) -> FastAPI:
    app = FastAPI()

    @app.post("/counters/{counter_id}/increments")
    async def increment(counter_id: str, amount: int) -> dict[str, Any]:
        traceparent, tracestate = current_trace_headers()
        metadata = Metadata(Tenant("group-a", "site-1"), "advisor-7", str(uuid.uuid4()), None, traceparent, tracestate)
        outcome = await execute(store, COUNTER, f"counter-{counter_id}", Increment(counter_id, amount), metadata)
        return {"version": outcome.version}

    instrument_app(app)
    return app


async def test_one_trace_runs_from_the_request_to_the_consumer(
    spans: InMemorySpanExporter, pool: asyncpg.Pool, bootstrap_servers: str, topic_prefix: str
) -> None:
    await pool.execute(EFFECTS_TABLE)
    store = EventStore(pool)
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.", partitions=1)
    handles = {"sample.CounterOpened", "sample.CounterIncremented"}
    consumer = Consumer("trace-watch", [kafka.topic("sample")], handles, record_effect, pool, kafka)
    spans.clear()

    transport = httpx.ASGITransport(app=counter_app(store))
    async with httpx.AsyncClient(transport=transport, base_url="http://dms.test") as client:
        response = await client.post("/counters/c1/increments", params={"amount": 2})
    assert response.status_code == 200, response.text

    async with running(Relay(store, kafka).run, consumer.run):
        await eventually(lambda: _count(pool), until=lambda n: n == 2, what="both events handled")
        handled = await eventually(
            lambda: _finished(spans, "handle sample.CounterIncremented"), what="consumer span ended"
        )

    server = _one(spans.get_finished_spans(), lambda s: s.kind == trace.SpanKind.SERVER)
    trace_id = server.context.trace_id
    in_trace = [s for s in spans.get_finished_spans() if s.context.trace_id == trace_id]
    names = {s.name for s in in_trace}
    assert any(s.attributes and "INSERT INTO events" in str(s.attributes.get("db.statement", "")) for s in in_trace)
    assert {"publish sample.CounterIncremented", "handle sample.CounterIncremented"} <= names
    publish = _one(in_trace, lambda s: s.name == "publish sample.CounterIncremented")
    assert handled[0].parent is not None
    assert handled[0].parent.span_id == publish.context.span_id
    assert handled[0].context.trace_id == trace_id


async def _count(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM effects"))


async def _finished(exporter: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.name == name]


def _one(spans: Sequence[ReadableSpan], predicate: Any) -> ReadableSpan:
    found = [s for s in spans if predicate(s)]
    assert len(found) == 1, [s.name for s in found]
    return found[0]
