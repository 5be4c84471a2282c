"""The cashier's day, stream `cash_day-<site_id>-<YYYY-MM-DD>` (docs/billing.md "The day close").

Money counts in the till of a site-local day: payments and deposits taken, refunds given, per
method. The cashier closes a day with its totals (`CashDayClosed`); a payment taken after its day
was closed counts in the next open day — the till of a closed day never changes, and the desk
need not refuse a customer standing at it late in the evening.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from billing.domain import errors
from events.catalog.billing import PAYMENT_METHODS, CashDayClosed, MethodTotal
from events.contract import Event
from events.decider import Decider

TAKEN = ("payment", "deposit")
REFUND = "refund"


@dataclass(frozen=True, slots=True)
class Movement:
    """Money in (`payment`, `deposit`) or out (`refund`) of the till by one method."""

    kind: str
    method: str
    amount: int


def local_day(at: datetime, time_zone: str) -> date:
    return at.astimezone(ZoneInfo(time_zone)).date()


def till_day(today: date, closed: Collection[date]) -> date:
    """The day money taken `today` counts in: today, or the first day after it not yet closed."""
    day = today
    while day in closed:
        day += timedelta(days=1)
    return day


def totals(movements: Iterable[Movement]) -> tuple[MethodTotal, ...]:
    """Per method, in the order of `PAYMENT_METHODS`: taken, refunded, and their difference."""
    taken: dict[str, int] = {}
    refunded: dict[str, int] = {}
    for m in movements:
        into = refunded if m.kind == REFUND else taken
        into[m.method] = into.get(m.method, 0) + m.amount
    return tuple(
        MethodTotal(
            method=method,
            taken=taken.get(method, 0),
            refunded=refunded.get(method, 0),
            net=taken.get(method, 0) - refunded.get(method, 0),
        )
        for method in PAYMENT_METHODS
        if method in taken or method in refunded
    )


@dataclass(frozen=True)
class CashDay:
    closed: CashDayClosed | None = None


@dataclass(frozen=True)
class CloseCashDay:
    site_id: str
    day: date
    today: date  # the site-local date at the close
    movements: tuple[Movement, ...]
    closed_by: str
    closed_at: datetime


def stream_id(site_id: str, day: date) -> str:
    return f"cash_day-{site_id}-{day.isoformat()}"


def decide(state: CashDay, command: CloseCashDay) -> Sequence[Event]:
    if state.closed is not None:
        raise errors.CashDayAlreadyClosed(
            f"{command.day} was closed at {state.closed.closed_at.isoformat()} by {state.closed.closed_by}"
        )
    if command.day > command.today:
        raise errors.CashDayNotStarted(f"{command.day} has not begun at the site (today is {command.today})")
    by_method = totals(command.movements)
    taken, refunded = sum(t.taken for t in by_method), sum(t.refunded for t in by_method)
    return [
        CashDayClosed(
            site_id=command.site_id,
            day=command.day,
            totals=by_method,
            taken=taken,
            refunded=refunded,
            net=taken - refunded,
            closed_by=command.closed_by,
            closed_at=command.closed_at,
        )
    ]


def evolve(state: CashDay, event: Event) -> CashDay:
    return CashDay(event) if isinstance(event, CashDayClosed) else state


cash_day: Decider[CloseCashDay, CashDay] = Decider(CashDay(), decide, evolve)
