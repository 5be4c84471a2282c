"""Refusals of the RepairOrder aggregate, and the small checks that raise them.

The aggregate is split over several modules (desk, changes, delivery), so its errors live
here, in one place. Each has a stable `code` (the HTTP layer maps every `DomainError` to 409)
and is raised with a message that says which rule was broken and what to do instead."""

from __future__ import annotations

from datetime import datetime

from events.catalog.reception_values import Consent
from events.errors import DomainError, NotFound
from events.rules import InvalidAmount as InvalidAmount
from events.rules import InvalidCode as InvalidCode
from events.rules import MissingInformation as MissingInformation
from events.rules import require_code as require_code
from events.rules import require_text as require_text

# --- the visit ----------------------------------------------------------------------------


class NotCheckedIn(DomainError):
    code = "not_checked_in"


class CheckInReused(DomainError):
    """The visit's id (a client's `repair_order_id` or `Idempotency-Key`) already names a
    check-in with other details: a retry must repeat the request it retries."""

    code = "idempotency_key_reused"


class AppointmentNotFound(NotFound):
    """Booking has no such appointment at this site, as far as reception has heard (404)."""

    code = "appointment_not_found"


class ArrivalNotRecorded(DomainError):
    """Booking has not recorded the car's arrival, or reception has not heard of it yet: the
    request may be retried once booking has it."""

    code = "arrival_not_recorded"


class AppointmentCancelled(DomainError):
    code = "appointment_cancelled"


class VisitClosed(DomainError):
    """An exit slip ended the visit: nothing more happens on this stream."""

    code = "visit_closed"


class TimeOutOfOrder(DomainError):
    code = "time_out_of_order"


class AppointmentMismatch(DomainError):
    code = "appointment_mismatch"


class ContactRequired(DomainError):
    code = "contact_required"


class InvalidCourtesyTransport(DomainError):
    code = "invalid_courtesy_transport"


# --- walk-around and concerns -------------------------------------------------------------


class WalkAroundAlreadyRecorded(DomainError):
    code = "walk_around_already_recorded"


class WalkAroundRequired(DomainError):
    code = "walk_around_required"


class OvernightCheckIncomplete(DomainError):
    code = "overnight_check_incomplete"


class ConcernNotReadBack(DomainError):
    code = "concern_not_read_back"


class DuplicateConcern(DomainError):
    code = "duplicate_concern"


class ConcernRequired(DomainError):
    code = "concern_required"


# --- estimate, lines and signing ----------------------------------------------------------


class NoLines(DomainError):
    code = "no_lines"


class DuplicateLine(DomainError):
    code = "duplicate_line"


class GoodwillReasonRequired(DomainError):
    code = "goodwill_reason_required"


class CustomerSuppliedPartPriced(DomainError):
    code = "customer_supplied_part_priced"


class PriceReasonRequired(DomainError):
    """A line typed by hand, or priced or timed differently from the catalogue, needs a reason."""

    code = "price_reason_required"


class DiscountApprovalRequired(DomainError):
    """The estimate's discount is beyond the advisor's authority: a service manager approves it first."""

    code = "discount_approval_required"


class DiscountApprovalNotNeeded(DomainError):
    code = "discount_approval_not_needed"


class DiscountBeyondAuthority(DomainError):
    """A line added after signing with a discount beyond the person's authority."""

    code = "discount_beyond_authority"


class CatalogueModelFamilyRequired(DomainError):
    """The catalogue prices per model family: the car's model is not known, and none was given."""

    code = "model_family_required"


class PromisedTimeInPast(DomainError):
    code = "promised_time_in_past"


class EstimateRequired(DomainError):
    code = "estimate_required"


class AlreadySigned(DomainError):
    code = "already_signed"


class NotSigned(DomainError):
    code = "not_signed"


class ConsentRequired(DomainError):
    code = "consent_required"


class LineNotFound(DomainError):
    code = "line_not_found"


class LastLine(DomainError):
    code = "last_line"


class PromisedTimeUnchanged(DomainError):
    code = "promised_time_unchanged"


# --- workshop hand-offs -------------------------------------------------------------------


class KeyTagRequired(DomainError):
    code = "key_tag_required"


class AlreadyHandedOver(DomainError):
    code = "already_handed_over"


class NotHandedOver(DomainError):
    code = "not_handed_over"


class FindingNotFound(DomainError):
    code = "finding_not_found"


class FindingAlreadyReceived(DomainError):
    code = "finding_already_received"


class FindingAlreadyDecided(DomainError):
    code = "finding_already_decided"


class FindingAwaitingDecision(DomainError):
    code = "finding_awaiting_decision"


class SafetyExplanationRequired(DomainError):
    code = "safety_explanation_required"


class AlreadyReady(DomainError):
    code = "already_ready"


# --- settlement, delivery, exit slip ------------------------------------------------------


class NotReadyForDelivery(DomainError):
    code = "not_ready_for_delivery"


class AlreadySettled(DomainError):
    code = "already_settled"


class NotSettled(DomainError):
    code = "not_settled"


class RepairOrderInvoiced(DomainError):
    """Billing's invoice for the RO's work is issued and neither paid nor voided."""

    code = "repair_order_invoiced"


class AlreadyDelivered(DomainError):
    code = "already_delivered"


class ExplanationRequired(DomainError):
    code = "explanation_required"


class OldPartsNotReturned(DomainError):
    code = "old_parts_not_returned"


class DiagnosisFeeNotAllowed(DomainError):
    code = "diagnosis_fee_not_allowed"


# --- checks -------------------------------------------------------------------------------


def require_not_negative(value: int, what: str) -> int:
    if value < 0:
        raise InvalidAmount(f"{what} cannot be negative; got {value}")
    return value


# --- decisions through the customer's link (approvals.py) -------------------------------


class NothingToApprove(DomainError):
    """No finding of the round awaits the customer, or no estimate awaits signing."""

    code = "nothing_to_approve"


class ApprovalOutdated(DomainError):
    """The link's estimate was replaced by a newer one: the customer is asked again."""

    code = "approval_outdated"


class DecisionIncomplete(DomainError):
    """A link's decision covers every finding of its round still awaiting the customer."""

    code = "decision_incomplete"


def require_consent(consent: Consent | None, change_at: datetime, what: str) -> Consent:
    """Any change after signing needs the customer's signature or a recorded phone approval,
    given before the change is made (seed 003: "如有更改则必须得到客户认可")."""
    if consent is None:
        raise ConsentRequired(
            f"{what} changes a signed repair order: record the customer's signature or phone approval first"
        )
    if consent.at > change_at:
        raise ConsentRequired(f"{what}: the customer's consent is dated after the change; it must come first")
    return consent
