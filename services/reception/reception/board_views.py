"""The fields of booking's, reception's and the workshop's events that the advisor board reads
(`events.views`): the board decodes these, not the whole contracts."""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime

from events.catalog import booking, booking_values, reception_values
from events.catalog import reception as rec
from events.catalog import workshop as ws
from events.views import View, view, view_of


@view()
class OfAppointment(View):
    appointment_id: UUID


@view()
class OfRepairOrder(View):
    repair_order_id: UUID


@view(of=booking.AppointmentBooked)
class AppointmentBooked(OfAppointment):
    advisor_id: str
    vehicle: booking_values.VehicleIdentity
    vehicle_user: booking_values.Contact
    slot_start: AwareDatetime


AppointmentConfirmed = view_of(booking.AppointmentConfirmed, like=OfAppointment)


@view(of=booking.AppointmentRescheduled)
class AppointmentRescheduled(OfAppointment):
    slot_start: AwareDatetime
    advisor_id: str


AppointmentCancelled = view_of(booking.AppointmentCancelled, like=OfAppointment)
AppointmentNoShow = view_of(booking.AppointmentNoShow, like=OfAppointment)
VehicleArrived = view_of(booking.VehicleArrived, like=OfAppointment)


@view(of=booking.CapacitySet)
class CapacitySet(View):
    """The site's time zone: the board's day is the site's local day."""

    timezone: str


@view(of=rec.VehicleCheckedIn)
class VehicleCheckedIn(OfRepairOrder):
    appointment_id: UUID | None
    service_advisor: str
    vehicle: reception_values.VehicleIdentity
    vehicle_user: reception_values.Contact
    priority: str
    customer_waiting: bool
    arrived_at: AwareDatetime


@view(of=rec.RepairOrderSigned)
class RepairOrderSigned(OfRepairOrder):
    promised_at: AwareDatetime


@view(of=rec.PromisedTimeRevised)
class PromisedTimeRevised(OfRepairOrder):
    promised_at: AwareDatetime


VehicleHandedOver = view_of(rec.VehicleHandedOver, like=OfRepairOrder)
InvoiceSettled = view_of(rec.InvoiceSettled, like=OfRepairOrder)
ReadyForDeliveryMarked = view_of(rec.ReadyForDeliveryMarked, like=OfRepairOrder)
VehicleDelivered = view_of(rec.VehicleDelivered, like=OfRepairOrder)
ExitSlipIssued = view_of(rec.ExitSlipIssued, like=OfRepairOrder)


@view(of=ws.WorkOrderOpened)
class WorkOrderOpened(OfRepairOrder):
    jobs: tuple[ws.Job, ...]
    vehicle: reception_values.VehicleIdentity
    promised_at: AwareDatetime
    customer_waiting: bool
    opened_at: AwareDatetime


@view(of=ws.JobsAdded)
class JobsAdded(OfRepairOrder):
    jobs: tuple[ws.Job, ...]


@view(of=ws.QualityCheckFailed)
class QualityCheckFailed(OfRepairOrder):
    rework_job_ids: tuple[UUID, ...]


JobWithdrawn = view_of(ws.JobWithdrawn, like=OfRepairOrder)
JobCompleted = view_of(ws.JobCompleted, like=OfRepairOrder)
JobDispatched = view_of(ws.JobDispatched, like=OfRepairOrder)
JobStarted = view_of(ws.JobStarted, like=OfRepairOrder)
FindingDeclined = view_of(ws.FindingDeclined, like=OfRepairOrder)
AdditionalWorkFound = view_of(ws.AdditionalWorkFound, like=OfRepairOrder)
JobWaitingForParts = view_of(ws.JobWaitingForParts, like=OfRepairOrder)


@view(of=ws.JobPartsArrived)
class JobPartsArrived(OfRepairOrder):
    still_missing: tuple[str, ...]


@view(of=ws.ProgressCheckDue)
class ProgressCheckDue(OfRepairOrder):
    promised_at: AwareDatetime
    forecast_ready_at: AwareDatetime


@view(of=ws.JobRunningLate)
class JobRunningLate(OfRepairOrder):
    promised_at: AwareDatetime
    forecast_ready_at: AwareDatetime


VehicleReadyForDelivery = view_of(ws.VehicleReadyForDelivery, like=OfRepairOrder)
