"""A dealership's people at the gateway, for end-to-end tests: each logs in with the local dev
issuer and speaks plain HTTP to `/api/v1/sites/{site}/...`, like the real front ends do."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition

from catalogue.demo import RATES, load
from events.identity import GROUP_ADMIN
from events.kafka import event_type_of
from events.testing import eventually
from events.testing.system import RunningSystem


@contextmanager
def running(services: list[str], extra_env: dict[str, str] | None = None) -> Iterator[RunningSystem]:
    """The services and the gateway as real processes, for a whole test module."""
    system = RunningSystem(services, extra_env=extra_env)
    try:
        asyncio.run(system.start())
        yield system
    finally:
        system.stop()


@dataclass(frozen=True)
class Person:
    """One user at one site: `await person.post("repair-orders", body)`."""

    gateway: httpx.AsyncClient
    site: str
    headers: dict[str, str]
    user: str = ""

    @property
    def token(self) -> str:
        return self.headers["Authorization"].removeprefix("Bearer ")

    def _url(self, path: str) -> str:
        return f"/api/v1/sites/{self.site}/{path}"

    async def get(self, path: str) -> httpx.Response:
        return await self.gateway.get(self._url(path), headers=self.headers)

    async def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return await self.gateway.post(self._url(path), json=body or {}, headers=self.headers)

    async def put(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return await self.gateway.put(self._url(path), json=body, headers=self.headers)

    async def ok(self, method: str, path: str, body: dict[str, Any] | None = None, status: int = 0) -> Any:
        """The answer's JSON, after asserting success (`status` when a specific one is expected)."""
        response = await (self.get(path) if method == "GET" else getattr(self, method.lower())(path, body))
        assert (response.status_code == status) if status else response.is_success, (
            f"{method} {path}: {response.status_code} {response.text}"
        )
        return response.json()

    async def until(self, path: str, condition: Callable[[Any], bool], what: str, timeout: float = 30) -> Any:
        """GET `path` until its JSON answer meets `condition`."""

        async def probe() -> Any:
            response = await self.get(path)
            return response.json() if response.status_code == 200 else None

        return await eventually(
            probe, until=lambda body: body is not None and condition(body), what=what, timeout=timeout
        )


async def login(gateway: httpx.AsyncClient, group: str, site: str, role: str, user: str | None = None) -> Person:
    body: dict[str, Any] = {
        "user_id": user or f"{role}-{site[:4]}",
        "name": "Wang Fang",
        "group_id": group,
        "roles": [role],
        "site_ids": [site],
    }
    response = await gateway.post("/auth/dev-token", json=body)
    assert response.status_code == 200, response.text
    return Person(gateway, site, {"Authorization": f"Bearer {response.json()['access_token']}"}, body["user_id"])


# One person per role of a site's staff, by the name the end-to-end tests call them.
STAFF = {
    "advisor": ("advisor", "advisor-li"),
    "dispatcher": ("dispatcher", "dispatcher-wang"),
    "technician": ("technician", "tech-zhang"),
    "qc": ("qc_inspector", "qc-chen"),
    "cashier": ("cashier", "cashier-liu"),
    "clerk": ("parts_clerk", "clerk-zhao"),
    "agent": ("cs_agent", "agent-sun"),
    "manager": ("service_manager", "manager-zhou"),
}


async def staff(gateway: httpx.AsyncClient, group: str, site: str) -> dict[str, Person]:
    """The site's `STAFF`, each signed in."""
    return {name: await login(gateway, group, site, role, user) for name, (role, user) in STAFF.items()}


async def published(system: RunningSystem, service: str, bootstrap_servers: str) -> list[dict[str, Any]]:
    """Every event `service` published so far, read from its topic like any subscriber would:
    `{"type": "reception.RepairOrderSigned", "data": {...}}`, in order per partition."""
    topic = f"e2e{system.run_id}.{service}.events"
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or set()]
        if not partitions:
            await consumer.force_metadata_update()
            partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or set()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        events: list[dict[str, Any]] = []
        for partition in partitions:
            while await consumer.position(partition) < ends[partition]:
                batch = await consumer.getmany(partition, timeout_ms=1000)
                for record in batch.get(partition, []):
                    headers = {key: value.decode() for key, value in record.headers}
                    events.append({"type": event_type_of(headers), "data": json.loads(record.value or b"{}")})
        return events
    finally:
        await consumer.stop()


def of(events: list[dict[str, Any]], key: str, value: uuid.UUID | str) -> list[str]:
    """The types of the events whose payload has `key` == `value`."""
    return [e["type"] for e in events if e["data"].get(key) == str(value)]


async def published_about(
    system: RunningSystem, service: str, bootstrap_servers: str, key: str, value: str, last: str
) -> list[str]:
    """The types `service` published about `key` == `value`, once `last` is among them (the
    relay publishes shortly after the commit)."""

    async def probe() -> list[str]:
        return of(await published(system, service, bootstrap_servers), key, value)

    return await eventually(probe, until=lambda types: last in types, what=f"{last} on the {service} topic")


# --- the dealership's prices: the demo catalogue and billing's settings --------------------------

# The demo catalogue's 10,000 km service for the test car's family (Magotan): OIL01, 45 flat-rate
# minutes at 120.00 CNY an hour, and its oil, oil filter and drain plug washer.
MENU = "magotan-10000"
MENU_PARTS = {"90915-YZZE1": 56000, "04152-YZZA1": 6800, "90430-12031": 300}
MENU_LABOUR = 9000
MENU_TOTAL = MENU_LABOUR + sum(MENU_PARTS.values())
BILLING_SETTINGS = {
    "vat_bp": {"labour": 1300, "parts": 1300, "other": 600},
    "rounding": "per_line",
    "series": ["service"],
    "enterprise_name": "上海大众汽车特约维修站 Shanghai Auto Service Co.",
    "enterprise_licence_number": "310115000123456",
    "enterprise_tax_id": "91310115MA1K4XXXXX",
}


async def catalogue_loaded(
    gateway: httpx.AsyncClient, group: str, sites: list[str], timezone: str = "Asia/Shanghai"
) -> None:
    """The demo catalogue (`examples/catalogue`: labour times, parts prices, rates, menus) loaded by
    a group admin for `sites`. `timezone`: the sites' — their capacity plan's, set before, or the
    catalogue's default (Asia/Shanghai) without booking. The catalogue dates what it loads by the
    site's today, learnt from booking's events: wait until it agrees, or a day's difference leaves
    today's quotes empty (and between 16:00 and 24:00 UTC, Shanghai's today is UTC's tomorrow)."""
    body = {
        "user_id": f"admin-{group[:4]}",
        "name": "Gao Lan",
        "group_id": group,
        "roles": [GROUP_ADMIN],
        "site_ids": sites,
    }
    token = (await gateway.post("/auth/dev-token", json=body)).json()["access_token"]
    today = datetime.now(ZoneInfo(timezone)).date().isoformat()
    async with httpx.AsyncClient(
        base_url=gateway.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as http:
        for site in sites:

            async def rates_from_today(site: str = site) -> httpx.Response:
                body = {"rates": RATES, "effective_from": today}
                return await http.put(f"/api/v1/sites/{site}/labour-rates", json=body)

            # 422 effective_in_the_past while the catalogue still counts days on another clock.
            rated = await eventually(
                rates_from_today, until=lambda r: r.status_code != 422, what="the catalogue on the site's day"
            )
            assert rated.is_success, rated.text
        await load(http, sites)


async def priced(gateway: httpx.AsyncClient, group: str, sites: list[str], timezone: str = "Asia/Shanghai") -> None:
    """The demo catalogue loaded for `sites` (`catalogue_loaded`), and each site's billing settings."""
    await catalogue_loaded(gateway, group, sites, timezone)
    person = {"user_id": f"admin-{group[:4]}", "name": "Gao Lan", "group_id": group, "roles": [GROUP_ADMIN]}
    token = (await gateway.post("/auth/dev-token", json={**person, "site_ids": sites})).json()["access_token"]
    async with httpx.AsyncClient(base_url=gateway.base_url, headers={"Authorization": f"Bearer {token}"}) as http:
        for site in sites:
            response = await http.put(f"/api/v1/sites/{site}/billing-settings", json=BILLING_SETTINGS)
            assert response.is_success, response.text


async def stocked(clerk: Person, quantity: int = 10) -> None:
    """The menu's parts on the shelf."""
    for part, price in MENU_PARTS.items():
        receipt = {"quantity": quantity, "unit_cost": price * 7 // 10}
        await clerk.ok("POST", f"stock/{part}/receipts", receipt, status=201)


# --- one car's visit, as the desk and the floor do it (shared by the end-to-end modules) ----------


def line(description: str, labour: int, part: str, quantity: int, unit_price: int) -> dict[str, Any]:
    """A repair line typed by hand (also a finding's proposed line): work the catalogue does not price."""
    return {
        "line_id": str(uuid.uuid4()),
        "labour_operation": description.upper().replace(" ", "-")[:12],
        "description": description,
        "labour_minutes": 45,
        "labour_price": labour,
        "pay_type": "CUSTOMER_PAY",
        "parts": [{"part_number": part, "description": part, "quantity": quantity, "unit_price": unit_price}],
    }


def typed(line: dict[str, Any], reason: str = "sublet: the catalogue has no such work") -> dict[str, Any]:
    """An estimate's work as one typed line, with the reason a typed line needs."""
    return {"lines": [{**line, "reason": reason}]}


MENU_WORK: dict[str, Any] = {"menu_id": MENU}  # an estimate's work priced from the service menu


def consent(advisor: str) -> dict[str, Any]:
    return {"kind": "phone", "recorded_by": advisor, "at": datetime.now(UTC).isoformat(), "reference": "rec-0042"}


VIN = "LFV2A21K8G3045678"
CUSTOMER = {"name": "Liu Yang", "phone": "13900000007"}
VISIT = {
    "arrival_kind": "walk_in",
    "customer": CUSTOMER,
    "vehicle": {"vin": VIN, "plate": "沪B88888", "model": "Magotan"},
    "customer_waiting": True,
    "contact_phone": "13900000007",
    "arrived_at": datetime.now(UTC).isoformat(),  # the greeter's record of a walk-in's arrival
}
CAPACITY = {
    "timezone": "UTC",
    "opens_at": "00:00",
    "closes_at": "23:00",
    "slot_minutes": 60,
    "open_weekdays": [1, 2, 3, 4, 5, 6, 7],
    "advisors": ["advisor-li", "advisor-ma"],
    "receptions_per_advisor": 1,
    "technicians": 4,
    "bays": 4,
    "workshop_minutes_per_slot": 240,
}
WALK_AROUND = {"mileage_km": 30125, "fuel_eighths": 4, "valuables_reminded": True, "protective_covers_fitted": True}
CONCERN = {
    "customer_words": "grinding noise when braking",
    "what": "grinding",
    "when": "braking",
    "where": "front",
    "who": "driver",
    "how_often": "always",
    "read_back_confirmed": True,
}


async def book(
    advisor: Person, vin: str = VIN, advisor_id: str = "advisor-li", slot: str | None = None, menu_id: str | None = None
) -> Any:
    """An appointment in tomorrow's first free slot (or `slot`) for the car: its oil filter typed
    in, or the service menu `menu_id` (the catalogue's operations, minutes and parts)."""
    if slot is None:
        tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
        free = await advisor.ok("GET", f"free-slots?date={tomorrow}&minutes=60&advisor={advisor_id}")
        slot = free[0]["start"]
    work: dict[str, Any] = {"menu_id": menu_id} if menu_id else {"requested_jobs": [
        {
            "description": "30,000 km service",
            "estimated_minutes": 60,
            "parts": [{"part_number": "OIL-FILTER", "description": "oil filter", "quantity": 1}],
        }
    ]}  # fmt: skip
    body = {
        "reason": "maintenance",
        "customer": CUSTOMER,
        "vehicle": {"vin": vin, "plate": "沪B88888", "model": "Magotan"},
        **work,
        "customer_words": "service, and a grinding noise",
        "advisor_id": advisor_id,
        "slot_start": slot,
    }
    return await advisor.ok("POST", "appointments", body, status=201)


async def signed_and_handed_over(
    advisor: Person, work: dict[str, Any], promised_in: timedelta, appointment_id: str | None = None, vin: str = VIN
) -> str:
    """The desk's part: check-in, walk-around, the concern, the estimate, the signature and the key.
    `work`: the estimate's work (`MENU_WORK`, catalogue `items`, or `typed(line)`); a bare typed
    line stands for `{"lines": [line]}` (with its own reason)."""
    arrival = {"arrival_kind": "appointment", "appointment_id": appointment_id} if appointment_id else {}
    visit = {**VISIT, **arrival, "vehicle": {"vin": vin, "plate": "沪B88888", "model": "Magotan"}}
    if appointment_id:
        del visit["arrived_at"]  # booking recorded the appointment car's arrival
    ro: str = (await advisor.ok("POST", "repair-orders", visit, status=201))["repair_order_id"]
    rpath = f"repair-orders/{ro}"
    await advisor.ok("POST", f"{rpath}/walk-around", WALK_AROUND, status=201)
    await advisor.ok("POST", f"{rpath}/concerns", CONCERN, status=201)
    promised = (datetime.now(UTC) + promised_in).isoformat()
    work = {"lines": [work]} if "line_id" in work else work
    estimate = {**work, "promised_at": promised, "payment_method": "card", "old_parts": "discard"}
    await advisor.ok("POST", f"{rpath}/estimate", {**estimate, "wash": True}, status=201)
    await advisor.ok("POST", f"{rpath}/sign", {"signature_ref": "scan-7781"})
    await advisor.ok("POST", f"{rpath}/hand-over", {"key_tag": "K-42"})
    return ro


async def jobs_of(person: Person, ro: str) -> list[str]:
    """The repair order's line ids: the work order's jobs (a menu's lines get the catalogue's ids)."""
    return [str(line["line_id"]) for line in (await person.ok("GET", f"repair-orders/{ro}"))["lines"]]


async def settled(
    cashier: Person, ro: str, payments: tuple[tuple[str, int | None], ...] = (("card", None),)
) -> dict[str, Any]:
    """The cashier's part: billing invoices the ready car and takes the money (`payments`: method
    and amount, None for the rest of the balance); reception settles the RO from billing's
    `InvoicePaid`. The paid invoice."""
    invoice: dict[str, Any] = await cashier.ok(
        "POST", "invoices", {"repair_order_id": ro, "series": "service"}, status=201
    )
    for method, amount in payments:
        body = {"method": method, "amount": invoice["balance"] if amount is None else amount}
        invoice = await cashier.ok("POST", f"invoices/{invoice['invoice_id']}/payments", body, status=201)
    assert invoice["status"] == "paid", invoice
    await cashier.until(f"repair-orders/{ro}", lambda r: r["status"] == "settled", "the RO settled by billing")
    return invoice


async def delivered_car(people: dict[str, Person], vin: str = VIN, promised_in: timedelta = timedelta(hours=2)) -> str:
    """A walk-in car serviced from the service menu, checked, settled and delivered: its
    repair-order id. `people`: advisor, dispatcher, technician, qc, cashier (logged in at one site
    whose catalogue is loaded, `priced`, and whose shelf has the menu's parts, `stocked`)."""
    ro = await signed_and_handed_over(people["advisor"], MENU_WORK, promised_in=promised_in, vin=vin)
    wpath = f"work-orders/{ro}"
    await people["dispatcher"].until(wpath, lambda w: w["key_tag"] == "K-42", "the work order")
    technician = people["technician"]
    for job in await jobs_of(people["advisor"], ro):
        await people["dispatcher"].ok(
            "POST", f"{wpath}/jobs/{job}/dispatch", {"technician_id": technician.user, "bay": "B1"}
        )
        await technician.ok("POST", f"{wpath}/jobs/{job}/start")
        await technician.ok("POST", f"{wpath}/jobs/{job}/complete")
    await people["qc"].ok("POST", f"{wpath}/quality-checks", {"passed": True}, status=201)
    rpath = f"repair-orders/{ro}"
    await people["advisor"].until(rpath, lambda r: r["ready"], "the car ready for delivery")
    await settled(people["cashier"], ro)
    delivery = {"work_explained": True, "old_parts_shown": True, "old_parts_returned": False}
    await people["advisor"].ok("POST", f"{rpath}/delivery", delivery)
    return ro
