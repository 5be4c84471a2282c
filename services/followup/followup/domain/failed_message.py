"""FailedMessage, stream `failed_message-<message_id>`: a message that did not reach the
customer (notifications.MessageFailed) stays in the CS agents' queue until someone marks it
handled, once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from events.catalog import followup_proposals as ev
from events.contract import Event
from events.decider import Decider
from events.rules import require_text
from followup.domain import errors
from followup.domain.proposal_commands import HandleFailedMessage


@dataclass(frozen=True)
class FailedMessage:
    message_id: UUID | None = None


INITIAL = FailedMessage()


def evolve(state: FailedMessage, event: Event) -> FailedMessage:
    if isinstance(event, ev.FailedMessageHandled):
        return FailedMessage(message_id=event.message_id)
    return state


def decide(state: FailedMessage, command: HandleFailedMessage) -> Sequence[Event]:
    if state.message_id is not None:
        raise errors.FailedMessageAlreadyHandled("someone already followed this message up")
    return [
        ev.FailedMessageHandled(
            message_id=command.message_id,
            handled_by=require_text(command.handled_by, "who handled it"),
            note=command.note.strip(),
            handled_at=command.handled_at,
        )
    ]


failed_message: Decider[HandleFailedMessage, FailedMessage] = Decider(INITIAL, decide, evolve)
