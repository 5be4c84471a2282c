"""One message, stream `message-<message_id>`, as a pure decider.

The id is derived from the trigger (the triggering event's id and the kind: `message_id`), so
the trigger arriving again — a redelivery, a republish, a restart half-way — finds the message
and decides nothing: exactly once per trigger.

Status: withheld (on purpose: consent, do-not-contact, no address) | pending (due at `send_at`;
the provider down: asked again) → sent (the provider's id) → delivered, or failed (failed,
bounced; refused by the provider; no address: undeliverable). Every failure is a `MessageFailed`
for a person. A report names the provider's message id: one for another message changes nothing,
and the first verdict stands (a late "failed" after "delivered" is noise).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID, uuid5

from events.catalog import notifications as ev
from events.contract import Event
from events.decider import Decider
from notifications.domain.consent import Preferences, QuietHours, Send
from notifications.domain.consent import decide as send_decision
from notifications.domain.templates import SiteTemplates, render, template_for
from notifications.domain.triggers import Trigger

NONE, WITHHELD, PENDING, SENT, DELIVERED, FAILED = "none", "withheld", "pending", "sent", "delivered", "failed"
_KEYED = UUID("5d0b8f0e-3f7c-4d3e-9a51-0c6f1b2e7a90")


def message_id(trigger_event_id: UUID, kind: str) -> UUID:
    """The message one trigger sends: the same event and kind name the same message."""
    return uuid5(_KEYED, f"{trigger_event_id}/{kind}")


@dataclass(frozen=True)
class Message:
    status: str = NONE
    requested: ev.MessageRequested | None = None
    attempts: int = 0
    provider_message_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class OpenMessage:
    message_id: UUID
    customer_id: UUID
    trigger: Trigger
    trigger_type: str
    trigger_event_id: UUID
    preferences: Preferences
    fallback_phone: str
    quiet_hours: QuietHours
    templates: SiteTemplates
    at: datetime


@dataclass(frozen=True)
class RecordSent:
    message_id: UUID
    provider_message_id: str
    at: datetime


@dataclass(frozen=True)
class RecordAttemptFailed:
    message_id: UUID
    reason: str
    retry_at: datetime


@dataclass(frozen=True)
class RecordRefused:
    message_id: UUID
    reason: str
    at: datetime


@dataclass(frozen=True)
class RecordReport:
    """The provider's delivery report: delivered, failed or bounced."""

    provider_message_id: str
    status: str
    reason: str
    at: datetime


MessageCommand = OpenMessage | RecordSent | RecordAttemptFailed | RecordRefused | RecordReport


def _open(command: OpenMessage) -> list[Event]:
    trigger = command.trigger
    decided = send_decision(
        trigger.purpose, trigger.urgent, command.preferences, command.fallback_phone, command.quiet_hours, command.at
    )
    ids = {
        "message_id": command.message_id,
        "customer_id": command.customer_id,
        "kind": trigger.kind,
        "reference": trigger.reference,
        "trigger_type": command.trigger_type,
        "trigger_event_id": command.trigger_event_id,
    }
    if not isinstance(decided, Send):
        withheld = ev.MessageWithheld(**ids, purpose=trigger.purpose, reason=decided.reason, withheld_at=command.at)
        if decided.reason != "no_address":
            return [withheld]
        # Nobody can be reached: a person must find another way (the customer asked for nothing of the kind).
        failed = ev.MessageFailed(
            message_id=command.message_id,
            customer_id=command.customer_id,
            kind=trigger.kind,
            channel="none",
            reference=trigger.reference,
            status="undeliverable",
            reason="no phone, e-mail or WeChat id is known for the customer",
            failed_at=command.at,
        )
        return [withheld, failed]
    template = template_for(command.templates, trigger.kind, decided.channel, decided.language)
    text = render(template, trigger.params)
    return [
        ev.MessageRequested(
            **ids,
            purpose=trigger.purpose,
            channel=decided.channel,
            language=decided.language,
            to=decided.to,
            subject=text.subject,
            body=text.body,
            template=f"{trigger.kind}/{decided.channel}/{decided.language}",
            send_at=decided.send_at,
            held_for_quiet_hours=decided.held,
            requested_at=command.at,
        )
    ]


def _failed(state: Message, status: str, reason: str, at: datetime) -> ev.MessageFailed:
    request = state.requested
    assert request is not None
    return ev.MessageFailed(
        message_id=request.message_id,
        customer_id=request.customer_id,
        kind=request.kind,
        channel=request.channel,
        reference=request.reference,
        status=status,
        reason=reason or status,
        failed_at=at,
    )


def decide(state: Message, command: MessageCommand) -> list[Event]:
    if isinstance(command, OpenMessage):
        return _open(command) if state.status == NONE else []
    if isinstance(command, RecordReport):
        if state.status != SENT or command.provider_message_id != state.provider_message_id:
            return []
        if command.status == "delivered":
            assert state.requested is not None
            return [ev.MessageDelivered(message_id=state.requested.message_id, delivered_at=command.at)]
        return [_failed(state, command.status if command.status == "bounced" else "failed", command.reason, command.at)]
    if state.status != PENDING or state.requested is None or command.message_id != state.requested.message_id:
        return []
    if isinstance(command, RecordSent):
        return [
            ev.MessageSent(
                message_id=command.message_id, provider_message_id=command.provider_message_id, sent_at=command.at
            )
        ]
    if isinstance(command, RecordRefused):
        return [_failed(state, "refused", command.reason, command.at)]
    return [
        ev.MessageAttemptFailed(
            message_id=command.message_id, attempt=state.attempts + 1, reason=command.reason, retry_at=command.retry_at
        )
    ]


def evolve(state: Message, event: Event) -> Message:
    if isinstance(event, ev.MessageRequested):
        return Message(status=PENDING, requested=event)
    if isinstance(event, ev.MessageWithheld):
        return Message(status=WITHHELD, reason=event.reason)
    if isinstance(event, ev.MessageAttemptFailed):
        return replace(state, attempts=event.attempt, reason=event.reason)
    if isinstance(event, ev.MessageSent):
        return replace(state, status=SENT, provider_message_id=event.provider_message_id, reason=None)
    if isinstance(event, ev.MessageDelivered):
        return replace(state, status=DELIVERED)
    if isinstance(event, ev.MessageFailed):
        return replace(state, status=FAILED, reason=event.reason)
    return state


message: Decider[MessageCommand, Message] = Decider(Message(), decide, evolve)
