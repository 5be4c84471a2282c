"""Deposits against a repair order, stream `deposits-<repair_order_id>`: money the desk takes
before the invoice exists (a big repair, parts ordered for the customer). The invoice of the RO
applies every deposit no earlier invoice applied (`InvoiceIssued.deposits`). Once the RO has an
invoice in force, money is a payment on that invoice, not a deposit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from billing.domain import errors
from events.catalog.billing import DepositTaken
from events.contract import Event
from events.decider import Decider


@dataclass(frozen=True)
class Deposits:
    taken: tuple[DepositTaken, ...] = ()


@dataclass(frozen=True)
class TakeDeposit:
    deposit_id: UUID
    repair_order_id: UUID
    method: str
    amount: int
    cash_day: date
    invoiced: bool  # the RO has an invoice in force (the handler's look-up)
    taken_by: str
    taken_at: datetime


def stream_id(repair_order_id: UUID) -> str:
    return f"deposits-{repair_order_id}"


def decide(state: Deposits, command: TakeDeposit) -> Sequence[Event]:
    earlier = next((d for d in state.taken if d.deposit_id == command.deposit_id), None)
    if earlier is not None:
        if (earlier.method, earlier.amount) != (command.method, command.amount):
            raise errors.IdempotencyKeyReused(
                "this Idempotency-Key took another deposit; a new deposit takes a new key"
            )
        return []  # a retried deposit is taken once
    if command.invoiced:
        raise errors.RepairOrderAlreadyInvoiced(
            f"repair order {command.repair_order_id} has an invoice: take a payment on it instead of a deposit"
        )
    return [
        DepositTaken(
            deposit_id=command.deposit_id,
            repair_order_id=command.repair_order_id,
            method=command.method,
            amount=command.amount,
            cash_day=command.cash_day,
            taken_by=command.taken_by,
            taken_at=command.taken_at,
        )
    ]


def evolve(state: Deposits, event: Event) -> Deposits:
    if isinstance(event, DepositTaken):
        return Deposits((*state.taken, event))
    return state


deposits: Decider[TakeDeposit, Deposits] = Decider(Deposits(), decide, evolve)
