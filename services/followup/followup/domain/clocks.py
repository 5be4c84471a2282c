"""The follow-up clocks, from the due times the events publish (`followup.domain.schedule`):

- a callback still open at its hard limit is marked overdue; closing it stops the clock;
- an escalated question unanswered by its deadline, and a campaign letter not sent by its due
  time, raise a deadline alert for the supervisor (under the clock's id); what they watch for
  stops the clock and settles that alert, which exists only if the clock already fired.

The handlers keep them with `events.timers.keeping`; `recorded_at` is when the event was recorded.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from events.catalog import followup as ev
from events.catalog import followup_campaigns
from events.clocks import ClockChange, StartClock, StopClock
from events.contract import Event
from followup.domain.schedule import letter_due_by

CALLBACK_OVERDUE = "followup.callback_overdue"
ESCALATION_DUE = "followup.escalation_due"
LETTER_DUE = "followup.campaign_letter_due"


def overdue_timer(callback_id: UUID) -> str:
    return f"{CALLBACK_OVERDUE}:{callback_id}"


def escalation_timer(callback_id: UUID) -> str:
    return f"{ESCALATION_DUE}:{callback_id}"


def letter_timer(campaign_id: UUID, file_id: UUID) -> str:
    return f"{LETTER_DUE}:{campaign_id}:{file_id}"


def callback_clocks(event: Event, recorded_at: datetime) -> list[ClockChange]:
    """The hard limit from the window; the escalation deadline from the question; both stop
    when what they watch for has happened."""
    match event:
        case ev.CallbackOpened():
            ids = {"callback_id": str(event.callback_id)}
            return [StartClock(overdue_timer(event.callback_id), CALLBACK_OVERDUE, event.window.hard_limit_at, ids)]
        case ev.QuestionEscalated():
            ids = {"callback_id": str(event.callback_id)}
            return [StartClock(escalation_timer(event.callback_id), ESCALATION_DUE, event.escalate_by, ids)]
        case ev.QuestionAnswered():
            return [StopClock(escalation_timer(event.callback_id), event.answered_at, resolves_alert=True)]
        case ev.CallbackCompleted() | ev.CallbackRefused() | ev.CallbackUnreachable() | ev.CallbackCancelled():
            return [StopClock(overdue_timer(event.callback_id), recorded_at)]
    return []


def campaign_clocks(event: Event, recorded_at: datetime) -> list[ClockChange]:
    """A letter is due 2 days after each phone notice — or, for a do-not-call customer who is
    never phoned, 2 days after the phoning deadline; a refusal or the letter stops the clock."""
    match event:
        case followup_campaigns.CampaignPlanned():
            due = letter_due_by(event.phone_by)
            return [_letter_clock(event.campaign_id, t.file_id, due) for t in event.targets if t.do_not_call]
        case followup_campaigns.CampaignCallLogged() if event.letter_due_by is not None:
            return [_letter_clock(event.campaign_id, event.file_id, event.letter_due_by)]
        case followup_campaigns.CampaignCallLogged():
            return [StopClock(letter_timer(event.campaign_id, event.file_id), event.called_at)]
        case followup_campaigns.CampaignLetterLogged():
            return [StopClock(letter_timer(event.campaign_id, event.file_id), event.sent_at, resolves_alert=True)]
    return []


def _letter_clock(campaign_id: UUID, file_id: UUID, due: datetime) -> StartClock:
    payload = {"campaign_id": str(campaign_id), "file_id": str(file_id)}
    return StartClock(letter_timer(campaign_id, file_id), LETTER_DUE, due, payload)
