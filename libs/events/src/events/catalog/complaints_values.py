"""Value objects and code lists of the complaints service's published events
(`events.catalog.complaints`), docs/domain.md §7 (the Toyota 7 steps, seed 001) and seed 004 (SLAs).

Code lists are strings checked against the tuples below, never JSON `enum`s, so a new value
does not break old readers (docs/contract.md "Versioning"). Money is an `int` in minor units.
No field names the handling person as a measure: complaint counts are improvement material,
never an agent's KPI (seed 004: "不能把顾客的抱怨或投诉数量作为考核指标"); `handled_by` only
says who acted.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from events.rules import check_code as check_code

# How the complaint reached the dealer; `callback` is the followup service's call (with its id),
# `manufacturer` a case passed down by the manufacturer's customer service.
CHANNELS = ("phone", "walk_in", "callback", "letter", "online", "manufacturer")
# Seed 004: a complaint is handled within 24 hours of receipt, a general grievance within
# 3 working days ("顾客的投诉要在接到投诉后的24小时内处理完毕 … 一般抱怨要在3个工作日内完成").
KINDS = ("complaint", "general_grievance")
COMPLAINT, GENERAL_GRIEVANCE = KINDS
# The customer's dissatisfaction categories (issue 4, the callback script of docs/domain.md §6), used
# for what the customer complains about at receipt and for the cause found at step 3.
CATEGORIES = ("reception", "lounge", "attitude", "parts_waiting", "price", "quality", "time", "other")
# What makes a complaint serious: it goes to the service manager at once (docs/domain.md §7 step 1).
SERIOUS_REASONS = ("accident", "injury", "safety")
# Step 3: who is responsible (docs/domain.md §7).
RESPONSIBILITIES = ("manufacturer", "dealer", "customer")
# Step 4: what the dealer offers.
REMEDIES = ("repair", "refund", "goodwill", "replacement", "apology", "other")
# Who takes part. Beyond the handling person's limit a manager approves; beyond the dealer the
# manufacturer's customer service does (docs/domain.md §7 step 4).
ROLES = ("cs_agent", "service_advisor", "service_manager", "general_manager", "manufacturer_customer_service")
APPROVER_ROLES = ("service_manager", "general_manager", "manufacturer_customer_service")
MANUFACTURER_ROLES = ("manufacturer_customer_service",)
# Why a complaint went up, and to whom.
ESCALATION_REASONS = ("serious", "sla_breach")
ESCALATION_ROLES = ("service_manager", "general_manager")
# The steps, in order: the last one completed. `closed` follows a satisfied follow-up.
STEPS = ("received", "listened", "facts_confirmed", "decided", "explained", "acted", "followed_up", "closed")
# Step 7, not satisfied: the step to do again (docs/domain.md §7: "back to the appropriate step").
REDO_STEPS = ("listen", "confirm_facts", "decide", "act")
# Step 7: "follow up by phone or letter".
FOLLOW_UP_CHANNELS = ("phone", "letter", "sms", "visit")
# The people who handle complaints and have an authority limit of their own (the identity roles of
# docs/domain.md "People"); a site sets what each may grant alone (`ComplaintSettingsSet`).
HANDLING_ROLES = ("cs_agent", "advisor", "service_manager")


def check_codes(values: tuple[str, ...], allowed: tuple[str, ...], what: str) -> tuple[str, ...]:
    for value in values:
        check_code(value, allowed, what)
    return values


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CustomerAccount(_Value):
    """Step 2, 5W2H (docs/domain.md §2): where, when, who, what from the customer; why, how, how much
    as the customer sees them. `what` is the complaint itself and is never empty."""

    what: str = Field(min_length=1)
    where: str = ""
    when: str = ""
    who: str = ""
    why: str = ""
    how: str = ""
    how_much: str = ""


class Authorisation(_Value):
    """Who approved a remedy beyond the handling person's limit (docs/domain.md §7 step 4), and the
    manufacturer's case reference when the dealer referred it."""

    person: str = Field(min_length=1)
    role: str
    authorised_at: AwareDatetime
    reference: str = ""

    @field_validator("role")
    @classmethod
    def role_is_known(cls, value: str) -> str:
        return check_code(value, ROLES, "role")


class AuthorityLimit(_Value):
    """What a person of `role` may grant alone on a complaint (minor units); beyond it a manager
    approves (docs/domain.md §7 step 4)."""

    role: str
    limit: int = Field(ge=0)

    @field_validator("role")
    @classmethod
    def role_is_known(cls, value: str) -> str:
        return check_code(value, HANDLING_ROLES, "handling role")


class ComplaintReport(_Value):
    """The complaint report written into the customer's record at closing (docs/domain.md §7 step 7).
    It names no handling person: it is improvement material, not a score (seed 004)."""

    complaint_id: UUID
    customer_id: UUID
    vin: str | None
    repair_order_id: UUID | None
    channel: str
    kind: str
    category: str
    serious_reasons: tuple[str, ...]
    customer_words: str = Field(min_length=1)
    responsibility: str
    cause: str
    findings: str
    remedy: str
    remedy_description: str
    cost: int = Field(ge=0)
    received_at: AwareDatetime
    resolve_by: AwareDatetime
    resolved_at: AwareDatetime
    within_sla: bool
    sla_breached: bool
    escalated: bool
    times_back_to_facts: int = Field(ge=0)
    times_reopened: int = Field(ge=0)
    summary: str = Field(min_length=1)
    closed_at: AwareDatetime

    @field_validator("kind")
    @classmethod
    def kind_is_known(cls, value: str) -> str:
        return check_code(value, KINDS, "complaint kind")

    @field_validator("category", "cause")
    @classmethod
    def category_is_known(cls, value: str) -> str:
        return check_code(value, CATEGORIES, "category")

    @field_validator("responsibility")
    @classmethod
    def responsibility_is_known(cls, value: str) -> str:
        return check_code(value, RESPONSIBILITIES, "responsibility")

    @field_validator("remedy")
    @classmethod
    def remedy_is_known(cls, value: str) -> str:
        return check_code(value, REMEDIES, "remedy")

    @field_validator("channel")
    @classmethod
    def channel_is_known(cls, value: str) -> str:
        return check_code(value, CHANNELS, "channel")

    @field_validator("serious_reasons")
    @classmethod
    def serious_reasons_are_known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return check_codes(value, SERIOUS_REASONS, "serious reason")
