"""followup's contact queue → the customer's consent: a customer who answers a reminder with
"opt out" (to a CS agent or through the reminder's link; followup.ProposalAnswered) withdraws
every marketing consent here, so no reminder or campaign message reaches them again. Service
messages keep going (the customer opted out of marketing, not of hearing that their car is
ready). The preferences' decider records nothing when nothing changes, so a redelivered answer
changes nothing twice. The proposal's file is the vehicle user's customer id when reception
knew it, which is the contact stream's id here."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from events.catalog import followup_proposals
from events.connection import Connection
from events.envelope import Envelope
from events.runtime import Reaction
from notifications.domain import preferences as prefs
from notifications.domain.consent import Preferences
from notifications.handlers import Notifications

MARKETING = ":marketing"


def without_marketing(current: Preferences) -> Preferences:
    return replace(current, consent=frozenset(c for c in current.consent if not c.endswith(MARKETING)))


def opting_out(notifications: Notifications) -> Reaction:
    async def react(conn: Connection, envelope: Envelope[Any]) -> None:
        event = envelope.event
        if event.answer != followup_proposals.OPT_OUT:
            return
        current = await notifications.preferences(envelope.tenant.group_id, event.file_id, conn=conn)
        if not any(c.endswith(MARKETING) for c in current.consent):
            return  # marketing needs consent: none given, none to withdraw
        command = prefs.SetPreferences(event.file_id, without_marketing(current), event.answered_by, event.answered_at)
        await notifications.set_preferences(envelope.caused(), command)

    return Reaction("opt-outs", ["followup"], {followup_proposals.ProposalAnswered.event_type}, react)
