"""RepairOrder (STAR RepairOrder), stream `repair_order-<uuid>`: one visit of one car, from
check-in to delivery (docs/domain.md §2 and §5; seeds 000, 002, 003).

Life: checked in → walk-around, concerns, estimate (the first estimate *opens* the RO) →
signed → handed over → additional work approved/declined, consented changes → ready (QC
passed) → settled → delivered. A visit with no signed work ends with an exit slip instead.

The stream starts at check-in because the board, greeting time and walk-around belong to the
visit before any RO exists; `RepairOrderOpened` comes with the first estimate, when the advisor
actually writes the RO (seed 003: "依据《接车登记表》生成委托书"), so a consultation that ends
with an exit slip is never counted as an opened RO.

This module holds the reception-desk decisions and the decider; check-in is in `check_in`,
changes after signing in `repair_order_changes`, the end of the visit in `delivery`.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from events.catalog.reception import (
    ConcernRecorded,
    DamageReported,
    DiscountApproved,
    EstimatePrepared,
    ExitSlipIssued,
    RepairOrderOpened,
    RepairOrderSigned,
    WalkAroundRecorded,
)
from events.catalog.reception_values import ESTIMATE_METHODS, NOTICE_CHANNELS, OLD_PART_CHOICES, PAYMENT_METHODS
from events.contract import Event
from events.decider import Decider
from reception.domain import approvals, delivery, errors, invoicing, pricing
from reception.domain import repair_order_changes as changes
from reception.domain.check_in import check_in
from reception.domain.errors import require_code, require_not_negative, require_text
from reception.domain.invoice import price
from reception.domain.repair_order_commands import (
    AddRepairLine,
    ApproveAdditionalWork,
    ApproveDiscount,
    CheckIn,
    DecideFindings,
    DeclineAdditionalWork,
    Deliver,
    HandOverToWorkshop,
    IssueExitSlip,
    MarkReadyForDelivery,
    NoteInvoice,
    NoteInvoiceVoided,
    PrepareEstimate,
    ReceiveAdditionalWork,
    RecordConcern,
    RecordWalkAround,
    RemoveRepairLine,
    RepairOrderCommand,
    ReportDamage,
    RequestApproval,
    RevisePromisedTime,
    Settle,
    SignRepairOrder,
)
from reception.domain.repair_order_state import INITIAL, RepairOrder, evolve, require_unsigned, require_visit


def stream_id(repair_order_id: UUID) -> str:
    return f"repair_order-{repair_order_id}"


# --- walk-around, damage, concerns --------------------------------------------------------


def record_walk_around(state: RepairOrder, command: RecordWalkAround) -> Sequence[Event]:
    visit = require_unsigned(state)
    if state.walk_around is not None:
        raise errors.WalkAroundAlreadyRecorded("the walk-around is recorded; report damage found later instead")
    require_not_negative(command.mileage_km, "mileage")
    if not 0 <= command.fuel_eighths <= 8:
        raise errors.InvalidAmount(f"fuel is read in eighths, 0 to 8; got {command.fuel_eighths}")
    if command.overnight and (command.spare_tyre_present is None or command.tools_present is None):
        # seed 003: "过夜车辆必须检查备胎、随车工具".
        raise errors.OvernightCheckIncomplete("the car stays overnight: check the spare tyre and the tools")
    return [
        WalkAroundRecorded(
            repair_order_id=visit.repair_order_id,
            mileage_km=command.mileage_km,
            fuel_eighths=command.fuel_eighths,
            warning_lamps=command.warning_lamps,
            damages=command.damages,
            valuables_reminded=command.valuables_reminded,
            spare_tyre_present=command.spare_tyre_present,
            tools_present=command.tools_present,
            protective_covers_fitted=command.protective_covers_fitted,
            declined_by_customer=command.declined_by_customer,
            recorded_at=command.recorded_at,
        )
    ]


def report_damage(state: RepairOrder, command: ReportDamage) -> Sequence[Event]:
    """seed 003: if the customer would not inspect with us, "如检查有划痕破损再通知您来确认"."""
    visit = require_visit(state)
    if state.walk_around is None:
        raise errors.WalkAroundRequired("record the walk-around first; damage found then goes on it")
    if state.delivered:
        raise errors.AlreadyDelivered("the car has been delivered; report damage as a complaint")
    if not command.damages:
        raise errors.MissingInformation("list the damage found")
    return [
        DamageReported(
            repair_order_id=visit.repair_order_id,
            damages=command.damages,
            channel=require_code(command.channel, NOTICE_CHANNELS, "notice channel"),
            reported_by=require_text(command.reported_by, "who told the customer"),
            found_at=command.found_at,
            reported_at=command.reported_at,
        )
    ]


def record_concern(state: RepairOrder, command: RecordConcern) -> Sequence[Event]:
    visit = require_unsigned(state)
    if any(concern.concern_id == command.concern_id for concern in state.concerns):
        raise errors.DuplicateConcern(f"concern {command.concern_id} is already recorded")
    words = require_text(command.customer_words, "the concern in the customer's own words")
    if not command.read_back_confirmed:
        # seed 000: "重复确认需求:让顾客看纪录确认数据无误".
        raise errors.ConcernNotReadBack("read the concern back to the customer and have it confirmed")
    return [
        ConcernRecorded(
            repair_order_id=visit.repair_order_id,
            concern_id=command.concern_id,
            customer_words=words,
            what=command.what,
            when=command.when,
            where=command.where,
            who=command.who,
            how_often=command.how_often,
            recorded_at=command.recorded_at,
        )
    ]


# --- estimate and signature ---------------------------------------------------------------


def prepare_estimate(state: RepairOrder, command: PrepareEstimate) -> Sequence[Event]:
    visit = require_unsigned(state)
    lines = changes.checked_lines((priced.line for priced in command.lines), set(), "estimate")
    adjustments = pricing.adjustments(command.lines)
    if command.promised_at <= command.prepared_at:
        raise errors.PromisedTimeInPast("the promised completion time must lie after the estimate")
    totals = price(lines)
    events: list[Event] = []
    if not state.opened:
        events.append(
            RepairOrderOpened(
                repair_order_id=visit.repair_order_id,
                appointment_id=visit.appointment_id,
                vehicle=visit.vehicle,
                service_advisor=visit.service_advisor,
                priority=visit.priority,
                opened_at=command.prepared_at,
            )
        )
    estimate = EstimatePrepared(
        repair_order_id=visit.repair_order_id,
        lines=lines,
        totals=totals.by_pay_type,
        total=totals.total,
        customer_pay_total=totals.customer_pay,
        currency=visit.currency,
        estimate_method=require_code(command.estimate_method, ESTIMATE_METHODS, "estimate method"),
        promised_at=command.promised_at,
        payment_method=require_code(command.payment_method, PAYMENT_METHODS, "payment method"),
        old_parts=require_code(command.old_parts, OLD_PART_CHOICES, "old-parts choice"),
        wash=command.wash,
        prepared_at=command.prepared_at,
        model_family=command.model_family,
        menu_id=command.menu_id,
        price_lists=dict(command.price_lists),
        adjustments=adjustments,
        discount_total=pricing.discount_total(adjustments),
        # Recorded all the same: the customer sees the estimate; it is signed after the approval.
        discount_approval_required=bool(pricing.beyond_authority(adjustments, command.discount_authority_bp)),
    )
    return [*events, estimate]


def approve_discount(state: RepairOrder, command: ApproveDiscount) -> Sequence[Event]:
    """The service manager's approval of the current estimate's discount (docs/domain.md: "authorisation
    beyond an advisor's limits"). Approving it again changes nothing."""
    visit = require_unsigned(state)
    estimate = state.estimate
    if estimate is None:
        raise errors.EstimateRequired("there is no estimate to approve yet")
    if not estimate.discount_approval_required:
        raise errors.DiscountApprovalNotNeeded("the estimate's discounts are within the advisor's authority")
    if state.discount_approved:
        return []
    return [
        DiscountApproved(
            repair_order_id=visit.repair_order_id,
            approved_by=require_text(command.approved_by, "who approves"),
            discount_total=estimate.discount_total,
            approved_at=command.approved_at,
        )
    ]


def sign(state: RepairOrder, command: SignRepairOrder) -> Sequence[Event]:
    visit = require_unsigned(state)
    if state.estimate is None or state.promised_at is None:
        raise errors.EstimateRequired("prepare the estimate (work, price, promised time) for the customer to sign")
    if state.walk_around is None:
        raise errors.WalkAroundRequired("record the walk-around (mileage, fuel, damage) before signing")
    if not state.concerns:
        raise errors.ConcernRequired("write the customer's concern on the repair order before signing")
    if state.estimate.discount_approval_required and not state.discount_approved:
        raise errors.DiscountApprovalRequired(
            f"the estimate gives {state.estimate.discount_total} off the catalogue's prices, beyond the advisor's "
            "authority: a service manager approves it before the customer signs"
        )
    signature = require_text(command.signature_ref, "the customer's signature")
    if command.estimate_scope is not None and command.estimate_scope != approvals.current_estimate_scope(state):
        raise errors.ApprovalOutdated("the estimate was changed after the customer's link was sent: send the new one")
    if command.consent is not None and command.consent.at > command.signed_at:
        raise errors.ConsentRequired("the customer's signature is dated after the signing; it must come first")
    if state.promised_at <= command.signed_at:
        raise errors.PromisedTimeInPast("the estimate's promised time has passed; prepare a new estimate")
    return [
        RepairOrderSigned(
            repair_order_id=visit.repair_order_id,
            appointment_id=visit.appointment_id,
            vehicle=visit.vehicle,
            priority=visit.priority,
            customer_waiting=visit.customer_waiting,
            lines=state.lines,
            promised_at=state.promised_at,
            signature_ref=signature,
            signed_at=command.signed_at,
            consent=command.consent,
        )
    ]


def issue_exit_slip(state: RepairOrder, command: IssueExitSlip) -> Sequence[Event]:
    """seed 003: a simple consultation gets an exit slip (出厂单); seed 002: a customer who
    declines the repair after our diagnosis pays the diagnosis fee (診斷費)."""
    visit = require_unsigned(state)
    fee = require_not_negative(command.diagnosis_fee, "diagnosis fee")
    if fee and not command.customer_declined_repair:
        raise errors.DiagnosisFeeNotAllowed("a diagnosis fee is owed only when the customer declines the repair")
    return [
        ExitSlipIssued(
            repair_order_id=visit.repair_order_id,
            exit_kind="repair_declined" if command.customer_declined_repair else "consultation",
            advice=command.advice.strip(),
            diagnosis_fee=fee,
            currency=visit.currency,
            vehicle=visit.vehicle,
            issued_at=command.issued_at,
        )
    ]


# --- the decider --------------------------------------------------------------------------


def decide(state: RepairOrder, command: RepairOrderCommand) -> Sequence[Event]:
    match command:
        case CheckIn():
            return check_in(state, command)
        case RecordWalkAround():
            return record_walk_around(state, command)
        case ReportDamage():
            return report_damage(state, command)
        case RecordConcern():
            return record_concern(state, command)
        case PrepareEstimate():
            return prepare_estimate(state, command)
        case ApproveDiscount():
            return approve_discount(state, command)
        case SignRepairOrder():
            return sign(state, command)
        case IssueExitSlip():
            return issue_exit_slip(state, command)
        case AddRepairLine():
            return changes.add_line(state, command)
        case RemoveRepairLine():
            return changes.remove_line(state, command)
        case RevisePromisedTime():
            return changes.revise_promised_time(state, command)
        case ReceiveAdditionalWork():
            return changes.receive_additional_work(state, command)
        case ApproveAdditionalWork():
            return changes.approve_additional_work(state, command)
        case DeclineAdditionalWork():
            return changes.decline_additional_work(state, command)
        case RequestApproval():
            return approvals.request_approval(state, command)
        case DecideFindings():
            return approvals.decide_findings(state, command)
        case HandOverToWorkshop():
            return delivery.hand_over(state, command)
        case MarkReadyForDelivery():
            return delivery.mark_ready(state, command)
        case Settle():
            return delivery.settle(state, command)
        case NoteInvoice():
            return invoicing.note_invoice(state, command)
        case NoteInvoiceVoided():
            return invoicing.note_voided(state, command)
        case Deliver():
            return delivery.deliver(state, command)


repair_order: Decider[RepairOrderCommand, RepairOrder] = Decider(INITIAL, decide, evolve)
