"""What the billing API accepts (request bodies, validated: 422 with field errors) and answers (the
views). Money is a whole number of fen: a JSON number with a fraction (or `100.0`) is a field
error, never rounded. Code lists are checked here too, so a typo is a field error."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from billing.domain.cash_day import CashDay
from billing.domain.invoice import Invoice
from billing.domain.numbers import format_problem
from billing.domain.settings import BillingSettings, SetBillingSettings
from events.catalog.billing import PAYMENT_METHODS, ROUNDING_RULES, MethodTotal, VatRates
from events.catalog.reception_values import Contact, VehicleIdentity
from events.rules import check_code


def _code(allowed: tuple[str, ...], what: str) -> AfterValidator:
    return AfterValidator(lambda value: check_code(value, allowed, what))


def _trimmed(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


Amount = Annotated[int, Field(strict=True, gt=0, le=1_000_000_000, description="fen, more than 0")]
Method = Annotated[str, _code(PAYMENT_METHODS, "payment method")]
Reason = Annotated[str, Field(min_length=1, max_length=1000), AfterValidator(_trimmed)]
SERIES_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
Series = Annotated[str, Field(pattern=SERIES_CODE.pattern, description="a series code, e.g. `service`")]
Rate = Annotated[int, Field(strict=True, ge=0, le=10000, description="basis points (1300 = 13 %)")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InvoiceBody(Body):
    """Invoice a ready repair order in a series of the site (its lines are read from reception)."""

    repair_order_id: UUID
    series: Series = "service"


class PaymentBody(Body):
    method: Method
    amount: Amount
    reference: str | None = Field(default=None, max_length=200, description="terminal slip, transfer id, ...")


class DepositBody(Body):
    repair_order_id: UUID
    method: Method
    amount: Amount


class RefundBody(Body):
    method: Method
    amount: Amount
    reason: Reason


class VoidBody(Body):
    reason: Reason


class VatBody(Body):
    labour: Rate
    parts: Rate
    other: Rate


class SettingsBody(Body):
    """The site's billing settings, replacing the previous ones. `number_formats`: per series, a
    format with `{year}` and `{seq}` (e.g. `SVC-{year}-{seq:06d}`); a series without one is
    numbered `<SERIES>-{year}-{seq:06d}` (`service`: `SVC-...`)."""

    vat_bp: VatBody
    rounding: Annotated[str, _code(ROUNDING_RULES, "rounding rule")] = "per_line"
    series: list[Series] = Field(min_length=1, max_length=20)
    number_formats: dict[str, str] = Field(default_factory=dict)
    enterprise_name: str = Field(default="", max_length=200)
    enterprise_licence_number: str = Field(default="", max_length=100)
    enterprise_tax_id: str = Field(default="", max_length=40)
    time_zone: str = Field(default="Asia/Shanghai", min_length=1, max_length=64)

    @model_validator(mode="after")
    def consistent(self) -> SettingsBody:
        if len(set(self.series)) != len(self.series):
            raise ValueError("each series is named once")
        for series, text in self.number_formats.items():
            if series not in self.series:
                raise ValueError(f"number_formats names {series!r}, which is not one of the series")
            problem = format_problem(text)
            if problem:
                raise ValueError(f"number_formats.{series}: {problem}")
        formats = [self.number_formats.get(s) for s in self.series if s in self.number_formats]
        if len(set(formats)) != len(formats):
            raise ValueError("two series with one number format would issue the same numbers")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"time_zone {self.time_zone!r} is not an IANA time zone") from None
        return self

    def command(self, site_id: str, set_by: str, at: datetime) -> SetBillingSettings:
        return SetBillingSettings(
            site_id=site_id,
            vat_bp=VatRates(**self.vat_bp.model_dump()),
            rounding=self.rounding,
            series=tuple(self.series),
            number_formats=dict(self.number_formats),
            enterprise_name=self.enterprise_name,
            enterprise_licence_number=self.enterprise_licence_number,
            enterprise_tax_id=self.enterprise_tax_id,
            time_zone=self.time_zone,
            set_by=set_by,
            set_at=at,
        )


# --- views ----------------------------------------------------------------------------------


class View(BaseModel):
    """What the API answers: the shape its OpenAPI document names."""


class SettingsView(View):
    vat_bp: VatRates
    rounding: str
    series: list[str]
    number_formats: dict[str, str] = Field(description="every series' format, its default when not set")
    enterprise_name: str
    enterprise_licence_number: str
    enterprise_tax_id: str
    time_zone: str
    set_by: str | None
    set_at: datetime | None
    version: int


def settings_view(settings: BillingSettings, version: int) -> SettingsView:
    return SettingsView(
        vat_bp=settings.vat_bp,
        rounding=settings.rounding,
        series=list(settings.series),
        number_formats={s: settings.number_format(s) for s in settings.series},
        enterprise_name=settings.enterprise_name,
        enterprise_licence_number=settings.enterprise_licence_number,
        enterprise_tax_id=settings.enterprise_tax_id,
        time_zone=settings.time_zone,
        set_by=settings.set_by,
        set_at=settings.set_at,
        version=version,
    )


class LineView(View):
    line_id: UUID = Field(description="the repair order's line")
    kind: str = Field(description="labour, parts or other")
    description: str
    labour_operation: str | None
    part_number: str | None
    quantity: int
    pay_type: str
    payer: str = Field(description="customer, manufacturer, internal or dealer")
    gross: int = Field(description="fen, tax inclusive")
    net: int
    tax: int
    rate_bp: int


class Totals(View):
    gross: int
    net: int
    tax: int


class RateTotals(Totals):
    rate_bp: int


class ReceivableView(View):
    payer: str
    pay_type: str
    gross: int
    net: int
    tax: int


class PaymentView(View):
    payment_id: UUID
    kind: str = Field(description="payment, or a deposit taken before the invoice")
    method: str
    amount: int
    reference: str | None
    taken_by: str | None
    taken_at: datetime | None


class RefundView(View):
    refund_id: UUID
    method: str
    amount: int
    reason: str
    refunded_by: str
    refunded_at: datetime


class VoidView(View):
    reason: str
    at: datetime
    by: str


class InvoiceView(View):
    """One invoice, all a printed invoice needs (the gateway renders its PDF from this)."""

    invoice_id: UUID
    number: str
    series: str
    repair_order_id: UUID
    status: str = Field(description="issued, paid or voided")
    currency: str
    buyer: Contact
    vehicle: VehicleIdentity
    vat_bp: VatRates
    rounding: str
    lines: list[LineView]
    totals: Totals = Field(description="every line: the customer's and the receivables")
    customer: Totals = Field(description="the customer's share: what the desk collects")
    taxes: list[RateTotals] = Field(description="per VAT rate: the gross, net and tax of its lines")
    receivables: list[ReceivableView]
    payments: list[PaymentView]
    refunds: list[RefundView]
    paid: int = Field(description="held: deposits and payments less refunds")
    balance: int = Field(description="still owed by the customer (negative: owed back)")
    issued_by: str
    issued_at: datetime
    paid_at: datetime | None
    voided: VoidView | None
    fapiao: dict[str, Any] | None = Field(default=None, description="the e-invoice (fapiao), once requested")
    version: int


def invoice_view(state: Invoice, version: int, fapiao: Mapping[str, Any] | None = None) -> InvoiceView:
    issued = state.issued
    assert issued is not None  # `load` refuses an invoice that does not exist
    rates: dict[int, list[int]] = {}
    for line in issued.lines:
        gross, net, tax = rates.setdefault(line.rate_bp, [0, 0, 0])
        rates[line.rate_bp] = [gross + line.gross, net + line.net, tax + line.tax]
    deposits = [
        PaymentView(
            payment_id=d.deposit_id,
            kind="deposit",
            method=d.method,
            amount=d.amount,
            reference=None,
            taken_by=None,
            taken_at=None,
        )
        for d in issued.deposits
    ]
    payments = [
        PaymentView(
            payment_id=p.payment_id,
            kind="payment",
            method=p.method,
            amount=p.amount,
            reference=p.reference,
            taken_by=p.taken_by,
            taken_at=p.taken_at,
        )
        for p in state.payments
    ]
    return InvoiceView(
        invoice_id=issued.invoice_id,
        number=issued.number,
        series=issued.series,
        repair_order_id=issued.repair_order_id,
        status=state.status,
        currency=issued.currency,
        buyer=issued.buyer,
        vehicle=issued.vehicle,
        vat_bp=issued.vat_bp,
        rounding=issued.rounding,
        lines=[LineView(**line.model_dump()) for line in issued.lines],
        totals=Totals(
            gross=sum(x.gross for x in issued.lines),
            net=sum(x.net for x in issued.lines),
            tax=sum(x.tax for x in issued.lines),
        ),
        customer=Totals(gross=issued.customer_gross, net=issued.customer_net, tax=issued.customer_tax),
        taxes=[RateTotals(rate_bp=rate, gross=g, net=n, tax=t) for rate, (g, n, t) in sorted(rates.items())],
        receivables=[ReceivableView(**r.model_dump()) for r in issued.receivables],
        payments=deposits + payments,
        refunds=[
            RefundView(
                refund_id=r.refund_id,
                method=r.method,
                amount=r.amount,
                reason=r.reason,
                refunded_by=r.refunded_by,
                refunded_at=r.refunded_at,
            )
            for r in state.refunds
        ],
        paid=state.held,
        balance=state.balance,
        issued_by=issued.issued_by,
        issued_at=issued.issued_at,
        paid_at=state.paid.paid_at if state.paid else None,
        voided=VoidView(reason=state.voided.reason, at=state.voided.voided_at, by=state.voided.voided_by)
        if state.voided
        else None,
        fapiao=dict(fapiao) if fapiao is not None else None,
        version=version,
    )


class DepositView(View):
    deposit_id: UUID
    repair_order_id: UUID
    method: str
    amount: int
    cash_day: date
    taken_by: str
    taken_at: datetime


class CashDayView(View):
    """A site-local day's till: per method, money taken (payments and deposits), refunded, net."""

    day: date
    totals: list[MethodTotal]
    taken: int
    refunded: int
    net: int
    closed: bool
    closed_by: str | None
    closed_at: datetime | None


def cash_day_view(day: date, totals: tuple[MethodTotal, ...], state: CashDay) -> CashDayView:
    closed = state.closed
    if closed is not None:
        totals = closed.totals  # what the close counted is the day's record
    taken, refunded = sum(t.taken for t in totals), sum(t.refunded for t in totals)
    return CashDayView(
        day=day,
        totals=list(totals),
        taken=taken,
        refunded=refunded,
        net=taken - refunded,
        closed=closed is not None,
        closed_by=closed.closed_by if closed else None,
        closed_at=closed.closed_at if closed else None,
    )


class ReceivableRow(View):
    invoice_id: UUID
    invoice_number: str
    repair_order_id: UUID
    payer: str
    pay_type: str
    gross: int
    net: int
    tax: int
    issued_at: datetime
