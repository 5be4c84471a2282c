"""Self-booking's own rules (pure): the phone limit and how phones are counted, who receives the
car, what a customer's form books, and the confirmation message of an internet booking made
less than a day ahead (nobody confirmed it on the phone: it goes at once, with its link)."""

from __future__ import annotations

import uuid
from datetime import UTC, timedelta

import pytest
from domain_helpers import APPOINTMENT, BOOKED, SLOT, local

from booking.domain.appointment import appointment
from booking.domain.clocks import DAY_BEFORE, confirmation_clocks, timer_id
from booking.domain.self_booking import (
    OPEN_BOOKINGS_PER_PHONE,
    TooManyOpenBookings,
    advisor_for,
    general_job,
    phone_digest,
    require_room,
    self_booking,
)
from booking.domain.site_capacity import FreeSlot
from booking.domain.site_capacity_state import CapacityExceeded
from events.catalog.booking import AppointmentBooked
from events.catalog.booking_values import Contact, VehicleIdentity
from events.clocks import StartClock

PAYLOAD = {"appointment_id": str(APPOINTMENT)}


def internet(event: AppointmentBooked) -> AppointmentBooked:
    return event.model_copy(update={"channel": "internet"})


def test_an_internet_booking_less_than_a_day_ahead_asks_for_its_confirmation_at_once() -> None:
    booked = BOOKED[-1]
    assert isinstance(booked, AppointmentBooked)
    now = SLOT - timedelta(hours=5)
    starts = [c for c in confirmation_clocks(internet(booked), now) if isinstance(c, StartClock)]
    assert StartClock(timer_id(DAY_BEFORE, APPOINTMENT, SLOT), DAY_BEFORE, now, PAYLOAD) in starts
    # Taken on the phone, the same booking was confirmed in that call: no message.
    assert not [c for c in confirmation_clocks(booked, now) if isinstance(c, StartClock) and c.kind == DAY_BEFORE]
    # Days ahead, an internet booking's reminder is the day before, as any other.
    early = local(12, 0, day=3)
    ahead = [c for c in confirmation_clocks(internet(booked), early) if isinstance(c, StartClock)]
    assert StartClock(timer_id(DAY_BEFORE, APPOINTMENT, SLOT), DAY_BEFORE, SLOT - timedelta(days=1), PAYLOAD) in ahead


def test_a_phone_is_counted_by_its_digits_without_the_country_code() -> None:
    same = {phone_digest(p) for p in ("13900000001", "139 0000 0001", "139-0000-0001", "+86 139 0000 0001")}
    assert len(same) == 1
    assert phone_digest("13900000002") not in same
    assert "13900000001" not in next(iter(same)), "a digest, not the number"


def test_a_phone_holds_at_most_three_open_bookings() -> None:
    assert OPEN_BOOKINGS_PER_PHONE == 3
    require_room(2)
    with pytest.raises(TooManyOpenBookings):
        require_room(3)


def test_the_first_advisor_free_receives_unless_the_current_one_still_can() -> None:
    slots = [FreeSlot(SLOT, 60, ("sa-li", "sa-zhang")), FreeSlot(SLOT + timedelta(hours=1), 60, ("sa-zhang",))]
    assert advisor_for(slots, SLOT) == "sa-li"
    assert advisor_for(slots, SLOT, current="sa-zhang") == "sa-zhang"
    assert advisor_for(slots, SLOT + timedelta(hours=1), current="sa-li") == "sa-zhang"
    with pytest.raises(CapacityExceeded):
        advisor_for(slots, SLOT + timedelta(minutes=30))


def test_a_customers_form_books_a_passive_internet_appointment() -> None:
    job = general_job("repair", uuid.uuid4())
    contact = Contact(name="Wang Lei", phone="13900000001")
    command = self_booking(
        appointment_id=APPOINTMENT,
        service="repair",
        contact=contact,
        vehicle=VehicleIdentity(vin="LFV2A21K8G3000001", plate="京A12345", model="Sagitar"),
        jobs=(job,),
        advisor_id="sa-li",
        slot_start=SLOT,
        booked_at=SLOT.astimezone(UTC) - timedelta(days=2),
    )
    (event,) = appointment.decide(appointment.initial_state, command)
    assert isinstance(event, AppointmentBooked)
    assert (event.kind, event.reason, event.channel) == ("passive", "repair", "internet")
    assert (event.customer, event.vehicle_user, event.estimated_minutes) == (contact, contact, 60)
