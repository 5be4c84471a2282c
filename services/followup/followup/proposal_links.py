"""The reminder's link (docs/reminders.md): each `followup.AppointmentProposed` carries the
portal's page for its proposal, signed (`events.links`, purpose `proposal`, subject the proposal
id, for the site the proposal belongs to), so the message notifications sends from it lets the
customer answer or book. The link is minted here, in the service layer, because it needs the
secret and the stream's site, neither of which the pure domain has; the same claims sign the same
token, so a re-decided command mints the same link.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any, TypeVar
from uuid import UUID

from events.catalog import followup_files as ev
from events.catalog.followup_proposals import LINK_PURPOSE
from events.contract import Event
from events.decider import Decider
from events.links import LinkClaims, sign_link
from events.settings import load
from followup.settings import FollowupSettings

C = TypeVar("C")
S = TypeVar("S")

# The customer may answer some weeks after the day proposed.
LINK_LIFETIME = timedelta(days=60)
SCOPE = "answer"


def proposal_token(proposal_id: UUID, site_id: str, due_on: date) -> str:
    until = datetime.combine(due_on, time(), UTC) + LINK_LIFETIME
    claims = LinkClaims(LINK_PURPOSE, site_id, str(proposal_id), SCOPE, until)
    return sign_link(claims, load(FollowupSettings).link_key)


def proposal_url(token: str) -> str:
    return f"{load(FollowupSettings).portal_url.rstrip('/')}/proposal/{token}"


def _linked(event: Event, site_id: str) -> Event:
    if not isinstance(event, ev.AppointmentProposed) or event.link:
        return event
    due = event.suggested_date or event.contact_from or event.proposed_at.date()
    return event.model_copy(update={"link": proposal_url(proposal_token(event.proposal_id, site_id, due))})


@cache
def with_links(decider: Decider[Any, Any], site_id: str) -> Decider[Any, Any]:
    """`decider` whose proposals carry their link at `site_id`: one per aggregate and site, so the
    state cache (which tells deciders apart by identity) keeps one entry per stream."""

    def decide(state: Any, command: Any) -> Sequence[Event]:
        return [_linked(event, site_id) for event in decider.decide(state, command)]

    return Decider(decider.initial_state, decide, decider.evolve)
