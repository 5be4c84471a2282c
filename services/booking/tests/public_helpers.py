"""Booking's public routes in-process (self-booking, appointment links), on a real PostgreSQL and
broker, with the catalogue stood in for at the `Peers` seam the app takes (its menus and quotes
for the model family "Sagitar"). The gateway forwards `/api/v1/public/...` here without any
identity, so these requests carry none."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from booking.app import create_app
from booking.settings import BookingSettings
from events.clock import ManualClock
from events.errors import NotFound
from events.identity import DISPATCHER, Identity
from events.peers import PeerRefused, Peers
from events.testing import consumers_assigned, eventually, kafka_for_tests
from events.testing.identity import identity_headers

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2031, 5, 5, 10, 0, tzinfo=SHANGHAI)  # a Monday morning
DAY = date(2031, 5, 7)
SLOT = datetime(2031, 5, 7, 9, 0, tzinfo=SHANGHAI)
SECRET = "a-test-link-secret"
PORTAL = "http://portal.test"
CAPACITY = {
    "timezone": "Asia/Shanghai",
    "opens_at": "08:00",
    "closes_at": "18:00",
    "slot_minutes": 60,
    "open_weekdays": [1, 2, 3, 4, 5, 6, 7],
    "advisors": ["sa-li", "sa-zhang"],
    "receptions_per_advisor": 2,
    "technicians": 4,
    "bays": 4,
    "workshop_minutes_per_slot": 240,
}
MENU_10K = [("OIL-CHG", "更换机油机滤 oil and filter", 30), ("INSP-10K", "10000公里检查 inspection", 20)]


def staff(role: str, user: str) -> dict[str, str]:
    return identity_headers(Identity(user, "Chen Jie", GROUP, frozenset({role}), frozenset({SITE})))


class Catalogue(Peers):
    """The catalogue's menus and quotes for the Sagitar's 10,000 km menu; every call is kept."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str, Identity, Any]] = []

    async def get(self, service: str, path: str, identity: Identity, params: dict[str, str] | None = None) -> Any:
        self.calls.append((service, path, identity, params))
        if (params or {}).get("model_family") != "Sagitar":
            return []
        return [
            {
                "menu_id": "10K",
                "model_family": "Sagitar",
                "name_zh": "1万公里保养",
                "name_en": "10,000 km service",
                "interval_km": 10000,
                "interval_months": 6,
                "items": [],
                "effective_from": "2031-01-01",
            }
        ]

    async def post(self, service: str, path: str, identity: Identity, body: Any) -> Any:
        self.calls.append((service, path, identity, body))
        if body["model_family"] != "Sagitar":
            raise PeerRefused("catalogue", 422, "unknown_reference", f"no menus for {body['model_family']}")
        if body.get("menu_id") != "10K":
            raise NotFound(f"catalogue: no service menu {body.get('menu_id')}")
        lines = [
            {"line_id": str(uuid.uuid4()), "labour_operation": code, "description": text, "labour_minutes": minutes}
            for code, text, minutes in MENU_10K
        ]
        return {"lines": lines}


@dataclass
class Public:
    http: httpx.AsyncClient
    clock: ManualClock
    catalogue: Catalogue
    app: Any

    def path(self, tail: str = "", site: str = SITE) -> str:
        return f"/public/self-booking/{site}{tail}"

    async def book(self, **changes: Any) -> httpx.Response:
        return await self.http.post(self.path("/appointments"), json=self_booking_body(**changes))

    async def events(self, appointment_id: str) -> list[Any]:
        return [e.event for e in await self.app.state.runtime.store.read_stream(f"appointment-{appointment_id}")]

    async def staff_view(self, appointment_id: str) -> dict[str, Any]:
        answer = await self.http.get(
            f"/sites/{SITE}/appointments/{appointment_id}", headers=staff("service_manager", "sm-1")
        )
        assert answer.status_code == 200, answer.text
        view: dict[str, Any] = answer.json()
        return view

    async def link_of(self, appointment_id: str) -> str:
        """The token of the appointment link the day-before reminder carries (fired by the clock)."""
        slot = datetime.fromisoformat((await self.staff_view(appointment_id))["slot_start"])
        self.clock.set(slot - timedelta(days=1) + timedelta(minutes=1))
        reminders = await eventually(
            lambda: self.events(appointment_id),
            until=lambda events: any(type(e).__name__ == "ConfirmationRequested" for e in events),
            what="the day-before reminder",
        )
        (reminder,) = [e for e in reminders if type(e).__name__ == "ConfirmationRequested"]
        assert reminder.link.startswith(f"{PORTAL}/appointment/")
        token: str = reminder.link.removeprefix(f"{PORTAL}/appointment/")
        return token


def self_booking_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "appointment_id": str(uuid.uuid4()),
        "service": "maintenance",
        "slot_start": SLOT.isoformat(),
        "name": "Wang Lei",
        "phone": "139 0000 0001",
        "plate": "京A12345",
        "vin": "lfv2a21k8g3000001",
        "model": "Sagitar",
    }
    return {**body, **changes}


@pytest.fixture
async def public(database: str, bootstrap_servers: str, topic_prefix: str) -> AsyncIterator[Public]:
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    clock = ManualClock(START)
    catalogue = Catalogue()
    settings = BookingSettings(link_secret=SECRET, portal_url=PORTAL)
    app = create_app(clock=clock, database_url=database, kafka=kafka, peers=catalogue, settings=settings)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://b") as http:
        await consumers_assigned(app)
        capacity = await http.put(f"/sites/{SITE}/capacity", json=CAPACITY, headers=staff(DISPATCHER, "disp-1"))
        assert capacity.status_code == 200, capacity.text
        yield Public(http, clock, catalogue, app)
