"""Prometheus metrics of a service, at `GET /metrics`: HTTP request (command) latency, outbox
backlog, consumer partitions and lag, dead letters, projection lag and pending timers; and the
counters: commands by route, outcome and refusal code, events appended and published, events
handled, retried and dead-lettered per consumer.

The state-like figures are read when Prometheus scrapes (the same figures `/health/ready`
shows), into a registry of the app's own, so several apps in one process (tests) never share
a metric. The backbone's counts are plain integers kept by the store, the relay and the
consumers (nothing on their paths but an addition), turned into counters at the scrape.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from typing import Any, Protocol

import asyncpg
from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from events.appended import AppendedEvents
from events.clock import Clock
from events.consumer import Consumer
from events.http import ERROR_CODE_KEY
from events.relay import Relay


class Monitored(Protocol):
    """What the metrics read of a running service (`events.runtime.ServiceRuntime`)."""

    @property
    def name(self) -> str: ...

    @property
    def relay(self) -> Relay | None: ...  # None until started

    @property
    def consumers(self) -> Sequence[Consumer]: ...

    @property
    def pool(self) -> asyncpg.Pool: ...

    @property
    def clock(self) -> Clock: ...

    async def readiness(self) -> dict[str, Any]: ...


LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


# What a timed request is reported with: its ASGI scope (after routing), status and seconds.
Observe = Callable[[MutableMapping[str, Any], int, float], None]


class TimedRequests:
    """ASGI middleware that times every HTTP request and hands it to `observe`. A plain ASGI
    middleware: Starlette's `BaseHTTPMiddleware` (`@app.middleware("http")`) runs each request in
    a task group with a streamed response, about a quarter of a small request's CPU."""

    def __init__(self, app: ASGIApp, observe: Observe) -> None:
        self.app = app
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            self.observe(scope, status, time.perf_counter() - started)


def _route_of(scope: MutableMapping[str, Any]) -> str:
    """The matched route's path template (`/sites/{site_id}/work-orders/{repair_order_id}`),
    set in the scope by the router, so ids do not make a time series each."""
    return str(getattr(scope.get("route"), "path", "unmatched"))


_QUERIES = frozenset({"GET", "HEAD", "OPTIONS"})


def command_outcome(status: int, code: str) -> str:
    """What became of a command, from its answer (events.http maps errors to statuses)."""
    if status < 400:
        return "accepted"
    if status == 409:
        return "conflict" if code == "concurrency_conflict" else "refused"
    if status == 404:
        return "not_found"
    if status in (401, 403):
        return "denied"
    return "failed" if status >= 500 else "invalid"


class BackboneCounts(Collector):
    """Events appended and published, and each consumer's events handled, retried and
    dead-lettered since this process started the service."""

    def __init__(self, runtime: Monitored) -> None:
        self.runtime = runtime

    def describe(self) -> Iterator[CounterMetricFamily]:
        return iter(self._families())

    def collect(self) -> Iterator[CounterMetricFamily]:
        appended, published, handled, retried, dead_lettered = families = self._families()
        relay, service = self.runtime.relay, self.runtime.name
        if relay is not None:  # started
            appended.add_metric([service], AppendedEvents.of(relay.store.pool).count)
            published.add_metric([service], relay.published)
            for consumer in self.runtime.consumers:
                handled.add_metric([service, consumer.name], consumer.handled)
                retried.add_metric([service, consumer.name], consumer.retried)
                dead_lettered.add_metric([service, consumer.name], consumer.dead_lettered)
        return iter(families)

    @staticmethod
    def _families() -> list[CounterMetricFamily]:
        per_consumer = ["service", "consumer"]
        return [
            CounterMetricFamily("dealerflow_events_appended", "Events appended to the event log", labels=["service"]),
            CounterMetricFamily(
                "dealerflow_events_published", "Events the relay published to Kafka", labels=["service"]
            ),
            CounterMetricFamily("dealerflow_events_handled", "Events a consumer handled", labels=per_consumer),
            CounterMetricFamily(
                "dealerflow_events_retried",
                "A consumer's failed attempts that were tried again (not a stream's contention)",
                labels=per_consumer,
            ),
            CounterMetricFamily(
                "dealerflow_events_dead_lettered", "Events a consumer gave up on (dead letters)", labels=per_consumer
            ),
        ]


def install_metrics(app: FastAPI, runtime: Monitored) -> None:
    registry = CollectorRegistry(auto_describe=True)
    registry.register(BackboneCounts(runtime))
    service = runtime.name
    latency = Histogram(
        "dealerflow_http_request_seconds",
        "Time to answer an HTTP request (a command or a query), by route and status",
        ["service", "method", "route", "status"],
        buckets=LATENCY_BUCKETS,
        registry=registry,
    )
    backlog = Gauge("dealerflow_outbox_backlog", "Committed events not yet published", ["service"], registry=registry)
    partitions = Gauge(
        "dealerflow_consumer_partitions", "Partitions this replica owns", ["service", "consumer"], registry=registry
    )
    consumer_lag = Gauge(
        "dealerflow_consumer_lag",
        "Records not yet handled on owned partitions",
        ["service", "consumer"],
        registry=registry,
    )
    dead = Gauge("dealerflow_dead_letters", "Dead letters not re-driven", ["service"], registry=registry)
    projection_seconds = Gauge(
        "dealerflow_projection_lag_seconds",
        "Age of the oldest event a projection has not applied",
        ["service", "projection"],
        registry=registry,
    )
    projection_events = Gauge(
        "dealerflow_projection_events_behind",
        "Events a projection has not applied",
        ["service", "projection"],
        registry=registry,
    )
    commands = Counter(
        "dealerflow_commands",
        "Commands (non-GET requests) by route and outcome: accepted, refused (a business rule's code), "
        "conflict, invalid, not_found, denied, failed",
        ["service", "route", "outcome", "code"],
        registry=registry,
    )
    timers_due = Gauge(
        "dealerflow_timers_overdue",
        "Timers (SLA clocks) past their due time and not fired",
        ["service"],
        registry=registry,
    )

    def observe(scope: MutableMapping[str, Any], status: int, seconds: float) -> None:
        route = _route_of(scope)
        if route.startswith(("/metrics", "/health")):
            return
        latency.labels(service, scope["method"], route, str(status)).observe(seconds)
        if scope["method"] not in _QUERIES:
            code = str(scope.get(ERROR_CODE_KEY, ""))
            commands.labels(service, route, command_outcome(status, code), code).inc()

    app.add_middleware(TimedRequests, observe=observe)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        ready = await runtime.readiness()
        backlog.labels(service).set(ready["outbox_backlog"])
        dead.labels(service).set(ready["dead_letters"])
        for consumer in runtime.consumers:
            partitions.labels(service, consumer.name).set(len(consumer.assigned))
            consumer_lag.labels(service, consumer.name).set(await consumer.lag())
        for name, lag in ready["projections"].items():
            projection_seconds.labels(service, name).set(lag["seconds_behind"])
            if lag["events_behind"] is not None:  # a Kafka-fed projection cannot see the publisher's head
                projection_events.labels(service, name).set(lag["events_behind"])
        overdue = await runtime.pool.fetchval(
            "SELECT count(*) FROM timers WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at < $1",
            runtime.clock.now(),
        )
        timers_due.labels(service).set(overdue)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
