"""OpenTelemetry: one trace from the user's request through the service, the database, the
relay, Kafka and every consumer it triggers.

The W3C trace context rides in the event's metadata (stored with the event) and in the Kafka
record's `ce_traceparent` header; the relay's publish span and a consumer's handling span are
children of the request that caused the event. Export is OTLP over HTTP when the standard
`OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` variable is set (sampled
as `OTEL_TRACES_SAMPLER` says: every trace by default). With no exporter and no in-process
processor, spans are not recorded at all: nobody would read them, and recording them (a span per
query, per request, per handled event) costs CPU under load (bench/results/design-notes.md). The trace
context still flows, unsampled: trace ids in the logs and in every event's `traceparent`.
"""

from __future__ import annotations

import os
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

tracer = trace.get_tracer("dealerflow.events")

_instrumented = False


def configure_tracing(service_name: str, *processors: SpanProcessor) -> TracerProvider:
    """Install the global tracer provider for this process and instrument asyncpg and httpx.

    `processors` are added as given (tests pass a `SimpleSpanProcessor(InMemorySpanExporter())`).
    """
    global _instrumented
    exporting = bool(
        os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )
    provider = TracerProvider(
        resource=Resource.create({"service.name": service_name}),
        sampler=None if exporting or processors else ALWAYS_OFF,  # None: OTEL_TRACES_SAMPLER's, or every trace
    )
    if exporting:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    for processor in processors:
        provider.add_span_processor(processor)
    trace.set_tracer_provider(provider)
    if not _instrumented:
        from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        AsyncPGInstrumentor().instrument()  # type: ignore[no-untyped-call]
        HTTPXClientInstrumentor().instrument()
        _instrumented = True
    return provider


def uninstrument_clients() -> None:
    """Undo `configure_tracing`'s instrumentation of asyncpg and httpx. A test module that traced
    this process's clients calls it when done: an httpx client instrumented by another module
    would replace the `traceparent` a later test sends with one of its own spans."""
    global _instrumented
    if _instrumented:
        from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        AsyncPGInstrumentor().uninstrument()  # type: ignore[no-untyped-call]
        HTTPXClientInstrumentor().uninstrument()
        _instrumented = False


def instrument_app(app: Any) -> None:
    """Server spans for every request of a FastAPI app (joining an incoming `traceparent`)."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    # One server span per request: not the ASGI receive/send spans too (two more per request, a
    # third of the gateway's CPU for a small request, and nothing an operator reads).
    FastAPIInstrumentor.instrument_app(app, exclude_spans=["receive", "send"])


def current_trace_headers() -> tuple[str | None, str | None]:
    """(traceparent, tracestate) of the active span, to store with the events it causes."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent"), carrier.get("tracestate")


def context_from(traceparent: str | None, tracestate: str | None = None) -> otel_context.Context:
    """The trace context a stored or received event carries (empty if none)."""
    carrier = {"traceparent": traceparent} if traceparent else {}
    if tracestate:
        carrier["tracestate"] = tracestate
    return propagate.extract(carrier)
