"""The due times of follow-up, in one place (docs/domain.md §6; seeds 000, 002). Every deadline the
aggregates publish comes from here, so the service layer's timers and the tests agree.

- Callback within 72 h of delivery: one day early is fine (window opens at +48 h), never more
  than one day late (hard limit +96 h).
- Second follow-up within 7 days of the first (seed 002 §3.5), not the same day (the second
  call must not repeat the first: window opens one day after).
- Customer file within 2 days of the visit (seed 002 §3.2); an unresolved question to the
  supervisor within 2 days (seed 002 §3.4); campaigns by phone 2 weeks ahead, the letter within
  2 days of the call (seed 002 §3.6).
- *(guidance, our choice)*: a retry 2 hours after an unanswered call; maintenance reminders
  start two weeks before the due date, like campaign notices; a declined safety-critical
  recommendation is proposed within 7 days, any other one after 30 days.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from events.catalog.followup_values import CallbackWindow

FIRST_WINDOW_OPENS = timedelta(hours=48)
FIRST_DUE = timedelta(hours=72)
FIRST_HARD_LIMIT = timedelta(hours=96)
SECOND_WINDOW_OPENS = timedelta(days=1)
SECOND_DUE = timedelta(days=7)
FILE_WITHIN = timedelta(days=2)
ESCALATE_WITHIN = timedelta(days=2)
# "call the customer back the same day a solution exists": at most a day after the answer.
TELL_CUSTOMER_WITHIN = timedelta(days=1)
RETRY_AFTER = timedelta(hours=2)
MIN_UNREACHABLE_ATTEMPTS = 3
CAMPAIGN_PHONE_AHEAD = timedelta(days=14)
CAMPAIGN_LETTER_WITHIN = timedelta(days=2)
REMIND_AHEAD = timedelta(days=14)
SAFETY_PROPOSAL_WITHIN = timedelta(days=7)
DECLINED_PROPOSAL_AFTER = timedelta(days=30)


def first_callback_window(delivered_at: datetime) -> CallbackWindow:
    return CallbackWindow(
        opens_at=delivered_at + FIRST_WINDOW_OPENS,
        due_at=delivered_at + FIRST_DUE,
        hard_limit_at=delivered_at + FIRST_HARD_LIMIT,
    )


def second_callback_window(first_completed_at: datetime) -> CallbackWindow:
    due = first_completed_at + SECOND_DUE
    return CallbackWindow(opens_at=first_completed_at + SECOND_WINDOW_OPENS, due_at=due, hard_limit_at=due)


def callback_window(kind: str, basis_at: datetime) -> CallbackWindow:
    """`basis_at` is the delivery for the first callback, the first's completion for the second."""
    return first_callback_window(basis_at) if kind == "first" else second_callback_window(basis_at)


def file_due_by(visited_at: datetime) -> datetime:
    return visited_at + FILE_WITHIN


def escalate_by(asked_at: datetime) -> datetime:
    return asked_at + ESCALATE_WITHIN


def retry_at(unanswered_at: datetime) -> datetime:
    return unanswered_at + RETRY_AFTER


def campaign_phone_by(starts_at: datetime) -> datetime:
    return starts_at - CAMPAIGN_PHONE_AHEAD


def letter_due_by(called_at: datetime) -> datetime:
    return called_at + CAMPAIGN_LETTER_WITHIN


def contact_from(suggested: date) -> date:
    return suggested - REMIND_AHEAD
