"""Published events of the notifications service: messages to customers (SMS, e-mail, WeChat
service-account template messages), the customers' contact preferences and consent, and each
site's quiet hours and templates (docs/notifications.md).

Streams:
- `message-<message_id>`: `MessageRequested` (rendered, addressed, due at `send_at`: the end of
  the site's quiet hours when it fell inside them) or `MessageWithheld` (consent, do-not-contact,
  no address), then per attempt that reached no verdict `MessageAttemptFailed`, `MessageSent`
  (the provider's message id), and `MessageDelivered` or `MessageFailed` (failed, bounced,
  refused, undeliverable). The id is derived from the trigger (the triggering event's id and the
  message kind), so a redelivered trigger lands on the same stream and sends nothing twice.
- `contact-<customer_id>`: `ContactPreferencesSet` (addresses, language, per channel and purpose
  consent, do-not-contact), by a CS agent or an advisor at the customer's word.
- `notification-site-<site_id>`: `QuietHoursSet`, `TemplateSet` (a site's own wording of a kind).

`MessageFailed` is for people: followup's callback queue or the advisor board shows it, so a
message that did not reach the customer is never lost silently.
"""

from __future__ import annotations

from datetime import time
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, field_validator

from events.contract import Event
from events.personal_fields import PERSONAL
from events.rules import check_code

CHANNELS = ("sms", "email", "wechat")
PURPOSES = ("service", "marketing")
LANGUAGES = ("zh", "en")
KINDS = (
    "appointment_confirmation",
    "arrival_check",
    "progress_report",
    "late_warning",
    "vehicle_ready",
    "invoice",
    "callback_refused",
    "approval_request",
    "maintenance_reminder",
    "declined_work_reminder",
    "campaign_reminder",
    "recall_reminder",
    "complaint_acknowledgement",
)
WITHHELD_REASONS = ("do_not_contact", "no_consent", "no_address")
FAILURES = ("failed", "bounced", "refused", "undeliverable")


class _MessageEvent(Event):
    message_id: UUID


class MessageRequested(_MessageEvent, type="notifications.MessageRequested", version=1):
    """A message decided and rendered; the provider is asked at `send_at` (now, or the end of
    the site's quiet hours). `to` and the body are the customer's (sealed under `customer_id`)."""

    customer_id: UUID
    kind: str
    purpose: str
    channel: str
    language: str
    to: Annotated[str, PERSONAL] = Field(min_length=1)
    subject: str = Field(default="", description="the template's subject line: the same for every customer")
    body: Annotated[str, PERSONAL] = Field(min_length=1)
    template: str = Field(description="the template's kind/channel/language: the default's, or the site's")
    reference: str = Field(description="what the message is about: the RO, appointment, complaint or invoice")
    trigger_type: str
    trigger_event_id: UUID
    send_at: AwareDatetime
    held_for_quiet_hours: bool = False
    requested_at: AwareDatetime

    @field_validator("channel")
    @classmethod
    def channel_is_known(cls, value: str) -> str:
        return check_code(value, CHANNELS, "channel")

    @field_validator("kind")
    @classmethod
    def kind_is_known(cls, value: str) -> str:
        return check_code(value, KINDS, "message kind")


class MessageWithheld(_MessageEvent, type="notifications.MessageWithheld", version=1):
    """Not sent, on purpose: the customer is not to be contacted, gave no consent for the purpose
    on any channel we could use, or we hold no address for them."""

    customer_id: UUID
    kind: str
    purpose: str
    reason: str
    reference: str
    trigger_type: str
    trigger_event_id: UUID
    withheld_at: AwareDatetime

    @field_validator("reason")
    @classmethod
    def reason_is_known(cls, value: str) -> str:
        return check_code(value, WITHHELD_REASONS, "withheld reason")


class MessageAttemptFailed(_MessageEvent, type="notifications.MessageAttemptFailed", version=1):
    """The provider could not be asked or was down: asked again at `retry_at`."""

    attempt: int = Field(ge=1)
    reason: str
    retry_at: AwareDatetime


class MessageSent(_MessageEvent, type="notifications.MessageSent", version=1):
    """The provider accepted the message; its id is what its delivery reports name."""

    provider_message_id: str = Field(min_length=1)
    sent_at: AwareDatetime


class MessageDelivered(_MessageEvent, type="notifications.MessageDelivered", version=1):
    delivered_at: AwareDatetime


class MessageFailed(_MessageEvent, type="notifications.MessageFailed", version=1):
    """The message did not reach the customer: for a person (the advisor or the CS agent) to
    reach them another way. `status`: failed (the provider gave up), bounced (the mailbox
    refused), refused (the provider refused our request), undeliverable (no contact known)."""

    customer_id: UUID
    kind: str
    channel: str
    reference: str
    status: str
    reason: str
    failed_at: AwareDatetime

    @field_validator("status")
    @classmethod
    def status_is_known(cls, value: str) -> str:
        return check_code(value, FAILURES, "failure")


class ContactPreferencesSet(Event, type="notifications.ContactPreferencesSet", version=1):
    """A customer's addresses, language and consent, as they told the dealer. `consent` holds
    `<channel>:<purpose>` pairs the customer agreed to; service messages are sent without one
    unless `opted_out` names the channel; marketing needs the pair (PIPL art. 13-14)."""

    customer_id: UUID
    phone: Annotated[str, PERSONAL] = ""
    email: Annotated[str, PERSONAL] = ""
    wechat_openid: Annotated[str, PERSONAL] = ""
    language: str = "zh"
    preferred_channel: str = "sms"
    consent: tuple[str, ...] = ()
    opted_out: tuple[str, ...] = ()
    do_not_contact: bool = False
    set_by: str
    set_at: AwareDatetime

    @field_validator("language")
    @classmethod
    def language_is_known(cls, value: str) -> str:
        return check_code(value, LANGUAGES, "language")

    @field_validator("preferred_channel")
    @classmethod
    def channel_is_known(cls, value: str) -> str:
        return check_code(value, CHANNELS, "channel")


class QuietHoursSet(Event, type="notifications.QuietHoursSet", version=1):
    """No message (but the urgent kinds) goes out between `start` and `end`, site-local time; one
    that falls inside waits for `end`."""

    site_id: UUID
    timezone: str
    start: time
    end: time
    set_by: str
    set_at: AwareDatetime


class TemplateSet(Event, type="notifications.TemplateSet", version=1):
    """A site's own wording of one kind in one channel and language (`{placeholders}` as the
    default's)."""

    site_id: UUID
    kind: str
    channel: str
    language: str
    subject: str = ""
    body: str = Field(min_length=1)
    set_by: str
    set_at: AwareDatetime


def message_stream(message_id: UUID) -> str:
    return f"message-{message_id}"


def contact_stream(customer_id: UUID) -> str:
    return f"contact-{customer_id}"


def site_stream(site_id: str) -> str:
    return f"notification-site-{site_id}"
