"""The complaints service's refusals: each a `DomainError` with a stable code (HTTP 409) and a
message that says which rule was broken. Missing text and unknown codes use the shared
`events.rules.MissingInformation`, `InvalidCode` and `InvalidAmount`; a bad calendar is `sla.InvalidCalendar`."""

from __future__ import annotations

from events.errors import DomainError


class ComplaintAlreadyReceived(DomainError):
    code = "complaint_already_received"


class NoComplaint(DomainError):
    code = "no_complaint"


class ComplaintClosed(DomainError):
    code = "complaint_closed"


class StepOutOfOrder(DomainError):
    """The 7 steps are walked in order; none is skipped (docs/domain.md §7)."""

    code = "step_out_of_order"


class CustomerHasNotAgreed(DomainError):
    """Nothing is carried out before the customer agreed to the decision (docs/domain.md §7 step 5)."""

    code = "customer_has_not_agreed"


class ApprovalRequired(DomainError):
    """Beyond the handling person's authority a manager approves (docs/domain.md §7 step 4)."""

    code = "approval_required"


class ManufacturerReferralRequired(DomainError):
    """Beyond the dealer, the manufacturer's customer service decides (docs/domain.md §7 step 4)."""

    code = "manufacturer_referral_required"


class SeriousIsAComplaint(DomainError):
    """Accident, injury or safety is never a general grievance: it runs on the 24-hour clock."""

    code = "serious_is_a_complaint"


class NotSatisfied(DomainError):
    """A complaint closes only when the customer is satisfied (docs/domain.md §7 step 7)."""

    code = "customer_not_satisfied"


class SatisfiedButReopened(DomainError):
    code = "satisfied_but_reopened"


class TimeOutOfOrder(DomainError):
    code = "time_out_of_order"
