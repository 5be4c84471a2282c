"""Booking from a service menu over HTTP (issue 19), on a real PostgreSQL and broker: booking asks
the catalogue's quote (a stand-in `Peers` here, the seam the app takes) for the menu's operations
and flat-rate minutes, books their duration against capacity, pre-checks the menu's parts, and
books nothing when the catalogue cannot answer."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from booking.app import create_app
from events.clock import ManualClock
from events.errors import NotFound
from events.identity import ADVISOR, DISPATCHER, Identity
from events.peers import PeerRefused, Peers, PeerUnavailable
from events.testing import consumers_assigned, kafka_for_tests
from events.testing.identity import identity_headers

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2031, 5, 5, 10, 0, tzinfo=SHANGHAI)
DAY = date(2031, 5, 7)
SLOT = datetime(2031, 5, 7, 9, 0, tzinfo=SHANGHAI)
CAPACITY = {
    "timezone": "Asia/Shanghai",
    "opens_at": "08:00",
    "closes_at": "18:00",
    "slot_minutes": 60,
    "open_weekdays": [1, 2, 3, 4, 5, 6, 7],
    "advisors": ["sa-li", "sa-zhang"],
    "receptions_per_advisor": 1,
    "technicians": 2,
    "bays": 2,
    "workshop_minutes_per_slot": 120,
}
# Seed 003's 10,000 km service for the Sagitar: oil change with filter and washer, and the inspection.
MENU_10K = [
    ("OIL-CHG", "更换机油机滤 oil and filter", 30, [("90915-YZZE1", "oil filter", 1), ("90430-12031", "washer", 1)]),
    ("INSP-10K", "10000公里检查 inspection", 20, []),
]
OPERATIONS: dict[str, tuple[str, int, list[tuple[str, str, int]]]] = {"BRAKE-CHK": ("制动检查 brake check", 25, [])}


def as_(role: str, user: str) -> dict[str, str]:
    return identity_headers(Identity(user, "Chen Jie", GROUP, frozenset({role}), frozenset({SITE})))


SA = as_(ADVISOR, "sa-li")


class Catalogue(Peers):
    """The catalogue's quote as the spec answers it, for the model family "Sagitar" only; every
    call is kept, and it can be taken down."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str, Identity, Any]] = []
        self.down = False
        self.closed = False

    async def aclose(self) -> None:
        self.closed = True
        await super().aclose()

    async def post(self, service: str, path: str, identity: Identity, body: Any) -> Any:
        self.calls.append((service, path, identity, body))
        if self.down:
            raise PeerUnavailable("catalogue cannot be reached (ConnectError); try again shortly")
        if body["model_family"] != "Sagitar":
            raise PeerRefused("catalogue", 422, "unknown_model_family", f"no menus for {body['model_family']}")
        wanted = []
        if "menu_id" in body:
            if body["menu_id"] != "10K":
                raise NotFound(f"catalogue: no service menu {body['menu_id']}")
            wanted += MENU_10K
        wanted += [(code, *OPERATIONS[code]) for code in body.get("labour_operations", [])]
        lines = [
            {
                "line_id": str(uuid.uuid4()),
                "labour_operation": code,
                "description": text,
                "labour_minutes": minutes,
                "labour_price": minutes * 633,
                "pay_type": body["pay_type"],
                "parts": [
                    {"part_number": n, "description": d, "quantity": q, "unit_price": 3200, "non_oem": False}
                    for n, d, q in parts
                ],
            }
            for code, text, minutes, parts in wanted
        ]
        minutes_total = sum(one["labour_minutes"] for one in lines)
        return {"lines": lines, "total": 0, "labour_minutes": minutes_total, "price_lists": {}, "currency": "CNY"}


@dataclass
class Booking:
    http: httpx.AsyncClient
    catalogue: Catalogue
    app: Any

    async def book(self, **changes: Any) -> httpx.Response:
        return await self.http.post(f"/sites/{SITE}/appointments", json=booking_body(**changes), headers=SA)

    async def reservations(self) -> int:
        capacity = (await self.http.get(f"/sites/{SITE}/capacity", headers=SA)).json()
        reservations: int = capacity["reservations"]
        return reservations


def booking_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reason": "maintenance",
        "customer": {"name": "Wang Lei", "phone": "13900000001"},
        "vehicle": {"vin": "LFV2A21K8G3000001", "plate": "京A12345", "model": "Sagitar"},
        "mileage_km": 9800,
        "menu_id": "10K",
        "advisor_id": "sa-li",
        "slot_start": SLOT.isoformat(),
    }
    return {**body, **changes}


@pytest.fixture
async def booking(database: str, bootstrap_servers: str, topic_prefix: str) -> AsyncIterator[Booking]:
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    catalogue = Catalogue()
    app = create_app(clock=ManualClock(START), database_url=database, kafka=kafka, peers=catalogue)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://b") as http:
        await consumers_assigned(app)
        capacity = await http.put(f"/sites/{SITE}/capacity", json=CAPACITY, headers=as_(DISPATCHER, "disp-1"))
        assert capacity.status_code == 200, capacity.text
        yield Booking(http, catalogue, app)
    assert catalogue.closed, "the app closes its peers' client at shutdown"


async def test_a_menu_books_its_operations_for_their_flat_rate_minutes(booking: Booking) -> None:
    booked = await booking.book()
    assert booked.status_code == 201, booked.text
    appointment = booked.json()
    assert appointment["menu_id"] == "10K"
    jobs = appointment["requested_jobs"]
    assert [(j["labour_operation"], j["estimated_minutes"]) for j in jobs] == [("OIL-CHG", 30), ("INSP-10K", 20)]
    assert appointment["estimated_minutes"] == 50

    ((service, path, identity, body),) = booking.catalogue.calls
    assert (service, path) == ("catalogue", f"/sites/{SITE}/quotes")
    assert (identity.user_id, identity.group_id, identity.roles) == ("sa-li", GROUP, frozenset({ADVISOR}))
    assert body == {"model_family": "Sagitar", "pay_type": "CUSTOMER_PAY", "menu_id": "10K"}

    # The slot holds the menu's 50 minutes of the 120 it has.
    free = await booking.http.get(f"/sites/{SITE}/free-slots", params={"date": DAY.isoformat()}, headers=SA)
    (nine,) = [slot for slot in free.json() if slot["start"] == SLOT.isoformat()]
    assert nine["workshop_minutes_left"] == 70

    # The parts pre-check asks for the menu's parts.
    preparation = await booking.http.get(
        f"/sites/{SITE}/appointments/{appointment['appointment_id']}/preparation", headers=SA
    )
    assert preparation.status_code == 200, preparation.text
    checked = {(p["part_number"], p["quantity"]) for p in preparation.json()["parts_check"]}
    assert checked == {("90915-YZZE1", 1), ("90430-12031", 1)}


async def test_typed_jobs_and_catalogue_operations_book_together(booking: Booking) -> None:
    typed = {"description": "brakes squeak when cold", "estimated_minutes": 15}
    booked = await booking.book(menu_id=None, labour_operations=["BRAKE-CHK"], requested_jobs=[typed])
    assert booked.status_code == 201, booked.text
    appointment = booked.json()
    assert appointment["menu_id"] is None
    assert [j["description"] for j in appointment["requested_jobs"]] == [
        "brakes squeak when cold",
        "制动检查 brake check",
    ]
    assert appointment["estimated_minutes"] == 15 + 25
    assert booking.catalogue.calls[0][3] == {
        "model_family": "Sagitar",
        "pay_type": "CUSTOMER_PAY",
        "labour_operations": ["BRAKE-CHK"],
    }


async def test_typed_jobs_alone_never_ask_the_catalogue(booking: Booking) -> None:
    booking.catalogue.down = True
    typed = {"description": "10,000 km service", "labour_operation": "10K", "estimated_minutes": 60}
    booked = await booking.book(menu_id=None, requested_jobs=[typed])
    assert booked.status_code == 201, booked.text
    assert booked.json()["estimated_minutes"] == 60
    assert booking.catalogue.calls == []


async def test_with_the_catalogue_down_a_menu_booking_is_503_and_books_nothing(booking: Booking) -> None:
    booking.catalogue.down = True
    appointment_id = str(uuid.uuid4())
    refused = await booking.book(appointment_id=appointment_id)
    assert refused.status_code == 503, refused.text
    assert refused.json()["error"]["code"] == "peer_unavailable"
    assert (await booking.http.get(f"/sites/{SITE}/appointments/{appointment_id}", headers=SA)).status_code == 404
    assert await booking.reservations() == 0


async def test_the_catalogues_refusals_reach_the_booker_and_book_nothing(booking: Booking) -> None:
    unknown_menu = await booking.book(menu_id="99K")
    assert unknown_menu.status_code == 404, unknown_menu.text
    other_car = await booking.book(vehicle={"vin": "LFV2A21K8G3000001", "plate": "京A12345", "model": "Mars Rover"})
    assert other_car.status_code == 422, other_car.text
    assert other_car.json()["error"]["code"] == "unknown_model_family"
    no_model = await booking.book(vehicle={"vin": "LFV2A21K8G3000001", "plate": "京A12345"})
    assert no_model.status_code == 422, no_model.text
    assert await booking.reservations() == 0
    assert len(booking.catalogue.calls) == 2, "a body without the car's model never reaches the catalogue"


async def test_free_slots_for_a_menu_take_its_flat_rate_minutes(booking: Booking) -> None:
    # 70 of the last slot's 120 minutes are taken: the menu's 50 still fit there, an hour would not.
    last = SLOT.replace(hour=17)
    typed = {"description": "inspection", "estimated_minutes": 70}
    taken = await booking.book(menu_id=None, requested_jobs=[typed], advisor_id="sa-zhang", slot_start=last.isoformat())
    assert taken.status_code == 201, taken.text
    params = {"date": DAY.isoformat(), "menu_id": "10K", "model_family": "Sagitar"}
    for_menu = await booking.http.get(f"/sites/{SITE}/free-slots", params=params, headers=SA)
    assert for_menu.status_code == 200, for_menu.text
    assert last.isoformat() in [slot["start"] for slot in for_menu.json()]
    fifty = await booking.http.get(
        f"/sites/{SITE}/free-slots", params={"date": DAY.isoformat(), "minutes": 50}, headers=SA
    )
    assert for_menu.json() == fifty.json()
    hour = await booking.http.get(f"/sites/{SITE}/free-slots", params={"date": DAY.isoformat()}, headers=SA)
    assert last.isoformat() not in [slot["start"] for slot in hour.json()]
    assert booking.catalogue.calls[-1][3]["menu_id"] == "10K"

    without_family = await booking.http.get(
        f"/sites/{SITE}/free-slots", params={"date": DAY.isoformat(), "menu_id": "10K"}, headers=SA
    )
    assert without_family.status_code == 422
    booking.catalogue.down = True
    down = await booking.http.get(f"/sites/{SITE}/free-slots", params=params, headers=SA)
    assert down.status_code == 503


async def test_the_catalogue_is_found_at_catalogue_url(
    database: str, bootstrap_servers: str, topic_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No stand-in: the app's own `Peers` calls `CATALOGUE_URL`, where nothing listens here."""
    monkeypatch.setenv("CATALOGUE_URL", "http://127.0.0.1:9")
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    app = create_app(clock=ManualClock(START), database_url=database, kafka=kafka)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://b") as http:
        await http.put(f"/sites/{SITE}/capacity", json=CAPACITY, headers=as_(DISPATCHER, "disp-1"))
        refused = await http.post(f"/sites/{SITE}/appointments", json=booking_body(), headers=SA)
        assert refused.status_code == 503, refused.text
        assert "catalogue" in refused.json()["error"]["message"]
        assert (await http.get(f"/sites/{SITE}/capacity", headers=SA)).json()["reservations"] == 0
