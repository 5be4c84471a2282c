"""The billing service over HTTP on a real PostgreSQL and broker, with reception stood in.

`FakeReception` is a pure-unit seam: it replaces only the `Peers` client billing reads the repair
order through (`GET /sites/{s}/repair-orders/{id}` as reception answers it), so these tests drive
billing's own rules against repair orders they write; the real call, with reception running, is
tests/test_e2e_billing.py. It applies reception's own tenancy: an RO of another site is a 404.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from billing.app import create_app
from events.clock import ManualClock
from events.errors import NotFound
from events.identity import CASHIER, SERVICE_MANAGER, Identity
from events.kafka import KafkaSettings
from events.peers import Peers
from events.testing.identity import identity_headers

GROUP, OTHER_GROUP = str(uuid.uuid4()), str(uuid.uuid4())
SITE, OTHER_SITE = str(uuid.uuid4()), str(uuid.uuid4())
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def as_(role: str, user: str | None = None, group: str = GROUP, sites: tuple[str, ...] = (SITE,)) -> dict[str, str]:
    identity = Identity(user or f"{role}-1", "Zhang Min", group, frozenset({role}), frozenset(sites))
    return identity_headers(identity)


CASH = as_(CASHIER)
SM = as_(SERVICE_MANAGER)


@dataclass
class FakeReception(Peers):
    """Reception's repair orders by (site, id); any other call is a test's mistake."""

    orders: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    calls: int = 0

    def __post_init__(self) -> None:
        super().__init__(httpx.AsyncClient())

    async def get(self, service: str, path: str, identity: Identity, params: dict[str, str] | None = None) -> Any:
        assert service == "reception", service
        _, site, resource, ro = path.strip("/").split("/")
        assert resource == "repair-orders", path
        self.calls += 1
        order = self.orders.get((site, ro))
        if order is None or not identity.can_see(identity.group_id, site):
            raise NotFound(f"reception: repair order {ro} does not exist")
        return order

    def put(self, order: dict[str, Any], site: str = SITE) -> str:
        self.orders[(site, order["repair_order_id"])] = order
        return str(order["repair_order_id"])


@dataclass
class Service:
    http: httpx.AsyncClient
    clock: ManualClock
    app: Any
    reception: FakeReception

    async def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] = CASH, status: int | None = None,
        site: str = SITE, **extra: Any
    ) -> Any:  # fmt: skip
        response = await self.http.request(method, f"/sites/{site}{path}", json=body, headers=headers, **extra)
        if status is not None:
            assert response.status_code == status, response.text
        else:
            assert response.status_code in (200, 201), response.text
        return response.json()

    async def issue(self, order: dict[str, Any], site: str = SITE, series: str = "service", **extra: Any) -> Any:
        ro = self.reception.put(order, site)
        return await self.call("POST", "/invoices", {"repair_order_id": ro, "series": series}, site=site, **extra)

    async def recorded(self, stream: str) -> list[str]:
        history = await self.app.state.runtime.store.read_stream(stream)
        return [e.event.event_type for e in history]

    async def events(self, stream: str) -> list[Any]:
        return [e.event for e in await self.app.state.runtime.store.read_stream(stream)]


@asynccontextmanager
async def running(database: str, kafka: KafkaSettings, clock: ManualClock) -> AsyncIterator[Service]:
    reception = FakeReception()
    app = create_app(clock=clock, database_url=database, kafka=kafka, peers=reception)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://b") as http:
        yield Service(http, clock, app, reception)
