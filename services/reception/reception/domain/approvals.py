"""The customer's decisions from their phone (docs/approval-links.md): reception asks for one
decision through a signed link (`RequestApproval`: a round of additional work, or the estimate to
sign), and the customer's answer is recorded through the same rules as the advisor's
(`DecideFindings` approves and declines a round's findings in one step; the estimate is signed
with `SignRepairOrder` carrying a digital consent). Pure: the link, its expiry and the consent
come in the command.
"""

from __future__ import annotations

from collections.abc import Sequence

from events.catalog.reception import ApprovalRequested
from events.contract import Event
from reception.domain import errors
from reception.domain import repair_order_changes as changes
from reception.domain.repair_order_commands import (
    ApproveAdditionalWork,
    DecideFindings,
    DeclineAdditionalWork,
    RequestApproval,
)
from reception.domain.repair_order_state import Finding, RepairOrder, evolve, require_in_progress, require_unsigned

ADDITIONAL_WORK, ESTIMATE = "additional_work", "estimate"


def round_scope(number: int) -> str:
    return f"round-{number}"


def estimate_scope(number: int) -> str:
    return f"estimate-{number}"


def approval_of_scope(scope: str) -> str:
    """What a link's scope asks the customer to decide."""
    return ESTIMATE if scope.startswith("estimate-") else ADDITIONAL_WORK


def round_of(state: RepairOrder, scope: str) -> tuple[Finding, ...]:
    """The findings a round's scope covers (findings received before rounds were recorded are round 1)."""
    return tuple(f for f in state.findings if round_scope(f.round or 1) == scope)


def latest_pending_round(state: RepairOrder) -> str | None:
    rounds = [f.round or 1 for f in state.pending_findings]
    return round_scope(max(rounds)) if rounds else None


def current_estimate_scope(state: RepairOrder) -> str | None:
    return estimate_scope(state.estimates) if state.estimate is not None else None


def request_approval(state: RepairOrder, command: RequestApproval) -> Sequence[Event]:
    if command.approval_of == ADDITIONAL_WORK:
        visit = require_in_progress(state)
        pending = tuple(f.finding_id for f in round_of(state, command.scope) if f.decision is None)
        if not pending:
            raise errors.NothingToApprove(f"no finding of {command.scope} awaits the customer's decision")
    else:
        visit = require_unsigned(state)
        if state.estimate is None:
            raise errors.EstimateRequired("there is no estimate for the customer to sign yet")
        if command.scope != current_estimate_scope(state):
            raise errors.ApprovalOutdated("a newer estimate replaced this one: ask for the current estimate's approval")
        pending = ()
    return [
        ApprovalRequested(
            repair_order_id=visit.repair_order_id,
            approval_of=command.approval_of,
            scope=command.scope,
            finding_ids=pending,
            customer=visit.customer,
            link=command.link,
            expires_at=command.expires_at,
            requested_at=command.requested_at,
        )
    ]


def decide_findings(state: RepairOrder, command: DecideFindings) -> Sequence[Event]:
    """Each decision through the advisor's own rules (`repair_order_changes`), folded in turn,
    so the round is recorded whole or not at all."""
    require_in_progress(state)
    covered = {f.finding_id for f in round_of(state, command.scope)}
    outside = [str(d.finding_id) for d in command.decisions if d.finding_id not in covered]
    if outside:
        raise errors.FindingNotFound(f"not findings this link asks about: {', '.join(outside)}")
    answered = {d.finding_id for d in command.decisions}
    if len(answered) != len(command.decisions):
        raise errors.MissingInformation("decide each finding once")
    missing = [
        f.finding_id for f in round_of(state, command.scope) if f.decision is None and f.finding_id not in answered
    ]
    if missing:
        raise errors.DecisionIncomplete(f"decide every item the link asks about; {len(missing)} left undecided")
    events: list[Event] = []
    for decision in command.decisions:
        if decision.approved:
            approve = ApproveAdditionalWork(decision.finding_id, command.consent, command.decided_at)
            decided = changes.approve_additional_work(state, approve)
        else:
            decline = DeclineAdditionalWork(
                decision.finding_id,
                command.consent,
                decision.reason,
                command.decided_at,
                safety_explained=decision.risk_acknowledged,
            )
            decided = changes.decline_additional_work(state, decline)
        for event in decided:
            state = evolve(state, event)
        events.extend(decided)
    return events
