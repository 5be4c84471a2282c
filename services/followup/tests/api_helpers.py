"""The followup service as the API tests drive it: started on a real database and broker with a
manual clock (and restarted on the same database), the other services stood in for by a
`Publisher`, and the lifecycle events they would publish."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from events.catalog.reception import InvoiceSettled, VehicleCheckedIn, VehicleDelivered
from events.catalog.reception_values import (
    Contact,
    HealthRecordItem,
    MaintenanceRecord,
    PayTypeTotal,
    VehicleIdentity,
)
from events.clock import ManualClock
from events.contract import Event
from events.envelope import Metadata, Tenant
from events.identity import CS_AGENT, SERVICE_MANAGER, Identity
from events.kafka import KafkaSettings
from events.testing import consumers_assigned, eventually
from events.testing.identity import identity_headers
from events.testing.publishing import Publisher
from followup.app import create_app
from followup.domain.ids import callback_id_for

GROUP_A, GROUP_B = str(uuid.uuid4()), str(uuid.uuid4())
SITE, OTHER_SITE = str(uuid.uuid4()), str(uuid.uuid4())
START = datetime.now(UTC).replace(microsecond=0)
HOME = Tenant(GROUP_A, SITE)
CAR = VehicleIdentity(vin="LFV2A21K8G3000001", plate="京A12345", model="Sagitar")


def as_(role: str, user: str | None = None, group: str = GROUP_A, site: str = SITE) -> dict[str, str]:
    identity = Identity(user or f"{role}-1", "Li Na", group, frozenset({role}), frozenset({site}))
    return identity_headers(identity)


AGENT = as_(CS_AGENT, "cs-1")
MANAGER = as_(SERVICE_MANAGER, "sm-1")
REACHED_UNHAPPY = {
    "problem_fixed": False,
    "satisfaction_score": 2,
    "read_back_confirmed": True,
    "dissatisfaction": ["price", "time"],
    "customer_words": "刹车还是有异响,而且太贵了",
    "unanswered_question": "保修期还剩多久?",
}


def customer() -> Contact:
    return Contact(name="王先生", phone="13800000001", customer_id=uuid.uuid4())


def checked_in(ro: uuid.UUID, user: Contact, arrived_at: datetime, greeted_after: timedelta) -> VehicleCheckedIn:
    """A walk-in greeted `greeted_after` its arrival."""
    return VehicleCheckedIn(
        repair_order_id=ro,
        arrival_kind="walk_in",
        priority="normal",
        customer=user,
        vehicle=CAR,
        vehicle_user=user,
        service_advisor="sa-1",
        arrived_at=arrived_at,
        greeted_at=arrived_at + greeted_after,
        customer_waiting=True,
        contact_phone=user.phone,
    )


def delivered(ro: uuid.UUID, user: Contact, at: datetime = START, on_time: bool = True) -> VehicleDelivered:
    return VehicleDelivered(
        repair_order_id=ro,
        vehicle=CAR,
        customer=user,
        vehicle_user=user,
        mileage_km=12000,
        promised_at=at,
        original_promised_at=at,
        on_time=on_time,
        work_explained=True,
        old_parts_shown=True,
        old_parts_returned=False,
        next_service_due_date=(at + timedelta(days=180)).date(),
        next_service_due_km=17000,
        delivered_at=at,
    )


def settled(ro: uuid.UUID, at: datetime = START) -> InvoiceSettled:
    day: date = at.date()
    return InvoiceSettled(
        repair_order_id=ro,
        invoice_number="INV-0001",
        payment_method="card",
        currency="CNY",
        totals=(PayTypeTotal(pay_type="CUSTOMER_PAY", labour=8000, parts=20300, total=28300),),
        labour_total=8000,
        parts_total=20300,
        total=28300,
        customer_pay_total=28300,
        health_record=MaintenanceRecord(
            plate=CAR.plate,
            vin=CAR.vin,
            repair_date=day,
            mileage_km=12000,
            fault_description="maintenance",
            settlement_date=day,
            settlement_number="INV-0001",
            items=(HealthRecordItem(labour_operation="OIL", description="更换机油", labour_minutes=30),),
            parts=(),
        ),
        settled_at=at,
    )


@dataclass
class Followup:
    http: httpx.AsyncClient
    clock: ManualClock
    publisher: Publisher
    app: Any

    @property
    def pool(self) -> Any:
        return self.app.state.runtime.pool

    async def publish(self, stream: str, *events: Event, tenant: Tenant = HOME) -> None:
        """Publish another service's events through the broker, as that service would."""
        meta = Metadata(tenant, "advisor-1", str(uuid.uuid4()))
        await self.publisher.publish(meta, *((stream, e) for e in events))

    async def deliver(self, ro: uuid.UUID, user: Contact, *later: Event) -> str:
        """Reception delivers the car; return the first callback's id once it is open."""
        await self.publish(f"repair_order-{ro}", delivered(ro, user), *later)
        callback_id = str(callback_id_for(ro, "first"))
        await self.callback(callback_id)
        return callback_id

    async def callback(self, callback_id: str, until: Any = lambda body: True) -> dict[str, Any]:
        async def probe() -> dict[str, Any]:
            response = await self.http.get(f"/sites/{SITE}/callbacks/{callback_id}", headers=AGENT)
            return response.json() if response.status_code == 200 else {}

        return await eventually(probe, until=lambda body: bool(body) and until(body), what=f"callback {callback_id}")

    async def queue(self, callback_id: str, until: Any = lambda row: True, **params: str) -> dict[str, Any]:
        async def probe() -> list[dict[str, Any]]:
            rows = (await self.http.get(f"/sites/{SITE}/callbacks", params=params, headers=AGENT)).json()
            return [r for r in rows if r["callback_id"] == callback_id]

        rows = await eventually(probe, until=lambda rows: bool(rows) and until(rows[0]), what="callback queue row")
        return rows[0]

    async def recorded(self, stream: str) -> list[str]:
        return [e.event.event_type for e in await self.app.state.runtime.store.read_stream(stream)]

    async def attempt(self, callback_id: str, outcome: str, headers: dict[str, str] = AGENT, **body: Any) -> Any:
        return await self.http.post(
            f"/sites/{SITE}/callbacks/{callback_id}/attempts", json={"outcome": outcome, **body}, headers=headers
        )


@dataclass
class Environment:
    database: str
    kafka: KafkaSettings
    publisher: Publisher

    @asynccontextmanager
    async def running(self, clock: ManualClock) -> AsyncIterator[Followup]:
        """One run of the service on this database (call again for a restart)."""
        app = create_app(clock=clock, database_url=self.database, kafka=self.kafka)
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://f") as http,
        ):
            await consumers_assigned(app)  # what a test publishes next is read, not missed by a joining group
            yield Followup(http, clock, self.publisher, app)
