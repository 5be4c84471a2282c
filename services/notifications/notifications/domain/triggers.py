"""Which other services' events send which message, about what, to whom (pure).

Each trigger names the message kind, what it is about (`reference`: the RO, appointment,
complaint or invoice, shown in the text and on the customer's message list), the placeholders
of its template, whether it is urgent (not held by quiet hours), and how to reach the person:
the contact the event carries, or the repair order's (learnt from reception's check-in), or the
customer's (booking's registry). Times are written in the site's time zone.

The additional-work (or estimate) approval request carries reception's approval link (`{link}`).
The appointment confirmation carries booking's link (`{link}`) when the event has one. A reminder
carries the portal's page of its proposal (`{link}`). Booking's day-before and arrival events name
no car: its plate is the one the appointment was booked with (`appointment_id`, learnt here).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from events.catalog import billing, booking, complaints, followup, followup_files, reception, workshop
from events.contract import Event

MARKETING_KINDS = frozenset({"maintenance_reminder", "declined_work_reminder", "campaign_reminder"})
PROPOSAL_KINDS = {
    "maintenance_due": "maintenance_reminder",
    "declined_recommendation": "declined_work_reminder",  # names the item declined, with last visit's grade
    "campaign": "campaign_reminder",
    "recall": "recall_reminder",  # a safety matter: a service message, no marketing consent needed
}


@dataclass(frozen=True)
class Addressee:
    name: str
    phone: str
    customer_id: UUID | None = None


@dataclass(frozen=True)
class Trigger:
    kind: str
    reference: str
    params: Mapping[str, str] = field(default_factory=dict)
    urgent: bool = False
    contact: Addressee | None = None  # the event names the person
    repair_order_id: UUID | None = None  # else the RO's contact
    appointment_id: UUID | None = None  # the booked appointment's plate, for a contact without one
    customer_id: UUID | None = None  # else the customer's

    @property
    def purpose(self) -> str:
        return "marketing" if self.kind in MARKETING_KINDS else "service"


def local(at: datetime, timezone: str) -> str:
    return at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _ro(ro: UUID) -> str:
    return f"RO {str(ro)[:8]}"


def trigger_of(event: Event, timezone: str) -> Trigger | None:
    """The message `event` sends, or None (see the module docstring)."""
    if isinstance(event, booking.ConfirmationRequested):
        who = Addressee(event.contact.name, event.contact.phone, event.contact.customer_id)
        ref = f"APPT {str(event.appointment_id)[:8]}"
        when = {"time": local(event.slot_start, timezone), "link": event.link or ""}  # the portal's link, if any
        return Trigger("appointment_confirmation", ref, when, contact=who, appointment_id=event.appointment_id)
    if isinstance(event, booking.ArrivalConfirmationOverdue):
        who = Addressee(event.contact.name, event.contact.phone, event.contact.customer_id)
        ref = f"APPT {str(event.appointment_id)[:8]}"
        slot = {"time": local(event.slot_start, timezone)}
        return Trigger("arrival_check", ref, slot, urgent=True, contact=who, appointment_id=event.appointment_id)
    if isinstance(event, workshop.ProgressCheckDue) and event.on_track:
        when = {"time": local(event.forecast_ready_at, timezone)}
        return Trigger("progress_report", _ro(event.repair_order_id), when, repair_order_id=event.repair_order_id)
    if isinstance(event, workshop.JobRunningLate):
        when = {"time": local(event.forecast_ready_at, timezone)}
        ro = event.repair_order_id
        return Trigger("late_warning", _ro(ro), when, urgent=True, repair_order_id=ro)
    if isinstance(event, workshop.VehicleReadyForDelivery):
        ro = event.repair_order_id
        return Trigger("vehicle_ready", _ro(ro), {}, urgent=True, repair_order_id=ro)
    if isinstance(event, billing.InvoicePaid) and event.customer_gross > 0:
        amount = {"invoice_number": event.invoice_number, "amount": f"{event.customer_gross / 100:.2f}"}
        return Trigger("invoice", event.invoice_number, amount, repair_order_id=event.repair_order_id)
    if isinstance(event, followup.CallbackRefused):
        ro = event.repair_order_id
        return Trigger("callback_refused", _ro(ro), {}, repair_order_id=ro)
    if isinstance(event, followup_files.AppointmentProposed):
        who = Addressee(event.contact.name, event.contact.phone, event.contact.customer_id)
        due = {"due": _day(event.suggested_date or event.contact_from), "plate": event.vehicle.plate}
        due["link"] = event.link  # the portal's page where the customer answers (followup signs it)
        if event.recommendation is not None:
            due["item"] = event.recommendation.description
        return Trigger(PROPOSAL_KINDS[event.reason], f"{event.vehicle.plate}", due, contact=who)
    if isinstance(event, reception.ApprovalRequested):  # the link to decide on the phone (docs/approval-links.md)
        asked = {"link": event.link, "until": local(event.expires_at, timezone)}
        return Trigger("approval_request", _ro(event.repair_order_id), asked, repair_order_id=event.repair_order_id)
    if isinstance(event, complaints.ComplaintOpened):
        due = {"due": local(event.resolve_by, timezone)}
        ref = f"C {str(event.complaint_id)[:8]}"
        return Trigger(
            "complaint_acknowledgement", ref, due, repair_order_id=event.repair_order_id, customer_id=event.customer_id
        )
    return None


TRIGGERS = (
    booking.ConfirmationRequested,
    booking.ArrivalConfirmationOverdue,
    workshop.ProgressCheckDue,
    workshop.JobRunningLate,
    workshop.VehicleReadyForDelivery,
    billing.InvoicePaid,
    followup.CallbackRefused,
    followup_files.AppointmentProposed,
    complaints.ComplaintOpened,
    reception.ApprovalRequested,
)
