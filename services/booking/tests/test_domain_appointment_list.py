"""The advisor's printed list for the next day (seed 003: "打印预约表格将当天预约客户下班前交至
服务顾问"): the advisor's still-expected appointments of that local day, in arrival order."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from uuid import uuid4

from domain_helpers import BOOK, BOOKING_TIME, LI, SHANGHAI, TUESDAY, USER, ZHANG, local, recorded

from booking.domain.appointment import appointment
from booking.domain.appointment_commands import (
    BookAppointment,
    CancelAppointment,
    ConfirmAppointment,
    RecordArrival,
    RecordPreparation,
)
from booking.domain.appointment_list import AppointmentListEntry, next_day_appointment_list
from booking.domain.appointment_state import Appointment
from events.catalog.booking_values import OfferedRecommendation, PartCheck
from events.decider import fold


def booked(hour: int, minute: int = 30, *, advisor: str = LI, day: int = 7) -> BookAppointment:
    return replace(BOOK, appointment_id=uuid4(), slot_start=local(hour, minute, day=day), advisor_id=advisor)


def state_of(command: BookAppointment, *then: object) -> Appointment:
    return fold(appointment, recorded(appointment, command, *then))


def test_the_list_is_in_arrival_order_and_first_booked_first_within_a_slot() -> None:
    late, early = booked(14), booked(9)
    first = booked(11)
    second = replace(booked(11), appointment_id=uuid4(), booked_at=local(13, 0, day=6))
    states = [state_of(c) for c in (late, second, early, first)]
    listed = next_day_appointment_list(states, LI, TUESDAY, SHANGHAI)
    assert [e.appointment_id for e in listed] == [
        early.appointment_id,
        first.appointment_id,
        second.appointment_id,
        late.appointment_id,
    ]


def test_only_the_advisors_appointments_of_that_day_are_listed() -> None:
    mine = booked(9)
    states = [state_of(mine), state_of(booked(10, advisor=ZHANG)), state_of(booked(9, day=8))]
    listed = next_day_appointment_list(states, LI, TUESDAY, SHANGHAI)
    assert [e.appointment_id for e in listed] == [mine.appointment_id]


def test_the_day_is_the_sites_local_day() -> None:
    # 23:30 UTC on the 6th is 07:30 on the 7th in Shanghai.
    early_bird = replace(booked(9), slot_start=datetime(2024, 5, 6, 23, 30, tzinfo=UTC))
    listed = next_day_appointment_list([state_of(early_bird)], LI, TUESDAY, SHANGHAI)
    assert [e.slot_start for e in listed] == [local(7, 30)]
    assert next_day_appointment_list([state_of(early_bird)], LI, TUESDAY, UTC) == []


def test_cancelled_and_arrived_appointments_and_empty_states_are_left_out() -> None:
    cancelled = state_of(booked(9), CancelAppointment("customer", "ill", BOOKING_TIME))
    arrived = state_of(booked(8), RecordArrival(local(8, 20)))
    waiting = booked(10)
    states = [cancelled, arrived, state_of(waiting), appointment.initial_state]
    listed = next_day_appointment_list(states, LI, TUESDAY, SHANGHAI)
    assert [e.appointment_id for e in listed] == [waiting.appointment_id]


def test_an_entry_shows_what_is_still_open() -> None:
    wipers = OfferedRecommendation(finding_id=uuid4(), description="wiper blades", response="undecided")
    tyres = OfferedRecommendation(finding_id=uuid4(), description="tyres", response="declined")
    command = booked(9)
    prepared = state_of(
        command,
        ConfirmAppointment("day_before", "phone", local(10, 0, day=6)),
        RecordPreparation(
            history_summary="first visit",
            prepared_by=LI,
            prepared_at=local(16, 0, day=6),
            recommendations=(wipers, tyres),
            parts_checked=(
                PartCheck(part_number="OIL-5W30-4L", quantity=1, available=True),
                PartCheck(part_number="04152-YZZA1", quantity=1, available=False),
            ),
        ),
    )
    (entry,) = next_day_appointment_list([prepared], LI, TUESDAY, SHANGHAI)
    assert entry == AppointmentListEntry(
        appointment_id=command.appointment_id,
        slot_start=local(9, 30),
        customer_name=USER.name,
        contact_phone=USER.phone,
        plate="京A12345",
        model="Audi A4L",
        kind="passive",
        reason="maintenance",
        jobs=("10000 km service",),
        estimated_minutes=50,
        confirmed=True,
        prepared=True,
        parts_ready=False,
        recommendations_to_offer=("wiper blades",),
    )


def test_an_unprepared_entry_says_so() -> None:
    (entry,) = next_day_appointment_list([state_of(booked(9))], LI, TUESDAY, SHANGHAI)
    assert (entry.confirmed, entry.prepared, entry.parts_ready, entry.recommendations_to_offer) == (
        False,
        False,
        None,
        (),
    )
