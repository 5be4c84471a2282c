"""The customer's decisions through an approval link, as pure decisions: a round is asked for and
decided whole, through the advisor's own rules; the estimate is signed with a digital consent
only while it is the one the link showed."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

from domain_helpers import (
    AWAITING_BRAKES,
    BRAKES,
    CUSTOMER,
    ESTIMATE,
    ESTIMATED,
    FINDING,
    HANDED_OVER,
    RECEIVE_BRAKES,
    RO,
    SIGNED,
    at,
    given,
    line,
    recorded,
    state_after,
)

from events.catalog.reception import (
    AdditionalWorkApproved,
    AdditionalWorkDeclined,
    ApprovalRequested,
    RepairOrderSigned,
)
from events.catalog.reception_values import Consent
from reception.domain import errors
from reception.domain.approvals import current_estimate_scope, latest_pending_round
from reception.domain.repair_order import repair_order
from reception.domain.repair_order_commands import (
    DecideFindings,
    FindingDecision,
    RequestApproval,
    SignRepairOrder,
)

LINK = "http://127.0.0.1:8011/approvals/token"
DIGITAL = Consent(kind="digital", recorded_by="customer", at=at(60), reference="link:sha256:abc")
WIPERS_FINDING = uuid4()
RECEIVE_WIPERS = replace(
    RECEIVE_BRAKES,
    finding_id=WIPERS_FINDING,
    description="wipers smear",
    proposed_lines=(line("Replace wiper blades", 2000, minutes=10),),
    safety_critical=False,
    round=1,
)
ROUND_1 = recorded(replace(RECEIVE_BRAKES, round=1), RECEIVE_WIPERS, after=HANDED_OVER)


def ask(scope: str = "round-1", approval_of: str = "additional_work") -> RequestApproval:
    return RequestApproval(approval_of, scope, LINK, at(24 * 60), at(40))


def decide(*decisions: FindingDecision, scope: str = "round-1") -> DecideFindings:
    return DecideFindings(scope, decisions, DIGITAL, at(60))


def test_a_round_is_asked_for_with_the_findings_awaiting_the_customer() -> None:
    given(*ROUND_1).when(ask()).then(
        ApprovalRequested(
            repair_order_id=RO,
            approval_of="additional_work",
            scope="round-1",
            finding_ids=(FINDING, WIPERS_FINDING),
            customer=CUSTOMER,
            link=LINK,
            expires_at=at(24 * 60),
            requested_at=at(40),
        )
    )
    # Findings written before rounds were recorded count as round 1.
    assert latest_pending_round(state_after(AWAITING_BRAKES)) == "round-1"


def test_nothing_is_asked_for_a_round_without_a_finding_awaiting_the_customer() -> None:
    given(*ROUND_1).when(ask("round-2")).then_refused(errors.NothingToApprove)
    given(*HANDED_OVER).when(ask()).then_refused(errors.NothingToApprove)


def test_a_round_is_decided_whole_through_the_advisors_rules() -> None:
    command = decide(
        FindingDecision(FINDING, approved=True), FindingDecision(WIPERS_FINDING, approved=False, reason="later")
    )
    events = list(repair_order.decide(state_after(ROUND_1), command))
    assert [type(e) for e in events] == [AdditionalWorkApproved, AdditionalWorkDeclined]
    approved, declined = events
    assert isinstance(approved, AdditionalWorkApproved)
    assert isinstance(declined, AdditionalWorkDeclined)
    assert approved.consent == DIGITAL == declined.consent
    assert declined.customer_reason == "later"
    assert declined.recommendation.severity == "yellow"


def test_a_round_missing_a_finding_or_naming_another_is_refused_whole() -> None:
    given(*ROUND_1).when(decide(FindingDecision(FINDING, approved=True))).then_refused(errors.DecisionIncomplete)
    given(*ROUND_1).when(
        decide(FindingDecision(FINDING, approved=True), FindingDecision(uuid4(), approved=True))
    ).then_refused(errors.FindingNotFound)
    given(*ROUND_1).when(
        decide(
            FindingDecision(FINDING, approved=True),
            FindingDecision(WIPERS_FINDING, approved=True),
            scope="round-2",
        )
    ).then_refused(errors.FindingNotFound)


def test_a_red_item_declined_from_the_phone_needs_the_risk_acknowledged() -> None:
    without = decide(FindingDecision(FINDING, approved=False), FindingDecision(WIPERS_FINDING, approved=True))
    given(*ROUND_1).when(without).then_refused(errors.SafetyExplanationRequired)
    acknowledged = decide(
        FindingDecision(FINDING, approved=False, risk_acknowledged=True), FindingDecision(WIPERS_FINDING, approved=True)
    )
    events = list(repair_order.decide(state_after(ROUND_1), acknowledged))
    assert isinstance(events[0], AdditionalWorkDeclined)
    assert events[0].safety_explained is True


def test_an_estimate_is_asked_for_and_signed_only_while_current() -> None:
    assert current_estimate_scope(state_after(ESTIMATED)) == "estimate-1"
    given(*ESTIMATED).when(ask("estimate-1", "estimate")).then(
        ApprovalRequested(
            repair_order_id=RO,
            approval_of="estimate",
            scope="estimate-1",
            customer=CUSTOMER,
            link=LINK,
            expires_at=at(24 * 60),
            requested_at=at(40),
        )
    )
    replaced = recorded(replace(ESTIMATE, prepared_at=at(12)), after=ESTIMATED)
    given(*replaced).when(ask("estimate-1", "estimate")).then_refused(errors.ApprovalOutdated)
    early = Consent(kind="digital", recorded_by="customer", at=at(15), reference="link:sha256:abc")
    sign = SignRepairOrder("link:sha256:abc", at(15), consent=early, estimate_scope="estimate-1")
    given(*replaced).when(sign).then_refused(errors.ApprovalOutdated)
    (event,) = repair_order.decide(state_after(ESTIMATED), sign)
    assert isinstance(event, RepairOrderSigned)
    assert event.consent == early
    given(*SIGNED).when(ask("estimate-1", "estimate")).then_refused(errors.AlreadySigned)


def test_a_finding_keeps_its_grade_and_media_for_the_customer() -> None:
    state = state_after(ROUND_1)
    assert [f.round for f in state.findings] == [1, 1]
    assert [f.grade for f in state.findings] == ["red", "yellow"]
    assert BRAKES.line_id not in {line.line_id for line in state.lines}  # never unapproved work
