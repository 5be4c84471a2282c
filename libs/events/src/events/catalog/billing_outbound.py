"""Published events of billing's outward adapters: the e-invoice (fapiao) asked of the provider
and the repair e-record (JT/T 1132 / 1133) uploaded to the provincial platform (docs/e-record.md,
docs/billing.md "Fapiao").

Streams:
- `fapiao-<invoice_id>`: `FapiaoRequested` (the cashier's request; `request_id` is the
  idempotency key the provider gets, so a retried call never issues twice), then per attempt
  that did not reach a verdict `FapiaoAttemptFailed`, and `FapiaoIssued` (the e-invoice number
  and check code) or `FapiaoFailed` (the provider's reason). A failed request may be followed by
  a new `FapiaoRequested` (corrected buyer details) under a new `request_id`.
- `erecord-<record_id>`: `ERecordPrepared` (built from `reception.InvoiceSettled` and the site's
  enterprise identity), per attempt `ERecordSent`, then `ERecordAccepted`, `ERecordRejected` (the
  platform's reason; not retried) or `ERecordUploadFailed` (the platform unreachable or down:
  retried at `retry_at`); `ERecordResubmitted` sends a corrected record again.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from events.contract import Event
from events.personal_fields import PERSONAL
from events.rules import check_code

# 增值税普通发票 (normal) or 增值税专用发票 (special: the buyer deducts its input VAT with it).
FAPIAO_KINDS = ("normal", "special")


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FapiaoBuyer(_Value):
    """Who the fapiao is made out to. A company's name, tax id and bank are public registry data; a
    person's name, address, account and phone are theirs (sealed; the subject is `customer_id`,
    else the phone). `phone` is the last personal field: the fields before it find their subject
    by it, so it must still be plain text when they are sealed."""

    customer_id: UUID | None = None
    name: Annotated[str, PERSONAL] = Field(min_length=1)
    tax_id: str = ""
    address: Annotated[str, PERSONAL] = ""
    bank: str = ""
    account: Annotated[str, PERSONAL] = ""
    phone: Annotated[str, PERSONAL] = ""


class FapiaoLine(_Value):
    """A line of the e-invoice: the customer's share of one invoice line, VAT carved out."""

    name: str = Field(min_length=1)
    quantity: int = Field(gt=0)
    rate_bp: int = Field(ge=0, le=10000)
    net: int = Field(ge=0)
    tax: int = Field(ge=0)


class ERecordItem(_Value):
    """A repair item (维修项目) with its working time (工时) in minutes."""

    labour_operation: str
    description: str
    labour_minutes: int = Field(ge=0)


class ERecordPart(_Value):
    """A part fitted (配件): code, name, quantity."""

    part_number: str
    name: str
    quantity: int = Field(gt=0)


class ERecordContent(_Value):
    """One settlement's repair e-record with every field JT/T 1132 asks. The enterprise's name and
    licence number come from the site's billing settings and may be empty when the site has not
    set them: the platform rejects such a record, and a resubmission after the fix sends it again."""

    enterprise_name: str
    enterprise_licence_number: str
    plate: str
    vin: str
    repair_date: date
    mileage_km: int = Field(ge=0)
    fault_description: str
    settlement_date: date
    settlement_number: str
    items: tuple[ERecordItem, ...]
    parts: tuple[ERecordPart, ...]


class _FapiaoEvent(Event):
    """Abstract base: every fapiao event names its invoice and the request it answers."""

    invoice_id: UUID
    request_id: UUID


class FapiaoRequested(_FapiaoEvent, type="billing.FapiaoRequested", version=1):
    """The cashier asked for the invoice's e-invoice (`invoice_number` is billing's own): all the
    provider is sent, fixed here so that every attempt sends the same request. Amounts are the
    customer's share of the invoice, in fen; the seller is the site's enterprise identity."""

    invoice_number: str = Field(min_length=1)
    kind: str
    seller_name: str
    seller_tax_id: str
    buyer: FapiaoBuyer
    lines: tuple[FapiaoLine, ...]
    total_net: int = Field(ge=0)
    total_tax: int = Field(ge=0)
    total_gross: int = Field(ge=0)
    requested_by: str = Field(min_length=1)
    requested_at: AwareDatetime

    @field_validator("kind")
    @classmethod
    def kind_is_known(cls, value: str) -> str:
        return check_code(value, FAPIAO_KINDS, "fapiao kind")


class FapiaoAttemptFailed(_FapiaoEvent, type="billing.FapiaoAttemptFailed", version=1):
    """The provider could not be asked or did not answer (down, unreachable, timed out): asked
    again at `retry_at`, under the same idempotency key."""

    attempt: int = Field(gt=0)
    reason: str
    retry_at: AwareDatetime


class FapiaoIssued(_FapiaoEvent, type="billing.FapiaoIssued", version=1):
    """The provider issued the e-invoice."""

    einvoice_number: str = Field(min_length=1)
    check_code: str
    issued_at: AwareDatetime


class FapiaoFailed(_FapiaoEvent, type="billing.FapiaoFailed", version=1):
    """The provider refused the request, with its reason (e.g. a tax id that is not a unified
    social credit code): nothing was issued, the cashier may ask again with corrected details."""

    reason: str = Field(min_length=1)
    failed_at: AwareDatetime


class _ERecordEvent(Event):
    """Abstract base: every e-record event names its record."""

    record_id: UUID


class ERecordPrepared(_ERecordEvent, type="billing.ERecordPrepared", version=1):
    """A settlement's e-record, built and waiting to be uploaded (status pending)."""

    repair_order_id: UUID
    invoice_number: str
    record: ERecordContent
    settled_at: AwareDatetime
    prepared_at: AwareDatetime


class ERecordSent(_ERecordEvent, type="billing.ERecordSent", version=1):
    """Attempt `attempt` of the upload went out (status sent until the platform answers)."""

    attempt: int = Field(gt=0)
    sent_at: AwareDatetime


class ERecordUploadFailed(_ERecordEvent, type="billing.ERecordUploadFailed", version=1):
    """The platform was unreachable or answered that it is unavailable: tried again at `retry_at`."""

    attempt: int = Field(gt=0)
    reason: str
    retry_at: AwareDatetime


class ERecordAccepted(_ERecordEvent, type="billing.ERecordAccepted", version=1):
    """The platform accepted the record under its own id."""

    attempt: int = Field(gt=0)
    platform_record_id: str
    accepted_at: AwareDatetime


class ERecordRejected(_ERecordEvent, type="billing.ERecordRejected", version=1):
    """The platform rejected the record with its reason: not retried until resubmitted."""

    attempt: int = Field(gt=0)
    reason: str = Field(min_length=1)
    rejected_at: AwareDatetime


class ERecordResubmitted(_ERecordEvent, type="billing.ERecordResubmitted", version=1):
    """The record, built again (e.g. after the site's enterprise identity was corrected), is sent
    again: status pending, attempts counted afresh."""

    record: ERecordContent
    resubmitted_by: str = Field(min_length=1)
    resubmitted_at: AwareDatetime
