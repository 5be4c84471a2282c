"""Whether a message may go to a customer, by which channel, and when (pure).

- Do-not-contact withholds every message, service ones too (the customer said so; a person may
  still call them about their car, which is not this service's business).
- Service messages (the visit, the invoice, the complaint) go without a consent of their own —
  they are part of the service the customer asked for (PIPL art. 13 (2)) — unless the customer
  opted out of that channel. Marketing (maintenance and campaign reminders) needs the customer's
  consent for that channel and purpose (PIPL art. 14; the Advertising Law art. 43).
- The customer's preferred channel first, then SMS, WeChat, e-mail: the first with an address and
  the right to use it. An address erased with the customer's personal data is no address.
- Quiet hours (site-local, may wrap midnight) hold a message until their end; urgent service
  messages (the car is ready, it will be late) go at once: the customer is waiting for them now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

SERVICE, MARKETING = "service", "marketing"
ORDER = ("sms", "wechat", "email")


@dataclass(frozen=True)
class Preferences:
    """What the customer told us (the defaults: nothing said, so service messages by SMS in Chinese)."""

    phone: str = ""
    email: str = ""
    wechat_openid: str = ""
    language: str = "zh"
    preferred_channel: str = "sms"
    consent: frozenset[str] = field(default_factory=frozenset)  # "<channel>:<purpose>"
    opted_out: frozenset[str] = field(default_factory=frozenset)  # channels
    do_not_contact: bool = False

    def address(self, channel: str, fallback_phone: str) -> str:
        value = {"sms": self.phone or fallback_phone, "email": self.email, "wechat": self.wechat_openid}[channel]
        return "" if value.startswith("[") else value  # "[erased]", "[withheld]": no address


@dataclass(frozen=True)
class QuietHours:
    timezone: str = "Asia/Shanghai"
    start: time = time(21, 0)
    end: time = time(8, 0)


@dataclass(frozen=True)
class Send:
    channel: str
    to: str
    language: str
    send_at: datetime
    held: bool


@dataclass(frozen=True)
class Withhold:
    reason: str  # do_not_contact | no_consent | no_address


def quiet_until(quiet: QuietHours, now: datetime) -> datetime | None:
    """The end of the quiet hours `now` falls in (site-local), or None outside them."""
    if quiet.start == quiet.end:
        return None
    local = now.astimezone(ZoneInfo(quiet.timezone))
    at = local.time().replace(tzinfo=None)
    wraps = quiet.start > quiet.end
    inside = (at >= quiet.start or at < quiet.end) if wraps else (quiet.start <= at < quiet.end)
    if not inside:
        return None
    end = local.replace(hour=quiet.end.hour, minute=quiet.end.minute, second=0, microsecond=0)
    return end if end > local else end + timedelta(days=1)


def _allowed(prefs: Preferences, channel: str, purpose: str) -> bool:
    if purpose == MARKETING:
        return f"{channel}:{MARKETING}" in prefs.consent
    return channel not in prefs.opted_out


def decide(
    purpose: str, urgent: bool, prefs: Preferences, fallback_phone: str, quiet: QuietHours, now: datetime
) -> Send | Withhold:
    """The send decision for one message (see the module docstring)."""
    if prefs.do_not_contact:
        return Withhold("do_not_contact")
    order = (prefs.preferred_channel, *(c for c in ORDER if c != prefs.preferred_channel))
    reachable = [(c, prefs.address(c, fallback_phone)) for c in order if prefs.address(c, fallback_phone)]
    if not reachable:
        return Withhold("no_address")
    for channel, to in reachable:
        if _allowed(prefs, channel, purpose):
            until = None if urgent and purpose == SERVICE else quiet_until(quiet, now)
            return Send(channel, to, prefs.language, until or now, held=until is not None)
    return Withhold("no_consent")
