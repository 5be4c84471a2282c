"""Steps 2 to 7 in order (docs/domain.md §7): listen, confirm the facts, decide (with authority),
explain (agreed, or back to the facts), act, follow up (satisfied closes, else back to a step).
No step is skipped."""

from __future__ import annotations

from dataclasses import replace

import pytest
from domain_helpers import (
    CUSTOMER,
    LIMIT,
    LISTEN,
    LISTENED,
    RO,
    SECOND_CALLBACK_DUE,
    T0,
    VIN,
    WORDS,
    act,
    acted,
    at,
    confirm,
    decide,
    decided,
    explain,
    explained,
    facts,
    follow_up,
    followed_up,
    given,
    manager,
    opened,
    walked_to,
)

from complaints.domain import errors
from complaints.domain.state import (
    ACTED,
    CLOSED,
    DECIDED,
    EXPLAINED,
    FACTS_CONFIRMED,
    RECEIVED,
)
from complaints.domain.state import (
    LISTENED as LISTENED_STEP,
)
from events.catalog import complaints as ev
from events.catalog.complaints_values import ComplaintReport
from events.rules import InvalidAmount, InvalidCode, MissingInformation

# --- each step, in order ---------------------------------------------------------------------


def test_step_2_listening_records_the_5w2h_and_the_restatement() -> None:
    state = given(*walked_to("received")).when(LISTEN).then(LISTENED)
    assert state.step == LISTENED_STEP


def test_step_2_needs_the_restatement_in_the_customers_words() -> None:
    given(*walked_to("received")).when(replace(LISTEN, restated_words="")).then_refused(MissingInformation)


def test_step_3_confirms_cause_and_responsibility() -> None:
    state = given(*walked_to("listened")).when(confirm()).then(facts())
    assert (state.step, state.responsibility, state.cause) == (FACTS_CONFIRMED, "dealer", "time")


def test_step_3_a_reproduction_names_the_technician() -> None:
    command = replace(confirm(), reproduced=True)
    given(*walked_to("listened")).when(command).then_refused(MissingInformation)
    expected = facts().model_copy(update={"reproduced": True, "reproduced_by": "foreman-1"})
    given(*walked_to("listened")).when(replace(command, reproduced_by="foreman-1")).then(expected)


@pytest.mark.parametrize("change", [{"responsibility": "weather"}, {"cause": "karma"}])
def test_step_3_unknown_responsibility_or_cause_is_refused(change: dict[str, str]) -> None:
    given(*walked_to("listened")).when(replace(confirm(), **change)).then_refused(InvalidCode)  # type: ignore[arg-type]


def test_step_4_a_remedy_within_the_handling_persons_limit_needs_no_approval() -> None:
    state = given(*walked_to("facts_confirmed")).when(decide()).then(decided())
    assert (state.step, state.remedy) == (DECIDED, "goodwill")
    given(*walked_to("facts_confirmed")).when(decide(cost=LIMIT)).then(decided(cost=LIMIT))


def test_step_4_beyond_the_limit_the_service_manager_approves() -> None:
    beyond = decide(cost=LIMIT + 1)
    given(*walked_to("facts_confirmed")).when(beyond).then_refused(errors.ApprovalRequired)
    # an advisor cannot approve it either: only a manager's role can
    as_advisor = replace(beyond, authorised_by=manager(role="service_advisor"))
    given(*walked_to("facts_confirmed")).when(as_advisor).then_refused(errors.ApprovalRequired)
    approved = replace(beyond, authorised_by=manager())
    expected = decided(cost=LIMIT + 1, approval_required=True, authorised_by=manager())
    given(*walked_to("facts_confirmed")).when(approved).then(expected)


def test_step_4_beyond_the_dealer_the_manufacturers_customer_service_authorises() -> None:
    beyond_dealer = decide(cost=300_000, dealer_limit=200_000, authorised_by=manager())
    given(*walked_to("facts_confirmed")).when(beyond_dealer).then_refused(errors.ManufacturerReferralRequired)
    referral = manager(role="manufacturer_customer_service")
    expected = decided(cost=300_000, approval_required=True, authorised_by=referral, referred_to_manufacturer=True)
    given(*walked_to("facts_confirmed")).when(replace(beyond_dealer, authorised_by=referral)).then(expected)


def test_step_4_refuses_a_negative_cost_an_unknown_remedy_and_a_remedy_due_in_the_past() -> None:
    given(*walked_to("facts_confirmed")).when(decide(cost=-1)).then_refused(InvalidAmount)
    given(*walked_to("facts_confirmed")).when(decide(remedy="cash_bribe")).then_refused(InvalidCode)
    given(*walked_to("facts_confirmed")).when(decide(remedy_due=at(80))).then_refused(errors.TimeOutOfOrder)


def test_step_5_the_customer_agrees() -> None:
    state = given(*walked_to("decided")).when(explain()).then(explained())
    assert state.step == EXPLAINED


def test_step_5_not_agreed_goes_back_to_the_facts_and_round_again() -> None:
    refused = explained(agreed=False, response="a voucher is not enough, I lost half a day")
    state = given(*walked_to("decided")).when(explain(False, response=refused.customer_response)).then(refused)
    assert state.step == LISTENED_STEP  # step 3 is next: the facts are confirmed again
    history = [*walked_to("decided"), refused]
    given(*history).when(act(110)).then_refused(errors.CustomerHasNotAgreed)
    given(*history).when(decide(minutes=110)).then_refused(errors.StepOutOfOrder)
    given(*history).when(confirm(120)).then(facts(120))
    history.append(facts(120))
    second = decided(cost=40_000, minutes=130, description="free oil service and a refund of the labour")
    given(*history).when(decide(cost=40_000, minutes=130, description=second.description)).then(second)
    history += [second, explained(minutes=140)]
    state = given(*history).when(act(180)).then(acted())
    assert state.step == ACTED
    assert state.times_back_to_facts == 1


def test_step_5_a_refusal_says_what_the_customer_objects_to() -> None:
    given(*walked_to("decided")).when(explain(agreed=False)).then_refused(MissingInformation)


def test_step_6_acting_publishes_the_second_callback_due() -> None:
    state = given(*walked_to("explained")).when(act()).then(acted())
    assert state.second_callback_due == SECOND_CALLBACK_DUE
    assert state.resolved


def test_step_6_nothing_is_carried_out_before_the_customer_agrees() -> None:
    given(*walked_to("decided")).when(act(120)).then_refused(errors.CustomerHasNotAgreed)


def test_step_7_satisfied_closes_with_the_report_for_the_customers_record() -> None:
    closed = ev.ComplaintClosed(
        complaint_id=opened().complaint_id,
        report=ComplaintReport(
            complaint_id=opened().complaint_id,
            customer_id=CUSTOMER,
            vin=VIN,
            repair_order_id=RO,
            channel="phone",
            kind="complaint",
            category="time",
            serious_reasons=(),
            customer_words=WORDS,
            responsibility="dealer",
            cause="time",
            findings="the job waited 2 h for a lift; no progress call was made",
            remedy="goodwill",
            remedy_description="voucher for a free oil service handed over",
            cost=20_000,
            received_at=T0,
            resolve_by=opened().resolve_by,
            resolved_at=at(180),
            within_sla=True,
            sla_breached=False,
            escalated=False,
            times_back_to_facts=0,
            times_reopened=0,
            summary="progress calls missed on a lift shortage; goodwill oil service; customer satisfied",
            closed_at=at(1500),
        ),
        closed_at=at(1500),
    )
    state = given(*walked_to("acted")).when(follow_up()).then(followed_up(), closed)
    assert state.step == CLOSED


def test_step_7_a_satisfied_close_needs_the_report_summary() -> None:
    given(*walked_to("acted")).when(replace(follow_up(), report_summary=" ")).then_refused(MissingInformation)


def test_step_7_an_unsatisfied_customer_does_not_close_the_complaint() -> None:
    given(*walked_to("acted")).when(follow_up(satisfied=False)).then_refused(errors.NotSatisfied)
    given(*walked_to("acted")).when(follow_up(back_to="act")).then_refused(errors.SatisfiedButReopened)
    given(*walked_to("acted")).when(follow_up(satisfied=False, back_to="pray")).then_refused(InvalidCode)
    given(*walked_to("acted")).when(replace(follow_up(), channel="pigeon")).then_refused(InvalidCode)


@pytest.mark.parametrize(
    ("back_to", "step"),
    [("listen", RECEIVED), ("confirm_facts", LISTENED_STEP), ("decide", FACTS_CONFIRMED), ("act", EXPLAINED)],
)
def test_step_7_not_satisfied_goes_back_to_the_step_named(back_to: str, step: str) -> None:
    state = given(*walked_to("acted")).when(follow_up(False, back_to)).then(followed_up(False, back_to))
    assert state.step == step
    assert state.times_reopened == 1


def test_after_a_reopening_the_complaint_walks_on_and_closes() -> None:
    history = [*walked_to("acted"), followed_up(False, "act")]
    again = acted(minutes=1600, due=SECOND_CALLBACK_DUE.replace(day=9))  # acted Tuesday: due end of Wednesday
    given(*history).when(act(1600)).then(again)
    history.append(again)
    given(*history).when(act(1650)).then_refused(errors.StepOutOfOrder)
    decided_events = given(*history).when(follow_up(minutes=1700)).decided()
    assert [type(e) for e in decided_events] == [ev.ComplaintFollowedUp, ev.ComplaintClosed]
    report = decided_events[1].report  # type: ignore[attr-defined]
    assert (report.times_reopened, report.resolved_at) == (1, at(180))


# --- no step is skipped ---------------------------------------------------------------------

LATE = 3000  # minutes: every command is dated after the whole history, so only the step order refuses it
STEP_COMMANDS: dict[str, object] = {
    "listen": replace(LISTEN, listened_at=at(LATE)),
    "confirm": confirm(LATE),
    "decide": decide(minutes=LATE, remedy_due=at(LATE + 60)),
    "explain": explain(minutes=LATE),
    "act": act(LATE),
    "follow_up": follow_up(minutes=LATE),
}
NEXT_AFTER = {
    "received": "listen",
    "listened": "confirm",
    "facts_confirmed": "decide",
    "decided": "explain",
    "explained": "act",
    "acted": "follow_up",
}


@pytest.mark.parametrize(
    ("step", "command"),
    [(step, command) for step in NEXT_AFTER for command in STEP_COMMANDS if command != NEXT_AFTER[step]],
)
def test_every_step_but_the_next_is_refused(step: str, command: str) -> None:
    expected = errors.CustomerHasNotAgreed if (step, command) == ("decided", "act") else errors.StepOutOfOrder
    given(*walked_to(step)).when(STEP_COMMANDS[command]).then_refused(expected)
