"""What the complaints API answers: the views its OpenAPI document names (request bodies are
`schemas.py`'s): a site's settings, a complaint as the desk opens it, a row of the site's desk."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from complaints.domain.settings import SiteSettings
from complaints.domain.state import Complaint


class View(BaseModel):
    model_config = ConfigDict(frozen=True)


class SettingsView(View):
    """The working calendar and authority limits in force (`defaults`: the site set none)."""

    version: int = Field(description="the settings' version, for `If-Match`; 0 while the defaults apply")
    working_weekdays: list[int]
    holidays: list[date]
    extra_working_days: list[date]
    timezone: str
    authority_limits: dict[str, int]
    dealer_limit: int | None
    set_by: str | None
    set_at: datetime | None
    defaults: bool


def settings_view(settings: SiteSettings, version: int) -> SettingsView:
    calendar = settings.calendar
    return SettingsView(
        version=version,
        working_weekdays=sorted(calendar.working_weekdays),
        holidays=sorted(calendar.holidays),
        extra_working_days=sorted(calendar.extra_working_days),
        timezone=calendar.timezone,
        authority_limits=dict(settings.authority_limits),
        dealer_limit=settings.dealer_limit,
        set_by=settings.set_by,
        set_at=settings.set_at,
        defaults=settings.set_at is None,
    )


class ComplaintView(View):
    """The complaint as the desk opens it: where it stands and how its clocks run."""

    complaint_id: UUID
    version: int = Field(description="the complaint's version, for `If-Match`")
    step: str
    kind: str
    channel: str
    category: str
    customer_id: UUID
    vin: str | None
    repair_order_id: UUID | None
    customer_words: str
    serious_reasons: list[str]
    escalated: bool
    received_at: datetime
    resolve_by: datetime
    sla_breached: bool
    overdue: bool
    responsibility: str | None
    cause: str | None
    findings: str | None
    remedy: str | None
    cost: int = Field(description="minor units (fen)")
    customer_disagreed: bool
    resolved_at: datetime | None
    second_callback_due: datetime | None
    follow_up_overdue: bool
    times_back_to_facts: int
    times_reopened: int


def complaint_view(state: Complaint, version: int, now: datetime) -> ComplaintView:
    return ComplaintView(
        complaint_id=state.complaint_id,
        version=version,
        step=state.step,
        kind=state.kind,
        channel=state.channel,
        category=state.category,
        customer_id=state.customer_id,
        vin=state.vin,
        repair_order_id=state.repair_order_id,
        customer_words=state.customer_words,
        serious_reasons=list(state.serious_reasons),
        escalated=state.escalated,
        received_at=state.received_at,
        resolve_by=state.resolve_by,
        sla_breached=state.breached_for is not None,
        overdue=not state.resolved and state.resolve_by is not None and now >= state.resolve_by,
        responsibility=state.responsibility or None,
        cause=state.cause or None,
        findings=state.findings or None,
        remedy=state.remedy or None,
        cost=state.cost,
        customer_disagreed=state.disagreed,
        resolved_at=state.first_resolved_at,
        second_callback_due=state.second_callback_due,
        follow_up_overdue=state.follow_up_overdue_for is not None and state.step == "acted",
        times_back_to_facts=state.times_back_to_facts,
        times_reopened=state.times_reopened,
    )


class Escalation(View):
    reason: str
    to_role: str
    detail: str
    escalated_at: datetime


class DeskRow(View):
    """A complaint on the site's desk: its step, class, SLA clock, breach and escalations."""

    complaint_id: UUID
    site_id: str
    customer_id: UUID
    vin: str | None
    repair_order_id: UUID | None
    callback_id: UUID | None
    channel: str
    kind: str
    category: str
    serious_reasons: list[str]
    customer_words: str
    step: str
    received_at: datetime
    resolve_by: datetime
    resolved_at: datetime | None
    breached: bool
    escalations: list[Escalation]
    escalated: bool
    second_callback_due: datetime | None
    follow_up_overdue: bool
    handled_by: str = Field(description="who acted last (never a count per person)")
    closed_at: datetime | None
    updated_at: datetime


def desk_row(row: Mapping[str, Any]) -> DeskRow:
    """A row of `complaint_desk` as the desk shows it (its escalations are stored as JSON)."""
    fields = dict(row)
    del fields["group_id"]
    fields["escalations"] = json.loads(fields["escalations"])
    fields["escalated"] = bool(fields["escalations"])
    return DeskRow.model_validate(fields)
