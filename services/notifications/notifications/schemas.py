"""The notifications API's bodies and views."""

from __future__ import annotations

from datetime import datetime, time
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from notifications.domain.consent import Preferences, QuietHours
from notifications.domain.templates import Template

Channel = Literal["sms", "email", "wechat"]
Language = Literal["zh", "en"]
Kind = Literal[
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
]
Consent = Literal[
    "sms:service", "sms:marketing", "email:service", "email:marketing", "wechat:service", "wechat:marketing"
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PreferencesBody(_Body):
    """What the customer told the CS agent or the advisor; replaces what was recorded before."""

    phone: str = Field(default="", max_length=40, description="empty: the phone the visit was booked with")
    email: str = Field(default="", max_length=200, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
    wechat_openid: str = Field(default="", max_length=64)
    language: Language = "zh"
    preferred_channel: Channel = "sms"
    consent: list[Consent] = Field(default=[], description="channel:purpose pairs; marketing needs one (PIPL)")
    opted_out: list[Channel] = Field(default=[], description="channels not to use, even for service messages")
    do_not_contact: bool = False

    def preferences(self) -> Preferences:
        return Preferences(
            phone=self.phone.strip(),
            email=self.email.strip(),
            wechat_openid=self.wechat_openid.strip(),
            language=self.language,
            preferred_channel=self.preferred_channel,
            consent=frozenset(self.consent),
            opted_out=frozenset(self.opted_out),
            do_not_contact=self.do_not_contact,
        )


class PreferencesView(BaseModel):
    customer_id: UUID
    phone: str
    email: str
    wechat_openid: str
    language: str
    preferred_channel: str
    consent: list[str]
    opted_out: list[str]
    do_not_contact: bool


def preferences_view(customer_id: UUID, p: Preferences) -> PreferencesView:
    return PreferencesView(
        customer_id=customer_id,
        phone=p.phone,
        email=p.email,
        wechat_openid=p.wechat_openid,
        language=p.language,
        preferred_channel=p.preferred_channel,
        consent=sorted(p.consent),
        opted_out=sorted(p.opted_out),
        do_not_contact=p.do_not_contact,
    )


class QuietHoursBody(_Body):
    timezone: str = Field(default="Asia/Shanghai", min_length=1, max_length=64)
    start: time = Field(description="site-local, e.g. 21:00")
    end: time = Field(description="site-local, e.g. 08:00; equal to start: no quiet hours")


class QuietHoursView(BaseModel):
    # Plain "HH:MM" strings, as booking's capacity answers: JSON Schema's "time" format is an
    # RFC 3339 time with an offset, which a site-local wall-clock time has not.
    timezone: str
    start: str = Field(examples=["21:00"], description="site-local time, HH:MM")
    end: str = Field(examples=["08:00"], description="site-local time, HH:MM")


def quiet_hours_view(q: QuietHours) -> QuietHoursView:
    return QuietHoursView(timezone=q.timezone, start=q.start.strftime("%H:%M"), end=q.end.strftime("%H:%M"))


class TemplateBody(_Body):
    subject: str = Field(default="", max_length=200)
    body: str = Field(min_length=1, max_length=1000, description="{name}, {plate}, {time}, {reference}, {due}, ...")


class TemplateView(BaseModel):
    kind: str
    channel: str
    language: str
    subject: str
    body: str
    own: bool = Field(description="the site's own wording (else the default)")


def template_view(kind: str, channel: str, language: str, t: Template, own: bool) -> TemplateView:
    return TemplateView(kind=kind, channel=channel, language=language, subject=t.subject, body=t.body, own=own)


class MessageView(BaseModel):
    message_id: UUID
    customer_id: UUID
    kind: str
    purpose: str
    channel: str
    recipient: str
    subject: str
    body: str
    reference: str
    status: str = Field(description="withheld, pending, sent, delivered or failed")
    reason: str | None
    attempts: int
    send_at: datetime | None
    requested_at: datetime
    updated_at: datetime


class ReportBody(BaseModel):
    """A provider's delivery report."""

    message_id: str = Field(min_length=1, description="the provider's id of the message")
    status: Literal["delivered", "failed", "bounced"]
    reason: str = ""
