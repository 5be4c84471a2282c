"""Value objects and code lists of the reception service's published events
(`events.catalog.reception`).

STAR nouns: RepairOrder (header + job lines), LaborOperation, ServiceParts. `RepairLine` is the
shared vocabulary of docs/flow.md: workshop and parts read these fields. Code lists are strings
checked against the tuples below, never JSON `enum`s, so a new value does not break old readers
(docs/contract.md "Versioning"). Money is an `int` in minor units; labour time is `int` minutes.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from events.personal_fields import PERSONAL
from events.rules import check_code as check_code

# How the car came in (docs/flow.md). A first visit and a tow-in are handled like an
# appointment (seed 000: "第一次进厂视同预约"; docs/domain.md §1).
ARRIVAL_KINDS = ("appointment", "walk_in", "first_visit", "tow_in")
PRIORITY_ARRIVALS = ("appointment", "first_visit", "tow_in")
# The mark on the advisor board: "appointment" cars first, then the "normal" ones.
PRIORITIES = ("appointment", "normal")
# Replacement transport for a customer who leaves the car (seed 003: "提供代替交通工具").
COURTESY_TRANSPORTS = ("shuttle", "loaner")
# What the walk-around looks for (docs/domain.md §2: scratches, dents, glass, lamps).
DAMAGE_KINDS = ("scratch", "dent", "glass", "lamp", "other")
# How a customer was told about damage found after a declined walk-around.
NOTICE_CHANNELS = ("in_person", "phone", "sms")
# STAR pay types; goodwill is a DEALER or MANUFACTURER line with a reason.
PAY_TYPES = ("CUSTOMER_PAY", "WARRANTY", "INTERNAL", "DEALER", "MANUFACTURER", "SUBLET", "SERVICE_CONTRACT")
GOODWILL_PAY_TYPES = ("DEALER", "MANUFACTURER")
# Where a line came from: the signed estimate, or anything agreed after signing.
LINE_ORIGINS = ("estimate", "additional_work")
# Estimate methods (seed 002): by system, by symptom (risky), by item.
ESTIMATE_METHODS = ("system", "symptom", "item")
# Billing's own methods ("wechat_pay", "alipay", "bank_transfer") come with its InvoicePaid;
# "split": the invoice was paid with several methods (the payments name each); "warranty_claim":
# nothing was owed by the customer (warranty, internal or goodwill lines only).
PAYMENT_METHODS = (
    "cash",
    "card",
    "mobile",
    "transfer",
    "warranty_claim",
    "wechat_pay",
    "alipay",
    "bank_transfer",
    "split",
)
# The customer's choice for old parts; warranty parts go back to the manufacturer whatever
# the choice (seed 003: "索赔件应向客户说明需返厂").
OLD_PART_CHOICES = ("keep", "discard")
# A change after signing needs the customer's signature or a recorded phone approval
# (seed 003: "如有更改则必须得到客户认可 … 或告知(必须有录音)").
# "digital": the customer decided on their phone through a signed link (reference = the link's
# digest; the device's details are kept by reception with the decision, docs/approval-links.md).
CONSENT_KINDS = ("signature", "phone", "digital")
# A finding's grade as the customer sees it (the workshop's digital inspection), and its media.
FINDING_SEVERITIES = ("yellow", "red")
MEDIA_KINDS = ("photo", "video")
# What a customer's approval link asks them to decide (`ApprovalRequested.approval_of`).
APPROVAL_SUBJECTS = ("additional_work", "estimate")
# Why a visit ended with an exit slip instead of a repair.
EXIT_KINDS = ("consultation", "repair_declined")

QUALITY_NOT_GUARANTEED = "quality not guaranteed"


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Contact(_Value):
    """A person reception talks to: the customer (payer) or the vehicle's user (callbacks)."""

    name: Annotated[str, PERSONAL] = Field(min_length=1)
    phone: Annotated[str, PERSONAL] = Field(min_length=1)
    customer_id: UUID | None = None


class VehicleIdentity(_Value):
    vin: str = Field(min_length=1)
    plate: str = Field(min_length=1)
    model: str | None = None
    vehicle_id: UUID | None = None


class Damage(_Value):
    """One damage noted on the car: where, what kind, and a free note."""

    area: str = Field(min_length=1)
    kind: str
    note: str = ""

    @field_validator("kind")
    @classmethod
    def kind_is_known(cls, value: str) -> str:
        return check_code(value, DAMAGE_KINDS, "damage kind")


class Consent(_Value):
    """The customer's recorded agreement to a change after signing: a signature (reference =
    the signed document), a phone approval (reference = the call recording) or a digital one
    through an approval link (reference = `link:` and the link's sha256 digest)."""

    kind: str
    recorded_by: str = Field(min_length=1)
    at: AwareDatetime
    reference: str = Field(min_length=1)

    @field_validator("kind")
    @classmethod
    def kind_is_known(cls, value: str) -> str:
        return check_code(value, CONSENT_KINDS, "consent kind")


class RepairPart(_Value):
    """A part on a repair line (STAR ServiceParts). Customer-supplied or non-OEM parts carry
    `quality_guaranteed=False` (seed 002: "技術質量沒有保證,並在進廠維修單上說明")."""

    part_number: str = Field(min_length=1)
    description: str
    quantity: int = Field(gt=0)
    unit_price: int = Field(ge=0)
    customer_supplied: bool = False
    non_oem: bool = False
    quality_guaranteed: bool = True

    @model_validator(mode="before")
    @classmethod
    def flag_quality(cls, data: object) -> object:
        if isinstance(data, dict) and "quality_guaranteed" not in data:
            own_risk = bool(data.get("customer_supplied")) or bool(data.get("non_oem"))
            return {**data, "quality_guaranteed": not own_risk}
        return data

    @model_validator(mode="after")
    def quality_flag_matches(self) -> RepairPart:
        if self.quality_guaranteed == (self.customer_supplied or self.non_oem):
            raise ValueError(f"a customer-supplied or non-OEM part is marked '{QUALITY_NOT_GUARANTEED}'")
        return self

    @property
    def price(self) -> int:
        return self.quantity * self.unit_price


class RepairLine(_Value):
    """A repair-order job line (STAR RepairOrder job line; docs/flow.md `RepairLine`)."""

    line_id: UUID
    labour_operation: str = Field(min_length=1)
    description: str = Field(min_length=1)
    labour_minutes: int = Field(ge=0)
    labour_price: int = Field(ge=0)
    pay_type: str
    pay_type_reason: str | None = None
    parts: tuple[RepairPart, ...] = ()
    safety_critical: bool = False
    origin: str = "estimate"

    @field_validator("pay_type")
    @classmethod
    def pay_type_is_known(cls, value: str) -> str:
        return check_code(value, PAY_TYPES, "pay type")

    @field_validator("origin")
    @classmethod
    def origin_is_known(cls, value: str) -> str:
        return check_code(value, LINE_ORIGINS, "line origin")

    @property
    def parts_price(self) -> int:
        return sum(part.price for part in self.parts)

    @property
    def price(self) -> int:
        return self.labour_price + self.parts_price


class PayTypeTotal(_Value):
    """What one pay type carries of an estimate or invoice."""

    pay_type: str
    labour: int = Field(ge=0)
    parts: int = Field(ge=0)
    total: int = Field(ge=0)

    @field_validator("pay_type")
    @classmethod
    def pay_type_is_known(cls, value: str) -> str:
        return check_code(value, PAY_TYPES, "pay type")


class MediaRef(_Value):
    """A photo or video of a finding, kept by the workshop's media store (reception's copy of
    workshop's value: services share no models)."""

    media_id: UUID
    kind: str
    content_type: str = Field(min_length=1)

    @field_validator("kind")
    @classmethod
    def kind_is_known(cls, value: str) -> str:
        return check_code(value, MEDIA_KINDS, "media kind")


class Recommendation(_Value):
    """A finding the customer declined: kept for the next visit's preparation and for an active
    appointment proposal (seed 000: "将检查的结果及我方的建议写在工单上"), with its evidence
    (`severity`, `media`, `evidence_refs`: absent from recommendations declined before issue 21)."""

    finding_id: UUID
    description: str
    safety_critical: bool
    labour_minutes: int = Field(ge=0)
    labour_price: int = Field(ge=0)
    parts_price: int = Field(ge=0)
    lines: tuple[RepairLine, ...] = ()
    severity: str | None = None
    media: tuple[MediaRef, ...] = ()
    evidence_refs: tuple[str, ...] = ()

    @field_validator("severity")
    @classmethod
    def severity_is_known(cls, value: str | None) -> str | None:
        return None if value is None else check_code(value, FINDING_SEVERITIES, "finding severity")


class HealthRecordItem(_Value):
    """A repair item for the national maintenance health record: working time in minutes."""

    labour_operation: str
    description: str
    labour_minutes: int = Field(ge=0)


class HealthRecordPart(_Value):
    part_number: str
    name: str
    quantity: int = Field(gt=0)


class MaintenanceRecord(_Value):
    """What China's vehicle-maintenance electronic health record needs after settlement
    (JT/T 1132 / 1133; docs/contract.md "China")."""

    plate: str
    vin: str
    repair_date: date
    mileage_km: int = Field(ge=0)
    fault_description: str
    settlement_date: date
    settlement_number: str
    items: tuple[HealthRecordItem, ...]
    parts: tuple[HealthRecordPart, ...]


class PriceAdjustment(_Value):
    """A line whose price or time is not the catalogue's, and why. `catalogue_price` is what the
    catalogue asks for the same work (None: a labour code the catalogue does not know, typed by
    hand, e.g. sublet); `discount` = catalogue_price - price (negative: a surcharge; 0 for a
    line the catalogue cannot price)."""

    line_id: UUID
    catalogue_price: int | None = Field(default=None, ge=0)
    catalogue_minutes: int | None = Field(default=None, ge=0)
    price: int = Field(ge=0)
    labour_minutes: int = Field(ge=0)
    discount: int
    reason: str = Field(min_length=1)


class Payment(_Value):
    """One payment towards an invoice, as billing took it (`method` in billing's own words)."""

    method: str = Field(min_length=1)
    amount: int


class ServiceInterval(_Value):
    """How far and how long until the next service, when the catalogue has no menu for the car."""

    km: int = Field(gt=0)
    months: int = Field(gt=0)
