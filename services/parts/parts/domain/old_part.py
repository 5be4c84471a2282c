"""OldPart: a part taken off a customer's car, from recording to disposition
(stream `old_part-<uuid>`).

At reception the advisor asks whether the customer keeps or discards the old parts, and tells
them that warranty parts go back to the manufacturer (seed 003: "旧件处理方式要征求客户意见,
索赔件应向客户说明需返厂"). At delivery the old parts are shown (seed 000), then they leave the
site one way: back to the customer, back to the manufacturer, or scrapped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from events.catalog.parts import OldPartDisposed, OldPartRecorded
from events.catalog.parts_values import OLD_PART_CHOICES, OLD_PART_DISPOSITIONS
from events.contract import Event
from events.decider import Decider
from events.errors import DomainError
from parts.domain.errors import require_part_number, require_positive


def stream_id(old_part_id: UUID) -> str:
    return f"old_part-{old_part_id}"


# --- errors -------------------------------------------------------------------------------


class OldPartAlreadyRecorded(DomainError):
    code = "old_part_already_recorded"


class OldPartNotRecorded(DomainError):
    code = "old_part_not_recorded"


class OldPartAlreadyDisposed(DomainError):
    code = "old_part_already_disposed"


class InvalidCustomerChoice(DomainError):
    code = "invalid_customer_choice"


class InvalidDisposition(DomainError):
    code = "invalid_disposition"


class WarrantyPartMustReturn(DomainError):
    """Warranty parts are evidence for the warranty claim: they go back to the manufacturer."""

    code = "warranty_part_must_return"


class CustomerKeepsOldPart(DomainError):
    """The customer asked to keep the part: it is not ours to scrap or send away."""

    code = "customer_keeps_old_part"


# --- commands -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordOldPart:
    old_part_id: UUID
    repair_order_id: UUID
    line_id: UUID
    part_number: str
    quantity: int
    warranty: bool
    customer_choice: str  # "keep" or "discard", asked at reception
    recorded_at: datetime


@dataclass(frozen=True)
class DisposeOldPart:
    disposition: str
    disposed_at: datetime
    reference: str | None = None  # shipment or claim number, when returned to the manufacturer


OldPartCommand = RecordOldPart | DisposeOldPart


# --- state --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OldPart:
    old_part_id: UUID | None = None
    repair_order_id: UUID | None = None
    warranty: bool = False
    customer_choice: str | None = None
    disposition: str | None = None


INITIAL = OldPart()


def evolve(state: OldPart, event: Event) -> OldPart:
    match event:
        case OldPartRecorded():
            return OldPart(event.old_part_id, event.repair_order_id, event.warranty, event.customer_choice)
        case OldPartDisposed():
            return replace(state, disposition=event.disposition)
    return state


# --- decide -------------------------------------------------------------------------------


def decide(state: OldPart, command: OldPartCommand) -> Sequence[Event]:
    match command:
        case RecordOldPart():
            return _record(state, command)
        case DisposeOldPart():
            return _dispose(state, command)


def _record(state: OldPart, command: RecordOldPart) -> Sequence[Event]:
    if state.old_part_id is not None:
        raise OldPartAlreadyRecorded(f"old part {state.old_part_id} is already recorded")
    require_positive(command.quantity)
    if command.customer_choice not in OLD_PART_CHOICES:
        raise InvalidCustomerChoice(f"the customer keeps or discards old parts; got {command.customer_choice!r}")
    if command.warranty and command.customer_choice == "keep":
        raise WarrantyPartMustReturn("a warranty part goes back to the manufacturer; the customer cannot keep it")
    return [
        OldPartRecorded(
            old_part_id=command.old_part_id,
            repair_order_id=command.repair_order_id,
            line_id=command.line_id,
            part_number=require_part_number(command.part_number),
            quantity=command.quantity,
            warranty=command.warranty,
            customer_choice=command.customer_choice,
            recorded_at=command.recorded_at,
        )
    ]


def _dispose(state: OldPart, command: DisposeOldPart) -> Sequence[Event]:
    if state.old_part_id is None or state.repair_order_id is None:
        raise OldPartNotRecorded("record the old part before disposing of it")
    if state.disposition is not None:
        raise OldPartAlreadyDisposed(f"old part {state.old_part_id} was already {state.disposition}")
    if command.disposition not in OLD_PART_DISPOSITIONS:
        raise InvalidDisposition(f"an old part is {', '.join(OLD_PART_DISPOSITIONS)}; got {command.disposition!r}")
    if state.warranty and command.disposition != "returned_to_manufacturer":
        raise WarrantyPartMustReturn("a warranty part must be returned to the manufacturer")
    # A customer who discarded the part may still change their mind and take it home.
    if state.customer_choice == "keep" and command.disposition != "returned_to_customer":
        raise CustomerKeepsOldPart("the customer keeps this old part: return it to the customer")
    return [
        OldPartDisposed(
            old_part_id=state.old_part_id,
            repair_order_id=state.repair_order_id,
            disposition=command.disposition,
            reference=command.reference,
            disposed_at=command.disposed_at,
        )
    ]


old_part: Decider[OldPartCommand, OldPart] = Decider(INITIAL, decide, evolve)
