"""The workshop's refusals: each a `DomainError` with a stable code (HTTP 409) and a message
that says which rule was broken."""

from __future__ import annotations

from events.errors import DomainError


class WorkOrderAlreadyOpen(DomainError):
    code = "work_order_already_open"


class NoWorkOrder(DomainError):
    code = "no_work_order"


class VehicleNotHandedOver(DomainError):
    code = "vehicle_not_handed_over"


class JobNotApproved(DomainError):
    """No job with this id: the line was never signed or approved (never do unapproved work)."""

    code = "job_not_approved"


class DuplicateJob(DomainError):
    code = "duplicate_job"


class JobWithdrawnError(DomainError):
    code = "job_withdrawn"


class JobAlreadyDone(DomainError):
    code = "job_already_done"


class JobInProgress(DomainError):
    code = "job_in_progress"


class JobNotDispatched(DomainError):
    code = "job_not_dispatched"


class NotAssignedTechnician(DomainError):
    code = "not_assigned_technician"


class JobNotInProgress(DomainError):
    code = "job_not_in_progress"


class WaitingForParts(DomainError):
    code = "waiting_for_parts"


class FindingRoundNotAllowed(DomainError):
    """A second round of findings only after a test drive or a first fix (docs/domain.md §3)."""

    code = "finding_round_not_allowed"


class DuplicateFinding(DomainError):
    code = "duplicate_finding"


class UnknownFinding(DomainError):
    code = "unknown_finding"


class WorkNotFinished(DomainError):
    code = "work_not_finished"


class DecisionPending(DomainError):
    """A finding still waits for the customer's decision: QC would hand back an unfinished car."""

    code = "customer_decision_pending"


class AlreadyReady(DomainError):
    code = "already_ready_for_delivery"


class NotCompleted(DomainError):
    code = "rework_of_unfinished_job"


class TimeOutOfOrder(DomainError):
    code = "time_out_of_order"


class TechnicianBusy(DomainError):
    """A technician is clocked on as many jobs as the site allows (one, unless it set more)."""

    code = "technician_busy"


class BayOccupied(DomainError):
    """A bay holds one open job at a time: dispatched or worked there, not yet completed."""

    code = "bay_occupied"
