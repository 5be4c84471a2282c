"""The gateway's Prometheus metrics at `/metrics`: every forwarded request's latency, by the
service and resource it went to and the answer's status (one histogram, the same name and
labels as the services' own, so one dashboard panel shows both sides); and the integration
surface: webhook deliveries by outcome, events taken into the feed, and the delivery lag."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING, Any

import asyncpg
from fastapi import Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from events.metrics import LATENCY_BUCKETS
from gateway.pages import PAGES
from gateway.routing import API_PREFIX

if TYPE_CHECKING:
    from gateway.integration.feed import FeedIngest
    from gateway.integration.runtime import Integration

_SITE_PREFIX = f"{API_PREFIX}/sites/"

# Every delivery this process makes (its worker's and the redeliveries asked for), whichever app
# serves the figures: the one counter is registered in each app's registry.
WEBHOOK_DELIVERIES = Counter(
    "dealerflow_webhook_deliveries",
    "Webhook POSTs by outcome: delivered (2xx), rejected (another answer), gone (410: disabled), "
    "unreachable (no answer: refused address, connection, timeout)",
    ["service", "outcome"],
    registry=None,
)


def count_delivery(status_code: int | None) -> None:
    """One webhook POST done, with the status it was answered (None: no answer)."""
    if status_code is None:
        outcome = "unreachable"
    elif 200 <= status_code < 300:
        outcome = "delivered"
    else:
        outcome = "gone" if status_code == 410 else "rejected"
    WEBHOOK_DELIVERIES.labels("gateway", outcome).inc()


def route_of(path: str) -> str:
    """`/api/v1/sites/<id>/work-orders/<id>/…` → `/api/v1/sites/{site_id}/work-orders`: the
    resource, never an id (an id would make a time series each)."""
    if path.startswith(_SITE_PREFIX):
        parts = path[len(_SITE_PREFIX) :].split("/")
        return f"{_SITE_PREFIX}{{site_id}}/{parts[1]}" if len(parts) > 1 else f"{_SITE_PREFIX}{{site_id}}"
    named = path in PAGES or path in ("/auth/dev-token", "/openapi.json", f"{API_PREFIX}/me")
    return path if named else "other"


class FeedIngested(Collector):
    """Events the integration feed's consumer group took in since this process started it (kept
    as a plain count by `FeedIngest`)."""

    def __init__(self) -> None:
        self.ingest: FeedIngest | None = None

    def describe(self) -> Iterator[CounterMetricFamily]:
        return iter([self._family()])

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = self._family()
        if self.ingest is not None:
            family.add_metric(["gateway"], self.ingest.ingested)
        return iter([family])

    @staticmethod
    def _family() -> CounterMetricFamily:
        return CounterMetricFamily(
            "dealerflow_feed_events_ingested", "Events taken into the integration feed", labels=["service"]
        )


async def delivery_lag(pool: asyncpg.Pool) -> float:
    """Seconds since the gateway received the oldest feed event an active subscription has not
    yet been sent (or passed over as not wanted); 0 when none waits."""
    seconds = await pool.fetchval(
        """SELECT extract(epoch FROM now() - min(waiting.received_at))::float8
           FROM webhook_subscriptions s
           CROSS JOIN LATERAL (SELECT f.received_at FROM integration_feed f
                               WHERE f.group_id = s.group_id AND f.position > s.checkpoint
                               ORDER BY f.position LIMIT 1) AS waiting
           WHERE s.status = 'active' AND s.deleted_at IS NULL"""
    )
    return max(float(seconds or 0.0), 0.0)


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.latency = Histogram(
            "dealerflow_http_request_seconds",
            "Time to answer an HTTP request (a command or a query), by route and status",
            ["service", "method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(WEBHOOK_DELIVERIES)
        self.feed = FeedIngested()
        self.registry.register(self.feed)
        self.lag = Gauge(
            "dealerflow_webhook_delivery_lag_seconds",
            "Age of the oldest feed event an active webhook subscription still waits for",
            ["service"],
            registry=self.registry,
        )

    def observe(self, scope: MutableMapping[str, Any], status: int, seconds: float) -> None:
        """For `events.metrics.TimedRequests`."""
        path = scope["path"]
        if not path.startswith(("/metrics", "/health")):
            self.latency.labels("gateway", scope["method"], route_of(path), str(status)).observe(seconds)

    async def render(self, request: Request) -> Response:
        # The integration surface runs only with a database (DATABASE_URL): without, no figures.
        integration: Integration | None = getattr(request.app.state, "integration", None)
        if integration is not None and integration.ingest is not None:
            self.feed.ingest = integration.ingest
            self.lag.labels("gateway").set(await delivery_lag(integration.pool))
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
