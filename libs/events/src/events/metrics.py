"""Prometheus metrics of a service, at `GET /metrics`: HTTP request (command) latency, outbox
backlog, consumer partitions and lag, dead letters, projection lag and pending timers.

The state-like figures are read when Prometheus scrapes (the same figures `/health/ready`
shows), into a registry of the app's own, so several apps in one process (tests) never share
a metric.
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from events.runtime import ServiceRuntime

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


def install_metrics(app: FastAPI, runtime: ServiceRuntime) -> None:
    registry = CollectorRegistry(auto_describe=True)
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
    timers_due = Gauge(
        "dealerflow_timers_overdue",
        "Timers (SLA clocks) past their due time and not fired",
        ["service"],
        registry=registry,
    )

    def observe(scope: MutableMapping[str, Any], status: int, seconds: float) -> None:
        route = _route_of(scope)
        if not route.startswith(("/metrics", "/health")):
            latency.labels(service, scope["method"], route, str(status)).observe(seconds)

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
