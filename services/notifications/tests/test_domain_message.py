"""One message's life, keyed by its trigger: rendered in the customer's language from the
site's template (or the default), requested once however often the trigger arrives, then sent,
delivered, or failed/bounced — a failure is published for a person, never dropped."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from events.catalog import notifications as ev
from events.decider import fold
from notifications.domain import message as msg
from notifications.domain.consent import Preferences, QuietHours
from notifications.domain.templates import DEFAULTS, Template, render, template_for
from notifications.domain.triggers import Trigger

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=SHANGHAI)
QUIET = QuietHours("Asia/Shanghai", time(21), time(8))
CUSTOMER = uuid4()
READY = Trigger(
    kind="vehicle_ready",
    reference="RO 4711",
    params={"name": "李雷", "plate": "沪A12345"},
    urgent=True,
)


NOTHING_SAID = Preferences()


def open_command(trigger: Trigger = READY, prefs: Preferences = NOTHING_SAID, **changes: object) -> msg.OpenMessage:
    base = msg.OpenMessage(
        message_id=uuid4(),
        customer_id=CUSTOMER,
        trigger=trigger,
        trigger_type="workshop.VehicleReadyForDelivery",
        trigger_event_id=uuid4(),
        preferences=prefs,
        fallback_phone="13800138000",
        quiet_hours=QUIET,
        templates={},
        at=NOW,
    )
    return base if not changes else msg.OpenMessage(**{**base.__dict__, **changes})


def test_every_kind_has_a_chinese_and_an_english_template_for_every_channel() -> None:
    for kind in ev.KINDS:
        for language in ev.LANGUAGES:
            assert (kind, language) in DEFAULTS, (kind, language)


def test_a_template_renders_in_the_customers_language() -> None:
    zh = render(template_for({}, "vehicle_ready", "sms", "zh"), READY.params)
    en = render(template_for({}, "vehicle_ready", "sms", "en"), READY.params)
    assert ("沪A12345" in zh.body, "已完工" in zh.body) == (True, True)
    assert ("沪A12345" in en.body, "ready" in en.body) == (True, True)


def test_a_sites_template_overrides_the_default() -> None:
    own = {("vehicle_ready", "sms", "zh"): Template("", "{name}您好 {plate}好了。")}
    assert render(template_for(own, "vehicle_ready", "sms", "zh"), READY.params).body == "李雷您好 沪A12345好了。"


def test_a_placeholder_the_trigger_does_not_fill_is_left_visible_not_a_crash() -> None:
    rendered = render(Template("", "{name} {unknown}"), {"name": "李雷"})
    assert rendered.body == "李雷 {unknown}"


def test_a_message_is_named_by_its_trigger_and_kind() -> None:
    event = uuid4()
    assert msg.message_id(event, "vehicle_ready") == msg.message_id(event, "vehicle_ready")
    assert msg.message_id(event, "vehicle_ready") != msg.message_id(event, "invoice")
    assert msg.message_id(event, "vehicle_ready") != msg.message_id(uuid4(), "vehicle_ready")


def test_a_message_is_requested_once_however_often_its_trigger_arrives() -> None:
    command = open_command()
    first = msg.decide(msg.Message(), command)
    assert [type(e) for e in first] == [ev.MessageRequested]
    requested = first[0]
    assert isinstance(requested, ev.MessageRequested)
    assert (requested.channel, requested.to, requested.language, requested.send_at) == ("sms", "13800138000", "zh", NOW)
    assert msg.decide(fold(msg.message, first), command) == []


def test_a_withheld_message_is_recorded_with_its_reason() -> None:
    (withheld,) = msg.decide(msg.Message(), open_command(prefs=Preferences(do_not_contact=True)))
    assert isinstance(withheld, ev.MessageWithheld)
    assert withheld.reason == "do_not_contact"


def test_no_address_is_published_as_a_failure_for_a_person() -> None:
    events = msg.decide(msg.Message(), open_command(fallback_phone=""))
    assert [type(e) for e in events] == [ev.MessageWithheld, ev.MessageFailed]
    failed = events[1]
    assert isinstance(failed, ev.MessageFailed)
    assert failed.status == "undeliverable"


def test_sent_then_delivered_then_a_late_report_changes_nothing() -> None:
    command = open_command()
    state = fold(msg.message, msg.decide(msg.Message(), command))
    sent = msg.decide(state, msg.RecordSent(command.message_id, "SM1", NOW))
    state = fold(msg.message, sent, state)
    delivered = msg.decide(state, msg.RecordReport("SM1", "delivered", "", NOW + timedelta(seconds=5)))
    assert [type(e) for e in delivered] == [ev.MessageDelivered]
    state = fold(msg.message, delivered, state)
    assert state.status == msg.DELIVERED
    assert msg.decide(state, msg.RecordReport("SM1", "failed", "late", NOW)) == []


@pytest.mark.parametrize("status", ["failed", "bounced"])
def test_a_failed_or_bounced_report_is_published(status: str) -> None:
    command = open_command()
    state = fold(msg.message, msg.decide(msg.Message(), command))
    state = fold(msg.message, msg.decide(state, msg.RecordSent(command.message_id, "SM1", NOW)), state)
    (failed,) = msg.decide(state, msg.RecordReport("SM1", status, "mailbox full", NOW))
    assert isinstance(failed, ev.MessageFailed)
    assert (failed.status, failed.kind, failed.channel, failed.reference) == (status, "vehicle_ready", "sms", "RO 4711")


def test_a_report_for_another_provider_message_is_ignored() -> None:
    command = open_command()
    state = fold(msg.message, msg.decide(msg.Message(), command))
    state = fold(msg.message, msg.decide(state, msg.RecordSent(command.message_id, "SM1", NOW)), state)
    assert msg.decide(state, msg.RecordReport("SM2", "failed", "x", NOW)) == []


def test_an_unavailable_provider_is_asked_again_and_a_refusal_fails_the_message() -> None:
    command = open_command()
    state = fold(msg.message, msg.decide(msg.Message(), command))
    (retry,) = msg.decide(state, msg.RecordAttemptFailed(command.message_id, "503", NOW + timedelta(seconds=10)))
    assert isinstance(retry, ev.MessageAttemptFailed)
    state = fold(msg.message, [retry], state)
    assert (state.status, state.attempts) == (msg.PENDING, 1)
    (refused,) = msg.decide(state, msg.RecordRefused(command.message_id, "bad number", NOW))
    assert isinstance(refused, ev.MessageFailed)
    assert refused.status == "refused"
