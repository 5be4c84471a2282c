"""A customer's contact preferences and consent, stream `contact-<customer_id>` (pure). Each
setting replaces the last whole (what the customer said now is what counts); the same setting
again records nothing. Consent pairs name a known channel and purpose."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from events.catalog import notifications as ev
from events.contract import Event
from events.decider import Decider
from events.errors import DomainError
from notifications.domain.consent import Preferences


class UnknownConsent(DomainError):
    code = "unknown_consent"


@dataclass(frozen=True)
class SetPreferences:
    customer_id: UUID
    preferences: Preferences
    set_by: str
    at: datetime


def decide(state: Preferences, command: SetPreferences) -> list[Event]:
    wanted = command.preferences
    for pair in wanted.consent:
        channel, _, purpose = pair.partition(":")
        if channel not in ev.CHANNELS or purpose not in ev.PURPOSES:
            raise UnknownConsent(f"consent {pair!r} is not <channel>:<purpose> of {ev.CHANNELS} and {ev.PURPOSES}")
    if wanted == state:
        return []
    return [
        ev.ContactPreferencesSet(
            customer_id=command.customer_id,
            phone=wanted.phone,
            email=wanted.email,
            wechat_openid=wanted.wechat_openid,
            language=wanted.language,
            preferred_channel=wanted.preferred_channel,
            consent=tuple(sorted(wanted.consent)),
            opted_out=tuple(sorted(wanted.opted_out)),
            do_not_contact=wanted.do_not_contact,
            set_by=command.set_by,
            set_at=command.at,
        )
    ]


def evolve(state: Preferences, event: Event) -> Preferences:
    if isinstance(event, ev.ContactPreferencesSet):
        return Preferences(
            phone=event.phone,
            email=event.email,
            wechat_openid=event.wechat_openid,
            language=event.language,
            preferred_channel=event.preferred_channel,
            consent=frozenset(event.consent),
            opted_out=frozenset(event.opted_out),
            do_not_contact=event.do_not_contact,
        )
    return state


preferences: Decider[SetPreferences, Preferences] = Decider(Preferences(), decide, evolve)
