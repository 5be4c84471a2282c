"""One request, one connected trace: the gateway, the service that took the command, the relay's
publish to Kafka and the projection that put it on the advisor board — exported over OTLP by
each process, as `make run` does with the standard `OTEL_EXPORTER_OTLP_ENDPOINT`."""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from dealership import CAPACITY, book, login, running
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from events.local.ports import free_port
from events.testing import eventually
from events.testing.system import RunningSystem

GROUP = "group-trace"


@dataclass(frozen=True)
class Span:
    service: str
    name: str
    trace_id: str
    span_id: str
    parent_id: str
    attributes: dict[str, str]


class Collector:
    """The OTLP/HTTP traces endpoint of a collector, keeping what it receives in memory."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self.port = free_port()
        collector = self

        class Receive(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                request = ExportTraceServiceRequest()
                request.ParseFromString(self.rfile.read(int(self.headers["Content-Length"])))
                collector.spans.extend(_spans(request))
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.end_headers()

            def log_message(self, *args: object) -> None:  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Receive)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def trace(self, trace_id: str) -> list[Span]:
        return [s for s in list(self.spans) if s.trace_id == trace_id]


def _spans(request: ExportTraceServiceRequest) -> Iterator[Span]:
    for resource_spans in request.resource_spans:
        attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                yield Span(
                    attributes.get("service.name", "?"),
                    span.name,
                    span.trace_id.hex(),
                    span.span_id.hex(),
                    span.parent_span_id.hex(),
                    {a.key: a.value.string_value for a in span.attributes},
                )


@pytest.fixture(scope="module")
def collector() -> Iterator[Collector]:
    found = Collector()
    yield found
    found.server.shutdown()


@pytest.fixture(scope="module")
def system(collector: Collector) -> Iterator[RunningSystem]:
    exporting = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{collector.port}",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_BSP_SCHEDULE_DELAY": "100",  # export within a tenth of a second, not five
    }
    with running(["booking", "reception"], extra_env=exporting) as started:
        yield started


async def test_a_booking_is_one_trace_from_the_gateway_to_the_advisor_board(
    gateway: httpx.AsyncClient, collector: Collector
) -> None:
    site = str(uuid.uuid4())
    dispatcher = await login(gateway, GROUP, site, "dispatcher")
    await dispatcher.ok("PUT", "capacity", CAPACITY)

    # The front end starts the trace, as a traced browser or client system would.
    trace_id, root = secrets.token_hex(16), secrets.token_hex(8)
    advisor = await login(gateway, GROUP, site, "advisor", "advisor-li")
    traced = type(advisor)(gateway, site, {**advisor.headers, "traceparent": f"00-{trace_id}-{root}-01"})
    appointment = await book(traced)
    await advisor.until(
        "advisor-board?day=" + appointment["slot_start"][:10],
        lambda b: any(a["appointment_id"] == appointment["appointment_id"] for a in b["appointments"]),
        "the appointment on the board",
    )

    def orphans(spans: list[Span]) -> list[tuple[str, str]]:
        """Spans whose parent is neither the front end's span nor a span of this trace (yet)."""
        ids = {s.span_id for s in spans} | {root}
        return [(s.service, s.name) for s in spans if s.parent_id not in ids]

    def complete(spans: list[Span]) -> bool:
        # Each process exports in its own batches: wait for the board's span and every parent.
        board = any(
            s.name == "handle booking.AppointmentBooked"
            and s.attributes.get("messaging.consumer.group.name", "").startswith("reception.advisor_board")
            for s in spans
        )
        return board and not orphans(spans)

    spans = await eventually(
        lambda: _now(collector.trace(trace_id)), until=complete, what="one connected trace", timeout=30
    )
    services = {s.service for s in spans}
    assert {"gateway", "booking", "reception"} <= services, sorted(services)
    names = {(s.service, s.name) for s in spans}
    assert any(service == "gateway" and "POST" in name for service, name in names), sorted(names)
    assert any(service == "booking" and "POST" in name for service, name in names), sorted(names)
    assert any(service == "booking" and name == "publish booking.AppointmentBooked" for service, name in names)
    assert orphans(spans) == []


async def _now(spans: list[Span]) -> list[Span]:
    return spans
