"""Pure facts for the parts KPIs (docs/domain.md §8: "parts fill rate and parts wait time"), read
from the events of stock-item streams; projections aggregate them per site and period.

- Fill rate: of what was asked for, how much was on the shelf at the moment it was asked
  (by quantity), and how many requests were filled in full at once (by request). Only the
  first answer to a reservation counts; parts that arrive later for it are the wait time's.
- Wait time: from the shortage detected on a reservation to the moment its missing parts
  are all reserved (received or freed). Released reservations never complete a wait.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from events.catalog.parts import PartsReserved, PartsShortageDetected, ReservationReleased
from events.contract import Event
from events.decider import fold
from parts.domain.stock_item import stock_item


def available_quantity(events: Iterable[Event]) -> int:
    """Free stock of one stock item after its events: on hand minus held for reservations."""
    return fold(stock_item, list(events)).available


@dataclass(frozen=True)
class FillRateFact:
    """One reservation request: how many parts were asked for, how many were there at once."""

    reservation_id: UUID
    part_number: str
    requested: int
    immediately_available: int

    @property
    def filled_in_full(self) -> bool:
        return self.immediately_available == self.requested


def fill_rate_facts(events: Iterable[Event]) -> list[FillRateFact]:
    """One fact per reservation request, in the order the requests were made."""
    available: dict[UUID, int] = {}
    missing: dict[UUID, int] = {}
    part: dict[UUID, str] = {}
    for event in events:
        if isinstance(event, PartsReserved) and not event.from_backorder:
            available[event.reservation_id] = available.get(event.reservation_id, 0) + event.quantity
            part.setdefault(event.reservation_id, event.part_number)
        elif isinstance(event, PartsShortageDetected) and event.cause == "insufficient_stock":
            missing[event.reservation_id] = missing.get(event.reservation_id, 0) + event.missing_quantity
            part.setdefault(event.reservation_id, event.part_number)
    return [
        FillRateFact(rid, number, available.get(rid, 0) + missing.get(rid, 0), available.get(rid, 0))
        for rid, number in part.items()
    ]


def quantity_fill_rate(facts: Iterable[FillRateFact]) -> float | None:
    """Parts available at once over parts requested; None when nothing was requested."""
    facts = list(facts)
    requested = sum(f.requested for f in facts)
    return sum(f.immediately_available for f in facts) / requested if requested else None


def request_fill_rate(facts: Iterable[FillRateFact]) -> float | None:
    """Share of requests filled in full from the shelf; None when there were no requests."""
    facts = list(facts)
    return sum(f.filled_in_full for f in facts) / len(facts) if facts else None


@dataclass(frozen=True)
class ShortageWait:
    """How long a reservation (a job) waited for its missing parts."""

    reservation_id: UUID
    part_number: str
    repair_order_id: UUID | None
    line_id: UUID | None
    appointment_id: UUID | None
    detected_at: datetime
    filled_at: datetime

    @property
    def wait(self) -> timedelta:
        return self.filled_at - self.detected_at


def shortage_waits(events: Iterable[Event]) -> list[ShortageWait]:
    """Completed waits, in the order they completed. A wait starts at the first shortage of a
    reservation that had none open and ends when nothing is missing any more."""
    open_since: dict[UUID, tuple[PartsShortageDetected, int]] = {}
    waits: list[ShortageWait] = []
    for event in events:
        if isinstance(event, PartsShortageDetected):
            first, missing = open_since.get(event.reservation_id, (event, 0))
            open_since[event.reservation_id] = (first, missing + event.missing_quantity)
        elif isinstance(event, PartsReserved) and event.from_backorder and event.reservation_id in open_since:
            first, missing = open_since[event.reservation_id]
            if missing - event.quantity > 0:
                open_since[event.reservation_id] = (first, missing - event.quantity)
                continue
            del open_since[event.reservation_id]
            waits.append(
                ShortageWait(
                    first.reservation_id,
                    first.part_number,
                    first.repair_order_id,
                    first.line_id,
                    first.appointment_id,
                    first.detected_at,
                    event.reserved_at,
                )
            )
        elif isinstance(event, ReservationReleased):
            open_since.pop(event.reservation_id, None)
    return waits
