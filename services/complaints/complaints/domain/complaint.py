"""Complaint, stream `complaint-<complaint_id>`: one customer complaint walked through the
Toyota 7 steps (docs/domain.md §7, seed 001) under the SLAs of seed 004.

Life: received (classified complaint or general grievance, with its SLA deadline; serious ones
escalated to the service manager at once) → listened (5W2H) → facts confirmed (cause,
responsibility) → decided (beyond the handling person's limit with a manager's approval, beyond
the dealer with the manufacturer's) → explained (agreed; or back to the facts) → acted (the SLA
is met; the second callback is due) → followed up (satisfied: closed with the report; not: back
to the step named). No step is skipped. The SLA timer breaches an unresolved complaint once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from complaints.domain import errors
from complaints.domain.commands import (
    ComplaintCommand,
    ConfirmFacts,
    DecideRemedy,
    ExplainDecision,
    ListenToCustomer,
    ReceiveComplaint,
    ReclassifyComplaint,
    RecordFollowUp,
    RecordFollowUpOverdue,
    RecordSlaBreach,
    TakeAction,
)
from complaints.domain.report import complaint_report
from complaints.domain.sla import resolve_by, second_callback_due
from complaints.domain.state import (
    ACTED,
    CLOSED,
    DECIDED,
    EXPLAINED,
    FACTS_CONFIRMED,
    INITIAL,
    LISTENED,
    RECEIVED,
    Complaint,
    evolve,
)
from events.catalog import complaints as ev
from events.catalog.complaints_values import (
    APPROVER_ROLES,
    CATEGORIES,
    CHANNELS,
    FOLLOW_UP_CHANNELS,
    GENERAL_GRIEVANCE,
    KINDS,
    MANUFACTURER_ROLES,
    REDO_STEPS,
    REMEDIES,
    RESPONSIBILITIES,
    SERIOUS_REASONS,
)
from events.contract import Event
from events.decider import Decider
from events.rules import InvalidAmount, MissingInformation, require_code, require_text

SERVICE_MANAGER = "service_manager"
# What the complaint waits for after each step, for the refusal's message.
_NEXT = {
    RECEIVED: "listen to the customer",
    LISTENED: "confirm the facts",
    FACTS_CONFIRMED: "decide the remedy",
    DECIDED: "explain the decision to the customer",
    EXPLAINED: "carry out the remedy",
    ACTED: "follow up with the customer",
}


def stream_id(complaint_id: UUID) -> str:
    return f"complaint-{complaint_id}"


def _require_open(state: Complaint) -> UUID:
    if state.complaint_id is None:
        raise errors.NoComplaint("there is no such complaint: it has not been received")
    if state.step == CLOSED:
        raise errors.ComplaintClosed("the complaint is closed: the customer was satisfied and the report is written")
    return state.complaint_id


def _require_step(state: Complaint, expected: str, doing: str) -> UUID:
    """The 7 steps in order: `doing` comes right after step `expected` (docs/domain.md §7)."""
    complaint_id = _require_open(state)
    if state.step != expected:
        raise errors.StepOutOfOrder(
            f"{doing} comes after step '{expected}'; this complaint is at step '{state.step}': "
            f"next, {_NEXT.get(state.step, 'close it')}"
        )
    return complaint_id


# --- step 1 and classification -------------------------------------------------------------


def receive(state: Complaint, command: ReceiveComplaint) -> Sequence[Event]:
    """Serious complaints go to the service manager at once (docs/domain.md §7 step 1)."""
    if state.exists:
        raise errors.ComplaintAlreadyReceived("this complaint was already received")
    kind = require_code(command.kind, KINDS, "complaint kind")
    serious = tuple(dict.fromkeys(require_code(r, SERIOUS_REASONS, "serious reason") for r in command.serious_reasons))
    if serious and kind == GENERAL_GRIEVANCE:
        raise errors.SeriousIsAComplaint(
            f"a complaint about {', '.join(serious)} is serious: classify it as a complaint (24-hour SLA)"
        )
    channel = require_code(command.channel, CHANNELS, "channel")
    if channel == "callback" and command.callback_id is None:
        raise MissingInformation("a complaint raised in a callback names that callback")
    opened = ev.ComplaintOpened(
        complaint_id=command.complaint_id,
        customer_id=command.customer_id,
        vin=command.vin,
        repair_order_id=command.repair_order_id,
        callback_id=command.callback_id,
        channel=channel,
        kind=kind,
        category=require_code(command.category, CATEGORIES, "category"),
        customer_words=require_text(command.customer_words, "the customer's words"),
        serious_reasons=serious,
        resolve_by=resolve_by(kind, command.received_at, command.calendar),
        handled_by=require_text(command.handled_by, "who received the complaint"),
        received_at=command.received_at,
    )
    if not serious:
        return [opened]
    escalated = ev.ComplaintEscalated(
        complaint_id=command.complaint_id,
        reason="serious",
        to_role=SERVICE_MANAGER,
        detail=", ".join(serious),
        escalated_at=command.received_at,
    )
    return [opened, escalated]


def reclassify(state: Complaint, command: ReclassifyComplaint) -> Sequence[Event]:
    """The SLA deadline is counted again from receipt under the new class (seed 004)."""
    complaint_id = _require_open(state)
    kind = require_code(command.kind, KINDS, "complaint kind")
    reason = require_text(command.reason, "the reason for reclassifying")
    if kind == state.kind:
        return []
    if state.serious_reasons and kind == GENERAL_GRIEVANCE:
        raise errors.SeriousIsAComplaint("a serious complaint (accident, injury, safety) stays a complaint")
    assert state.received_at is not None
    return [
        ev.ComplaintReclassified(
            complaint_id=complaint_id,
            previous_kind=state.kind,
            kind=kind,
            reason=reason,
            resolve_by=resolve_by(kind, state.received_at, command.calendar),
            handled_by=require_text(command.handled_by, "who reclassified the complaint"),
            reclassified_at=command.reclassified_at,
        )
    ]


# --- steps 2 to 4 --------------------------------------------------------------------------


def listen(state: Complaint, command: ListenToCustomer) -> Sequence[Event]:
    complaint_id = _require_step(state, RECEIVED, "listening to the customer")
    require_text(command.account.what, "what the customer complains about")
    return [
        ev.ComplaintListened(
            complaint_id=complaint_id,
            account=command.account,
            restated_words=require_text(command.restated_words, "the complaint restated in the customer's words"),
            handled_by=require_text(command.handled_by, "who listened"),
            listened_at=command.listened_at,
        )
    ]


def confirm_facts(state: Complaint, command: ConfirmFacts) -> Sequence[Event]:
    complaint_id = _require_step(state, LISTENED, "confirming the facts")
    reproduced_by = (command.reproduced_by or "").strip() or None
    if command.reproduced and reproduced_by is None:
        raise MissingInformation("say which technician or foreman reproduced the symptom")
    return [
        ev.ComplaintFactsConfirmed(
            complaint_id=complaint_id,
            responsibility=require_code(command.responsibility, RESPONSIBILITIES, "responsibility"),
            cause=require_code(command.cause, CATEGORIES, "cause"),
            findings=require_text(command.findings, "the facts found"),
            reproduced=command.reproduced,
            reproduced_by=reproduced_by,
            vip=command.vip,
            repeat_visitor=command.repeat_visitor,
            handled_by=require_text(command.handled_by, "who confirmed the facts"),
            confirmed_at=command.confirmed_at,
        )
    ]


def _require_authority(command: DecideRemedy) -> tuple[bool, bool]:
    """(approval required, referred to the manufacturer): beyond the handling person's limit a
    manager approves; beyond the dealer's, the manufacturer's customer service (docs/domain.md §7)."""
    if command.cost < 0 or command.authority_limit < 0 or (command.dealer_limit or 0) < 0:
        raise InvalidAmount("a remedy's cost and authority limits are never negative")
    role = command.authorised_by.role if command.authorised_by else None
    referred = command.dealer_limit is not None and command.cost > command.dealer_limit
    if referred and role not in MANUFACTURER_ROLES:
        raise errors.ManufacturerReferralRequired(
            f"the remedy costs {command.cost}, beyond the dealer's limit of {command.dealer_limit}: refer the case "
            "to the manufacturer's customer service and record their authorisation"
        )
    required = command.cost > command.authority_limit
    if required and role not in APPROVER_ROLES:
        raise errors.ApprovalRequired(
            f"the remedy costs {command.cost}, beyond the handling person's limit of {command.authority_limit}: "
            "the service manager must approve it"
        )
    return required, referred


def decide_remedy(state: Complaint, command: DecideRemedy) -> Sequence[Event]:
    complaint_id = _require_step(state, FACTS_CONFIRMED, "deciding the remedy")
    required, referred = _require_authority(command)
    if command.remedy_due < command.decided_at:
        raise errors.TimeOutOfOrder("the remedy cannot be due before the decision is made")
    return [
        ev.ComplaintDecisionMade(
            complaint_id=complaint_id,
            remedy=require_code(command.remedy, REMEDIES, "remedy"),
            description=require_text(command.description, "what will be done"),
            cost=command.cost,
            compromise=command.compromise.strip(),
            remedy_due=command.remedy_due,
            spokesperson=require_text(command.spokesperson, "who tells the customer"),
            authority_limit=command.authority_limit,
            approval_required=required,
            authorised_by=command.authorised_by,
            referred_to_manufacturer=referred,
            handled_by=require_text(command.handled_by, "who decided"),
            decided_at=command.decided_at,
        )
    ]


# --- steps 5 to 7 --------------------------------------------------------------------------


def explain(state: Complaint, command: ExplainDecision) -> Sequence[Event]:
    """Not agreed: back to step 3, the facts are confirmed again (docs/domain.md §7 step 5)."""
    complaint_id = _require_step(state, DECIDED, "explaining the decision")
    response = command.customer_response.strip()
    if not command.agreed and not response:
        raise MissingInformation("write down what the customer does not agree with, in their words")
    return [
        ev.ComplaintDecisionExplained(
            complaint_id=complaint_id,
            agreed=command.agreed,
            customer_response=response,
            handled_by=require_text(command.handled_by, "who explained the decision"),
            explained_at=command.explained_at,
        )
    ]


def take_action(state: Complaint, command: TakeAction) -> Sequence[Event]:
    complaint_id = _require_open(state)
    if state.step != EXPLAINED and (state.step == DECIDED or state.disagreed):
        raise errors.CustomerHasNotAgreed("the customer has not agreed to the decision: explain it and agree first")
    _require_step(state, EXPLAINED, "carrying out the remedy")
    if command.cost < 0:
        raise InvalidAmount("the remedy's cost is never negative")
    return [
        ev.ComplaintActionTaken(
            complaint_id=complaint_id,
            remedy=state.remedy,
            description=require_text(command.description, "what was done"),
            cost=command.cost,
            in_customer_presence=command.in_customer_presence,
            customer_satisfied=command.customer_satisfied,
            second_callback_due=second_callback_due(command.acted_at, command.calendar),
            handled_by=require_text(command.handled_by, "who carried out the remedy"),
            acted_at=command.acted_at,
        )
    ]


def follow_up(state: Complaint, command: RecordFollowUp) -> Sequence[Event]:
    """Satisfied: closed, the report into the customer's record; not satisfied: back to the
    step named (docs/domain.md §7 step 7)."""
    complaint_id = _require_step(state, ACTED, "following up")
    channel = require_code(command.channel, FOLLOW_UP_CHANNELS, "follow-up channel")
    handled_by = require_text(command.handled_by, "who followed up")
    if command.satisfied and command.back_to is not None:
        raise errors.SatisfiedButReopened("a satisfied customer's complaint closes; it goes back to no step")
    if not command.satisfied and command.back_to is None:
        raise errors.NotSatisfied(
            "a complaint closes only when the customer is satisfied: name the step to go back to "
            f"({', '.join(REDO_STEPS)})"
        )
    if not command.satisfied:
        require_text(command.customer_words, "what the customer is still unhappy about, in their words")
    followed = ev.ComplaintFollowedUp(
        complaint_id=complaint_id,
        satisfied=command.satisfied,
        back_to=None if command.back_to is None else require_code(command.back_to, REDO_STEPS, "step to go back to"),
        channel=channel,
        customer_words=command.customer_words.strip(),
        handled_by=handled_by,
        followed_up_at=command.followed_up_at,
    )
    if not command.satisfied:
        return [followed]
    summary = require_text(command.report_summary, "the complaint report's summary")
    closed = ev.ComplaintClosed(
        complaint_id=complaint_id,
        report=complaint_report(evolve(state, followed), summary, command.followed_up_at),
        closed_at=command.followed_up_at,
    )
    return [followed, closed]


# --- the SLA timer -------------------------------------------------------------------------


def record_sla_breach(state: Complaint, command: RecordSlaBreach) -> Sequence[Event]:
    """Unresolved at its deadline: breached and escalated to the service manager, once per
    deadline. A resolved complaint, or an early timer (reclassified to a later deadline), is
    nothing to do (`Complaint.resolved`: a complaint reopened at its follow-up is not breached
    afterwards, and the desk does not show it overdue)."""
    if state.complaint_id is None or state.resolve_by is None:
        raise errors.NoComplaint("there is no such complaint: it has not been received")
    if state.resolved or command.at < state.resolve_by or state.resolve_by in state.breached_deadlines:
        return []
    return [
        ev.ComplaintSlaBreached(
            complaint_id=state.complaint_id,
            kind=state.kind,
            resolve_by=state.resolve_by,
            step=state.step,
            breached_at=command.at,
        ),
        ev.ComplaintEscalated(
            complaint_id=state.complaint_id,
            reason="sla_breach",
            to_role=SERVICE_MANAGER,
            detail=f"{state.kind} not resolved by {state.resolve_by.isoformat()}; at step '{state.step}'",
            escalated_at=command.at,
        ),
    ]


def record_follow_up_overdue(state: Complaint, command: RecordFollowUpOverdue) -> Sequence[Event]:
    """The second callback's deadline passed with the complaint still waiting for it: the desk
    is told, once per deadline. Followed up, closed, reopened or an early timer: nothing to do."""
    if state.complaint_id is None:
        raise errors.NoComplaint("there is no such complaint: it has not been received")
    due = state.second_callback_due
    if state.step != ACTED or due is None or command.at < due or state.follow_up_overdue_for == due:
        return []
    return [
        ev.ComplaintFollowUpOverdue(complaint_id=state.complaint_id, second_callback_due=due, overdue_at=command.at)
    ]


def _time_of(command: ComplaintCommand) -> datetime | None:
    match command:
        case ReceiveComplaint():
            return command.received_at
        case ReclassifyComplaint():
            return command.reclassified_at
        case ListenToCustomer():
            return command.listened_at
        case ConfirmFacts():
            return command.confirmed_at
        case DecideRemedy():
            return command.decided_at
        case ExplainDecision():
            return command.explained_at
        case TakeAction():
            return command.acted_at
        case RecordFollowUp():
            return command.followed_up_at
        case RecordSlaBreach() | RecordFollowUpOverdue():
            return None  # the timer's time is the deadline's, not a person's


def _require_in_order(state: Complaint, command: ComplaintCommand) -> None:
    """A person's command may not be dated before what is already recorded on the complaint
    (a second receipt or a closed complaint is refused for that reason instead)."""
    at = _time_of(command)
    if at is None or state.last_time is None or state.step == CLOSED or isinstance(command, ReceiveComplaint):
        return
    if at < state.last_time:
        raise errors.TimeOutOfOrder("the time given is before the last thing recorded on this complaint")


def decide(state: Complaint, command: ComplaintCommand) -> Sequence[Event]:
    _require_in_order(state, command)
    match command:
        case ReceiveComplaint():
            return receive(state, command)
        case ReclassifyComplaint():
            return reclassify(state, command)
        case ListenToCustomer():
            return listen(state, command)
        case ConfirmFacts():
            return confirm_facts(state, command)
        case DecideRemedy():
            return decide_remedy(state, command)
        case ExplainDecision():
            return explain(state, command)
        case TakeAction():
            return take_action(state, command)
        case RecordFollowUp():
            return follow_up(state, command)
        case RecordSlaBreach():
            return record_sla_breach(state, command)
        case RecordFollowUpOverdue():
            return record_follow_up_overdue(state, command)


complaint: Decider[ComplaintCommand, Complaint] = Decider(INITIAL, decide, evolve)
