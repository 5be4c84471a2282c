"""Additional work found by the workshop: the customer approves (lines join the RO) or declines
(the recommendation is kept for the next visit). Never unapproved work (docs/domain.md §3; seeds
000, 002)."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

from domain_helpers import (
    AWAITING_BRAKES,
    BRAKES,
    CUSTOMER,
    ESTIMATED,
    FINDING,
    HANDED_OVER,
    READY,
    RECEIVE_BRAKES,
    RO,
    SERVICE,
    SETTLED,
    VEHICLE,
    at,
    given,
    line,
    phone_consent,
    recorded,
    state_after,
)

from events.catalog.reception import (
    AdditionalWorkApproved,
    AdditionalWorkAwaitingApproval,
    AdditionalWorkDeclined,
    RepairLineRemoved,
)
from events.catalog.reception_values import Recommendation
from reception.domain import errors
from reception.domain.repair_order_commands import ApproveAdditionalWork, DeclineAdditionalWork, RemoveRepairLine

# As they go on the RO: from additional work, flagged safety-critical like the finding.
PROPOSED_BRAKES = BRAKES.model_copy(update={"origin": "additional_work", "safety_critical": True})
APPROVE = ApproveAdditionalWork(finding_id=FINDING, consent=phone_consent(55), approved_at=at(56))
DECLINE = DeclineAdditionalWork(
    finding_id=FINDING,
    consent=phone_consent(55),
    customer_reason="will do it next month",
    declined_at=at(56),
    safety_explained=True,
)
BRAKES_RECOMMENDATION = Recommendation(
    finding_id=FINDING,
    description="front brake pads worn to 2 mm",
    safety_critical=True,
    labour_minutes=60,
    labour_price=12000,
    parts_price=45000,
    lines=(PROPOSED_BRAKES,),
    severity="red",  # a finding from before grades: red, being safety-critical
    evidence_refs=("photo-17",),  # its evidence goes with it
)

# --- receiving a finding ------------------------------------------------------------------


def test_a_finding_awaits_the_customers_approval() -> None:
    state = (
        given(*HANDED_OVER)
        .when(RECEIVE_BRAKES)
        .then(
            AdditionalWorkAwaitingApproval(
                repair_order_id=RO,
                finding_id=FINDING,
                description="front brake pads worn to 2 mm",
                proposed_lines=(PROPOSED_BRAKES,),
                safety_critical=True,
                evidence_refs=("photo-17",),
                extra_minutes=60,
                price=57000,
                received_at=at(50),
            )
        )
    )
    # Never unapproved work: the proposal is not on the RO yet.
    assert [ln.line_id for ln in state.lines] == [SERVICE.line_id]
    assert [f.finding_id for f in state.pending_findings] == [FINDING]


def test_a_finding_that_is_not_safety_critical_keeps_its_lines_as_proposed() -> None:
    command = replace(RECEIVE_BRAKES, safety_critical=False)
    state = (
        given(*HANDED_OVER)
        .when(command)
        .then(
            AdditionalWorkAwaitingApproval(
                repair_order_id=RO,
                finding_id=FINDING,
                description="front brake pads worn to 2 mm",
                proposed_lines=(BRAKES.model_copy(update={"origin": "additional_work"}),),
                safety_critical=False,
                evidence_refs=("photo-17",),
                extra_minutes=60,
                price=57000,
                received_at=at(50),
            )
        )
    )
    assert not state.findings[0].safety_critical


def test_a_finding_is_received_once() -> None:
    given(*AWAITING_BRAKES).when(RECEIVE_BRAKES).then_refused(errors.FindingAlreadyReceived)


def test_a_finding_proposes_work_with_new_line_ids() -> None:
    given(*HANDED_OVER).when(replace(RECEIVE_BRAKES, proposed_lines=())).then_refused(errors.NoLines)
    clash = replace(RECEIVE_BRAKES, finding_id=uuid4(), proposed_lines=(SERVICE,))
    given(*HANDED_OVER).when(clash).then_refused(errors.DuplicateLine)
    again = replace(RECEIVE_BRAKES, finding_id=uuid4())  # BRAKES is already proposed by FINDING
    given(*AWAITING_BRAKES).when(again).then_refused(errors.DuplicateLine)


def test_a_finding_is_described_and_its_extra_time_is_not_negative() -> None:
    given(*HANDED_OVER).when(replace(RECEIVE_BRAKES, description=" ")).then_refused(errors.MissingInformation)
    given(*HANDED_OVER).when(replace(RECEIVE_BRAKES, extra_minutes=-10)).then_refused(errors.InvalidAmount)


def test_findings_arrive_on_a_signed_order_only() -> None:
    given(*ESTIMATED).when(RECEIVE_BRAKES).then_refused(errors.NotSigned)


def test_no_findings_once_the_invoice_is_settled() -> None:
    given(*SETTLED).when(RECEIVE_BRAKES).then_refused(errors.AlreadySettled)


# --- approving ----------------------------------------------------------------------------


def test_an_approved_finding_adds_its_lines_to_the_order() -> None:
    state = (
        given(*AWAITING_BRAKES)
        .when(APPROVE)
        .then(
            AdditionalWorkApproved(
                repair_order_id=RO,
                finding_id=FINDING,
                lines=(PROPOSED_BRAKES,),
                extra_minutes=60,
                consent=phone_consent(55),
                approved_at=at(56),
            )
        )
    )
    assert [ln.line_id for ln in state.lines] == [SERVICE.line_id, BRAKES.line_id]
    assert state.pending_findings == ()


def test_approving_needs_the_customers_consent() -> None:
    given(*AWAITING_BRAKES).when(replace(APPROVE, consent=None)).then_refused(errors.ConsentRequired)
    given(*AWAITING_BRAKES).when(replace(APPROVE, consent=phone_consent(57))).then_refused(errors.ConsentRequired)


def test_approving_an_unknown_finding_is_refused() -> None:
    given(*AWAITING_BRAKES).when(replace(APPROVE, finding_id=uuid4())).then_refused(errors.FindingNotFound)


def test_a_finding_is_decided_once() -> None:
    approved = recorded(APPROVE, after=AWAITING_BRAKES)
    given(*approved).when(APPROVE).then_refused(errors.FindingAlreadyDecided)
    given(*approved).when(DECLINE).then_refused(errors.FindingAlreadyDecided)
    declined = recorded(DECLINE, after=AWAITING_BRAKES)
    given(*declined).when(APPROVE).then_refused(errors.FindingAlreadyDecided)


def test_approved_work_sends_a_ready_car_back_through_qc() -> None:
    history = recorded(READY, APPROVE, after=AWAITING_BRAKES)
    assert not state_after(history).ready


def test_an_approved_line_can_later_be_removed_with_consent() -> None:
    remove = RemoveRepairLine(BRAKES.line_id, "customer changed mind", phone_consent(60), at(61))
    state = (
        given(*recorded(APPROVE, after=AWAITING_BRAKES))
        .when(remove)
        .then(
            RepairLineRemoved(
                repair_order_id=RO,
                line_id=BRAKES.line_id,
                reason="customer changed mind",
                consent=phone_consent(60),
                removed_at=at(61),
            )
        )
    )
    assert [ln.line_id for ln in state.lines] == [SERVICE.line_id]


# --- declining ----------------------------------------------------------------------------


def test_a_declined_finding_is_kept_as_a_recommendation() -> None:
    state = (
        given(*AWAITING_BRAKES)
        .when(DECLINE)
        .then(
            AdditionalWorkDeclined(
                repair_order_id=RO,
                vehicle=VEHICLE,
                customer_id=CUSTOMER.customer_id,
                recommendation=BRAKES_RECOMMENDATION,
                customer_reason="will do it next month",
                safety_explained=True,
                consent=phone_consent(55),
                declined_at=at(56),
            )
        )
    )
    assert [ln.line_id for ln in state.lines] == [SERVICE.line_id]  # never unapproved work
    assert [f.finding_id for f in state.declined_findings] == [FINDING]


def test_a_safety_critical_finding_is_declined_only_after_the_risk_is_explained() -> None:
    given(*AWAITING_BRAKES).when(replace(DECLINE, safety_explained=False)).then_refused(
        errors.SafetyExplanationRequired
    )


def test_a_finding_that_is_not_safety_critical_is_declined_without_a_safety_talk() -> None:
    wipers = line("Replace wiper blades", 2000, minutes=10)
    finding = uuid4()
    receive = replace(
        RECEIVE_BRAKES, finding_id=finding, description="wipers smear", proposed_lines=(wipers,), safety_critical=False
    )
    decline = replace(DECLINE, finding_id=finding, safety_explained=False, customer_reason=" ")
    proposed = wipers.model_copy(update={"origin": "additional_work"})
    given(*recorded(receive, after=HANDED_OVER)).when(decline).then(
        AdditionalWorkDeclined(
            repair_order_id=RO,
            vehicle=VEHICLE,
            customer_id=CUSTOMER.customer_id,
            recommendation=Recommendation(
                finding_id=finding,
                description="wipers smear",
                safety_critical=False,
                labour_minutes=10,
                labour_price=2000,
                parts_price=0,
                lines=(proposed,),
                severity="yellow",
                evidence_refs=("photo-17",),
            ),
            customer_reason="",
            safety_explained=False,
            consent=phone_consent(55),
            declined_at=at(56),
        )
    )


def test_declining_needs_the_customers_consent() -> None:
    given(*AWAITING_BRAKES).when(replace(DECLINE, consent=None)).then_refused(errors.ConsentRequired)


def test_declining_an_unknown_finding_is_refused() -> None:
    given(*AWAITING_BRAKES).when(replace(DECLINE, finding_id=uuid4())).then_refused(errors.FindingNotFound)
