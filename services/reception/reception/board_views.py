"""The fields of booking's, reception's and the workshop's events that the advisor board reads
(`events.views`): the board decodes these, not the whole contracts."""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime

from events.catalog import booking, booking_values, reception_values
from events.catalog import reception as rec
from events.catalog import workshop as ws
from events.views import View, view


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


@view(of=booking.AppointmentConfirmed)
class AppointmentConfirmed(OfAppointment):
    pass


@view(of=booking.AppointmentRescheduled)
class AppointmentRescheduled(OfAppointment):
    slot_start: AwareDatetime
    advisor_id: str


@view(of=booking.AppointmentCancelled)
class AppointmentCancelled(OfAppointment):
    pass


@view(of=booking.AppointmentNoShow)
class AppointmentNoShow(OfAppointment):
    pass


@view(of=booking.VehicleArrived)
class VehicleArrived(OfAppointment):
    pass


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


@view(of=rec.VehicleHandedOver)
class VehicleHandedOver(OfRepairOrder):
    pass


@view(of=rec.InvoiceSettled)
class InvoiceSettled(OfRepairOrder):
    pass


@view(of=rec.VehicleDelivered)
class VehicleDelivered(OfRepairOrder):
    pass


@view(of=rec.ExitSlipIssued)
class ExitSlipIssued(OfRepairOrder):
    pass


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


@view(of=ws.JobWithdrawn)
class JobWithdrawn(OfRepairOrder):
    pass


@view(of=ws.JobCompleted)
class JobCompleted(OfRepairOrder):
    pass


@view(of=ws.JobDispatched)
class JobDispatched(OfRepairOrder):
    pass


@view(of=ws.JobStarted)
class JobStarted(OfRepairOrder):
    pass


@view(of=ws.FindingDeclined)
class FindingDeclined(OfRepairOrder):
    pass


@view(of=ws.AdditionalWorkFound)
class AdditionalWorkFound(OfRepairOrder):
    pass


@view(of=ws.JobWaitingForParts)
class JobWaitingForParts(OfRepairOrder):
    pass


@view(of=ws.JobPartsArrived)
class JobPartsArrived(OfRepairOrder):
    still_missing: tuple[str, ...]


@view(of=ws.ProgressCheckDue)
class ProgressCheckDue(OfRepairOrder):
    on_track: bool
    forecast_ready_at: AwareDatetime


@view(of=ws.JobRunningLate)
class JobRunningLate(OfRepairOrder):
    forecast_ready_at: AwareDatetime


@view(of=ws.VehicleReadyForDelivery)
class VehicleReadyForDelivery(OfRepairOrder):
    pass
