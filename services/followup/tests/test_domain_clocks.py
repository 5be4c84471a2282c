"""The follow-up clocks (docs/domain.md §6): a callback's hard limit, an escalated question's
deadline and a campaign letter's due time. Event in, clock changes out — no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from domain_helpers import CALLBACK, CAR, FILE, OPENED, RO, USER, WINDOW, hours

from events.catalog import followup as ev
from events.catalog import followup_campaigns
from events.catalog.followup_values import CampaignTarget
from events.catalog.reception_values import Contact
from events.clocks import StartClock, StopClock
from followup.domain.clocks import (
    CALLBACK_OVERDUE,
    ESCALATION_DUE,
    LETTER_DUE,
    callback_clocks,
    campaign_clocks,
    letter_timer,
)
from followup.domain.schedule import letter_due_by

RECORDED = hours(200)  # when the event was recorded: a closed callback's clock stops then
OVERDUE_ID = f"followup.callback_overdue:{CALLBACK}"
ESCALATION_ID = f"followup.escalation_due:{CALLBACK}"
CALLBACK_IDS = {"callback_id": str(CALLBACK)}

CAMPAIGN, QUIET = uuid4(), uuid4()
PHONE_BY = datetime(2024, 6, 17, 9, 0, tzinfo=UTC)
LETTER_IDS = {"campaign_id": str(CAMPAIGN), "file_id": str(FILE)}


# --- callbacks -------------------------------------------------------------------------------


def test_an_opened_callback_starts_its_clock_at_the_hard_limit() -> None:
    assert callback_clocks(OPENED, RECORDED) == [
        StartClock(OVERDUE_ID, CALLBACK_OVERDUE, WINDOW.hard_limit_at, CALLBACK_IDS)
    ]


def test_a_closed_callback_stops_its_clock_when_the_close_was_recorded() -> None:
    closings = [
        ev.CallbackCompleted(
            callback_id=CALLBACK, repair_order_id=RO, kind="first", attempts=1, in_window=True, completed_at=hours(60)
        ),
        ev.CallbackRefused(callback_id=CALLBACK, repair_order_id=RO, kind="first", attempts=1, refused_at=hours(60)),
        ev.CallbackUnreachable(
            callback_id=CALLBACK,
            repair_order_id=RO,
            kind="first",
            file_id=FILE,
            attempts=3,
            note_for_next_visit="three calls unanswered",
            given_up_by="cs-1",
            given_up_at=hours(60),
        ),
        ev.CallbackCancelled(
            callback_id=CALLBACK,
            repair_order_id=RO,
            kind="first",
            reason="duplicate",
            cancelled_by="cs-lead",
            cancelled_at=hours(60),
        ),
    ]
    for closing in closings:
        assert callback_clocks(closing, RECORDED) == [StopClock(OVERDUE_ID, RECORDED)], closing


def test_an_escalated_question_starts_its_deadline_and_the_answer_stops_it_and_settles_the_alert() -> None:
    escalated = ev.QuestionEscalated(
        callback_id=CALLBACK,
        repair_order_id=RO,
        file_id=FILE,
        question="why does the brake squeal in the cold?",
        escalate_by=hours(110),
        escalated_at=hours(62),
    )
    answered = ev.QuestionAnswered(
        callback_id=CALLBACK,
        repair_order_id=RO,
        answer="new pads bed in over 200 km",
        answered_by="supervisor",
        tell_customer_by=hours(140),
        answered_at=hours(120),
    )
    assert callback_clocks(escalated, RECORDED) == [StartClock(ESCALATION_ID, ESCALATION_DUE, hours(110), CALLBACK_IDS)]
    assert callback_clocks(answered, RECORDED) == [StopClock(ESCALATION_ID, hours(120), resolves_alert=True)]


def test_other_callback_events_leave_the_clocks_alone() -> None:
    assigned = ev.CallbackAssigned(
        callback_id=CALLBACK, repair_order_id=RO, agent="cs-1", assigned_by="cs-lead", assigned_at=hours(50)
    )
    assert callback_clocks(assigned, RECORDED) == []


# --- campaigns -------------------------------------------------------------------------------


def test_a_planned_campaign_starts_a_letter_clock_for_each_do_not_call_customer_only() -> None:
    quiet = CampaignTarget(
        file_id=QUIET, contact=Contact(name="赵女士", phone="13900000003"), vehicle=CAR, do_not_call=True
    )
    planned = followup_campaigns.CampaignPlanned(
        campaign_id=CAMPAIGN,
        kind="free_service",
        title="免费检测周",
        starts_at=PHONE_BY + timedelta(days=14),
        phone_by=PHONE_BY,
        targets=(CampaignTarget(file_id=FILE, contact=USER, vehicle=CAR), quiet),
        planned_by="cs-lead",
        planned_at=PHONE_BY - timedelta(days=16),
    )
    quiet_ids = {"campaign_id": str(CAMPAIGN), "file_id": str(QUIET)}
    assert campaign_clocks(planned, RECORDED) == [
        StartClock(f"followup.campaign_letter_due:{CAMPAIGN}:{QUIET}", LETTER_DUE, letter_due_by(PHONE_BY), quiet_ids)
    ]


def call(letter_due: datetime | None, outcome: str = "reached") -> followup_campaigns.CampaignCallLogged:
    return followup_campaigns.CampaignCallLogged(
        campaign_id=CAMPAIGN,
        file_id=FILE,
        outcome=outcome,
        agent="cs-1",
        on_time=True,
        letter_due_by=letter_due,
        called_at=PHONE_BY - timedelta(days=1),
    )


def test_a_phone_notice_starts_the_letter_clock_and_a_refusal_stops_it() -> None:
    letter_id = letter_timer(CAMPAIGN, FILE)
    assert letter_id == f"followup.campaign_letter_due:{CAMPAIGN}:{FILE}"
    due = PHONE_BY + timedelta(days=1)
    assert campaign_clocks(call(due), RECORDED) == [StartClock(letter_id, LETTER_DUE, due, LETTER_IDS)]
    assert campaign_clocks(call(None, "refused"), RECORDED) == [StopClock(letter_id, PHONE_BY - timedelta(days=1))]


def test_the_letter_stops_its_clock_and_settles_the_alert() -> None:
    sent = followup_campaigns.CampaignLetterLogged(
        campaign_id=CAMPAIGN, file_id=FILE, letter_kind="notice", sent_by="cs-1", on_time=False, sent_at=PHONE_BY
    )
    assert campaign_clocks(sent, RECORDED) == [StopClock(letter_timer(CAMPAIGN, FILE), PHONE_BY, resolves_alert=True)]
