"""The followup service over HTTP, on a real PostgreSQL and broker: reception's delivery opens
the 72-hour callback, agents call (unreachable three times → a note for the next visit; a
dissatisfied customer → a complaint for the complaints service and the second follow-up), the
hard-limit clock fires once across a restart — and the refusals people meet on the way."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from api_helpers import (
    AGENT,
    GROUP_B,
    MANAGER,
    OTHER_SITE,
    REACHED_UNHAPPY,
    SITE,
    START,
    Environment,
    Followup,
    as_,
    customer,
    delivered,
    settled,
)

from events.catalog import followup as ev
from events.clock import ManualClock
from events.identity import ADVISOR, CS_AGENT
from events.testing import eventually, kafka_for_tests
from events.testing.publishing import Publisher
from followup.domain.ids import callback_id_for


@pytest.fixture
async def environment(database: str, postgres_url: str, bootstrap_servers: str, topic_prefix: str) -> Environment:
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    return Environment(database, kafka, Publisher(postgres_url, kafka))


@pytest.fixture
async def followup(environment: Environment) -> AsyncIterator[Followup]:
    async with environment.running(ManualClock(START)) as service:
        yield service


async def test_a_delivered_car_gets_its_callback_and_an_unreachable_customer_a_note(followup: Followup) -> None:
    ro, user = uuid.uuid4(), customer()
    callback_id = await followup.deliver(ro, user)
    row = await followup.queue(callback_id)
    assert (row["status"], row["kind"], row["plate"], row["attempts"]) == ("open", "first", "京A12345", 0)
    assert datetime.fromisoformat(row["due_at"]) == START + timedelta(hours=72)

    too_early = await followup.attempt(callback_id, "unreachable")
    assert too_early.status_code == 409
    assert too_early.json()["error"]["code"] == "callback_not_due"

    followup.clock.advance(timedelta(hours=49))
    taken = await followup.http.post(f"/sites/{SITE}/callbacks/{callback_id}/assign", json={}, headers=AGENT)
    assert taken.json()["agent"] == "cs-1"
    first = await followup.attempt(callback_id, "unreachable", note="no answer")
    assert first.status_code == 201, first.text
    assert datetime.fromisoformat(first.json()["next_attempt_at"]) == START + timedelta(hours=51)
    give_up = f"/sites/{SITE}/callbacks/{callback_id}/give-up"
    not_yet = await followup.http.post(give_up, headers=AGENT)
    assert not_yet.status_code == 409
    assert not_yet.json()["error"]["code"] == "too_few_attempts"
    for _ in range(2):
        followup.clock.advance(timedelta(hours=2))
        assert (await followup.attempt(callback_id, "unreachable")).status_code == 201
    gave_up = await followup.http.post(give_up, headers=AGENT)
    assert gave_up.status_code == 200, gave_up.text
    assert gave_up.json()["status"] == "unreachable"

    async def file() -> dict[str, Any]:
        body: dict[str, Any] = (
            await followup.http.get(f"/sites/{SITE}/customer-files/{user.customer_id}", headers=AGENT)
        ).json()
        return body

    record = await eventually(file, until=lambda body: bool(body.get("notes")) and len(body["log"]) == 3, what="note")
    assert "unreachable after 3 attempts" in record["notes"][0]["note"]
    assert [entry["outcome"] for entry in record["log"]] == ["unreachable"] * 3
    assert record["visits"][0]["next_service_due_km"] == 17000
    row = await followup.queue(callback_id, until=lambda r: r["status"] == "unreachable")
    assert row["attempts"] == 3


async def test_a_dissatisfied_customer_raises_a_complaint_and_gets_the_second_follow_up(followup: Followup) -> None:
    ro, user = uuid.uuid4(), customer()
    # The invoice comes after the delivery: the visit is recorded again with the work done.
    callback_id = await followup.deliver(ro, user, settled(ro))

    async def visits() -> list[dict[str, Any]]:
        body = (await followup.http.get(f"/sites/{SITE}/customer-files/{user.customer_id}", headers=AGENT)).json()
        return list(body["visits"])

    (visit,) = await eventually(visits, until=lambda v: bool(v) and v[0]["invoice_number"] is not None, what="invoice")
    assert visit["work_done"] == ["更换机油"]

    base = f"/sites/{SITE}/callbacks/{callback_id}"
    await followup.http.post(f"{base}/assign", json={}, headers=AGENT)
    not_a_manager = await followup.http.post(f"{base}/assign", json={}, headers=as_(CS_AGENT, "cs-2"))
    assert not_a_manager.status_code == 403, "only a service manager takes a callback from its agent"
    no_reason = await followup.http.post(f"{base}/assign", json={"agent": "cs-2"}, headers=MANAGER)
    assert no_reason.status_code == 409
    # The queue is a read model: wait until it shows cs-1's callback before reassigning from it.
    await followup.queue(callback_id, until=lambda r: r["agent"] == "cs-1")
    moved = await followup.http.post(
        f"/sites/{SITE}/callbacks/reassign",
        json={"from_agent": "cs-1", "to_agent": "cs-2", "reason": "cs-1 is on leave"},
        headers=MANAGER,
    )
    assert moved.status_code == 200
    assert moved.json()["reassigned"] == [callback_id]

    followup.clock.advance(timedelta(hours=50))
    cs2 = as_(CS_AGENT, "cs-2")
    reached = await followup.attempt(callback_id, "reached", headers=cs2, answers=REACHED_UNHAPPY)
    assert reached.status_code == 201, reached.text
    assert (reached.json()["status"], reached.json()["question"]) == ("completed", "保修期还剩多久?")
    recorded = await followup.recorded(f"callback-{callback_id}")
    for kind in (ev.CallRecorded, ev.ComplaintRaised, ev.QuestionEscalated, ev.SecondFollowUpScheduled):
        assert recorded.count(kind.event_type) == 1

    second = await followup.callback(str(callback_id_for(ro, "second")))
    assert (second["kind"], second["status"], second["agent"]) == ("second", "open", "cs-2")
    assert datetime.fromisoformat(second["window"]["due_at"]) == START + timedelta(hours=50, days=7)

    answered = await followup.http.post(f"{base}/answer", json={"answer": "还有两年或六万公里"}, headers=MANAGER)
    assert answered.status_code == 200, answered.text
    told = await followup.http.post(f"{base}/answer-given", headers=cs2)
    assert told.json()["answer_given"] is True
    row = await followup.queue(callback_id, until=lambda r: r["told_at"] is not None)
    assert (row["satisfaction_score"], row["escalation_open"]) == (2, False)


async def test_do_not_call_cancels_the_open_callback_and_skips_the_next(followup: Followup) -> None:
    user = customer()
    callback_id = await followup.deliver(uuid.uuid4(), user)
    await followup.queue(callback_id)
    dnc = await followup.http.post(
        f"/sites/{SITE}/customer-files/{user.customer_id}/do-not-call",
        json={"reason": "asked on the phone"},
        headers=AGENT,
    )
    assert dnc.status_code == 200, dnc.text
    await followup.callback(callback_id, until=lambda body: body["status"] == "cancelled")

    later = uuid.uuid4()
    await followup.publish(f"repair_order-{later}", delivered(later, user, START + timedelta(hours=1)))
    row = await followup.queue(str(callback_id_for(later, "first")))
    assert row["status"] == "skipped"


async def test_the_overdue_clock_fires_once_also_across_a_restart(environment: Environment) -> None:
    clock = ManualClock(START)
    ro, user = uuid.uuid4(), customer()
    async with environment.running(clock) as first_run:
        callback_id = await first_run.deliver(ro, user)
    clock.advance(timedelta(hours=97))  # past the hard limit (delivery + 96 h) while the service is down
    async with environment.running(clock) as second_run:
        await second_run.callback(callback_id, until=lambda body: body["overdue"])
        row = await second_run.queue(callback_id, until=lambda r: r["overdue"])
        assert row["overdue_now"] is True
    clock.advance(timedelta(hours=1))
    async with environment.running(clock) as third_run:
        late = await third_run.attempt(callback_id, "reached", answers={**REACHED_UNHAPPY, "unanswered_question": ""})
        assert late.status_code == 201, "a late call is still made"
        recorded = await third_run.recorded(f"callback-{callback_id}")
        assert recorded.count(ev.CallbackOverdue.event_type) == 1
        timers = await third_run.pool.fetch("SELECT fired_at FROM timers WHERE timer_id LIKE $1", f"%{callback_id}%")
        assert len(timers) == 1
        assert timers[0]["fired_at"] is not None


async def test_bad_input_unknown_ids_roles_and_other_tenants_are_refused(followup: Followup) -> None:
    ro, user = uuid.uuid4(), customer()
    callback_id = await followup.deliver(ro, user)
    await followup.queue(callback_id)
    followup.clock.advance(timedelta(hours=50))

    no_answers = await followup.attempt(callback_id, "reached")
    assert no_answers.status_code == 422
    bad = await followup.attempt(callback_id, "maybe", answers={**REACHED_UNHAPPY, "satisfaction_score": 9})
    assert bad.status_code == 422
    fields = {f["field"] for f in bad.json()["error"]["fields"]}
    assert {"body.outcome", "body.answers.satisfaction_score"} <= fields
    later = await followup.attempt(callback_id, "call_me_later")
    assert later.status_code == 422
    past = await followup.attempt(callback_id, "call_me_later", call_me_later_at=START.isoformat())
    assert past.status_code == 409
    assert past.json()["error"]["code"] == "call_me_later_in_past"

    assert (await followup.http.get(f"/sites/{SITE}/callbacks/{uuid.uuid4()}", headers=AGENT)).status_code == 404
    unknown_file = await followup.http.post(
        f"/sites/{SITE}/customer-files/{uuid.uuid4()}/wishes", json={"wish": "free wash"}, headers=AGENT
    )
    assert unknown_file.status_code == 404

    advisor = as_(ADVISOR)
    assert (await followup.http.get(f"/sites/{SITE}/callbacks/{callback_id}", headers=advisor)).status_code == 200
    assert (await followup.attempt(callback_id, "unreachable", headers=advisor)).status_code == 403

    other_site = as_(CS_AGENT, site=OTHER_SITE)
    assert (await followup.http.get(f"/sites/{SITE}/callbacks/{callback_id}", headers=other_site)).status_code == 403
    other_group = as_(CS_AGENT, group=GROUP_B)
    assert (await followup.http.get(f"/sites/{SITE}/callbacks/{callback_id}", headers=other_group)).status_code == 404
    assert (await followup.http.get(f"/sites/{SITE}/callbacks", headers=other_group)).json() == []
    assert (await followup.http.get(f"/sites/{SITE}/customer-files", headers=other_group)).json() == []
    file_url = f"/sites/{SITE}/customer-files/{user.customer_id}"
    assert (await followup.http.get(file_url, headers=other_group)).status_code == 404
    assert (await followup.attempt(callback_id, "unreachable", headers=as_(CS_AGENT, group=GROUP_B))).status_code == 404
    assert await followup.recorded(f"callback-{callback_id}") == [ev.CallbackOpened.event_type]


async def test_the_second_follow_up_is_due_within_7_days_and_its_clock_fires_once_across_a_restart(
    environment: Environment,
) -> None:
    clock = ManualClock(START)
    ro, user = uuid.uuid4(), customer()
    async with environment.running(clock) as first_run:
        callback_id = await first_run.deliver(ro, user)
        clock.advance(timedelta(hours=50))
        happy = {**REACHED_UNHAPPY, "problem_fixed": True, "satisfaction_score": 5, "dissatisfaction": []}
        reached = await first_run.attempt(callback_id, "reached", answers={**happy, "unanswered_question": ""})
        assert reached.status_code == 201, reached.text
        second_id = str(callback_id_for(ro, "second"))
        second = await first_run.callback(second_id)
        due = datetime.fromisoformat(second["window"]["due_at"])
        assert due == START + timedelta(hours=50, days=7), "within 7 days of the first follow-up"
        hard_limit = datetime.fromisoformat(second["window"]["hard_limit_at"])
    clock.set(hard_limit + timedelta(minutes=1))  # the second follow-up was never made; the service was down
    async with environment.running(clock) as second_run:
        await second_run.callback(second_id, until=lambda body: body["overdue"])
    clock.advance(timedelta(days=1))
    async with environment.running(clock) as third_run:
        await third_run.queue(second_id, until=lambda r: r["overdue"])
        recorded = await third_run.recorded(f"callback-{second_id}")
        assert recorded.count(ev.CallbackOverdue.event_type) == 1
        first = await third_run.recorded(f"callback-{callback_id}")
        assert ev.CallbackOverdue.event_type not in first, "the first callback was made in time"
