"""End to end over HTTP through the gateway, every service a real process: a customer's personal
data (issue 6). A customer known to booking brings the car, it is served and delivered, the
callback is queued; a technician works on the car without seeing the phone; the CS agent's reads
are audited. The service manager has the customer erased: afterwards no service's raw event rows
hold the name or the phone, the read models show the placeholder, and the business history
(repair order, invoice total, callback) is unchanged."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import asyncpg
import httpx
import pytest
from dealership import CUSTOMER, delivered_car, priced, running, staff, stocked

from events.personal_data import ERASED
from events.testing.system import RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
NAME, PHONE = CUSTOMER["name"], CUSTOMER["phone"]
SERVICES = ["booking", "reception", "workshop", "parts", "followup", "catalogue", "billing", "notifications"]


@pytest.fixture(scope="module")
def system() -> Iterator[RunningSystem]:
    with running(SERVICES) as started:
        yield started


async def raw_events(system: RunningSystem, service: str) -> list[str]:
    conn = await asyncpg.connect(system.database(service))
    try:
        return [row[0] for row in await conn.fetch("SELECT data::text FROM events")]
    finally:
        await conn.close()


async def test_an_erased_customer_is_unreadable_everywhere_and_the_history_stays(
    system: RunningSystem, gateway: httpx.AsyncClient
) -> None:
    people = await staff(gateway, GROUP, SITE)
    advisor, agent, manager, technician = people["advisor"], people["agent"], people["manager"], people["technician"]
    customer = await advisor.ok(
        "POST", "customers", {"name": NAME, "phones": [PHONE], "preferred_contact": "phone"}, status=201
    )
    customer_id = customer["customer_id"]
    await priced(gateway, GROUP, [SITE])
    await stocked(people["clerk"], 5)
    ro = await delivered_car(people)

    # Before: the people who talk to the customer see them; the technician sees the car only.
    queue = await agent.until(
        "callbacks", lambda rows: any(r["repair_order_id"] == ro for r in rows), "the callback in the queue"
    )
    (callback,) = [r for r in queue if r["repair_order_id"] == ro]
    assert (callback["contact_name"], callback["phone"]) == (NAME, PHONE)
    found = await agent.ok("GET", f"customers?phone={PHONE}")
    assert [c["name"] for c in found] == [NAME]
    work_order = await technician.get(f"work-orders/{ro}")
    assert work_order.status_code == 200
    assert PHONE not in work_order.text
    assert NAME not in work_order.text
    assert work_order.json()["jobs"], "the technician sees the work, without the customer's details"
    dispatcher_view = await people["dispatcher"].get(f"customers/{customer_id}")
    assert dispatcher_view.status_code == 200
    assert PHONE not in dispatcher_view.text  # a dispatcher gets the record, the phone withheld
    repair_order = await advisor.ok("GET", f"repair-orders/{ro}")
    for service in [*SERVICES[:2], "followup"]:
        assert all(PHONE not in row and NAME not in row for row in await raw_events(system, service)), service

    # Only a service manager (or group admin) may ask; who asked and why are recorded.
    refused = await agent.post(f"customers/{customer_id}/erasure", {"reason": "customer's written request"})
    assert refused.status_code == 403
    await manager.ok("POST", f"customers/{customer_id}/erasure", {"reason": "customer's written request"}, status=202)
    again = await manager.post(f"customers/{customer_id}/erasure", {"reason": "twice"})
    assert again.status_code == 409

    # After: every read model shows the placeholder; the rows and their facts stay.
    queue = await agent.until(
        "callbacks",
        lambda rows: any(r["repair_order_id"] == ro and r["contact_name"] == ERASED for r in rows),
        "the callback queue scrubbed",
    )
    (after,) = [r for r in queue if r["repair_order_id"] == ro]
    assert after["phone"] == ERASED
    assert (after["callback_id"], after["status"], after["due_at"]) == (
        callback["callback_id"],
        callback["status"],
        callback["due_at"],
    )
    erased_ro = await advisor.until(f"repair-orders/{ro}", lambda r: r["customer"]["name"] == ERASED, "reception")
    assert erased_ro["customer"]["phone"] == ERASED
    for fact in ("status", "lines", "vehicle", "invoice_total", "signed_at", "handed_over_at"):
        assert erased_ro.get(fact) == repair_order.get(fact), fact
    record = await agent.until(f"customers/{customer_id}", lambda c: c["name"] == ERASED, "booking's customer")
    assert record["phones"] == [ERASED]
    for service in SERVICES:
        rows = await raw_events(system, service)
        assert all(PHONE not in row and NAME not in row for row in rows), service

    # The audit: the agent's reads of the customer, by endpoint.
    conn = await asyncpg.connect(system.database("booking"))
    try:
        reads = await conn.fetch("SELECT user_id, subject_id, endpoint FROM personal_data_reads ORDER BY read_at")
    finally:
        await conn.close()
    assert ("agent-sun", customer_id, "GET /api/v1/sites/{site_id}/customers") in [tuple(r) for r in reads] or any(
        r["user_id"] == "agent-sun" and r["subject_id"] == customer_id for r in reads
    )
    assert all(r["user_id"] != "dispatcher-wang" for r in reads)  # withheld: nothing was read
