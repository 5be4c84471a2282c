"""Booking from the catalogue (issue 19): a service menu or labour operations become the requested
jobs, with the catalogue's flat-rate minutes as their duration and the menu's parts for the
parts pre-check; the appointment keeps which menu it came from."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from domain_helpers import BOOK, given
from pydantic import ValidationError

from booking.catalogue import CataloguePick, NoFlatRateTime, jobs_from_quote, quote_body
from booking.domain.appointment import appointment
from booking.schemas import BookingBody
from events.catalog.booking import AppointmentBooked
from events.catalog.booking_values import RequestedJob, RequestedPart
from events.peers import PeerUnavailable

NOW = datetime(2031, 5, 5, 2, 0, tzinfo=UTC)


def line(operation: str, minutes: int, *parts: tuple[str, str, int]) -> dict[str, Any]:
    """A quote line as the catalogue answers it (RepairLine-shaped, with prices booking ignores)."""
    return {
        "line_id": str(uuid4()),
        "labour_operation": operation,
        "description": f"{operation} work",
        "labour_minutes": minutes,
        "labour_price": minutes * 633,
        "pay_type": "CUSTOMER_PAY",
        "parts": [
            {"part_number": n, "description": d, "quantity": q, "unit_price": 3200, "non_oem": False}
            for n, d, q in parts
        ],
    }


def quote(*lines: dict[str, Any]) -> dict[str, Any]:
    return {
        "lines": list(lines),
        "total": 0,
        "labour_minutes": sum(one["labour_minutes"] for one in lines),
        "price_lists": {"labour_rates": "2031-01-01", "parts": 3},
        "currency": "CNY",
    }


def body(**changes: Any) -> BookingBody:
    fields: dict[str, Any] = {
        "reason": "maintenance",
        "customer": {"name": "Wang Lei", "phone": "13900000001"},
        "vehicle": {"vin": "LFV2A21K8G3000001", "plate": "京A12345", "model": "Sagitar"},
        "advisor_id": "sa-li",
        "slot_start": "2031-05-07T09:00:00+08:00",
    }
    return BookingBody.model_validate({**fields, **changes})


OIL_CHANGE = line("OIL-CHG", 30, ("90915-YZZE1", "oil filter", 1), ("OIL-5W30-4L", "engine oil 5W-30", 1))
INSPECTION = line("INSP-10K", 20)


def test_each_quoted_line_is_a_requested_job_with_its_flat_rate_minutes_and_parts() -> None:
    jobs = jobs_from_quote(quote(OIL_CHANGE, INSPECTION))
    assert [(j.labour_operation, j.description, j.estimated_minutes) for j in jobs] == [
        ("OIL-CHG", "OIL-CHG work", 30),
        ("INSP-10K", "INSP-10K work", 20),
    ]
    assert str(jobs[0].job_id) == OIL_CHANGE["line_id"]
    assert jobs[0].parts == (
        RequestedPart(part_number="90915-YZZE1", description="oil filter", quantity=1),
        RequestedPart(part_number="OIL-5W30-4L", description="engine oil 5W-30", quantity=1),
    )
    assert jobs[1].parts == ()


def test_an_operation_without_flat_rate_time_is_refused_rather_than_booked_as_no_work() -> None:
    with pytest.raises(NoFlatRateTime) as refused:
        jobs_from_quote(quote(OIL_CHANGE, line("WASH", 0)))
    assert refused.value.code == "no_flat_rate_time"
    assert "WASH" in str(refused.value)


def test_a_quote_booking_cannot_read_is_the_catalogue_failing_not_ours() -> None:
    with pytest.raises(PeerUnavailable):
        jobs_from_quote({"lines": [{"labour_operation": "OIL-CHG"}]})


def test_the_quote_asks_for_the_menu_and_operations_of_the_cars_model_family() -> None:
    pick = body(menu_id="10K", labour_operations=["BRAKE-CHK"]).catalogue_pick()
    assert pick == CataloguePick(model_family="Sagitar", menu_id="10K", labour_operations=("BRAKE-CHK",))
    assert quote_body(pick) == {
        "model_family": "Sagitar",
        "pay_type": "CUSTOMER_PAY",
        "menu_id": "10K",
        "labour_operations": ["BRAKE-CHK"],
    }
    assert quote_body(CataloguePick("Sagitar", "10K", ())) == {
        "model_family": "Sagitar",
        "pay_type": "CUSTOMER_PAY",
        "menu_id": "10K",
    }
    assert body(requested_jobs=[{"description": "squeak", "estimated_minutes": 30}]).catalogue_pick() is None


def test_menu_jobs_join_the_typed_ones_and_the_duration_is_their_flat_rate_minutes() -> None:
    typed = {"description": "brakes squeak", "estimated_minutes": 25}
    command = body(menu_id="10K", requested_jobs=[typed]).command(NOW, jobs_from_quote(quote(OIL_CHANGE, INSPECTION)))
    assert [job.description for job in command.requested_jobs] == ["brakes squeak", "OIL-CHG work", "INSP-10K work"]
    assert command.estimated_minutes == 25 + 30 + 20
    assert command.menu_id == "10K"
    # A margin the advisor gives still wins over the jobs' sum.
    assert (
        body(menu_id="10K", estimated_minutes=90).command(NOW, jobs_from_quote(quote(OIL_CHANGE))).estimated_minutes
        == 90
    )


def test_a_booking_names_its_work_typed_or_from_the_catalogue() -> None:
    with pytest.raises(ValidationError) as nothing:
        body()
    assert "requested_jobs" in str(nothing.value)
    with pytest.raises(ValidationError) as no_model:
        body(menu_id="10K", vehicle={"vin": "LFV2A21K8G3000001", "plate": "京A12345"})
    assert "model" in str(no_model.value)
    assert body(labour_operations=["BRAKE-CHK"]).catalogue_pick() is not None


def test_the_booked_appointment_says_which_menu_it_came_from() -> None:
    job = RequestedJob(job_id=uuid4(), description="OIL-CHG work", labour_operation="OIL-CHG", estimated_minutes=30)
    events, state = given(appointment).when(replace(BOOK, requested_jobs=(job,), menu_id="10K")).accepted()
    (booked,) = events
    assert isinstance(booked, AppointmentBooked)
    assert booked.menu_id == "10K"
    assert state.booked is not None
    assert state.booked.menu_id == "10K"
    events, _ = given(appointment).when(BOOK).accepted()
    assert isinstance(events[0], AppointmentBooked)
    assert events[0].menu_id is None
