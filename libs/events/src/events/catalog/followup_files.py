"""Published events of the followup service's customer file (docs/domain.md §6; seed 002 §2-3):
stream `customer_file-<file_id>`, one file per vehicle user (how its id is chosen, and how the
file's events join the callbacks' and campaigns' in the call log: `events.catalog.followup`).
The file records the visits, the customer's wishes and do-not-call, notes for the next visit,
the calls and letters outside a callback or campaign, and the appointments proposed to the
customer (`AppointmentProposed`, also published on a campaign's stream).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, field_validator

from events.catalog.followup_values import (
    CALL_DIRECTIONS,
    CALL_PURPOSES,
    LETTER_KINDS,
    NOTE_SOURCES,
    PROPOSAL_REASONS,
    check_code,
)
from events.catalog.reception_values import Contact, Recommendation, VehicleIdentity
from events.contract import Event
from events.personal_fields import PERSONAL


class _FileEvent(Event):
    """Abstract base: every customer-file event names its file."""

    file_id: UUID


class CustomerFileOpened(_FileEvent, type="followup.CustomerFileOpened", version=1):
    """The first visit opened the file of the vehicle user (seed 002 §2.1 "建立客戶檔案")."""

    contact: Contact
    opened_at: AwareDatetime


class VisitRecorded(_FileEvent, type="followup.VisitRecorded", version=1):
    """A visit entered in the file: within 2 days of it (`due_by`, `on_time`; seed 002 §3.2).
    `amended` when the same repair order is recorded again with more detail (the invoice after
    the delivery, or the other way round)."""

    repair_order_id: UUID
    vehicle: VehicleIdentity
    owner: Contact
    vehicle_user: Contact
    visited_at: AwareDatetime
    mileage_km: int = Field(ge=0)
    work_done: tuple[str, ...] = ()
    invoice_number: str | None = None
    next_service_due_date: date | None = None
    next_service_due_km: int | None = Field(default=None, ge=0)
    pending_recommendations: tuple[Recommendation, ...] = ()
    due_by: AwareDatetime
    on_time: bool
    amended: bool = False
    recorded_at: AwareDatetime


class DoNotCallSet(_FileEvent, type="followup.DoNotCallSet", version=1):
    """The customer asked not to be called: no callback, reminder or campaign call from now on."""

    set_by: str
    reason: str
    set_at: AwareDatetime


class DoNotCallCleared(_FileEvent, type="followup.DoNotCallCleared", version=1):
    cleared_by: str
    reason: str
    cleared_at: AwareDatetime


class WishRecorded(_FileEvent, type="followup.WishRecorded", version=1):
    """A service the customer wants (seed 002 §2.1 "客戶想要的服務")."""

    wish: str = Field(min_length=1)
    recorded_by: str
    recorded_at: AwareDatetime


class NextVisitNoteAdded(_FileEvent, type="followup.NextVisitNoteAdded", version=1):
    """Something to raise at the next visit, e.g. "unreachable after 3 attempts" (docs/domain.md §6)."""

    note_id: UUID
    note: str = Field(min_length=1)
    source: str
    callback_id: UUID | None = None
    added_by: str
    added_at: AwareDatetime

    @field_validator("source")
    @classmethod
    def source_is_known(cls, value: str) -> str:
        return check_code(value, NOTE_SOURCES, "note source")


class CallLogged(_FileEvent, type="followup.CallLogged", version=1):
    """A call outside a callback — the customer's inquiry or complaint call, the answer to an
    escalated question, a reminder (seed 002 §3.7 "跟蹤服務電話登記表")."""

    direction: str
    purpose: str
    phone: Annotated[str, PERSONAL]
    agent: str
    summary: str
    repair_order_id: UUID | None = None
    called_at: AwareDatetime

    @field_validator("direction")
    @classmethod
    def direction_is_known(cls, value: str) -> str:
        return check_code(value, CALL_DIRECTIONS, "call direction")

    @field_validator("purpose")
    @classmethod
    def purpose_is_known(cls, value: str) -> str:
        return check_code(value, CALL_PURPOSES, "call purpose")


class LetterLogged(_FileEvent, type="followup.LetterLogged", version=1):
    """A follow-up letter: notice, invitation or reply (seed 002 §3.8 "跟蹤服務信函登記表")."""

    letter_kind: str
    subject: str = Field(min_length=1)
    sent_by: str
    campaign_id: UUID | None = None
    sent_at: AwareDatetime

    @field_validator("letter_kind")
    @classmethod
    def letter_kind_is_known(cls, value: str) -> str:
        return check_code(value, LETTER_KINDS, "letter kind")


class AppointmentProposed(_FileEvent, type="followup.AppointmentProposed", version=1):
    """An active appointment for booking to offer: maintenance due, a declined recommendation,
    a campaign or a recall. `contact_from` is when to start calling (two weeks ahead);
    `phone_allowed` is False for a do-not-call customer (only safety reasons are proposed then,
    by letter). `proposal_id` is stable per file and cause, so a repeated cause proposes once.
    Published on the customer file, or on the campaign stream with `campaign_id`. `link`: the
    portal's page where the customer answers (a signed link, purpose `proposal`), for the
    reminder message; empty in events recorded before links existed."""

    proposal_id: UUID
    reason: str
    contact: Contact
    vehicle: VehicleIdentity
    suggested_date: date | None = None
    due_km: int | None = Field(default=None, ge=0)
    contact_from: date | None = None
    recommendation: Recommendation | None = None
    repair_order_id: UUID | None = None
    campaign_id: UUID | None = None
    phone_allowed: bool = True
    proposed_at: AwareDatetime
    link: Annotated[str, PERSONAL] = ""

    @field_validator("reason")
    @classmethod
    def reason_is_known(cls, value: str) -> str:
        return check_code(value, PROPOSAL_REASONS, "proposal reason")
