"""given / when / then for the booking deciders, and the site, customer and car the tests share.

    given(site_capacity, *history).when(command).then(*expected)   # returns the state after
    given(appointment, *history).when(command).then_refused(ErrorType)

Histories are built with `recorded(decider, *commands)`: the events the decider records for
those commands, so every history is one the aggregate can really reach. The shared site opens
08:30-17:30 (Asia/Shanghai), Monday to Saturday, in one-hour slots; two advisors receive two
cars each per slot; three technicians and four bays, 120 bookable workshop minutes per slot.
The shared visit is seed 003's 10,000 km service (40 minutes of work).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, Generic, TypeVar
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest

from booking.domain.appointment import appointment
from booking.domain.appointment_commands import BookAppointment
from booking.domain.site_capacity import ReserveSlot, SetCapacity, site_capacity
from events.catalog.booking_values import Contact, RequestedJob, RequestedPart, VehicleIdentity
from events.contract import Event
from events.decider import Decider, fold
from events.errors import DomainError

S = TypeVar("S")


@dataclass(frozen=True)
class When(Generic[S]):
    decider: Decider[Any, S]
    history: Sequence[Event]
    command: object

    def then(self, *expected: Event) -> S:
        """Assert the command decides exactly `expected`; return the state after them."""
        state = fold(self.decider, self.history)
        decided = list(self.decider.decide(state, self.command))
        assert decided == list(expected)
        return fold(self.decider, decided, state)

    def accepted(self) -> tuple[list[Event], S]:
        """Assert the command is accepted (it decides at least one event); return the events and
        the state after them, for a test that checks them piece by piece."""
        state = fold(self.decider, self.history)
        decided = list(self.decider.decide(state, self.command))
        assert decided, "the command was expected to record events"
        return decided, fold(self.decider, decided, state)

    def then_refused(self, error: type[DomainError]) -> str:
        """Assert the command is refused with `error` (so no events are produced); return the
        message, which must tell the user which rule was broken."""
        state = fold(self.decider, self.history)
        with pytest.raises(error) as refused:
            self.decider.decide(state, self.command)
        assert type(refused.value) is error
        assert refused.value.code == error.code
        assert str(refused.value)
        return str(refused.value)


@dataclass(frozen=True)
class Given(Generic[S]):
    decider: Decider[Any, S]
    history: Sequence[Event]

    def when(self, command: object) -> When[S]:
        return When(self.decider, self.history, command)


def given(decider: Decider[Any, S], *history: Event) -> Given[S]:
    return Given(decider, history)


def recorded(decider: Decider[Any, Any], *commands: object, after: Sequence[Event] = ()) -> tuple[Event, ...]:
    """`after` followed by the events the decider records for `commands`, one after another."""
    history = list(after)
    for command in commands:
        history.extend(decider.decide(fold(decider, history), command))
    return tuple(history)


# --- the shared site ----------------------------------------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")
SITE = uuid4()
LI, ZHANG = "SA Li", "SA Zhang"
TUESDAY = datetime(2024, 5, 7, tzinfo=SHANGHAI).date()
SUNDAY = datetime(2024, 5, 12, tzinfo=SHANGHAI).date()
# The Monday before, at noon: when the bookings in the tests are taken.
BOOKING_TIME = datetime(2024, 5, 6, 12, 0, tzinfo=SHANGHAI)


def local(hour: int, minute: int = 0, day: int = 7) -> datetime:
    """A time on the site's clock in May 2024 (the 7th is a Tuesday)."""
    return datetime(2024, 5, day, hour, minute, tzinfo=SHANGHAI)


SET_CAPACITY = SetCapacity(
    site_id=SITE,
    timezone="Asia/Shanghai",
    opens_at=time(8, 30),
    closes_at=time(17, 30),
    slot_minutes=60,
    open_weekdays=(1, 2, 3, 4, 5, 6),
    advisors=(LI, ZHANG),
    receptions_per_advisor=2,
    technicians=3,
    bays=4,
    workshop_minutes_per_slot=120,
    set_at=datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI),
)
CAPACITY_SET = recorded(site_capacity, SET_CAPACITY)


def reserve(
    minutes: int, start: datetime | None = None, advisor: str = LI, appointment_id: UUID | None = None
) -> ReserveSlot:
    return ReserveSlot(
        appointment_id=appointment_id or uuid4(),
        start=start or local(9, 30),
        minutes=minutes,
        advisor_id=advisor,
        reserved_at=BOOKING_TIME,
    )


# --- the shared customer, car and visit ---------------------------------------------------

APPOINTMENT = uuid4()
CUSTOMER = Contact(name="Wang Wei", phone="13800000001", customer_id=uuid4())
USER = Contact(name="Wang Fang", phone="13900000002")
VEHICLE = VehicleIdentity(vin="LFV3A23C0J3000001", plate="京A12345", model="Audi A4L", vehicle_id=uuid4())
OIL = RequestedPart(part_number="OIL-5W30-4L", description="engine oil 5W-30", quantity=1)
FILTER = RequestedPart(part_number="04152-YZZA1", description="oil filter", quantity=1)
SERVICE_JOB = RequestedJob(
    job_id=uuid4(),
    description="10000 km service",
    labour_operation="MAINT-10K",
    estimated_minutes=40,
    parts=(OIL, FILTER),
)
SLOT = local(9, 30)

BOOK = BookAppointment(
    appointment_id=APPOINTMENT,
    kind="passive",
    reason="maintenance",
    customer=CUSTOMER,
    vehicle=VEHICLE,
    vehicle_user=USER,
    requested_jobs=(SERVICE_JOB,),
    advisor_id=LI,
    slot_start=SLOT,
    estimated_minutes=50,
    booked_at=BOOKING_TIME,
    mileage_km=9800,
    customer_words="due for the 10,000 km service",
)
BOOKED = recorded(appointment, BOOK)


def minutes_after(moment: datetime, minutes: int) -> datetime:
    return moment + timedelta(minutes=minutes)


def in_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
