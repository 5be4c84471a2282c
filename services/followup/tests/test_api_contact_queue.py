"""The contact queue over HTTP, on a real PostgreSQL and broker (docs/reminders.md): a delivered
car's maintenance proposal is queued for the CS agents; the answers (later comes back on its
day, on a durable timer); booking's appointment with the proposal converts it and its arrival
completes it; the reminder's link answers once (tampered, expired, used); a failed message
stays in the queue until someone handles it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from api_helpers import AGENT, HOME, SITE, START, Environment, Followup, as_, customer

from events.catalog import booking as booking_events
from events.catalog import booking_values
from events.catalog import followup_files as ev
from events.catalog import notifications as notification_events
from events.catalog.booking_values import RequestedJob
from events.clock import ManualClock
from events.identity import ADVISOR
from events.links import LinkClaims, sign_link
from events.settings import load
from events.testing import eventually, kafka_for_tests
from events.testing.publishing import Publisher
from followup.app import create_app
from followup.proposal_links import proposal_token
from followup.settings import FollowupSettings

CAR = booking_values.VehicleIdentity(vin="LFV2A21K8G3000001", plate="京A12345", model="Sagitar")


def person() -> booking_values.Contact:
    return booking_values.Contact.model_validate(customer().model_dump())


@pytest.fixture
async def environment(database: str, postgres_url: str, bootstrap_servers: str, topic_prefix: str) -> Environment:
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.")
    return Environment(database, kafka, Publisher(postgres_url, kafka))


@pytest.fixture
async def followup(environment: Environment) -> AsyncIterator[Followup]:
    async with environment.running(ManualClock(START)) as service:
        yield service


async def queued(followup: Followup, until: Any = lambda item: True, **params: Any) -> dict[str, Any]:
    async def probe() -> list[dict[str, Any]]:
        response = await followup.http.get(f"/sites/{SITE}/contact-queue", params=params, headers=AGENT)
        assert response.status_code == 200, response.text
        return [item for item in response.json() if until(item)]

    items = await eventually(probe, until=bool, what="a proposal in the contact queue")
    return items[0]


async def a_delivered_cars_proposal(followup: Followup) -> dict[str, Any]:
    await followup.deliver(uuid.uuid4(), customer())
    return await queued(followup)


def booked(appointment_id: uuid.UUID, proposal_id: str) -> booking_events.AppointmentBooked:
    job = RequestedJob(job_id=uuid.uuid4(), description="10,000 km service", estimated_minutes=60)
    user = person()
    return booking_events.AppointmentBooked(
        appointment_id=appointment_id,
        kind="active",
        reason="maintenance_due",
        channel="phone",
        customer=user,
        vehicle=CAR,
        vehicle_user=user,
        requested_jobs=(job,),
        advisor_id="advisor-1",
        slot_start=START + timedelta(days=3),
        estimated_minutes=60,
        booked_at=START + timedelta(hours=1),
        proposal_id=uuid.UUID(proposal_id),
    )


async def test_a_maintenance_proposal_is_queued_with_customer_vehicle_and_reason(followup: Followup) -> None:
    item = await a_delivered_cars_proposal(followup)
    assert (item["reason"], item["plate"], item["status"]) == ("maintenance_due", "京A12345", "open")
    assert item["contact_name"] == customer().name
    assert item["due_on"] == (START + timedelta(days=180)).date().isoformat()
    foreign = await followup.http.get(f"/sites/{SITE}/contact-queue", headers=as_(ADVISOR, site="elsewhere"))
    assert foreign.status_code == 403


async def test_later_leaves_the_queue_and_comes_back_on_its_day(followup: Followup) -> None:
    item = await a_delivered_cars_proposal(followup)
    url = f"/sites/{SITE}/contact-queue/{item['proposal_id']}/answers"
    today = START.astimezone(ZoneInfo(load(FollowupSettings).followup_report_tz)).date()
    past = await followup.http.post(url, json={"answer": "later", "call_again_on": today.isoformat()}, headers=AGENT)
    assert past.status_code == 409
    assert past.json()["error"]["code"] == "call_again_not_ahead"
    on = today + timedelta(days=3)
    later = await followup.http.post(url, json={"answer": "later", "call_again_on": on.isoformat()}, headers=AGENT)
    assert later.status_code == 201, later.text
    assert later.json()["status"] == "later"
    await queued(followup, until=lambda i: i["status"] == "later", status="later")
    followup.clock.advance(timedelta(days=4))
    back = await queued(followup, until=lambda i: i["proposal_id"] == item["proposal_id"])
    assert back["status"] == "open"


async def test_not_interested_closes_the_proposal(followup: Followup) -> None:
    item = await a_delivered_cars_proposal(followup)
    url = f"/sites/{SITE}/contact-queue/{item['proposal_id']}/answers"
    assert (await followup.http.post(url, json={"answer": "not_interested"}, headers=AGENT)).status_code == 201
    again = await followup.http.post(url, json={"answer": "book_now"}, headers=AGENT)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "proposal_closed"
    unknown = await followup.http.post(
        f"/sites/{SITE}/contact-queue/{uuid.uuid4()}/answers", json={"answer": "book_now"}, headers=AGENT
    )
    assert unknown.status_code == 404
    advisor = await followup.http.post(url, json={"answer": "book_now"}, headers=as_(ADVISOR, "adv-1"))
    assert advisor.status_code == 403


async def test_a_booking_with_the_proposal_converts_it_and_the_arrival_completes_it(followup: Followup) -> None:
    item = await a_delivered_cars_proposal(followup)
    appointment = uuid.uuid4()
    await followup.publish(f"appointment-{appointment}", booked(appointment, item["proposal_id"]))
    converted = await queued(followup, until=lambda i: i["status"] == "booked", status="booked")
    assert converted["appointment_id"] == str(appointment)
    arrived = booking_events.VehicleArrived(
        appointment_id=appointment,
        customer=person(),
        vehicle=CAR,
        vehicle_user=person(),
        advisor_id="advisor-1",
        slot_start=START + timedelta(days=3),
        arrived_at=START + timedelta(days=3),
        priority="appointment",
        early_minutes=0,
        late_minutes=0,
    )
    await followup.publish(f"appointment-{appointment}", arrived)
    stream = f"proposal-{item['proposal_id']}"
    await eventually(
        lambda: followup.recorded(stream), until=lambda types: "followup.ProposalArrived" in types, what="arrival"
    )

    async def report() -> list[dict[str, Any]]:
        response = await followup.http.get(
            f"/sites/{SITE}/reports/conversion", params={"period": "month"}, headers=AGENT
        )
        assert response.status_code == 200, response.text
        return response.json()["rows"]  # type: ignore[no-any-return]

    rows = await eventually(report, until=lambda rows: bool(rows) and rows[0]["arrived"] == 1, what="the conversion")
    assert [(r["reason"], r["proposed"], r["answered"], r["booked"], r["arrived"]) for r in rows] == [
        ("maintenance_due", 1, 0, 1, 1)
    ]


async def test_the_reminders_link_answers_once_and_refuses_anything_else(followup: Followup) -> None:
    item = await a_delivered_cars_proposal(followup)
    history = await followup.app.state.runtime.store.read_stream(f"customer_file-{item['file_id']}")
    (proposed,) = [e.event for e in history if isinstance(e.event, ev.AppointmentProposed)]
    assert proposed.link.startswith("http://127.0.0.1:8011/proposal/")
    token = proposed.link.rsplit("/", 1)[1]
    assert token == proposal_token(uuid.UUID(item["proposal_id"]), SITE, date.fromisoformat(item["due_on"]))
    shown = await followup.http.get(f"/public/proposal-links/{token}")
    assert shown.status_code == 200
    assert (shown.json()["plate"], shown.json()["reason"]) == ("京A12345", "maintenance_due")
    assert "contact_name" not in shown.json()

    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert (await followup.http.get(f"/public/proposal-links/{tampered}")).json()["error"]["code"] == "link_invalid"
    key = load(FollowupSettings).link_key
    other_purpose = sign_link(
        LinkClaims("approval", SITE, item["proposal_id"], "answer", START + timedelta(days=1)), key
    )
    assert (await followup.http.get(f"/public/proposal-links/{other_purpose}")).status_code == 404
    expired = sign_link(LinkClaims("proposal", SITE, item["proposal_id"], "answer", START - timedelta(days=1)), key)
    gone = await followup.http.get(f"/public/proposal-links/{expired}")
    assert (gone.status_code, gone.json()["error"]["code"]) == (410, "link_expired")

    answered = await followup.http.post(f"/public/proposal-links/{token}", json={"answer": "book_now"})
    assert answered.status_code == 201, answered.text
    assert answered.json()["status"] == "accepted"
    used = await followup.http.post(f"/public/proposal-links/{token}", json={"answer": "opt_out"})
    assert (used.status_code, used.json()["error"]["code"]) == (409, "link_used")


async def test_a_failed_message_stays_for_a_person_until_handled(followup: Followup) -> None:
    message_id = uuid.uuid4()
    failed = notification_events.MessageFailed(
        message_id=message_id,
        customer_id=uuid.uuid4(),
        kind="maintenance_reminder",
        channel="email",
        reference="京A12345",
        status="bounced",
        reason="550 mailbox unavailable",
        failed_at=START,
    )
    await followup.publish(f"message-{message_id}", failed, tenant=HOME)

    async def listed() -> list[dict[str, Any]]:
        return (await followup.http.get(f"/sites/{SITE}/failed-messages", headers=AGENT)).json()  # type: ignore[no-any-return]

    rows = await eventually(listed, until=bool, what="the failed message")
    assert (rows[0]["channel"], rows[0]["status"], rows[0]["reason"]) == ("email", "bounced", "550 mailbox unavailable")
    url = f"/sites/{SITE}/failed-messages/{message_id}/handled"
    handled = await followup.http.post(url, json={"note": "called, new address noted"}, headers=AGENT)
    assert handled.status_code == 200, handled.text
    assert (await followup.http.post(url, json={}, headers=AGENT)).json()["error"]["code"] == "failed_message_handled"
    await eventually(listed, until=lambda rows: rows == [], what="the queue emptied")
    unknown = await followup.http.post(f"/sites/{SITE}/failed-messages/{uuid.uuid4()}/handled", json={}, headers=AGENT)
    assert unknown.status_code == 404


def test_the_reminders_link_documents_its_refusals_in_the_error_body() -> None:
    paths = create_app(database_url="postgresql://unused/unused").openapi()["paths"]
    link = paths["/public/proposal-links/{token}"]
    error_body = {"$ref": "#/components/schemas/ErrorBody"}
    for method in ("get", "post"):
        for status, code in (("404", "`link_invalid`"), ("410", "`link_expired`")):
            assert code in link[method]["responses"][status]["description"], method
            assert link[method]["responses"][status]["content"]["application/json"]["schema"] == error_body, method
    assert "409" not in link["get"]["responses"], "reading the link never uses it up"
    assert "`link_used`" in link["post"]["responses"]["409"]["description"]
