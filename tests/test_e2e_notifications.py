"""End to end, every service a real process and the message receivers the real local stand-ins
(`standins.running`: an SMS gateway, an SMTP server): a car the workshop passes QC is one SMS in
the SMS gateway's own records. The same event delivered again while the notifications service
restarts sends nothing more; the late warning goes by e-mail once the customer said so, the
mail server bounces it, and `notifications.MessageFailed` is published for a person."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from dealership import line, login, published_about, running, signed_and_handed_over
from receivers import received

import standins
from events.catalog import workshop
from events.envelope import Metadata, Tenant
from events.kafka import event_type_of
from events.personal_data import phone_subject
from events.testing import eventually, kafka_for_tests
from events.testing.publishing import Publisher
from events.testing.system import RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())
PHONE, PLATE = "13900000007", "沪B88888"  # the visit's contact phone and car (tests/dealership.py)
MAIL = "liu.yang@example.cn"


@pytest.fixture(scope="module")
def system(receivers: str) -> Iterator[RunningSystem]:
    providers = standins.messages_env(receivers)
    with running(["catalogue", "reception", "workshop", "parts", "notifications"], extra_env=providers) as started:
        yield started


async def ready_record(system: RunningSystem, bootstrap_servers: str, ro: str) -> Any:
    """The `VehicleReadyForDelivery` record of `ro` as it sits on the workshop topic."""
    topic = f"e2e{system.run_id}.workshop.events"
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or set()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        for partition in partitions:
            while await consumer.position(partition) < ends[partition]:
                for record in (await consumer.getmany(partition, timeout_ms=1000)).get(partition, []):
                    headers = {key: value.decode() for key, value in record.headers}
                    if event_type_of(headers) == workshop.VehicleReadyForDelivery.event_type and ro.encode() in (
                        record.value or b""
                    ):
                        return record
    finally:
        await consumer.stop()
    raise AssertionError("no VehicleReadyForDelivery on the workshop topic")


async def test_a_ready_car_is_one_sms_a_redelivery_none_and_a_bounce_reaches_a_person(
    system: RunningSystem, receivers: str, gateway: httpx.AsyncClient, bootstrap_servers: str, postgres_url: str
) -> None:
    advisor = await login(gateway, GROUP, SITE, "advisor", "advisor-li")
    agent = await login(gateway, GROUP, SITE, "cs_agent", "agent-wu")
    dispatcher = await login(gateway, GROUP, SITE, "dispatcher")
    tech = await login(gateway, GROUP, SITE, "technician", "tech-zhang")
    clerk = await login(gateway, GROUP, SITE, "parts_clerk")
    qc = await login(gateway, GROUP, SITE, "qc_inspector")

    await clerk.ok("POST", "stock/OIL-FILTER/receipts", {"quantity": 10, "unit_cost": 2500}, status=201)
    service = line("oil change", 38000, "OIL-FILTER", 1, 4550) | {"reason": "fixed-price offer"}
    ro = await signed_and_handed_over(advisor, service, promised_in=timedelta(hours=2))
    wpath, job = f"work-orders/{ro}", service["line_id"]
    await dispatcher.until(wpath, lambda w: w["key_tag"] == "K-42", "the work order")
    await dispatcher.ok("POST", f"{wpath}/jobs/{job}/dispatch", {"technician_id": "tech-zhang", "bay": "B1"})
    await tech.ok("POST", f"{wpath}/jobs/{job}/start")
    await tech.ok("POST", f"{wpath}/jobs/{job}/complete")
    await qc.ok("POST", f"{wpath}/quality-checks", {"passed": True}, status=201)

    (sms,) = await eventually(
        lambda: received(receivers, PHONE),
        until=lambda rows: bool(rows) and rows[0]["status"] == "delivered",
        what="the 'car ready' SMS in the SMS gateway",
        timeout=60,
    )
    assert (sms["channel"], PLATE in sms["body"], "已完工" in sms["body"]) == ("sms", True, True)

    # From now on the customer wants e-mail in English; the mail server will bounce the next one.
    customer = str(phone_subject(PHONE))  # a walk-in known by phone: the phone's subject is the customer
    said = {"email": MAIL, "preferred_channel": "email", "language": "en"}
    await agent.ok("PUT", f"contact-preferences/{customer}", said)
    async with httpx.AsyncClient() as client:
        plan = {"channel": "mail", "count": 1, "mode": "bounced"}
        (await client.post(f"{receivers}/messages/admin/failures", json=plan)).raise_for_status()

    # The 'ready' record delivered again while the notifications service is down and restarts.
    record = await ready_record(system, bootstrap_servers, ro)
    system.kill("notifications")
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(record.topic, record.value, key=record.key, headers=list(record.headers))
    finally:
        await producer.stop()
    await system.restart("notifications")

    # Then the workshop runs late on the same work order (the same partition, after the duplicate).
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"e2e{system.run_id}.")
    now = datetime.now(UTC)
    late = workshop.JobRunningLate(
        repair_order_id=uuid.UUID(ro),
        promised_at=now,
        forecast_ready_at=now + timedelta(minutes=45),
        late_by_minutes=45,
        job_ids=(uuid.UUID(job),),
        detected_at=now,
    )
    await Publisher(postgres_url, kafka).publish(
        Metadata(Tenant(GROUP, SITE), "workshop", str(uuid.uuid4())), (record.key.decode(), late)
    )

    (mail,) = await eventually(
        lambda: received(receivers, MAIL),
        until=lambda rows: bool(rows) and rows[0]["status"] == "bounced",
        what="the late warning bounced by the mail server",
        timeout=60,
    )
    assert (mail["subject"], "will not be ready at the promised time" in mail["body"]) == (
        "A new time for your car",
        True,
    )
    assert len(await received(receivers, PHONE)) == 1, "the redelivered 'ready' sent no second SMS"

    types = await published_about(
        system, "notifications", bootstrap_servers, "customer_id", customer, "notifications.MessageFailed"
    )
    assert types.count("notifications.MessageFailed") == 1
    messages = await agent.until(
        f"messages?customer_id={customer}",
        lambda rows: len(rows) == 2 and {r["status"] for r in rows} == {"delivered", "failed"},
        "the customer's messages with their status",
    )
    assert {(m["kind"], m["channel"], m["status"]) for m in messages} == {
        ("vehicle_ready", "sms", "delivered"),
        ("late_warning", "email", "failed"),
    }
