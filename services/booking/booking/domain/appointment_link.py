"""The appointment link in the day-before message (issue 21 "Messages"): what it lets the customer
do and for how long. Signed with `events.links`; this module only says what its claims are.

- Purpose `appointment`, subject the appointment id, scope the slot it was sent for; it expires
  when that slot starts (after that there is nothing left to confirm, move or cancel by link).
- Each decision (confirm, cancel, reschedule) is taken at most once per link: the service spends
  the link for that decision in the decision's transaction. The decisions themselves are the
  appointment's own (a cancelled appointment is not confirmed, a full slot is not taken).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from events.links import LinkClaims

PURPOSE = "appointment"
DECISIONS = ("confirm", "cancel", "reschedule")
# Who the events say acted: the customer, through their link (no staff identity is involved).
ACTOR = "customer.appointment-link"
# How the customer confirmed (`AppointmentConfirmed.channel`): the link in the message.
CONFIRMATION_CHANNEL = "link"


def claims_for(site_id: str, appointment_id: UUID, slot_start: datetime) -> LinkClaims:
    return LinkClaims(
        purpose=PURPOSE,
        site_id=site_id,
        subject=str(appointment_id),
        scope=slot_start.isoformat(),
        expires_at=slot_start,
    )
