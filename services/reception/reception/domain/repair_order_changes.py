"""Changes to a signed repair order: lines added or removed and promised time revised, each
with the customer's recorded consent; and additional work found by the workshop, approved or
declined by the customer (docs/domain.md §2-3, seeds 000, 002, 003). Also the line rules that every
way of putting a line on the RO shares.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from uuid import UUID

from events.catalog.reception import (
    AdditionalWorkApproved,
    AdditionalWorkAwaitingApproval,
    AdditionalWorkDeclined,
    PromisedTimeRevised,
    RepairLineAdded,
    RepairLineRemoved,
)
from events.catalog.reception_values import GOODWILL_PAY_TYPES, RepairLine
from events.contract import Event
from reception.domain import errors, pricing
from reception.domain.errors import require_consent, require_not_negative, require_text
from reception.domain.invoice import price
from reception.domain.repair_order_commands import (
    AddRepairLine,
    ApproveAdditionalWork,
    DeclineAdditionalWork,
    ReceiveAdditionalWork,
    RemoveRepairLine,
    RevisePromisedTime,
)
from reception.domain.repair_order_state import Finding, RepairOrder, require_in_progress, require_work_open

# --- line rules ---------------------------------------------------------------------------


def checked_lines(lines: Iterable[RepairLine], taken: set[UUID], origin: str) -> tuple[RepairLine, ...]:
    """The lines as they go on the RO, with `origin` set; refuses what no RO may carry."""
    checked: list[RepairLine] = []
    seen = set(taken)
    for line in lines:
        if line.line_id in seen:
            raise errors.DuplicateLine(f"line {line.line_id} is already on this repair order")
        seen.add(line.line_id)
        # docs/contract.md: goodwill is a DEALER or MANUFACTURER line *with a reason*.
        if line.pay_type in GOODWILL_PAY_TYPES and not (line.pay_type_reason or "").strip():
            raise errors.GoodwillReasonRequired(
                f"line {line.description!r}: a {line.pay_type} (goodwill/campaign) line needs a reason"
            )
        for part in line.parts:
            # The customer brought the part: we charge the labour, never the part.
            if part.customer_supplied and part.unit_price:
                raise errors.CustomerSuppliedPartPriced(
                    f"part {part.part_number} was supplied by the customer and cannot be charged"
                )
        checked.append(line.model_copy(update={"origin": origin}))
    if not checked:
        raise errors.NoLines("give at least one repair line")
    return tuple(checked)


# --- consented changes --------------------------------------------------------------------


def add_line(state: RepairOrder, command: AddRepairLine) -> Sequence[Event]:
    visit = require_work_open(state)
    consent = require_consent(command.consent, command.added_at, "adding a line")
    (line,) = checked_lines((command.line.line,), state.known_line_ids(), "additional_work")
    adjustment = pricing.adjustment(command.line)
    if adjustment is not None and pricing.beyond_authority((adjustment,), command.discount_authority_bp):
        # The RO is signed: no approval step is left before the work, so the line waits for
        # someone whose authority covers it.
        raise errors.DiscountBeyondAuthority(
            f"{adjustment.discount} off the catalogue's {adjustment.catalogue_price} is beyond your discount "
            "authority: a service manager adds this line"
        )
    return [
        RepairLineAdded(
            repair_order_id=visit.repair_order_id,
            line=line,
            consent=consent,
            added_at=command.added_at,
            price_lists=dict(command.price_lists),
            adjustment=adjustment,
        )
    ]


def remove_line(state: RepairOrder, command: RemoveRepairLine) -> Sequence[Event]:
    visit = require_work_open(state)
    if state.line(command.line_id) is None:
        raise errors.LineNotFound(f"line {command.line_id} is not an approved line of this repair order")
    if len(state.lines) == 1:
        # An RO with no work is not a repair order: the visit ends at delivery with the car
        # as it is, or the work is replaced first (add, then remove).
        raise errors.LastLine("this is the only line left; add the replacement work before removing it")
    reason = require_text(command.reason, "the reason for removing a line")
    consent = require_consent(command.consent, command.removed_at, "removing a line")
    return [
        RepairLineRemoved(
            repair_order_id=visit.repair_order_id,
            line_id=command.line_id,
            reason=reason,
            consent=consent,
            removed_at=command.removed_at,
        )
    ]


def revise_promised_time(state: RepairOrder, command: RevisePromisedTime) -> Sequence[Event]:
    visit = require_in_progress(state)
    previous = state.promised_at
    assert previous is not None  # require_signed guarantees a promise
    if command.promised_at == previous:
        raise errors.PromisedTimeUnchanged("the new promised time is the one already agreed")
    if command.promised_at <= command.revised_at:
        raise errors.PromisedTimeInPast("a new promised time must lie after the moment it is agreed")
    reason = require_text(command.reason, "the reason for the new promised time")
    consent = require_consent(command.consent, command.revised_at, "revising the promised time")
    return [
        PromisedTimeRevised(
            repair_order_id=visit.repair_order_id,
            previous_promised_at=previous,
            promised_at=command.promised_at,
            reason=reason,
            consent=consent,
            # docs/domain.md §3: a late car is announced *before* the promised time; a late notice
            # is still recorded (the customer agreed), but counted.
            informed_before_promise=consent.at <= previous,
            revised_at=command.revised_at,
        )
    ]


# --- additional work ----------------------------------------------------------------------


def receive_additional_work(state: RepairOrder, command: ReceiveAdditionalWork) -> Sequence[Event]:
    visit = require_in_progress(state)
    if state.finding(command.finding_id) is not None:
        raise errors.FindingAlreadyReceived(f"finding {command.finding_id} is already on this repair order")
    description = require_text(command.description, "a description of the finding")
    extra_minutes = require_not_negative(command.extra_minutes, "extra minutes")
    lines = checked_lines(command.proposed_lines, state.known_line_ids(), "additional_work")
    if command.safety_critical:
        # docs/domain.md §3: safety-critical findings are flagged as such, down to every line.
        lines = tuple(line.model_copy(update={"safety_critical": True}) for line in lines)
    return [
        AdditionalWorkAwaitingApproval(
            repair_order_id=visit.repair_order_id,
            finding_id=command.finding_id,
            description=description,
            proposed_lines=lines,
            safety_critical=command.safety_critical,
            evidence_refs=command.evidence_refs,
            extra_minutes=extra_minutes,
            price=price(lines).total,
            received_at=command.received_at,
            round=command.round,
            severity=command.severity,
            media=command.media,
        )
    ]


def _undecided(state: RepairOrder, finding_id: UUID) -> Finding:
    finding = state.finding(finding_id)
    if finding is None:
        raise errors.FindingNotFound(f"no additional work {finding_id} was reported on this repair order")
    if finding.decision is not None:
        raise errors.FindingAlreadyDecided(f"the customer already {finding.decision} finding {finding_id}")
    return finding


def approve_additional_work(state: RepairOrder, command: ApproveAdditionalWork) -> Sequence[Event]:
    visit = require_work_open(state)
    finding = _undecided(state, command.finding_id)
    consent = require_consent(command.consent, command.approved_at, "approving additional work")
    return [
        AdditionalWorkApproved(
            repair_order_id=visit.repair_order_id,
            finding_id=finding.finding_id,
            lines=finding.lines,
            extra_minutes=finding.extra_minutes,
            consent=consent,
            approved_at=command.approved_at,
        )
    ]


def decline_additional_work(state: RepairOrder, command: DeclineAdditionalWork) -> Sequence[Event]:
    visit = require_in_progress(state)
    finding = _undecided(state, command.finding_id)
    consent = require_consent(command.consent, command.declined_at, "declining additional work")
    if finding.safety_critical and not command.safety_explained:
        # seed 000: "安全性高时要做建议,告诉顾客为什么" — a safety item is declined only after
        # the customer has been told why it matters.
        raise errors.SafetyExplanationRequired(
            "this finding is safety-critical: explain the risk to the customer before recording the decline"
        )
    return [
        AdditionalWorkDeclined(
            repair_order_id=visit.repair_order_id,
            vehicle=visit.vehicle,
            customer_id=visit.customer.customer_id,
            recommendation=finding.recommendation(),
            customer_reason=command.customer_reason.strip(),
            safety_explained=command.safety_explained,
            consent=consent,
            declined_at=command.declined_at,
        )
    ]
