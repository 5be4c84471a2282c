"""How the complaints service reacts to followup: a dissatisfied or unresolved callback
(`followup.ComplaintRaised`) opens a complaint or general grievance on the callback channel.

The reaction runs inside the consumer's transaction together with its inbox row, and the
complaint's id is the event's `complaint_id` (followup derives it from the callback), so a
redelivered or republished event cannot open a second complaint: the stream exists already and
the reaction does nothing.

Mapping (the callback's facts → step 1, received):
- customer: the vehicle user's `customer_id`; a user reception never registered has none, so the
  followup file id stands in — it is the customer id when there is one, and otherwise followup's
  stable id per group and phone, so every complaint of that person lands in one record.
- customer's words: theirs; when the agent wrote none, the other problems they named; failing that
  "dissatisfied in the callback: <categories>" (or the score), so step 1 always has words to restate.
- category: the first category named (followup's dissatisfaction categories are a subset of ours);
  none named (a low score, an unfixed problem) → `other`. The cause is found at step 3 anyway.
- serious → serious reasons ("safety",): the callback does not say accident or injury, and safety
  is what a serious callback is about; it goes to the service manager at once.
- class: serious, a score of 2 or less, or the problem not fixed → `complaint` (24-hour SLA);
  otherwise a `general_grievance` (3 working days).
- received at `raised_at` (the SLA runs from the call), handled by the agent who raised it.
"""

from __future__ import annotations

from typing import Any

from complaints.domain.commands import ReceiveComplaint
from complaints.domain.settings import SiteSettings
from complaints.handlers import Complaints
from events.catalog import followup as followup_events
from events.catalog.complaints_values import COMPLAINT, GENERAL_GRIEVANCE
from events.catalog.followup_values import LOW_SCORE
from events.connection import Connection
from events.envelope import Envelope
from events.runtime import Reaction

CALLBACK_CHANNEL = "callback"
OTHER = "other"


def words_of(event: followup_events.ComplaintRaised) -> str:
    """What goes down as the customer's words (see the module docstring)."""
    for text in (event.customer_words, event.other_problems):
        if text.strip():
            return text.strip()
    named = ", ".join(event.categories) or f"satisfaction score {event.satisfaction_score}"
    if not event.problem_fixed:
        named += "; the problem was not fixed"
    return f"dissatisfied in the callback: {named}"


def kind_of(event: followup_events.ComplaintRaised) -> str:
    if event.serious or event.satisfaction_score <= LOW_SCORE or not event.problem_fixed:
        return COMPLAINT
    return GENERAL_GRIEVANCE


def receipt(event: followup_events.ComplaintRaised, settings: SiteSettings) -> ReceiveComplaint:
    return ReceiveComplaint(
        complaint_id=event.complaint_id,
        customer_id=event.customer.customer_id or event.file_id,
        channel=CALLBACK_CHANNEL,
        kind=kind_of(event),
        category=event.categories[0] if event.categories else OTHER,
        customer_words=words_of(event),
        handled_by=event.raised_by,
        received_at=event.raised_at,
        calendar=settings.calendar,
        vin=event.vehicle.vin,
        repair_order_id=event.repair_order_id,
        callback_id=event.callback_id,
        serious_reasons=("safety",) if event.serious else (),
    )


def callbacks(complaints: Complaints) -> Reaction:
    """followup → complaint: a dissatisfied callback is received as a complaint or grievance."""

    async def react(conn: Connection, envelope: Envelope[Any]) -> None:
        event = envelope.event
        if not isinstance(event, followup_events.ComplaintRaised):
            return
        if (await complaints.current(conn, event.complaint_id)).exists:
            return  # the same callback's complaint, published again
        await complaints.run_with_settings(
            envelope.caused(), event.complaint_id, lambda settings: receipt(event, settings), conn=conn
        )

    return Reaction("callbacks", ["followup"], {followup_events.ComplaintRaised.event_type}, react)
