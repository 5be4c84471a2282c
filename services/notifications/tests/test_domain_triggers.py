"""Which event sends which message, about what, to whom, urgent or not, service or marketing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import get_args
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from events.catalog import billing, booking, complaints, followup, followup_files, reception, workshop
from events.catalog import notifications as ev
from events.catalog.booking_values import Contact as BookingContact
from events.catalog.reception_values import Contact, Recommendation, VehicleIdentity
from notifications.domain.templates import render, template_for
from notifications.domain.triggers import TRIGGERS, trigger_of
from notifications.schemas import Channel, Kind, Language

SHANGHAI = "Asia/Shanghai"
AT = datetime(2026, 3, 2, 2, 0, tzinfo=ZoneInfo("UTC"))  # 10:00 in Shanghai
RO, APPOINTMENT, CUSTOMER = uuid4(), uuid4(), uuid4()
VEHICLE = VehicleIdentity(vin="LFV2A21K8G3000001", plate="沪A12345")


def test_the_day_before_confirmation_goes_to_the_events_contact_with_the_slot_in_site_time() -> None:
    contact = BookingContact(name="李雷", phone="13800138000", customer_id=CUSTOMER)
    event = booking.ConfirmationRequested(
        appointment_id=APPOINTMENT, slot_start=AT, advisor_id="advisor-1", contact=contact, requested_at=AT
    )
    trigger = trigger_of(event, SHANGHAI)
    assert trigger is not None
    assert (trigger.kind, trigger.purpose, trigger.urgent) == ("appointment_confirmation", "service", False)
    assert trigger.params["time"] == "2026-03-02 10:00"
    assert trigger.reference == f"APPT {str(APPOINTMENT)[:8]}"
    assert trigger.contact is not None
    assert (trigger.contact.phone, trigger.contact.customer_id) == ("13800138000", CUSTOMER)


def test_the_late_warning_carries_the_new_time_and_is_urgent() -> None:
    event = workshop.JobRunningLate(
        repair_order_id=RO,
        promised_at=AT,
        forecast_ready_at=AT + timedelta(minutes=45),
        late_by_minutes=45,
        job_ids=(uuid4(),),
        detected_at=AT,
    )
    trigger = trigger_of(event, SHANGHAI)
    assert trigger is not None
    assert (trigger.kind, trigger.urgent, trigger.repair_order_id) == ("late_warning", True, RO)
    assert trigger.params["time"] == "2026-03-02 10:45"


def test_a_progress_check_that_is_late_sends_no_progress_report() -> None:
    def check(on_track: bool) -> workshop.ProgressCheckDue:
        return workshop.ProgressCheckDue(
            repair_order_id=RO,
            check="half_time",
            promised_at=AT,
            forecast_ready_at=AT,
            remaining_minutes=10,
            on_track=on_track,
            checked_at=AT,
        )

    on_track = trigger_of(check(True), SHANGHAI)
    assert on_track is not None
    assert on_track.kind == "progress_report"
    assert trigger_of(check(False), SHANGHAI) is None, "the late warning says it"


def test_an_invoice_with_nothing_to_pay_sends_nothing() -> None:
    def paid(gross: int) -> billing.InvoicePaid:
        return billing.InvoicePaid(
            invoice_id=uuid4(),
            repair_order_id=RO,
            invoice_number="SVC-2026-000001",
            series="service",
            customer_gross=gross,
            paid_at=AT,
        )

    trigger = trigger_of(paid(42550), SHANGHAI)
    assert trigger is not None
    assert (trigger.kind, trigger.params["amount"], trigger.params["invoice_number"]) == (
        "invoice",
        "425.50",
        "SVC-2026-000001",
    )
    assert trigger_of(paid(0), SHANGHAI) is None


@pytest.mark.parametrize(
    ("reason", "kind", "purpose"),
    [
        ("maintenance_due", "maintenance_reminder", "marketing"),
        ("declined_recommendation", "declined_work_reminder", "marketing"),
        ("campaign", "campaign_reminder", "marketing"),
        ("recall", "recall_reminder", "service"),
    ],
)
def test_reminders_are_marketing_but_a_recall_is_a_service_message(reason: str, kind: str, purpose: str) -> None:
    event = followup_files.AppointmentProposed(
        file_id=CUSTOMER,
        proposal_id=uuid4(),
        reason=reason,
        contact=Contact(name="李雷", phone="13800138000"),
        vehicle=VEHICLE,
        suggested_date=date(2026, 3, 16),
        proposed_at=AT,
    )
    trigger = trigger_of(event, SHANGHAI)
    assert trigger is not None
    assert (trigger.kind, trigger.purpose, trigger.params["due"]) == (kind, purpose, "2026-03-16")


def test_the_declined_work_reminder_names_the_item_declined() -> None:
    declined = Recommendation(
        finding_id=uuid4(),
        description="Tyre, front left: below the legal limit",
        safety_critical=True,
        labour_minutes=30,
        labour_price=6000,
        parts_price=0,
    )
    event = followup_files.AppointmentProposed(
        file_id=CUSTOMER,
        proposal_id=uuid4(),
        reason="declined_recommendation",
        contact=Contact(name="李雷", phone="13800138000"),
        vehicle=VEHICLE,
        suggested_date=date(2026, 3, 16),
        recommendation=declined,
        proposed_at=AT,
    )
    trigger = trigger_of(event, SHANGHAI)
    assert trigger is not None
    assert (trigger.kind, trigger.params["item"]) == ("declined_work_reminder", declined.description)
    for language in ("zh", "en"):
        # The sender adds the addressee's name to the trigger's own params.
        text = render(template_for({}, trigger.kind, "sms", language), {**trigger.params, "name": "李雷"})
        assert declined.description in text.body
        assert "{" not in text.body


def test_the_complaints_acknowledgement_names_its_due_time_and_looks_for_the_ro_then_the_customer() -> None:
    event = complaints.ComplaintOpened(
        complaint_id=uuid4(),
        customer_id=CUSTOMER,
        repair_order_id=RO,
        channel="phone",
        kind="complaint",
        category="time",
        customer_words="waited three hours",
        resolve_by=AT + timedelta(hours=24),
        handled_by="cs-1",
        received_at=AT,
    )
    trigger = trigger_of(event, SHANGHAI)
    assert trigger is not None
    assert (trigger.kind, trigger.repair_order_id, trigger.customer_id) == ("complaint_acknowledgement", RO, CUSTOMER)
    assert trigger.params["due"] == "2026-03-03 10:00"


def test_the_refused_callback_and_the_ready_car_go_to_the_ros_contact() -> None:
    refused = followup.CallbackRefused(callback_id=uuid4(), repair_order_id=RO, kind="first", attempts=1, refused_at=AT)
    ready = workshop.VehicleReadyForDelivery(
        repair_order_id=RO,
        promised_at=AT,
        on_time=True,
        worked_minutes=60,
        planned_minutes=60,
        rework_count=0,
        ready_at=AT,
    )
    for event, kind, urgent in ((refused, "callback_refused", False), (ready, "vehicle_ready", True)):
        trigger = trigger_of(event, SHANGHAI)
        assert trigger is not None
        assert (trigger.kind, trigger.urgent, trigger.repair_order_id) == (kind, urgent, RO)


def test_every_trigger_type_is_consumed() -> None:
    assert {t.event_type.split(".")[0] for t in TRIGGERS} == {
        "booking",
        "workshop",
        "billing",
        "followup",
        "complaints",
        "reception",
    }


def test_the_apis_code_lists_are_the_contracts() -> None:
    assert (get_args(Kind), get_args(Channel), get_args(Language)) == (ev.KINDS, ev.CHANNELS, ev.LANGUAGES)


def test_the_approval_request_carries_receptions_link_to_the_ros_contact() -> None:
    link = "http://127.0.0.1:8011/approvals/abc.def"
    event = reception.ApprovalRequested(
        repair_order_id=RO,
        approval_of="additional_work",
        scope="round-1",
        customer=Contact(name="李雷", phone="13800138000"),
        link=link,
        expires_at=AT + timedelta(hours=24),
        requested_at=AT,
    )
    trigger = trigger_of(event, SHANGHAI)
    assert trigger is not None
    assert (trigger.kind, trigger.purpose, trigger.repair_order_id) == ("approval_request", "service", RO)
    assert trigger.params == {"link": link, "until": "2026-03-03 10:00"}
    for language in ("zh", "en"):
        assert link in render(template_for({}, "approval_request", "sms", language), trigger.params).body


@pytest.mark.parametrize("reason", ["maintenance_due", "declined_recommendation", "campaign", "recall"])
def test_every_reminder_carries_the_link_of_its_proposal_in_both_languages(reason: str) -> None:
    link = "http://127.0.0.1:8011/p/proposal.abc.def"
    event = followup_files.AppointmentProposed(
        file_id=CUSTOMER,
        proposal_id=uuid4(),
        reason=reason,
        contact=Contact(name="李雷", phone="13800138000"),
        vehicle=VEHICLE,
        suggested_date=date(2026, 3, 16),
        proposed_at=AT,
        link=link,
    )
    trigger = trigger_of(event, SHANGHAI)
    assert trigger is not None
    for language in ("zh", "en"):
        assert link in render(template_for({}, trigger.kind, "sms", language), trigger.params).body


def test_the_appointments_reminders_name_their_appointment_whose_plate_the_message_shows() -> None:
    contact = BookingContact(name="李雷", phone="13800138000", customer_id=CUSTOMER)
    confirmation = booking.ConfirmationRequested(
        appointment_id=APPOINTMENT, slot_start=AT, advisor_id="advisor-1", contact=contact, requested_at=AT
    )
    overdue = booking.ArrivalConfirmationOverdue(
        appointment_id=APPOINTMENT,
        slot_start=AT,
        advisor_id="advisor-1",
        contact=contact,
        day_before_confirmed=False,
        noticed_at=AT,
    )
    for event in (confirmation, overdue):
        trigger = trigger_of(event, SHANGHAI)
        assert trigger is not None
        assert (trigger.appointment_id, "plate" in trigger.params) == (APPOINTMENT, False), "the event names no car"
