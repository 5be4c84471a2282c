"""Value objects and code lists of the booking service's published events
(`events.catalog.booking`).

STAR nouns: ServiceAppointment (the appointment, its requested jobs and parts),
VehicleServiceHistory (what preparation pulls). Code lists are strings checked against the
tuples below, never JSON `enum`s, so a new value does not break old readers
(docs/contract.md "Versioning"). Labour time is `int` minutes; times are timezone-aware.
"""

from __future__ import annotations

import re
from typing import Annotated
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from events.personal_fields import PERSONAL
from events.rules import check_code as check_code

# Passive: the customer asks; active: the dealer proposes (docs/flow.md; seed 003 "主动预约/被动预约").
APPOINTMENT_KINDS = ("passive", "active")
# Why the dealer proposes an active appointment (docs/flow.md).
ACTIVE_REASONS = (
    "declined_recommendation",
    "seasonal_check",
    "campaign",
    "recall",
    "warranty_expiry",
    "maintenance_due",
)
# Why a customer asks (seed 003: "保养 / 维修咨询 / 事故车预约 / 正常维修项目").
PASSIVE_REASONS = ("maintenance", "repair", "accident", "consultation")
# Active reasons that always name the campaign or recall they come from.
REFERENCED_REASONS = ("campaign", "recall")
# How the appointment was taken (STAR appointment source, without walk-in: that is no booking).
BOOKING_CHANNELS = ("phone", "internet", "in_person", "dealer_initiated")
# The two confirmations the seeds ask for: the day before ("提前再次确认") and the customer's
# own confirmation about half an hour before the slot ("等待客户提前半小时确认").
CONFIRMATION_KINDS = ("day_before", "before_arrival")
# How a customer likes to be reached, and how a confirmation was obtained.
CONTACT_CHANNELS = ("phone", "sms", "wechat", "email")
# How a confirmation came: those, or the link in the day-before message (the customer portal).
CONFIRMATION_CHANNELS = (*CONTACT_CHANNELS, "link")
# Who asked for a cancellation or a new slot.
REQUESTED_BY = ("customer", "dealer")
# Why a reserved slot was given back.
RELEASE_REASONS = ("cancelled", "rescheduled", "no_show")
# The mark on the advisor board, the same words reception uses.
PRIORITIES = ("appointment", "normal")
# The customer's answer when preparation offers a previously declined recommendation.
RECOMMENDATION_RESPONSES = ("accepted", "declined", "undecided")

# 17 characters, digits and capital letters except I, O and Q (ISO 3779, GB 16735).
_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")


def check_vin(value: str) -> str:
    """A VIN as published: already upper-cased, 17 characters, no I, O or Q."""
    if not _VIN.match(value):
        raise ValueError(f"a VIN has 17 characters, digits and capital letters except I, O and Q; got {value!r}")
    return value


def check_timezone(value: str) -> str:
    """An IANA time-zone name (static reference data of the standard library, no state read)."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Asia/Shanghai") from None
    return value


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Contact(_Value):
    """A person we call: the customer who booked, or the vehicle's user (seed 000: the caller
    may be the user of the car, not its registered owner; calls go to the user)."""

    name: Annotated[str, PERSONAL] = Field(min_length=1)
    phone: Annotated[str, PERSONAL] = Field(min_length=1)
    customer_id: UUID | None = None


class VehicleIdentity(_Value):
    vin: str
    plate: str = Field(min_length=1)
    model: str | None = None
    vehicle_id: UUID | None = None

    @field_validator("vin")
    @classmethod
    def vin_is_valid(cls, value: str) -> str:
        return check_vin(value)


class RequestedPart(_Value):
    """A part a requested job needs (STAR ServiceParts): parts reserves it for the appointment."""

    part_number: str = Field(min_length=1)
    description: str = ""
    quantity: int = Field(gt=0)


class RequestedJob(_Value):
    """A job the customer asked for (or the dealer proposed), with its estimated minutes."""

    job_id: UUID
    description: str = Field(min_length=1)
    labour_operation: str | None = None
    estimated_minutes: int = Field(gt=0)
    parts: tuple[RequestedPart, ...] = ()


class SlotAllocation(_Value):
    """Workshop minutes a reservation takes from one slot, named by the slot's start."""

    slot_start: AwareDatetime
    minutes: int = Field(gt=0)


class OfferedRecommendation(_Value):
    """A recommendation the customer declined at an earlier visit, offered again at preparation
    (seed 003: "查询上次保养建议项目 → 建议客户维修 → 客户同意后加入维修项目")."""

    finding_id: UUID
    description: str = Field(min_length=1)
    safety_critical: bool = False
    response: str

    @field_validator("response")
    @classmethod
    def response_is_known(cls, value: str) -> str:
        return check_code(value, RECOMMENDATION_RESPONSES, "recommendation response")


class PartCheck(_Value):
    """The parts pre-check of one requested part: is it on the shelf for the appointment?"""

    part_number: str = Field(min_length=1)
    quantity: int = Field(gt=0)
    available: bool
