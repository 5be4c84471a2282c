"""Every message kind, read from the local receiver it went to (the SMS gateway's, the mail
server's or the WeChat account's own records, never our tables): its trigger published as the
owning service publishes it, the customer gets exactly one message, in their language, on their
channel, with what the kind is for — the link, the new time, the due time, the amount.

A kind added to the contract without a case here fails `test_every_kind_has_a_case`."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from notifications_service import SITE, START, Service, as_

from events.catalog import billing, booking, complaints, followup, followup_files, notifications, reception, workshop
from events.catalog.booking_values import Contact as BookingContact
from events.catalog.booking_values import RequestedJob
from events.catalog.booking_values import VehicleIdentity as BookedVehicle
from events.catalog.reception_values import Contact, Recommendation, VehicleIdentity

PLATE = "沪B67890"
VEHICLE = VehicleIdentity(vin="LFV2A21K8G3000002", plate=PLATE)
NAME = {"zh": "韩梅梅", "en": "Han Meimei"}
GREETING = {"zh": "您好", "en": "Dear "}  # each template's opening, in its language
PORTAL = "http://127.0.0.1:8011/p/"


@dataclass(frozen=True)
class Customer:
    """One customer as the dealer knows them: a phone, and maybe an e-mail or a WeChat openid
    they prefer, a language, consent."""

    customer_id: uuid.UUID
    name: str
    phone: str
    address: str  # where their preferred channel reaches them
    channel: str  # the receiver's channel: sms, mail, wechat
    language: str


async def a_customer(service: Service, language: str, channel: str, marketing: bool = False) -> Customer:
    customer_id = uuid.uuid4()
    phone = f"137{customer_id.int % 10**8:08d}"
    body: dict[str, Any] = {"language": language}
    address = phone
    if channel == "mail":
        address = f"{customer_id.hex[:10]}@example.cn"
        body |= {"email": address, "preferred_channel": "email"}
    elif channel == "wechat":
        address = f"o{customer_id.hex[:20]}"
        async with httpx.AsyncClient() as client:
            followed = await client.post(f"{service.receivers.url}/wechat/admin/followers", json={"openid": address})
            followed.raise_for_status()
        body |= {"wechat_openid": address, "preferred_channel": "wechat"}
    if marketing:
        body["consent"] = [f"{'email' if channel == 'mail' else channel}:marketing"]
    answer = await service.http.put(
        f"/sites/{SITE}/contact-preferences/{customer_id}", json=body, headers=as_("cs_agent")
    )
    assert answer.status_code == 200, answer.text
    return Customer(customer_id, NAME[language], phone, address, channel, language)


def reception_contact(who: Customer) -> Contact:
    return Contact(name=who.name, phone=who.phone, customer_id=who.customer_id)


async def a_visit(service: Service, who: Customer) -> uuid.UUID:
    """The car checked in at reception: whom the RO's messages are for."""
    ro = uuid.uuid4()
    checked_in = reception.VehicleCheckedIn(
        repair_order_id=ro,
        arrival_kind="walk_in",
        priority="normal",
        customer=reception_contact(who),
        vehicle=VEHICLE,
        vehicle_user=reception_contact(who),
        service_advisor="advisor-1",
        arrived_at=START,
        greeted_at=START,
        customer_waiting=True,
        contact_phone=who.phone,
    )
    await service.publish((f"repair_order-{ro}", checked_in))
    await service.learnt(f"ro:{ro}")
    return ro


def booked(
    appointment: uuid.UUID, who: Customer, slot_start: datetime, booked_at: datetime, *, channel: str = "phone"
) -> tuple[booking.AppointmentBooked, BookingContact]:
    """Booking's event for the car's appointment (the plate its messages name), and its contact."""
    contact = BookingContact(name=who.name, phone=who.phone, customer_id=who.customer_id)
    event = booking.AppointmentBooked(
        appointment_id=appointment,
        kind="active" if channel == "phone" else "passive",
        reason="maintenance_due" if channel == "phone" else "maintenance",
        channel=channel,
        customer=contact,
        vehicle=BookedVehicle(vin=VEHICLE.vin, plate=PLATE),
        vehicle_user=contact,
        requested_jobs=(RequestedJob(job_id=uuid.uuid4(), description="10,000 km service", estimated_minutes=60),),
        advisor_id="advisor-1",
        slot_start=slot_start,
        estimated_minutes=60,
        booked_at=booked_at,
    )
    return event, contact


async def an_appointment(service: Service, who: Customer) -> tuple[uuid.UUID, BookingContact]:
    """An appointment booked for the car a week ago: the plate its later reminders name."""
    appointment = uuid.uuid4()
    event, contact = booked(appointment, who, START + timedelta(days=1), START - timedelta(days=7))
    await service.publish((f"appointment-{appointment}", event))
    await service.learnt(f"appointment:{appointment}")
    return appointment, contact


def proposal(who: Customer, reason: str, link: str, recommendation: Recommendation | None = None) -> Any:
    return f"customer_file-{who.customer_id}", followup_files.AppointmentProposed(
        file_id=who.customer_id,
        proposal_id=uuid.uuid4(),
        reason=reason,
        contact=reception_contact(who),
        vehicle=VEHICLE,
        suggested_date=date(2026, 3, 16),
        recommendation=recommendation,
        proposed_at=START,
        link=link,
    )


def ro_reference(ro: uuid.UUID) -> str:
    return f"RO {str(ro)[:8]}"


# A case: the customer it is for, and the trigger published as its owner would; what the message
# must say besides the customer's name and its language's greeting.
Case = Callable[[Service], Awaitable[tuple[Customer, list[str]]]]


async def appointment_confirmation(service: Service) -> tuple[Customer, list[str]]:
    who = await a_customer(service, "zh", "sms")
    appointment, contact = await an_appointment(service, who)
    link = f"{PORTAL}appointment.{appointment.hex}"
    asked = booking.ConfirmationRequested(
        appointment_id=appointment,
        slot_start=START + timedelta(days=1),
        advisor_id="advisor-1",
        contact=contact,
        requested_at=START,
        link=link,
    )
    await service.publish((f"appointment-{appointment}", asked))
    return who, ["预约于2026-03-03 10:00", link, PLATE, f"APPT {str(appointment)[:8]}"]


async def arrival_check(service: Service) -> tuple[Customer, list[str]]:
    who = await a_customer(service, "en", "mail")
    appointment, contact = await an_appointment(service, who)
    overdue = booking.ArrivalConfirmationOverdue(
        appointment_id=appointment,
        slot_start=START + timedelta(minutes=30),
        advisor_id="advisor-1",
        contact=contact,
        day_before_confirmed=True,
        noticed_at=START,
    )
    await service.publish((f"appointment-{appointment}", overdue))
    return who, ["your appointment at 2026-03-02 10:30 is coming up", f"we are ready for {PLATE}"]


async def progress_report(service: Service) -> tuple[Customer, list[str]]:
    who = await a_customer(service, "zh", "wechat")
    ro = await a_visit(service, who)
    check = workshop.ProgressCheckDue(
        repair_order_id=ro,
        check="half_time",
        promised_at=START + timedelta(hours=3),
        forecast_ready_at=START + timedelta(hours=2, minutes=40),
        remaining_minutes=40,
        on_track=True,
        checked_at=START,
    )
    await service.publish((f"work_order-{ro}", check))
    return who, ["维修进展顺利", "预计2026-03-02 12:40完工", PLATE, ro_reference(ro)]


async def late_warning(service: Service) -> tuple[Customer, list[str]]:
    who = await a_customer(service, "en", "sms")
    ro = await a_visit(service, who)
    late = workshop.JobRunningLate(
        repair_order_id=ro,
        promised_at=START + timedelta(hours=3),
        forecast_ready_at=START + timedelta(hours=4, minutes=15),
        late_by_minutes=75,
        job_ids=(uuid.uuid4(),),
        detected_at=START,
    )
    await service.publish((f"work_order-{ro}", late))
    return who, ["The new time is 2026-03-02 14:15", PLATE, ro_reference(ro)]


async def vehicle_ready(service: Service) -> tuple[Customer, list[str]]:
    who = await a_customer(service, "zh", "sms")
    ro = await a_visit(service, who)
    ready = workshop.VehicleReadyForDelivery(
        repair_order_id=ro,
        promised_at=START + timedelta(hours=3),
        on_time=True,
        worked_minutes=90,
        planned_minutes=90,
        rework_count=0,
        ready_at=START,
    )
    await service.publish((f"work_order-{ro}", ready))
    return who, ["已完工并通过质检", PLATE, ro_reference(ro)]


async def invoice(service: Service) -> tuple[Customer, list[str]]:
    who = await a_customer(service, "en", "mail")
    ro = await a_visit(service, who)
    invoice_id = uuid.uuid4()
    paid = billing.InvoicePaid(
        invoice_id=invoice_id,
        repair_order_id=ro,
        invoice_number="SVC-2026-000123",
        series="service",
        customer_gross=42550,
        paid_at=START,
    )
    await service.publish((f"invoice-{invoice_id}", paid))
    return who, ["invoice SVC-2026-000123", "CNY 425.50", PLATE]


async def callback_refused(service: Service) -> tuple[Customer, list[str]]:
    who = await a_customer(service, "zh", "sms")
    ro = await a_visit(service, who)
    callback = uuid.uuid4()
    refused = followup.CallbackRefused(
        callback_id=callback, repair_order_id=ro, kind="first", attempts=1, refused_at=START
    )
    await service.publish((f"callback-{callback}", refused))
    return who, ["感谢您近期到店", ro_reference(ro)]


async def approval_request(service: Service) -> tuple[Customer, list[str]]:
    who = await a_customer(service, "en", "sms")
    ro = await a_visit(service, who)
    link = f"{PORTAL}approvals/{ro.hex}.signature"
    asked = reception.ApprovalRequested(
        repair_order_id=ro,
        approval_of="additional_work",
        scope="round-1",
        finding_ids=(uuid.uuid4(),),
        customer=reception_contact(who),
        link=link,
        expires_at=START + timedelta(hours=24),
        requested_at=START,
    )
    await service.publish((f"repair_order-{ro}", asked))
    return who, [link, "valid until 2026-03-03 10:00", "approve or decline each item", PLATE]


async def maintenance_reminder(service: Service) -> tuple[Customer, list[str]]:
    who = await a_customer(service, "zh", "sms", marketing=True)
    link = f"{PORTAL}proposal.{who.customer_id.hex}"
    await service.publish(proposal(who, "maintenance_due", link))
    return who, ["将于2026-03-16前后到期保养", link, PLATE]


async def declined_work_reminder(service: Service) -> tuple[Customer, list[str]]:
    who = await a_customer(service, "en", "mail", marketing=True)
    link = f"{PORTAL}proposal.{who.customer_id.hex}"
    declined = Recommendation(
        finding_id=uuid.uuid4(),
        description="Tyre, front left: below the legal limit",
        safety_critical=True,
        labour_minutes=30,
        labour_price=6000,
        parts_price=0,
    )
    await service.publish(proposal(who, "declined_recommendation", link, declined))
    return who, [f"{PLATE}: Tyre, front left: below the legal limit", "around 2026-03-16", link]


async def campaign_reminder(service: Service) -> tuple[Customer, list[str]]:
    who = await a_customer(service, "en", "wechat", marketing=True)
    link = f"{PORTAL}proposal.{who.customer_id.hex}"
    await service.publish(proposal(who, "campaign", link))
    return who, [f"a service campaign applies to {PLATE} from 2026-03-16", link]


async def recall_reminder(service: Service) -> tuple[Customer, list[str]]:
    who = await a_customer(service, "zh", "sms")  # a safety matter: no marketing consent needed
    link = f"{PORTAL}proposal.{who.customer_id.hex}"
    await service.publish(proposal(who, "recall", link))
    return who, ["涉及厂家召回", "2026-03-16", link, PLATE]


async def complaint_acknowledgement(service: Service) -> tuple[Customer, list[str]]:
    who = await a_customer(service, "en", "sms")
    ro = await a_visit(service, who)
    complaint = uuid.uuid4()
    opened = complaints.ComplaintOpened(
        complaint_id=complaint,
        customer_id=who.customer_id,
        repair_order_id=ro,
        channel="phone",
        kind="complaint",
        category="time",
        customer_words="waited three hours",
        resolve_by=START + timedelta(hours=24),
        handled_by="cs-1",
        received_at=START,
    )
    await service.publish((f"complaint-{complaint}", opened))
    return who, ["will answer you by 2026-03-03 10:00", f"C {str(complaint)[:8]}"]


CASES: dict[str, Case] = {
    "appointment_confirmation": appointment_confirmation,
    "arrival_check": arrival_check,
    "progress_report": progress_report,
    "late_warning": late_warning,
    "vehicle_ready": vehicle_ready,
    "invoice": invoice,
    "callback_refused": callback_refused,
    "approval_request": approval_request,
    "maintenance_reminder": maintenance_reminder,
    "declined_work_reminder": declined_work_reminder,
    "campaign_reminder": campaign_reminder,
    "recall_reminder": recall_reminder,
    "complaint_acknowledgement": complaint_acknowledgement,
}
SETTLED = ("delivered", "sent")  # WeChat sends no delivery report: its message stays sent


def test_every_kind_has_a_case() -> None:
    assert sorted(CASES) == sorted(notifications.KINDS)


@pytest.mark.parametrize("kind", list(CASES))
async def test_the_customer_gets_one_message_of_the_kind_in_their_language(service: Service, kind: str) -> None:
    who, facts = await CASES[kind](service)

    (row,) = await service.messages(
        str(who.customer_id), until=lambda rows: bool(rows) and rows[0]["status"] in SETTLED
    )
    assert (row["kind"], row["channel"]) == (kind, {"mail": "email"}.get(who.channel, who.channel))
    # The message's life is over (the receiver answered): nothing more can come of this trigger.
    received = await service.receivers.received(who.address)
    assert len(received) == 1, received
    (message,) = received
    assert message["channel"] == who.channel
    text = message["body"]
    assert who.name in text
    assert GREETING[who.language] in text, f"not in {who.language}: {text}"
    for fact in facts:
        assert fact in text, f"{fact!r} not in {text!r}"
    assert "{" not in text, f"a placeholder left unfilled: {text}"
    if who.address != who.phone:
        assert await service.receivers.received(who.phone) == [], "one message, on the preferred channel"


async def test_a_confirmation_asked_for_with_its_booking_still_finds_the_customer_and_the_car(service: Service) -> None:
    """An internet booking less than a day ahead asks for its confirmation at once: the booking
    (whom to tell, which car) and the request come in one fetch. Learnt by another consumer
    than the trigger's, the contact could be missing when the trigger looked (undeliverable)."""
    who = await a_customer(service, "en", "sms")
    appointment = uuid.uuid4()
    event, contact = booked(appointment, who, START + timedelta(hours=5), START, channel="internet")
    asked = booking.ConfirmationRequested(
        appointment_id=appointment,
        slot_start=START + timedelta(hours=5),
        advisor_id="advisor-1",
        contact=contact,
        requested_at=START,
    )
    await service.publish((f"appointment-{appointment}", event), (f"appointment-{appointment}", asked))

    (row,) = await service.messages(
        str(who.customer_id), until=lambda rows: bool(rows) and rows[0]["status"] in ("delivered", "undeliverable")
    )
    assert (row["kind"], row["status"]) == ("appointment_confirmation", "delivered")
    (message,) = await service.receivers.received(who.phone)
    assert PLATE in message["body"]
