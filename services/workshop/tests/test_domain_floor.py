"""The floor across work orders: a technician clocked on one job at a time (unless the site
allows more), a bay holding one open job at a time, and what each work-order event changes
on the floor."""

from __future__ import annotations

from uuid import UUID, uuid4

from domain_helpers import BRAKES, OIL, OPENED, RECEIVED, RO, at, completed, dispatched, started

from events.catalog import workshop as ev
from events.contract import Event
from events.decider import fold
from events.rules import InvalidAmount
from events.testing.deciders import scenario
from workshop.domain import errors
from workshop.domain.bay import FreeBay, TakeBay, bay
from workshop.domain.floor import floor_changes
from workshop.domain.settings import DEFAULTS, SetWorkshopSettings, site_settings
from workshop.domain.technician import ClockOff, ClockOn, technician
from workshop.domain.work_order import work_order

on_technician, on_bay, on_settings = scenario(technician), scenario(bay), scenario(site_settings)
OTHER_RO, OTHER_JOB = uuid4(), uuid4()
SITE = uuid4()


def clocked_on(job_id: UUID = OIL, ro: UUID = RO, minutes: int = 10) -> ev.TechnicianClockedOn:
    return ev.TechnicianClockedOn(technician_id="tech-1", repair_order_id=ro, job_id=job_id, clocked_on_at=at(minutes))


def clocked_off(job_id: UUID = OIL, ro: UUID = RO, minutes: int = 30) -> ev.TechnicianClockedOff:
    return ev.TechnicianClockedOff(
        technician_id="tech-1", repair_order_id=ro, job_id=job_id, clocked_off_at=at(minutes)
    )


def taken(job_id: UUID = OIL, ro: UUID = RO, name: str = "bay-3", minutes: int = 5) -> ev.BayTaken:
    return ev.BayTaken(bay=name, repair_order_id=ro, job_id=job_id, taken_at=at(minutes))


def freed(job_id: UUID = OIL, ro: UUID = RO, name: str = "bay-3", minutes: int = 50) -> ev.BayFreed:
    return ev.BayFreed(bay=name, repair_order_id=ro, job_id=job_id, freed_at=at(minutes))


# --- a technician --------------------------------------------------------------------------


def test_a_technician_clocks_on_a_job() -> None:
    state = on_technician().when(ClockOn("tech-1", RO, OIL, 1, at(10))).then(clocked_on())
    assert dict(state.clocked_on) == {OIL: RO}


def test_a_technician_on_a_job_is_refused_another_naming_the_job_they_are_on() -> None:
    refused = on_technician(clocked_on()).when(ClockOn("tech-1", OTHER_RO, OTHER_JOB, 1, at(20)))
    error = refused.then_refused(errors.TechnicianBusy)
    assert str(OIL) in str(error)
    assert str(RO) in str(error)


def test_pausing_or_completing_frees_the_technician() -> None:
    on_technician(clocked_on()).when(ClockOff("tech-1", RO, OIL, at(30))).then(clocked_off())
    after = on_technician(clocked_on(), clocked_off())
    after.when(ClockOn("tech-1", OTHER_RO, OTHER_JOB, 1, at(40))).then(clocked_on(OTHER_JOB, OTHER_RO, 40))


def test_the_site_may_allow_more_jobs_at_once() -> None:
    two = on_technician(clocked_on()).when(ClockOn("tech-1", OTHER_RO, OTHER_JOB, 2, at(20)))
    two.then(clocked_on(OTHER_JOB, OTHER_RO, 20))
    third = on_technician(clocked_on(), clocked_on(OTHER_JOB, OTHER_RO, 20))
    third.when(ClockOn("tech-1", RO, BRAKES, 2, at(25))).then_refused(errors.TechnicianBusy)


def test_clocking_on_the_same_job_again_or_off_a_job_one_is_not_on_changes_nothing() -> None:
    on_technician(clocked_on()).when(ClockOn("tech-1", RO, OIL, 1, at(20))).then()
    on_technician().when(ClockOff("tech-1", RO, OIL, at(20))).then()


# --- a bay ---------------------------------------------------------------------------------


def test_a_bay_holding_an_open_job_refuses_another_naming_it() -> None:
    error = on_bay(taken()).when(TakeBay("bay-3", OTHER_RO, OTHER_JOB, at(20))).then_refused(errors.BayOccupied)
    assert str(OIL) in str(error)
    assert "bay-3" in str(error)


def test_a_freed_bay_takes_the_next_job_and_the_same_job_twice_changes_nothing() -> None:
    on_bay().when(TakeBay("bay-3", RO, OIL, at(5))).then(taken())
    on_bay(taken()).when(TakeBay("bay-3", RO, OIL, at(6))).then()
    on_bay(taken()).when(FreeBay("bay-3", RO, OIL, at(50))).then(freed())
    on_bay(taken(), freed()).when(TakeBay("bay-3", OTHER_RO, OTHER_JOB, at(60))).then(
        taken(OTHER_JOB, OTHER_RO, minutes=60)
    )
    on_bay(taken()).when(FreeBay("bay-3", OTHER_RO, OTHER_JOB, at(50))).then()  # not the job it holds


# --- what a work order's events change on the floor ----------------------------------------


def changes(history: list[Event], *new: Event, allowed: int = 1) -> list[object]:
    return list(floor_changes(fold(work_order, history), new, allowed))


def test_dispatch_takes_the_bay_and_a_re_dispatch_frees_the_old_one() -> None:
    assert changes([OPENED, RECEIVED], dispatched()) == [TakeBay("bay-3", RO, OIL, at(5))]
    moved = ev.JobDispatched(
        repair_order_id=RO, job_id=OIL, technician_id="tech-1", bay="bay-7", dispatched_by="d", dispatched_at=at(8)
    )
    assert changes([OPENED, RECEIVED, dispatched()], moved) == [
        FreeBay("bay-3", RO, OIL, at(8)),
        TakeBay("bay-7", RO, OIL, at(8)),
    ]
    assert changes([OPENED, RECEIVED, dispatched()], dispatched(minutes=9)) == [TakeBay("bay-3", RO, OIL, at(9))]


def test_clocking_on_holds_the_technician_and_the_bay_off_and_done_let_go() -> None:
    history: list[Event] = [OPENED, RECEIVED, dispatched()]
    assert changes(history, started(), allowed=2) == [
        ClockOn("tech-1", RO, OIL, 2, at(10)),
        TakeBay("bay-3", RO, OIL, at(10)),
    ]
    paused = ev.JobPaused(
        repair_order_id=RO, job_id=OIL, technician_id="tech-1", reason="break", worked_minutes=10, paused_at=at(20)
    )
    assert changes([*history, started()], paused) == [ClockOff("tech-1", RO, OIL, at(20))]
    assert changes([*history, started()], completed()) == [
        ClockOff("tech-1", RO, OIL, at(50)),
        FreeBay("bay-3", RO, OIL, at(50)),
    ]


def test_a_withdrawn_job_lets_go_of_its_technician_and_bay() -> None:
    withdrawn = ev.JobWithdrawn(repair_order_id=RO, job_id=OIL, reason="customer", withdrawn_at=at(20))
    assert changes([OPENED, RECEIVED, dispatched(), started()], withdrawn) == [
        ClockOff("tech-1", RO, OIL, at(20)),
        FreeBay("bay-3", RO, OIL, at(20)),
    ]
    assert changes([OPENED, RECEIVED, dispatched()], withdrawn) == [FreeBay("bay-3", RO, OIL, at(20))]
    assert changes([OPENED, RECEIVED], withdrawn) == []


# --- the site's settings -------------------------------------------------------------------


def test_a_site_works_one_job_per_technician_until_it_sets_more() -> None:
    assert DEFAULTS.jobs_per_technician == 1
    command = SetWorkshopSettings(SITE, 2, "manager-1", at(0))
    state = (
        on_settings()
        .when(command)
        .then(ev.WorkshopSettingsSet(site_id=SITE, jobs_per_technician=2, set_by="manager-1", set_at=at(0)))
    )
    assert state.jobs_per_technician == 2
    on_settings().when(SetWorkshopSettings(SITE, 0, "manager-1", at(0))).then_refused(InvalidAmount)
