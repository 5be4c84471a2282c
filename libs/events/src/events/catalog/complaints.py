"""Published events of the complaints service: one complaint walked through the Toyota 7 steps
(docs/domain.md §7, seed 001) under the SLAs of seed 004.

Stream: `complaint-<complaint_id>`; every event carries `complaint_id`. The steps: received →
listened → facts confirmed → decided → explained (agreed, or back to the facts) → acted →
followed up (satisfied: closed with the report; not satisfied: back to the step named).
`ComplaintOpened.resolve_by` and `ComplaintReclassified.resolve_by` are the SLA deadlines the
service schedules its durable timer on; `ComplaintActionTaken.second_callback_due` is when the
second callback is due (`ComplaintFollowUpOverdue` when it is not recorded by then). Value
objects and code lists: `events.catalog.complaints_values`.

Stream `complaint_settings-<site_id>`: a site's working calendar and authority limits
(`ComplaintSettingsSet`), which the service reads to compute SLA deadlines and approvals.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, Field, field_validator, model_validator

from events.catalog.complaints_values import (
    CATEGORIES,
    CHANNELS,
    ESCALATION_REASONS,
    ESCALATION_ROLES,
    FOLLOW_UP_CHANNELS,
    KINDS,
    REDO_STEPS,
    REMEDIES,
    RESPONSIBILITIES,
    SERIOUS_REASONS,
    STEPS,
    Authorisation,
    AuthorityLimit,
    ComplaintReport,
    CustomerAccount,
    check_codes,
)
from events.contract import Event
from events.personal_fields import PERSONAL
from events.rules import check_code


class _ComplaintEvent(Event):
    """Abstract base: every complaints event names its complaint."""

    complaint_id: UUID


class ComplaintOpened(_ComplaintEvent, type="complaints.ComplaintOpened", version=1):
    """Step 1, received: the customer's words, where the complaint came from, its class and the
    SLA deadline (`resolve_by`: 24 h, or the end of the 3rd working day for a grievance)."""

    customer_id: UUID
    vin: str | None = None
    repair_order_id: UUID | None = None
    callback_id: UUID | None = None
    channel: str
    kind: str
    category: str
    customer_words: Annotated[str, PERSONAL] = Field(min_length=1)
    serious_reasons: tuple[str, ...] = ()
    resolve_by: AwareDatetime
    handled_by: str = Field(min_length=1)
    received_at: AwareDatetime

    @field_validator("channel")
    @classmethod
    def channel_is_known(cls, value: str) -> str:
        return check_code(value, CHANNELS, "channel")

    @field_validator("kind")
    @classmethod
    def kind_is_known(cls, value: str) -> str:
        return check_code(value, KINDS, "complaint kind")

    @field_validator("category")
    @classmethod
    def category_is_known(cls, value: str) -> str:
        return check_code(value, CATEGORIES, "category")

    @field_validator("serious_reasons")
    @classmethod
    def serious_reasons_are_known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return check_codes(value, SERIOUS_REASONS, "serious reason")


class ComplaintEscalated(_ComplaintEvent, type="complaints.ComplaintEscalated", version=1):
    """The complaint went to a manager: at once when serious, or when its SLA was breached."""

    reason: str
    to_role: str
    detail: str = ""
    escalated_at: AwareDatetime

    @field_validator("reason")
    @classmethod
    def reason_is_known(cls, value: str) -> str:
        return check_code(value, ESCALATION_REASONS, "escalation reason")

    @field_validator("to_role")
    @classmethod
    def role_is_known(cls, value: str) -> str:
        return check_code(value, ESCALATION_ROLES, "escalation role")


class ComplaintReclassified(_ComplaintEvent, type="complaints.ComplaintReclassified", version=1):
    """Complaint ⇄ general grievance, with why; `resolve_by` is the new deadline (from receipt)."""

    previous_kind: str
    kind: str
    reason: str = Field(min_length=1)
    resolve_by: AwareDatetime
    handled_by: str = Field(min_length=1)
    reclassified_at: AwareDatetime

    @field_validator("previous_kind", "kind")
    @classmethod
    def kind_is_known(cls, value: str) -> str:
        return check_code(value, KINDS, "complaint kind")


class ComplaintListened(_ComplaintEvent, type="complaints.ComplaintListened", version=1):
    """Step 2: the customer finished; the 5W2H account and its restatement in their words."""

    account: CustomerAccount
    restated_words: str = Field(min_length=1)
    handled_by: str = Field(min_length=1)
    listened_at: AwareDatetime


class ComplaintFactsConfirmed(_ComplaintEvent, type="complaints.ComplaintFactsConfirmed", version=1):
    """Step 3: the car and its history inspected, the symptom reproduced (or not) with a
    technician, the cause found and the responsibility decided."""

    responsibility: str
    cause: str
    findings: str = Field(min_length=1)
    reproduced: bool
    reproduced_by: str | None = None
    vip: bool = False
    repeat_visitor: bool = False
    handled_by: str = Field(min_length=1)
    confirmed_at: AwareDatetime

    @field_validator("responsibility")
    @classmethod
    def responsibility_is_known(cls, value: str) -> str:
        return check_code(value, RESPONSIBILITIES, "responsibility")

    @field_validator("cause")
    @classmethod
    def cause_is_known(cls, value: str) -> str:
        return check_code(value, CATEGORIES, "cause")


class ComplaintDecisionMade(_ComplaintEvent, type="complaints.ComplaintDecisionMade", version=1):
    """Step 4: what, by when, which compromise, who tells the customer. `approval_required`:
    the cost was beyond `authority_limit`, so `authorised_by` approved it; a referral to the
    manufacturer's customer service when beyond the dealer."""

    remedy: str
    description: str = Field(min_length=1)
    cost: int = Field(ge=0)
    compromise: str = ""
    remedy_due: AwareDatetime
    spokesperson: str = Field(min_length=1)
    authority_limit: int = Field(ge=0)
    approval_required: bool
    authorised_by: Authorisation | None = None
    referred_to_manufacturer: bool = False
    handled_by: str = Field(min_length=1)
    decided_at: AwareDatetime

    @field_validator("remedy")
    @classmethod
    def remedy_is_known(cls, value: str) -> str:
        return check_code(value, REMEDIES, "remedy")

    @model_validator(mode="after")
    def approval_is_recorded(self) -> ComplaintDecisionMade:
        if self.approval_required and self.authorised_by is None:
            raise ValueError("a decision beyond the authority limit carries its authorisation")
        return self


class ComplaintDecisionExplained(_ComplaintEvent, type="complaints.ComplaintDecisionExplained", version=1):
    """Step 5: the decision explained; `agreed` False sends the complaint back to step 3."""

    agreed: bool
    customer_response: str = ""
    handled_by: str = Field(min_length=1)
    explained_at: AwareDatetime


class ComplaintActionTaken(_ComplaintEvent, type="complaints.ComplaintActionTaken", version=1):
    """Step 6: the remedy carried out (the complaint is resolved for its SLA); the second
    callback is due by `second_callback_due` (seed 004: "并进行二次回访")."""

    remedy: str
    description: str = Field(min_length=1)
    cost: int = Field(ge=0)
    in_customer_presence: bool
    customer_satisfied: bool
    second_callback_due: AwareDatetime
    handled_by: str = Field(min_length=1)
    acted_at: AwareDatetime

    @field_validator("remedy")
    @classmethod
    def remedy_is_known(cls, value: str) -> str:
        return check_code(value, REMEDIES, "remedy")


class ComplaintFollowedUp(_ComplaintEvent, type="complaints.ComplaintFollowedUp", version=1):
    """Step 7: the second callback or letter. Satisfied: `ComplaintClosed` follows. Not
    satisfied: `back_to` names the step done again."""

    satisfied: bool
    back_to: str | None = None
    channel: str
    customer_words: str = ""
    handled_by: str = Field(min_length=1)
    followed_up_at: AwareDatetime

    @field_validator("back_to")
    @classmethod
    def back_to_is_known(cls, value: str | None) -> str | None:
        return None if value is None else check_code(value, REDO_STEPS, "step to go back to")

    @field_validator("channel")
    @classmethod
    def channel_is_known(cls, value: str) -> str:
        return check_code(value, FOLLOW_UP_CHANNELS, "follow-up channel")

    @model_validator(mode="after")
    def satisfied_or_back(self) -> ComplaintFollowedUp:
        if self.satisfied == (self.back_to is not None):
            raise ValueError("a satisfied follow-up goes back to no step; an unsatisfied one names its step")
        return self


class ComplaintClosed(_ComplaintEvent, type="complaints.ComplaintClosed", version=1):
    """The customer is satisfied: the report goes into the customer's record (`report.customer_id`)."""

    report: ComplaintReport
    closed_at: AwareDatetime


class ComplaintSlaBreached(_ComplaintEvent, type="complaints.ComplaintSlaBreached", version=1):
    """`resolve_by` passed before any remedy was carried out; `step` is where the complaint stood."""

    kind: str
    resolve_by: AwareDatetime
    step: str
    breached_at: AwareDatetime

    @field_validator("kind")
    @classmethod
    def kind_is_known(cls, value: str) -> str:
        return check_code(value, KINDS, "complaint kind")

    @field_validator("step")
    @classmethod
    def step_is_known(cls, value: str) -> str:
        return check_code(value, STEPS, "step")


class ComplaintFollowUpOverdue(_ComplaintEvent, type="complaints.ComplaintFollowUpOverdue", version=1):
    """The second callback (seed 004: "二次回访") was due by `second_callback_due` after the remedy
    and none is recorded: the complaint desk shows it until the follow-up is recorded."""

    second_callback_due: AwareDatetime
    overdue_at: AwareDatetime


# --- a site's complaint settings (`complaint_settings-<site_id>`) -----------------------------


class ComplaintSettingsSet(Event, type="complaints.ComplaintSettingsSet", version=1):
    """A site's working calendar for the grievance SLA (ISO weekdays 1-7, public holidays, make-up
    working days, IANA time zone) and its authority limits: per handling role, and the dealer's
    (beyond it the manufacturer's customer service decides; None: no dealer limit). Replaces the
    previous settings as a whole."""

    site_id: UUID
    working_weekdays: tuple[int, ...] = Field(min_length=1)
    holidays: tuple[date, ...] = ()
    extra_working_days: tuple[date, ...] = ()
    timezone: str
    authority_limits: tuple[AuthorityLimit, ...]
    dealer_limit: int | None = Field(default=None, ge=0)
    set_by: str = Field(min_length=1)
    set_at: AwareDatetime

    @field_validator("working_weekdays")
    @classmethod
    def weekdays_are_iso(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(day < 1 or day > 7 for day in value):
            raise ValueError("working weekdays are ISO weekday numbers, 1 (Monday) to 7 (Sunday)")
        return value

    @field_validator("timezone")
    @classmethod
    def timezone_is_known(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Asia/Shanghai") from None
        return value

    @field_validator("authority_limits")
    @classmethod
    def one_limit_per_role(cls, value: tuple[AuthorityLimit, ...]) -> tuple[AuthorityLimit, ...]:
        roles = [limit.role for limit in value]
        if len(roles) != len(set(roles)):
            raise ValueError("one authority limit per role")
        return value
