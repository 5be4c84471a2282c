"""Whether, how and when a message goes out: do-not-contact, consent per channel and purpose
(PIPL: marketing only with consent), the channel the customer prefers, and the site's quiet
hours (queued to their end, not dropped; urgent service messages go at once)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from notifications.domain.consent import Preferences, QuietHours, Send, Withhold, decide, quiet_until

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 3, 2, 12, 0, tzinfo=SHANGHAI)
LATE = datetime(2026, 3, 2, 22, 30, tzinfo=SHANGHAI)
QUIET = QuietHours("Asia/Shanghai", time(21, 0), time(8, 0))
PHONE = "13800138000"


def test_a_service_message_goes_by_sms_to_a_customer_who_said_nothing() -> None:
    decided = decide("service", False, Preferences(), PHONE, QUIET, NOON)
    assert decided == Send("sms", PHONE, "zh", NOON, held=False)


def test_do_not_contact_withholds_even_a_service_message() -> None:
    prefs = Preferences(phone=PHONE, do_not_contact=True)
    assert decide("service", True, prefs, PHONE, QUIET, NOON) == Withhold("do_not_contact")


def test_marketing_needs_consent_for_the_channel() -> None:
    assert decide("marketing", False, Preferences(), PHONE, QUIET, NOON) == Withhold("no_consent")
    consented = Preferences(consent=frozenset({"sms:marketing"}))
    assert decide("marketing", False, consented, PHONE, QUIET, NOON) == Send("sms", PHONE, "zh", NOON, held=False)


def test_marketing_consent_on_one_channel_is_not_consent_on_another() -> None:
    prefs = Preferences(email="li@example.cn", preferred_channel="email", consent=frozenset({"sms:marketing"}))
    decided = decide("marketing", False, prefs, PHONE, QUIET, NOON)
    assert decided == Send("sms", PHONE, "zh", NOON, held=False), "email has no marketing consent: sms has"


def test_the_preferred_channel_and_language_are_used_when_there_is_an_address() -> None:
    prefs = Preferences(email="li@example.cn", preferred_channel="email", language="en")
    assert decide("service", False, prefs, PHONE, QUIET, NOON) == Send("email", "li@example.cn", "en", NOON, False)


def test_an_opted_out_channel_falls_back_to_another() -> None:
    prefs = Preferences(wechat_openid="oABC", preferred_channel="sms", opted_out=frozenset({"sms"}))
    assert decide("service", False, prefs, PHONE, QUIET, NOON) == Send("wechat", "oABC", "zh", NOON, False)


def test_no_address_at_all_is_said_so() -> None:
    assert decide("service", False, Preferences(), "", QUIET, NOON) == Withhold("no_address")


def test_an_erased_address_is_no_address() -> None:
    assert decide("service", False, Preferences(phone="[erased]"), "[erased]", QUIET, NOON) == Withhold("no_address")


def test_inside_quiet_hours_a_message_waits_for_their_end() -> None:
    decided = decide("service", False, Preferences(), PHONE, QUIET, LATE)
    assert decided == Send("sms", PHONE, "zh", datetime(2026, 3, 3, 8, 0, tzinfo=SHANGHAI), held=True)


def test_an_urgent_service_message_is_not_held() -> None:
    assert decide("service", True, Preferences(), PHONE, QUIET, LATE) == Send("sms", PHONE, "zh", LATE, held=False)


def test_quiet_hours_edges_and_a_day_without_them() -> None:
    assert quiet_until(QUIET, datetime(2026, 3, 2, 20, 59, tzinfo=SHANGHAI)) is None
    assert quiet_until(QUIET, datetime(2026, 3, 2, 21, 0, tzinfo=SHANGHAI)) == datetime(
        2026, 3, 3, 8, 0, tzinfo=SHANGHAI
    )
    assert quiet_until(QUIET, datetime(2026, 3, 3, 7, 59, tzinfo=SHANGHAI)) == datetime(
        2026, 3, 3, 8, 0, tzinfo=SHANGHAI
    )
    assert quiet_until(QUIET, datetime(2026, 3, 3, 8, 0, tzinfo=SHANGHAI)) is None
    daytime = QuietHours("Asia/Shanghai", time(12, 0), time(13, 30))
    assert quiet_until(daytime, datetime(2026, 3, 3, 4, 30, tzinfo=UTC)) == datetime(
        2026, 3, 3, 13, 30, tzinfo=SHANGHAI
    )
    assert quiet_until(QuietHours("Asia/Shanghai", time(0), time(0)), LATE) is None
