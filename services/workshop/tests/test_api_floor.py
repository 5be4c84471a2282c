"""One job per technician and per bay, across work orders, over HTTP on a real PostgreSQL and
broker: a technician clocked on one car cannot clock on another (unless the site allows more),
a bay holding one car's job takes no other — also when two requests race."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
from test_api import DISPATCH, GROUP_A, SITE, START, TECH, Workshop, as_, handed_over, line, signed, workshop

from events.envelope import Metadata, Tenant
from events.identity import SERVICE_MANAGER, TECHNICIAN
from events.testing import eventually
from workshop.domain.commands import StartJob

__all__ = ["workshop"]  # the fixture, shared with test_api

SETTINGS = f"/sites/{SITE}/technicians/settings"


async def car(workshop: Workshop, minutes: int = 40) -> tuple[str, str]:
    """A repair order signed and handed over: its work order's path and its one job."""
    ro, job = uuid.uuid4(), line("oil service", minutes)
    await workshop.reception(signed(ro, job), handed_over(ro))
    await workshop.work_order(ro)
    return f"/sites/{SITE}/work-orders/{ro}", str(job.line_id)


async def dispatch(workshop: Workshop, path: str, job: str, bay: str, technician: str = "tech-1") -> httpx.Response:
    body = {"technician_id": technician, "bay": bay}
    return await workshop.http.post(f"{path}/jobs/{job}/dispatch", json=body, headers=DISPATCH)


async def clock(workshop: Workshop, path: str, job: str, action: str, headers: dict[str, str] = TECH) -> httpx.Response:
    body: dict[str, Any] = {"reason": "break"} if action == "pause" else {}
    return await workshop.http.post(f"{path}/jobs/{job}/{action}", json=body, headers=headers)


def refusal(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json().get("error", {}).get("code", "")


async def test_a_technician_is_clocked_on_one_job_at_a_time_until_they_pause_or_complete(workshop: Workshop) -> None:
    (first, a), (second, b) = await car(workshop), await car(workshop)
    assert (await dispatch(workshop, first, a, "bay-1")).status_code == 200
    assert (await dispatch(workshop, second, b, "bay-2")).status_code == 200
    assert (await clock(workshop, first, a, "start")).status_code == 200

    busy = await clock(workshop, second, b, "start")
    assert refusal(busy) == (409, "technician_busy")
    assert a in busy.json()["error"]["message"], "the refusal names the job the technician is on"
    second_order = (await workshop.http.get(second, headers=DISPATCH)).json()
    assert second_order["jobs"][0]["status"] == "dispatched", "the refused clock-on wrote nothing"

    assert (await clock(workshop, first, a, "pause")).status_code == 200
    assert (await clock(workshop, second, b, "start")).status_code == 200, "pausing freed the technician"
    assert refusal(await clock(workshop, first, a, "start")) == (409, "technician_busy")
    assert (await clock(workshop, second, b, "complete")).status_code == 200
    assert (await clock(workshop, first, a, "start")).status_code == 200, "completing freed the technician"


async def test_the_site_may_allow_a_technician_more_jobs_at_once(workshop: Workshop) -> None:
    defaults = await workshop.http.get(SETTINGS, headers=DISPATCH)
    assert defaults.status_code == 200, defaults.text
    assert defaults.json()["jobs_per_technician"] == 1

    assert (await workshop.http.put(SETTINGS, json={"jobs_per_technician": 2}, headers=TECH)).status_code == 403
    invalid = await workshop.http.put(SETTINGS, json={"jobs_per_technician": 0}, headers=DISPATCH)
    assert invalid.status_code == 422
    assert [f["field"] for f in invalid.json()["error"]["fields"]] == ["body.jobs_per_technician"]
    manager = as_(SERVICE_MANAGER)
    put = await workshop.http.put(SETTINGS, json={"jobs_per_technician": 2}, headers=manager)
    assert put.status_code == 200, put.text
    assert (put.json()["jobs_per_technician"], put.json()["set_by"]) == (2, "service_manager-1")

    cars = [await car(workshop) for _ in range(3)]
    for bay, (path, job) in enumerate(cars):
        assert (await dispatch(workshop, path, job, f"bay-{bay}")).status_code == 200
    (p1, j1), (p2, j2), (p3, j3) = cars
    assert (await clock(workshop, p1, j1, "start")).status_code == 200
    assert (await clock(workshop, p2, j2, "start")).status_code == 200, "the site allows two jobs at once"
    assert refusal(await clock(workshop, p3, j3, "start")) == (409, "technician_busy")

    other_site = as_(SERVICE_MANAGER, site=str(uuid.uuid4()))
    assert (await workshop.http.put(SETTINGS, json={"jobs_per_technician": 3}, headers=other_site)).status_code == 403
    assert (await workshop.http.get(SETTINGS, headers=TECH)).json()["jobs_per_technician"] == 2


async def test_a_bay_holds_one_open_job_and_takes_another_once_it_is_completed(workshop: Workshop) -> None:
    (first, a), (second, b), (third, c) = await car(workshop), await car(workshop), await car(workshop)
    assert (await dispatch(workshop, first, a, "bay-1")).status_code == 200

    occupied = await dispatch(workshop, second, b, "bay-1", technician="tech-2")
    assert refusal(occupied) == (409, "bay_occupied")
    assert a in occupied.json()["error"]["message"], "the refusal names the job in the bay"
    assert (await workshop.http.get(second, headers=DISPATCH)).json()["jobs"][0]["status"] == "planned"
    assert (await dispatch(workshop, second, b, "bay-2", technician="tech-2")).status_code == 200

    # In progress or paused, the job still holds its bay; re-dispatched elsewhere, it frees it.
    assert (await clock(workshop, first, a, "start")).status_code == 200
    assert refusal(await dispatch(workshop, third, c, "bay-1", technician="tech-3")) == (409, "bay_occupied")
    assert (await clock(workshop, first, a, "pause")).status_code == 200
    assert refusal(await dispatch(workshop, third, c, "bay-1", technician="tech-3")) == (409, "bay_occupied")
    assert (await dispatch(workshop, first, a, "bay-3")).status_code == 200
    assert (await dispatch(workshop, third, c, "bay-1", technician="tech-3")).status_code == 200

    assert refusal(await dispatch(workshop, second, b, "bay-3", technician="tech-2")) == (409, "bay_occupied")
    assert (await clock(workshop, first, a, "start")).status_code == 200
    assert (await clock(workshop, first, a, "complete")).status_code == 200
    assert (await dispatch(workshop, second, b, "bay-3", technician="tech-2")).status_code == 200, "completed: free"


async def test_rework_takes_its_bay_back_only_if_no_other_job_holds_it(workshop: Workshop) -> None:
    (first, a), (second, b) = await car(workshop), await car(workshop)
    await dispatch(workshop, first, a, "bay-1")
    await clock(workshop, first, a, "start")
    await clock(workshop, first, a, "complete")
    assert (await dispatch(workshop, second, b, "bay-1", technician="tech-2")).status_code == 200

    fail = {"passed": False, "reasons": ["leak"], "rework_job_ids": [a]}
    qc = await workshop.http.post(f"{first}/quality-checks", json=fail, headers=as_("qc_inspector"))
    assert qc.status_code == 201, qc.text
    assert refusal(await clock(workshop, first, a, "start")) == (409, "bay_occupied")
    assert (await dispatch(workshop, first, a, "bay-4")).status_code == 200
    assert (await clock(workshop, first, a, "start")).status_code == 200


async def test_two_concurrent_clock_ons_of_one_technician_do_not_both_succeed(workshop: Workshop) -> None:
    for round in range(4):
        cars = [await car(workshop) for _ in range(2)]
        for bay, (path, job) in enumerate(cars):
            assert (await dispatch(workshop, path, job, f"bay-{round}-{bay}")).status_code == 200
        answers = await asyncio.gather(*(clock(workshop, path, job, "start") for path, job in cars))
        codes = sorted(a.status_code for a in answers)
        assert codes == [200, 409], [a.text for a in answers]
        (refused,) = [a for a in answers if a.status_code == 409]
        assert refusal(refused) == (409, "technician_busy")
        (won,) = [job for (_, job), a in zip(cars, answers, strict=True) if a.status_code == 200]
        assert won in refused.json()["error"]["message"]
        states = [(await workshop.http.get(path, headers=DISPATCH)).json()["jobs"][0]["status"] for path, _ in cars]
        assert sorted(states) == ["dispatched", "in_progress"], "exactly one job was clocked on"
        (path, job) = next(c for c in cars if c[1] == won)
        assert (await clock(workshop, path, job, "complete")).status_code == 200


async def test_a_clock_on_racing_one_not_yet_committed_waits_for_it_and_is_refused(workshop: Workshop) -> None:
    (first, a), (second, b) = await car(workshop), await car(workshop)
    await dispatch(workshop, first, a, "bay-1")
    await dispatch(workshop, second, b, "bay-2")
    runtime, use_cases = workshop.app.state.runtime, workshop.app.state.workshop
    metadata = Metadata(Tenant(GROUP_A, SITE), "tech-1", str(uuid.uuid4()))

    async def waiting_for_a_lock() -> int:
        return int(
            await runtime.pool.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )

    async with runtime.store.transaction() as conn:
        # The first clock-on, its transaction still open: the second reads the technician free.
        await use_cases.run(
            metadata, uuid.UUID(first.rsplit("/", 1)[1]), StartJob(uuid.UUID(a), "tech-1", START), conn=conn
        )
        racing = asyncio.create_task(clock(workshop, second, b, "start"))
        await eventually(waiting_for_a_lock, until=lambda n: n > 0, what="the second clock-on waiting on the first")
    refused = await racing
    assert refusal(refused) == (409, "technician_busy")
    assert a in refused.json()["error"]["message"]
    assert (await workshop.http.get(second, headers=DISPATCH)).json()["jobs"][0]["status"] == "dispatched"


async def test_two_concurrent_dispatches_to_one_bay_do_not_both_succeed(workshop: Workshop) -> None:
    for round in range(4):
        cars = [await car(workshop) for _ in range(2)]
        answers = await asyncio.gather(
            *(dispatch(workshop, path, job, f"bay-{round}", f"tech-{n}") for n, (path, job) in enumerate(cars))
        )
        assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
        (refused,) = [a for a in answers if a.status_code == 409]
        assert refusal(refused) == (409, "bay_occupied")


async def test_the_technicians_board_shows_the_jobs_each_is_clocked_on(workshop: Workshop) -> None:
    (path, job), (other_path, other) = await car(workshop), await car(workshop)
    await dispatch(workshop, path, job, "bay-1")
    await dispatch(workshop, other_path, other, "bay-2", technician="tech-2")
    await clock(workshop, path, job, "start")

    async def board() -> dict[str, list[str]]:
        answer = await workshop.http.get(f"/sites/{SITE}/technicians", headers=as_(TECHNICIAN, "tech-2"))
        return {row["technician_id"]: row["clocked_on"] for row in answer.json()}

    seen = await eventually(board, until=lambda rows: bool(rows.get("tech-1")), what="tech-1 clocked on")
    assert seen == {"tech-1": [job], "tech-2": []}


async def test_a_settings_change_made_since_the_manager_looked_is_a_conflict(workshop: Workshop) -> None:
    manager = as_(SERVICE_MANAGER)
    seen = (await workshop.http.get(SETTINGS, headers=manager)).json()["version"]
    assert seen == 0, "the defaults: nothing set yet"
    first = await workshop.http.put(
        SETTINGS, json={"jobs_per_technician": 2}, headers={**manager, "If-Match": f'"{seen}"'}
    )
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 1
    stale = await workshop.http.put(
        SETTINGS, json={"jobs_per_technician": 3}, headers={**manager, "If-Match": f'"{seen}"'}
    )
    assert refusal(stale) == (409, "concurrency_conflict")
    assert stale.json()["error"]["current_version"] == 1
    now = (await workshop.http.get(SETTINGS, headers=manager)).json()
    assert (now["jobs_per_technician"], now["version"]) == (2, 1), "the stale change wrote nothing"
