"""Reception's repair-order view holds what the printed documents need (the repair order, the
additional-work consent, the pre-delivery checklist): the walk-around with its damages, the
signature, each finding's consent and the customer's reason for a decline, the estimate's wash,
old-parts choice and method, and the delivery checklist. None of these is personal data: the
workshop's people see them too, with only the names and phones withheld."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from api_helpers import (
    ADVISOR_A,
    CHECK_IN,
    CONCERN,
    GROUP_A,
    SERVICE_ITEM,
    SITE_1,
    as_,
    ok,
    pay,
    post,
    ready,
    repair_line,
    view,
)

from events.catalog.reception_values import RepairLine
from events.catalog.workshop import AdditionalWorkFound, Finding
from events.envelope import Metadata, Tenant
from events.identity import TECHNICIAN
from events.privacy import WITHHELD
from events.testing import eventually
from events.testing.publishing import Publisher

DAMAGES = [
    {"area": "left front door", "kind": "scratch", "note": "about 5 cm, above the handle"},
    {"area": "windscreen", "kind": "glass", "note": ""},
]
WALK_AROUND = {
    "mileage_km": 23456,
    "fuel_eighths": 3,
    "valuables_reminded": True,
    "protective_covers_fitted": False,
    "warning_lamps": ["ABS"],
    "damages": DAMAGES,
    "spare_tyre_present": True,
}
SIGNATURE = "scan-ro-0042"
REASON = "too dear this month, next visit"


def consent_by(reference: str) -> dict[str, Any]:
    """A phone approval recorded now (a consent comes before the change it allows)."""
    return {"kind": "phone", "recorded_by": "advisor-1", "at": datetime.now(UTC).isoformat(), "reference": reference}


def as_recorded(consent: dict[str, Any]) -> dict[str, Any]:
    """A consent with its time as a time, whatever its ISO spelling."""
    return {**consent, "at": datetime.fromisoformat(consent["at"])}


async def found(workshop: Publisher, ro: str, *findings: tuple[uuid.UUID, dict[str, Any]]) -> None:
    """workshop.AdditionalWorkFound: one finding per (id, proposed line)."""
    reported = tuple(
        Finding(
            finding_id=finding_id,
            description=f"found: {line['description']}",
            safety_critical=False,
            proposed_lines=(RepairLine.model_validate({**line, "origin": "additional_work"}),),
            extra_minutes=20,
        )
        for finding_id, line in findings
    )
    event = AdditionalWorkFound(
        repair_order_id=uuid.UUID(ro), round=1, findings=reported, reported_by="tech-1", found_at=datetime.now(UTC)
    )
    await workshop.publish(Metadata(Tenant(GROUP_A, SITE_1), "tech-1", str(uuid.uuid4())), (f"work_order-{ro}", event))


@pytest.fixture
async def delivered(api: httpx.AsyncClient, workshop: Publisher, billing: Publisher) -> dict[str, Any]:
    """A visit walked around with damages, estimated by system, signed, with one finding approved
    and one declined (each by phone), paid and delivered: its ids and the consents recorded."""
    ro = (await ok(await post(api, "", CHECK_IN), 201))["repair_order_id"]
    await ok(await post(api, f"/{ro}/walk-around", WALK_AROUND), 201)
    await ok(await post(api, f"/{ro}/concerns", CONCERN), 201)
    estimate = {
        "items": [SERVICE_ITEM],
        "promised_at": (datetime.now(UTC) + timedelta(hours=2)).isoformat(),
        "payment_method": "card",
        "old_parts": "keep",
        "wash": False,
        "estimate_method": "system",
    }
    await ok(await post(api, f"/{ro}/estimate", estimate), 201)
    await ok(await post(api, f"/{ro}/sign", {"signature_ref": SIGNATURE}))
    await ok(await post(api, f"/{ro}/hand-over", {"key_tag": "K-42"}))

    brakes, wipers = uuid.uuid4(), uuid.uuid4()
    await found(
        workshop,
        ro,
        (brakes, repair_line("rear brake discs", 22500, 76000)),
        (wipers, repair_line("wipers", 2000, 13000)),
    )
    await eventually(lambda: view(api, ro), until=lambda body: len(body["findings"]) == 2, what="the findings")
    approval, refusal = consent_by("rec-1"), consent_by("rec-2")
    await ok(await post(api, f"/{ro}/additional-work/{brakes}/approve", {"consent": approval}))
    decline = {"consent": refusal, "customer_reason": REASON, "safety_explained": True}
    await ok(await post(api, f"/{ro}/additional-work/{wipers}/decline", decline))

    await ready(workshop, ro)
    await eventually(lambda: view(api, ro), until=lambda body: body["status"] == "ready", what="ready after QC")
    invoiced = sum(
        line["labour_price"] + sum(p["quantity"] * p["unit_price"] for p in line["parts"])
        for line in (await view(api, ro))["lines"]
    )
    await pay(billing, ro, "SVC-000042", ("card", invoiced))
    await eventually(lambda: view(api, ro), until=lambda body: body["status"] == "settled", what="settled by billing")
    # Kept old parts go back to the customer; showing them first is not required.
    checklist = {"work_explained": True, "old_parts_shown": False, "old_parts_returned": True}
    await ok(await post(api, f"/{ro}/delivery", checklist))
    return {
        "ro": ro,
        "brakes": str(brakes),
        "wipers": str(wipers),
        "approved": as_recorded(approval),
        "declined": as_recorded(refusal),
    }


async def test_the_view_holds_the_walk_around_with_its_damages(
    api: httpx.AsyncClient, delivered: dict[str, Any]
) -> None:
    walk_around = (await view(api, delivered["ro"]))["walk_around"]

    assert walk_around["mileage_km"] == 23456
    assert walk_around["fuel_eighths"] == 3
    assert (walk_around["valuables_reminded"], walk_around["protective_covers_fitted"]) == (True, False)
    assert walk_around["declined_by_customer"] is False
    assert walk_around["warning_lamps"] == ["ABS"]
    assert walk_around["damages"] == DAMAGES
    assert (walk_around["spare_tyre_present"], walk_around["tools_present"]) == (True, None)
    assert walk_around["recorded_at"] is not None


async def test_before_the_walk_around_the_view_says_none_was_recorded(api: httpx.AsyncClient) -> None:
    ro = (await ok(await post(api, "", CHECK_IN), 201))["repair_order_id"]
    checked_in = await view(api, ro)

    assert (checked_in["walk_around_recorded"], checked_in["walk_around"]) == (False, None)
    assert (checked_in["signature_ref"], checked_in["delivery"]) == (None, None)
    assert (checked_in["wash"], checked_in["old_parts"], checked_in["estimate_method"]) == (None, None, None)


async def test_the_view_holds_the_signature_and_the_estimates_choices(
    api: httpx.AsyncClient, delivered: dict[str, Any]
) -> None:
    shown = await view(api, delivered["ro"])

    assert shown["signature_ref"] == SIGNATURE
    assert shown["signed_at"] is not None
    assert (shown["wash"], shown["old_parts"], shown["estimate_method"]) == (False, "keep", "system")


async def test_each_finding_holds_its_consent_and_a_decline_the_customers_reason(
    api: httpx.AsyncClient, delivered: dict[str, Any]
) -> None:
    findings = {f["finding_id"]: f for f in (await view(api, delivered["ro"]))["findings"]}
    approved, declined = findings[delivered["brakes"]], findings[delivered["wipers"]]

    assert approved["decision"] == "approved"
    assert as_recorded(approved["consent"]) == delivered["approved"]
    assert (approved["customer_reason"], approved["safety_explained"]) == (None, None)
    assert declined["decision"] == "declined"
    assert as_recorded(declined["consent"]) == delivered["declined"]
    assert (declined["customer_reason"], declined["safety_explained"]) == (REASON, True)


async def test_the_view_holds_the_delivery_checklist(api: httpx.AsyncClient, delivered: dict[str, Any]) -> None:
    shown = await view(api, delivered["ro"])
    delivery = shown["delivery"]

    checklist = [delivery[item] for item in ("work_explained", "old_parts_shown", "old_parts_returned")]
    assert checklist == [True, False, True]
    assert delivery["on_time"] is True  # two hours promised, delivered within the test
    assert delivery["delivered_at"] is not None
    assert shown["next_service_due_km"] == 23456 + 10000
    assert shown["next_service_menu_id"] == "A4L-20000"


async def test_the_workshop_sees_the_damages_the_signature_and_the_reason_but_not_the_customer(
    api: httpx.AsyncClient, delivered: dict[str, Any]
) -> None:
    ro = delivered["ro"]
    response = await api.get(f"/sites/{SITE_1}/repair-orders/{ro}", headers=as_(TECHNICIAN))
    shown = await ok(response)
    desk = await ok(await api.get(f"/sites/{SITE_1}/repair-orders/{ro}", headers=ADVISOR_A))

    assert (shown["customer"]["name"], shown["customer"]["phone"]) == (WITHHELD, WITHHELD)
    assert shown["walk_around"]["damages"] == DAMAGES
    assert shown["signature_ref"] == SIGNATURE
    declined = next(f for f in shown["findings"] if f["finding_id"] == delivered["wipers"])
    assert (declined["customer_reason"], as_recorded(declined["consent"])) == (REASON, delivered["declined"])
    assert {k: v for k, v in shown.items() if k not in ("customer", "vehicle_user")} == {
        k: v for k, v in desk.items() if k not in ("customer", "vehicle_user")
    }
