"""Published events of the billing service: the invoice of a repair order with its system-issued
gap-free number, VAT carved out of tax-inclusive prices, payments, deposits, refunds, voids, the
receivables of warranty/internal/goodwill lines and the cashier's day (docs/billing.md).

Money is an `int` in fen; VAT rates are `int` basis points (1300 = 13 %).

Streams:
- `invoice-<invoice_id>`: `InvoiceIssued`, `PaymentTaken`, `RefundMade`, `InvoicePaid`,
  `InvoiceVoided`. Every event carries `invoice_id`. `InvoicePaid` is what reception settles the
  repair order from (its `invoice_number` becomes `reception.InvoiceSettled.invoice_number`).
- `deposits-<repair_order_id>`: `DepositTaken`, money taken against a repair order before its
  invoice; `InvoiceIssued.deposits` names the deposits it applied.
- `cash_day-<site_id>-<YYYY-MM-DD>`: `CashDayClosed`, the cashier's totals per method.
- `billing_settings-<site_id>`: `BillingSettingsSet`, the site's VAT rates, rounding rule, invoice
  series and the enterprise identity the fapiao and the repair e-record print.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from events.catalog.reception_values import PAY_TYPES, Contact, VehicleIdentity
from events.catalog.reception_values import PAYMENT_METHODS as RECEPTION_PAYMENT_METHODS
from events.contract import Event
from events.rules import check_code

# Reception's "cash" and "card" are kept; its "mobile" and "transfer" are named for what Chinese
# cashiers actually take (WeChat Pay, Alipay, a bank transfer), and its "warranty_claim" is not a
# payment here: a warranty line is the manufacturer's receivable, never tendered at the desk.
PAYMENT_METHODS = (
    *(m for m in RECEPTION_PAYMENT_METHODS if m in ("cash", "card")),
    "wechat_pay",
    "alipay",
    "bank_transfer",
)
# What a line sells: labour, parts, or anything else (sublet, consumables); each has its VAT rate.
LINE_KINDS = ("labour", "parts", "other")
# How VAT is rounded to the fen (docs/billing.md "Tax"): each line, or each rate's total spread
# over its lines by the largest remainder.
ROUNDING_RULES = ("per_line", "per_total")
# Who owes a line: the customer at the desk, or a receivable of someone else.
PAYERS = ("customer", "manufacturer", "internal", "dealer")
CURRENCY = "CNY"


def payer_of(pay_type: str) -> str:
    """The STAR pay type → who owes the line. Warranty and manufacturer goodwill are claimed from
    the manufacturer, internal work is booked to the internal account, dealer goodwill is the
    dealer's own cost; everything else is the customer's bill."""
    return {
        "WARRANTY": "manufacturer",
        "MANUFACTURER": "manufacturer",
        "INTERNAL": "internal",
        "DEALER": "dealer",
    }.get(pay_type, "customer")


def _payment_method(value: str) -> str:
    return check_code(value, PAYMENT_METHODS, "payment method")


# A payment method of the published list (`PAYMENT_METHODS`), checked as a string (docs/contract.md).
PaymentMethod = Annotated[str, AfterValidator(_payment_method)]


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class VatRates(_Value):
    """VAT per line kind, in basis points."""

    labour: int = Field(ge=0, le=10000)
    parts: int = Field(ge=0, le=10000)
    other: int = Field(ge=0, le=10000)

    def rate(self, kind: str) -> int:
        return {"labour": self.labour, "parts": self.parts, "other": self.other}[
            check_code(kind, LINE_KINDS, "line kind")
        ]


class InvoiceLine(_Value):
    """One line of the invoice: a repair line's labour, or one of its parts. `gross` is the
    tax-inclusive price from the RO; `net + tax == gross`."""

    line_id: UUID
    kind: str
    description: str
    labour_operation: str | None = None
    part_number: str | None = None
    quantity: int = Field(gt=0)
    pay_type: str
    payer: str
    rate_bp: int = Field(ge=0, le=10000)
    gross: int = Field(ge=0)
    net: int = Field(ge=0)
    tax: int = Field(ge=0)

    @field_validator("kind")
    @classmethod
    def kind_is_known(cls, value: str) -> str:
        return check_code(value, LINE_KINDS, "line kind")

    @field_validator("pay_type")
    @classmethod
    def pay_type_is_known(cls, value: str) -> str:
        return check_code(value, PAY_TYPES, "pay type")

    @field_validator("payer")
    @classmethod
    def payer_is_known(cls, value: str) -> str:
        return check_code(value, PAYERS, "payer")

    @model_validator(mode="after")
    def tax_is_carved_out(self) -> InvoiceLine:
        if self.net + self.tax != self.gross:
            raise ValueError("net + tax must equal gross")
        return self


class Receivable(_Value):
    """What someone other than the customer owes for the invoice's lines of one pay type."""

    payer: str
    pay_type: str
    gross: int = Field(ge=0)
    net: int = Field(ge=0)
    tax: int = Field(ge=0)

    @field_validator("payer")
    @classmethod
    def payer_is_known(cls, value: str) -> str:
        return check_code(value, PAYERS, "payer")

    @field_validator("pay_type")
    @classmethod
    def pay_type_is_known(cls, value: str) -> str:
        return check_code(value, PAY_TYPES, "pay type")


class Tender(_Value):
    """Money by one method."""

    method: PaymentMethod
    amount: int = Field(gt=0)


class AppliedDeposit(_Value):
    """A deposit taken against the repair order, counted as paid on its invoice."""

    deposit_id: UUID
    method: PaymentMethod
    amount: int = Field(gt=0)


class MethodTotal(_Value):
    """One method's money over a cashier's day: taken (payments and deposits), refunded, net."""

    method: PaymentMethod
    taken: int = Field(ge=0)
    refunded: int = Field(ge=0)
    net: int


class _InvoiceEvent(Event):
    """Abstract base: every invoice event names its invoice."""

    invoice_id: UUID


class InvoiceIssued(_InvoiceEvent, type="billing.InvoiceIssued", version=1):
    """The invoice of a ready repair order, numbered by the system (`number`, the `sequence`-th of
    its site and `series`, gap-free). Lines carry net/tax/gross under the site's `vat_bp` and
    `rounding` at issue; `customer_*` is the customer's share, `receivables` everyone else's.
    `deposits` were taken against the RO before and count as paid."""

    repair_order_id: UUID
    number: str = Field(min_length=1)
    series: str = Field(min_length=1)
    sequence: int = Field(gt=0)
    currency: str = CURRENCY
    vat_bp: VatRates
    rounding: str
    buyer: Contact
    vehicle: VehicleIdentity
    lines: tuple[InvoiceLine, ...]
    customer_gross: int = Field(ge=0)
    customer_net: int = Field(ge=0)
    customer_tax: int = Field(ge=0)
    receivables: tuple[Receivable, ...] = ()
    deposits: tuple[AppliedDeposit, ...] = ()
    issued_by: str = Field(min_length=1)
    issued_at: AwareDatetime

    @field_validator("rounding")
    @classmethod
    def rounding_is_known(cls, value: str) -> str:
        return check_code(value, ROUNDING_RULES, "rounding rule")


class PaymentTaken(_InvoiceEvent, type="billing.PaymentTaken", version=1):
    """The customer paid part or all of the balance by one method. `cash_day` is the site-local
    day whose till it counts in."""

    payment_id: UUID
    method: PaymentMethod
    amount: int = Field(gt=0)
    reference: str | None = None
    cash_day: date
    taken_by: str = Field(min_length=1)
    taken_at: AwareDatetime


class RefundMade(_InvoiceEvent, type="billing.RefundMade", version=1):
    """Money given back, with why; never more than was paid."""

    refund_id: UUID
    method: PaymentMethod
    amount: int = Field(gt=0)
    reason: str = Field(min_length=1)
    cash_day: date
    refunded_by: str = Field(min_length=1)
    refunded_at: AwareDatetime


class InvoicePaid(_InvoiceEvent, type="billing.InvoicePaid", version=1):
    """The customer's share is paid in full (at issue when it is 0: all warranty/internal).
    Reception settles the repair order from it."""

    repair_order_id: UUID
    invoice_number: str = Field(min_length=1)
    series: str = Field(min_length=1)
    currency: str = CURRENCY
    customer_gross: int = Field(ge=0)
    payments: tuple[Tender, ...] = ()
    paid_at: AwareDatetime


class InvoiceVoided(_InvoiceEvent, type="billing.InvoiceVoided", version=1):
    """The invoice is cancelled; it keeps its number (the series has no gap) and says why. The
    repair order may be invoiced again, under the next number."""

    repair_order_id: UUID
    number: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    voided_by: str = Field(min_length=1)
    voided_at: AwareDatetime


class DepositTaken(Event, type="billing.DepositTaken", version=1):
    """Money taken against a repair order before its invoice exists; applied when it is issued."""

    deposit_id: UUID
    repair_order_id: UUID
    method: PaymentMethod
    amount: int = Field(gt=0)
    cash_day: date
    taken_by: str = Field(min_length=1)
    taken_at: AwareDatetime


class CashDayClosed(Event, type="billing.CashDayClosed", version=1):
    """The cashier closed the site's day: the totals per method (payments and deposits taken,
    refunds given) as counted at the close. A later payment counts in the next day."""

    site_id: str = Field(min_length=1)
    day: date
    totals: tuple[MethodTotal, ...]
    taken: int = Field(ge=0)
    refunded: int = Field(ge=0)
    net: int
    closed_by: str = Field(min_length=1)
    closed_at: AwareDatetime


class BillingSettingsSet(Event, type="billing.BillingSettingsSet", version=1):
    """A site's billing settings: VAT per line kind, the rounding rule, the invoice series (and
    each one's number format, docs/billing.md "Numbers"), the enterprise's identity (fapiao,
    repair e-record) and the site's time zone (the cashier's day)."""

    site_id: str = Field(min_length=1)
    vat_bp: VatRates
    rounding: str
    series: tuple[str, ...] = Field(min_length=1)
    number_formats: dict[str, str] = Field(default_factory=dict)
    enterprise_name: str = ""
    enterprise_licence_number: str = ""
    enterprise_tax_id: str = ""
    time_zone: str = "Asia/Shanghai"
    set_by: str = Field(min_length=1)
    set_at: AwareDatetime

    @field_validator("rounding")
    @classmethod
    def rounding_is_known(cls, value: str) -> str:
        return check_code(value, ROUNDING_RULES, "rounding rule")
