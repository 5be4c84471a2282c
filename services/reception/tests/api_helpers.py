"""What reception's HTTP tests share: who calls, the visit's bodies, and the steps of a visit
(estimated, signed, ready, paid) as the desk, the workshop and billing take them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from catalogue_stand_in import SERVICE_CODE

from events.catalog.billing import InvoiceIssued, InvoicePaid, InvoiceVoided, Tender, VatRates
from events.catalog.reception_values import Contact, VehicleIdentity
from events.catalog.workshop import VehicleReadyForDelivery
from events.envelope import Metadata, Tenant
from events.identity import ADVISOR, Identity
from events.testing.identity import identity_headers
from events.testing.publishing import Publisher

GROUP_A, GROUP_B = str(uuid.uuid4()), str(uuid.uuid4())
SITE_1, SITE_2, SITE_B = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())


def as_(role: str, group: str = GROUP_A, *sites: str) -> dict[str, str]:
    identity = Identity(f"{role}-1", "Li Na", group, frozenset({role}), frozenset(sites or (SITE_1,)))
    return identity_headers(identity)


ADVISOR_A = as_(ADVISOR)


def repair_line(description: str, labour_price: int, part_price: int) -> dict[str, Any]:
    return {
        "line_id": str(uuid.uuid4()),
        "labour_operation": description.upper().replace(" ", "-")[:12],
        "description": description,
        "labour_minutes": 40,
        "labour_price": labour_price,
        "pay_type": "CUSTOMER_PAY",
        "parts": [{"part_number": "P-1", "description": "part", "quantity": 1, "unit_price": part_price}],
    }


def consent() -> dict[str, Any]:
    return {"kind": "phone", "recorded_by": "advisor-1", "at": datetime.now(UTC).isoformat(), "reference": "call-1"}


CHECK_IN = {
    "arrival_kind": "walk_in",
    "customer": {"name": "Wang Wei", "phone": "13800000001"},
    "vehicle": {"vin": "LFV3A23C0J3000001", "plate": "京A12345", "model": "Audi A4L"},
    "customer_waiting": False,
    "contact_phone": "13800000001",
    "arrived_at": datetime.now(UTC).isoformat(),  # the greeter's record of the car's arrival
}
WALK_AROUND = {"mileage_km": 10012, "fuel_eighths": 5, "valuables_reminded": True, "protective_covers_fitted": True}
CONCERN = {
    "customer_words": "10,000 km service, and it squeaks when braking",
    "what": "squeak",
    "when": "cold mornings",
    "where": "front wheels",
    "who": "the customer",
    "how_often": "every morning",
    "read_back_confirmed": True,
}


async def post(
    api: httpx.AsyncClient, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] = ADVISOR_A
) -> httpx.Response:
    return await api.post(f"/sites/{SITE_1}/repair-orders{path}", json=body or {}, headers=headers)


async def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


# seed 003's 10,000 km service, by its catalogue references: 283 CNY at the stand-in's prices.
SERVICE_ITEM = {
    "labour_operation": SERVICE_CODE,
    "parts": [
        {"part_number": "OIL-5W30-4L", "quantity": 1},
        {"part_number": "04152-YZZA1", "quantity": 1},
        {"part_number": "90430-12031", "quantity": 1},
    ],
}
SERVICE_PRICE = 8000 + 16800 + 3200 + 300


def estimate_of(**work: Any) -> dict[str, Any]:
    promised = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    return {**work, "promised_at": promised, "payment_method": "card", "old_parts": "discard", "wash": True}


async def estimated_visit(api: httpx.AsyncClient, **work: Any) -> tuple[str, dict[str, Any]]:
    """A visit checked in, walked around, with a concern and an estimate of `work`: its id and view."""
    ro = (await ok(await post(api, "", CHECK_IN), 201))["repair_order_id"]
    await ok(await post(api, f"/{ro}/walk-around", WALK_AROUND), 201)
    await ok(await post(api, f"/{ro}/concerns", CONCERN), 201)
    estimated = await ok(await post(api, f"/{ro}/estimate", estimate_of(**work)), 201)
    assert estimated["status"] == "estimated"
    return str(ro), estimated


async def signed_visit(api: httpx.AsyncClient, **work: Any) -> str:
    """A visit estimated (by default: the service from the catalogue) and signed: its id."""
    ro, _ = await estimated_visit(api, **(work or {"items": [SERVICE_ITEM]}))
    await ok(await post(api, f"/{ro}/sign", {"signature_ref": "scan-0001"}))
    return ro


async def pay(billing: Publisher, ro: str, number: str, *payments: tuple[str, int]) -> InvoicePaid:
    """billing.InvoicePaid for the RO, as the billing service publishes it."""
    invoice_id = uuid.uuid4()
    paid = InvoicePaid(
        invoice_id=invoice_id,
        repair_order_id=uuid.UUID(ro),
        invoice_number=number,
        series="service",
        customer_gross=sum(amount for _, amount in payments),
        payments=tuple(Tender(method=method, amount=amount) for method, amount in payments),
        paid_at=datetime.now(UTC),
    )
    cashier = Metadata(Tenant(GROUP_A, SITE_1), "cashier-1", str(uuid.uuid4()))
    await billing.publish(cashier, (f"invoice-{invoice_id}", paid))
    return paid


async def issue(billing: Publisher, ro: str, number: str) -> uuid.UUID:
    """billing.InvoiceIssued for the RO (its lines are billing's business here: none), as billing
    publishes it; the invoice's id."""
    invoice_id = uuid.uuid4()
    issued = InvoiceIssued(
        invoice_id=invoice_id,
        repair_order_id=uuid.UUID(ro),
        number=number,
        series="service",
        sequence=1,
        vat_bp=VatRates(labour=600, parts=1300, other=600),
        rounding="per_line",
        buyer=Contact(name="Wang Fang", phone="13800000000"),
        vehicle=VehicleIdentity(vin="LFV3A23C0J3000001", plate="京A12345"),
        lines=(),
        customer_gross=0,
        customer_net=0,
        customer_tax=0,
        issued_by="cashier-1",
        issued_at=datetime.now(UTC),
    )
    cashier = Metadata(Tenant(GROUP_A, SITE_1), "cashier-1", str(uuid.uuid4()))
    await billing.publish(cashier, (f"invoice-{invoice_id}", issued))
    return invoice_id


async def void(billing: Publisher, ro: str, invoice_id: uuid.UUID, number: str) -> None:
    """billing.InvoiceVoided, as a service manager voids it at billing."""
    voided = InvoiceVoided(
        invoice_id=invoice_id,
        repair_order_id=uuid.UUID(ro),
        number=number,
        reason="the customer asked for the wipers too",
        voided_by="service_manager-1",
        voided_at=datetime.now(UTC),
    )
    manager = Metadata(Tenant(GROUP_A, SITE_1), "service_manager-1", str(uuid.uuid4()))
    await billing.publish(manager, (f"invoice-{invoice_id}", voided))


async def view(api: httpx.AsyncClient, ro: str) -> dict[str, Any]:
    body: dict[str, Any] = (await api.get(f"/sites/{SITE_1}/repair-orders/{ro}", headers=ADVISOR_A)).json()
    return body


async def ready(workshop: Publisher, ro: str) -> None:
    """workshop.VehicleReadyForDelivery: QC passed."""
    now = datetime.now(UTC)
    done = VehicleReadyForDelivery(
        repair_order_id=uuid.UUID(ro),
        promised_at=now,
        on_time=True,
        worked_minutes=90,
        planned_minutes=80,
        rework_count=0,
        ready_at=now,
    )
    await workshop.publish(Metadata(Tenant(GROUP_A, SITE_1), "tech-1", str(uuid.uuid4())), (f"work_order-{ro}", done))
