"""The notifications service over HTTP on a real PostgreSQL and broker, sending to the real
local receivers: what the customer gets is read from the SMS gateway's and the mail server's own
records, not from our tables. A car ready is one SMS however often the event comes; consent,
do-not-contact and quiet hours decide whether and when; a provider that is down is asked again
with back-off; a bounce comes back and is published for a person."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from notifications_service import SHANGHAI, SITE, START, Service, as_

from events.catalog import followup_files, notifications, privacy, reception, workshop
from events.catalog.reception_values import Contact, VehicleIdentity
from events.testing import eventually
from notifications.domain import message as msg
from notifications.waiting import CONTACT_WAIT

PLATE = "沪A12345"


def phone() -> str:
    return f"139{uuid.uuid4().int % 10**8:08d}"


def checked_in(ro: uuid.UUID, customer: uuid.UUID, mobile: str) -> tuple[str, reception.VehicleCheckedIn]:
    user = Contact(name="李雷", phone=mobile, customer_id=customer)
    return (
        f"repair_order-{ro}",
        reception.VehicleCheckedIn(
            repair_order_id=ro,
            arrival_kind="walk_in",
            priority="normal",
            customer=user,
            vehicle=VehicleIdentity(vin="LFV2A21K8G3000001", plate=PLATE),
            vehicle_user=user,
            service_advisor="advisor-1",
            arrived_at=START,
            greeted_at=START,
            customer_waiting=True,
            contact_phone=mobile,
        ),
    )


def ready(ro: uuid.UUID) -> tuple[str, workshop.VehicleReadyForDelivery]:
    event = workshop.VehicleReadyForDelivery(
        repair_order_id=ro,
        promised_at=START + timedelta(hours=3),
        on_time=True,
        worked_minutes=90,
        planned_minutes=90,
        rework_count=0,
        ready_at=START + timedelta(hours=2),
    )
    return f"work_order-{ro}", event


def progress(ro: uuid.UUID) -> tuple[str, workshop.ProgressCheckDue]:
    event = workshop.ProgressCheckDue(
        repair_order_id=ro,
        check="three_quarters",
        promised_at=START + timedelta(hours=3),
        forecast_ready_at=START + timedelta(hours=3),
        remaining_minutes=30,
        on_track=True,
        checked_at=START,
    )
    return f"work_order-{ro}", event


async def a_visit(service: Service) -> tuple[uuid.UUID, uuid.UUID, str]:
    ro, customer, mobile = uuid.uuid4(), uuid.uuid4(), phone()
    await service.publish(checked_in(ro, customer, mobile))
    # Reception's check-in and the workshop's trigger come on different topics, hours apart in a
    # dealership and a moment apart here: a trigger handled first waits for it (the two tests
    # below), but a test moving the clock on would end that wait. The visit is known first.
    await service.learnt(f"ro:{ro}")
    return ro, customer, mobile


async def test_a_ready_car_is_one_sms_in_the_receiver_however_often_the_event_comes(service: Service) -> None:
    ro, customer, mobile = await a_visit(service)
    await service.publish(ready(ro))

    (sms,) = await service.receivers.arrived(mobile, status="delivered")
    assert sms["channel"] == "sms"
    assert (PLATE in sms["body"], "李雷" in sms["body"], "已完工" in sms["body"]) == (True, True, True)
    (row,) = await service.messages(str(customer), until=lambda rows: bool(rows) and rows[0]["status"] == "delivered")
    assert (row["kind"], row["channel"], row["recipient"]) == ("vehicle_ready", "sms", mobile)

    # The same events again, with their ids (a relay that died before its checkpoint): nothing new is sent.
    await service.redeliver_everything(2)
    # A later event of the same stream (the same partition): once it is handled, the redelivery was.
    await service.publish(progress(ro))
    await service.receivers.arrived(mobile, count=2)
    kinds = sorted(r["kind"] for r in await service.messages(str(customer), until=lambda rows: len(rows) == 2))
    assert kinds == ["progress_report", "vehicle_ready"]
    assert len(await service.receivers.received(mobile)) == 2, "the redelivered 'ready' sent no second SMS"


async def test_a_car_ready_before_its_check_in_is_known_waits_for_it_and_reaches_the_customer(
    service: Service,
) -> None:
    ro, customer, mobile = uuid.uuid4(), uuid.uuid4(), phone()
    await service.publish(ready(ro))  # the workshop's topic is read first
    await service.waiting(f"ro:{ro}")
    await service.publish(checked_in(ro, customer, mobile))

    (sms,) = await service.receivers.arrived(mobile, status="delivered")
    assert (PLATE in sms["body"], "李雷" in sms["body"], "已完工" in sms["body"]) == (True, True, True)
    (row,) = await service.messages(str(customer))
    assert (row["kind"], row["recipient"]) == ("vehicle_ready", mobile)
    assert await service.app.state.runtime.pool.fetchval("SELECT count(*) FROM waiting_triggers") == 0


async def test_a_trigger_whose_visit_never_comes_fails_for_a_person_after_the_wait(service: Service) -> None:
    ro = uuid.uuid4()
    await service.publish(ready(ro))
    event_id = await service.waiting(f"ro:{ro}")
    message_id = str(msg.message_id(event_id, "vehicle_ready"))
    assert await service.recorded(message_id) == [], "nothing decided while it waits"

    service.clock.advance(CONTACT_WAIT)
    failed = [notifications.MessageWithheld.event_type, notifications.MessageFailed.event_type]
    assert await eventually(lambda: service.recorded(message_id), until=lambda types: types == failed)
    # A check-in after that changes nothing: the message was decided, once.
    await service.publish(checked_in(ro, uuid.uuid4(), phone()))
    await service.learnt(f"ro:{ro}")
    assert await service.recorded(message_id) == failed


async def test_do_not_contact_withholds_even_the_ready_message(service: Service) -> None:
    ro, customer, mobile = await a_visit(service)
    answer = await service.http.put(
        f"/sites/{SITE}/contact-preferences/{customer}", json={"do_not_contact": True}, headers=as_("cs_agent")
    )
    assert answer.status_code == 200, answer.text
    await service.publish(ready(ro), progress(ro))
    rows = await service.messages(str(customer), until=lambda rows: len(rows) == 2)
    assert {(r["status"], r["reason"]) for r in rows} == {("withheld", "do_not_contact")}
    assert await service.receivers.received(mobile) == []


async def test_inside_quiet_hours_a_progress_report_waits_for_the_morning_but_the_ready_car_does_not(
    service: Service,
) -> None:
    ro, customer, mobile = await a_visit(service)
    service.clock.set(datetime(2026, 3, 2, 22, 30, tzinfo=SHANGHAI))
    await service.publish(progress(ro))
    (held,) = await service.messages(str(customer))
    assert (held["status"], datetime.fromisoformat(held["send_at"])) == (
        "pending",
        datetime(2026, 3, 3, 8, 0, tzinfo=SHANGHAI),
    )
    await service.publish(ready(ro))  # urgent: the customer waits for the car now
    (sms,) = await service.receivers.arrived(mobile)
    assert "已完工" in sms["body"]
    service.clock.set(datetime(2026, 3, 3, 8, 0, tzinfo=SHANGHAI))
    rows = await service.receivers.arrived(mobile, count=2)
    assert "维修进展顺利" in rows[0]["body"], "the progress report went at the end of the quiet hours"


async def test_a_reminder_is_marketing_it_needs_consent_then_goes_by_email_in_english(service: Service) -> None:
    customer, mobile, mail = uuid.uuid4(), phone(), f"{uuid.uuid4().hex[:8]}@example.cn"

    def proposed() -> tuple[str, followup_files.AppointmentProposed]:
        return f"customer_file-{customer}", followup_files.AppointmentProposed(
            file_id=customer,
            proposal_id=uuid.uuid4(),
            reason="maintenance_due",
            contact=Contact(name="Li Lei", phone=mobile, customer_id=customer),
            vehicle=VehicleIdentity(vin="LFV2A21K8G3000001", plate=PLATE),
            suggested_date=START.date() + timedelta(days=14),
            proposed_at=START,
        )

    await service.publish(proposed())
    (withheld,) = await service.messages(str(customer))
    assert (withheld["status"], withheld["reason"], withheld["purpose"]) == ("withheld", "no_consent", "marketing")

    body = {"email": mail, "language": "en", "preferred_channel": "email", "consent": ["email:marketing"]}
    answer = await service.http.put(f"/sites/{SITE}/contact-preferences/{customer}", json=body, headers=as_("advisor"))
    assert answer.status_code == 200, answer.text
    await service.publish(proposed())
    (received,) = await service.receivers.arrived(mail, status="delivered")
    assert (received["channel"], received["subject"]) == ("mail", "Maintenance due")
    assert "is due for maintenance around" in received["body"]
    assert await service.receivers.received(mobile) == [], "no marketing consent for SMS"


async def test_a_bounced_email_fails_the_message_and_is_published_for_a_person(service: Service) -> None:
    ro, customer, _ = await a_visit(service)
    mail = f"{uuid.uuid4().hex[:8]}@example.cn"
    body = {"email": mail, "preferred_channel": "email"}
    await service.http.put(f"/sites/{SITE}/contact-preferences/{customer}", json=body, headers=as_("cs_agent"))
    await service.receivers.fail_next("mail", "bounced")
    await service.publish(ready(ro))
    (bounced,) = await service.receivers.arrived(mail, status="bounced")
    (row,) = await service.messages(str(customer), until=lambda rows: bool(rows) and rows[0]["status"] == "failed")
    assert row["reason"] == "550 5.1.1 mailbox unavailable"
    assert await service.recorded(row["message_id"]) == [
        notifications.MessageRequested.event_type,
        notifications.MessageSent.event_type,
        notifications.MessageFailed.event_type,
    ]
    assert bounced["channel"] == "mail"


async def test_an_unavailable_provider_is_asked_again_after_the_back_off_and_sends_once(service: Service) -> None:
    ro, customer, mobile = await a_visit(service)
    await service.receivers.fail_next("sms", "unavailable")
    await service.publish(ready(ro))
    (row,) = await service.messages(str(customer), until=lambda rows: bool(rows) and rows[0]["attempts"] == 1)
    assert row["status"] == "pending"
    assert await service.receivers.received(mobile) == []
    service.clock.advance(timedelta(minutes=1))  # past the first back-off (10 s, jittered)
    (sms,) = await service.receivers.arrived(mobile, status="delivered")
    assert sms["receipts"] == 1


async def test_an_answer_lost_after_the_provider_sent_is_asked_again_under_the_same_key_and_is_one_sms(
    service: Service,
) -> None:
    ro, customer, mobile = await a_visit(service)
    await service.receivers.fail_next("sms", "lost_answer")
    await service.publish(ready(ro))
    (row,) = await service.messages(str(customer), until=lambda rows: bool(rows) and rows[0]["attempts"] == 1)
    assert row["status"] == "pending", "the provider's answer was lost: we do not know it sent"
    service.clock.advance(timedelta(minutes=1))
    await service.messages(str(customer), until=lambda rows: rows[0]["status"] == "delivered")
    (sms,) = await service.receivers.received(mobile)
    assert (sms["receipts"], sms["status"]) == (2, "delivered"), "asked twice, sent once"


async def test_preferences_are_checked_and_only_for_the_people_who_talk_to_customers(service: Service) -> None:
    customer = uuid.uuid4()
    path = f"/sites/{SITE}/contact-preferences/{customer}"
    bad = await service.http.put(path, json={"consent": ["fax:marketing"]}, headers=as_("cs_agent"))
    assert bad.status_code == 422
    assert (await service.http.put(path, json={}, headers=as_("technician"))).status_code == 403
    set_ = await service.http.put(path, json={"wechat_openid": "oX1", "language": "en"}, headers=as_("advisor"))
    assert set_.json()["wechat_openid"] == "oX1"
    got = (await service.http.get(path, headers=as_("cs_agent"))).json()
    assert (got["language"], got["preferred_channel"], got["consent"]) == ("en", "sms", [])
    elsewhere = (await service.http.get(path, headers=as_("cs_agent", group=str(uuid.uuid4())))).json()
    assert (elsewhere["wechat_openid"], elsewhere["language"]) == ("", "zh"), "another group's customer is not this one"


async def test_a_site_sets_its_quiet_hours_and_its_own_wording(service: Service) -> None:
    bad = await service.http.put(
        f"/sites/{SITE}/quiet-hours",
        json={"timezone": "Mars/Olympus", "start": "22:00", "end": "07:00"},
        headers=as_("service_manager"),
    )
    assert (bad.status_code, bad.json()["error"]["code"]) == (409, "unknown_timezone")
    hours = {"timezone": "Asia/Shanghai", "start": "22:00", "end": "07:00"}
    assert (await service.http.put(f"/sites/{SITE}/quiet-hours", json=hours, headers=as_("advisor"))).status_code == 403
    answer = await service.http.put(f"/sites/{SITE}/quiet-hours", json=hours, headers=as_("service_manager"))
    assert answer.json() == hours
    own = {"body": "{name}: {plate} is ready at our Pudong site."}
    answer = await service.http.put(
        f"/sites/{SITE}/message-templates/vehicle_ready/sms/en", json=own, headers=as_("service_manager")
    )
    assert answer.status_code == 200, answer.text
    templates: list[dict[str, Any]] = (
        await service.http.get(f"/sites/{SITE}/message-templates", headers=as_("cs_agent"))
    ).json()
    mine = [t for t in templates if (t["kind"], t["channel"], t["language"]) == ("vehicle_ready", "sms", "en")]
    assert (mine[0]["body"], mine[0]["own"]) == (own["body"], True)
    assert len(templates) == len(notifications.KINDS) * 2 * 3

    ro, customer, mobile = await a_visit(service)
    await service.http.put(
        f"/sites/{SITE}/contact-preferences/{customer}", json={"language": "en"}, headers=as_("cs_agent")
    )
    await service.publish(ready(ro))
    (sms,) = await service.receivers.arrived(mobile)
    assert sms["body"] == f"李雷: {PLATE} is ready at our Pudong site."


async def test_messages_are_the_sites_and_personal_for_the_people_who_talk_to_customers(service: Service) -> None:
    ro, customer, mobile = await a_visit(service)
    await service.publish(ready(ro))
    await service.receivers.arrived(mobile)
    technician = await service.http.get(
        f"/sites/{SITE}/messages", params={"customer_id": str(customer)}, headers=as_("technician")
    )
    assert technician.status_code == 403
    other = await service.http.get(
        f"/sites/{SITE}/messages", params={"customer_id": str(customer)}, headers=as_("cs_agent", str(uuid.uuid4()))
    )
    assert (other.status_code, other.json()) == (200, []), "another group's site of the same id holds nothing of ours"
    system = await service.messages(str(customer), headers=as_("system"))
    assert (system[0]["recipient"], system[0]["body"]) == ("[withheld]", "[withheld]")


async def test_messages_decided_at_the_same_moment_are_listed_newest_first_in_the_order_they_were_recorded(
    service: Service,
) -> None:
    ro, customer, _ = await a_visit(service)
    recorded: list[str] = []
    for count in range(1, 6):  # the manual clock does not move: every message is requested at START
        await service.publish(progress(ro))

        def all_there(rows: list[dict[str, Any]], count: int = count) -> bool:
            return len(rows) == count

        rows = await service.messages(str(customer), until=all_there)
        (new,) = {row["message_id"] for row in rows} - set(recorded)
        recorded.append(new)
    assert [row["message_id"] for row in rows] == recorded[::-1]


async def test_an_erased_customer_is_scrubbed_from_the_messages_and_is_no_longer_reachable(service: Service) -> None:
    ro, customer, mobile = await a_visit(service)
    other_ro, other, _ = await a_visit(service)
    english = await service.http.put(  # recorded with blank e-mail and openid: empty values of the customer
        f"/sites/{SITE}/contact-preferences/{customer}", json={"language": "en"}, headers=as_("cs_agent")
    )
    assert english.status_code == 200, english.text
    await service.http.put(
        f"/sites/{SITE}/contact-preferences/{other}", json={"do_not_contact": True}, headers=as_("cs_agent")
    )
    await service.publish(ready(ro), ready(other_ro))
    await service.messages(str(customer), until=lambda rows: bool(rows) and rows[0]["status"] == "delivered")
    (withheld,) = await service.messages(str(other))
    erased = privacy.PersonalDataErased(
        customer_id=customer,
        subject_ids=(customer,),
        reason="the customer's request (PIPL art. 47)",
        requested_at=START,
    )
    await service.publish((privacy.stream_id(customer), erased))
    (row,) = await service.messages(str(customer), until=lambda rows: rows[0]["recipient"] == "[erased]")
    assert (row["body"], row["status"]) == ("[erased]", "delivered"), "the row stays, its personal values go"
    assert row["subject"] == "Your car is ready", "the template's subject is nobody's"
    (untouched,) = await service.messages(str(other))
    assert untouched == withheld, "another customer's row keeps its values, blank ones too"

    await service.publish(progress(ro))
    latest = (await service.messages(str(customer), until=lambda rows: len(rows) == 2))[0]
    assert (latest["kind"], latest["channel"], latest["status"]) == ("progress_report", "none", "failed")
    assert "no phone" in latest["reason"], "undeliverable: published for a person to find another way"
    assert len(await service.receivers.received(mobile)) == 1, "nothing more to the erased customer's phone"
