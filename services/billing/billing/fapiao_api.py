"""The fapiao routes: the cashier asks for an invoice's e-invoice; anyone who reads invoices
sees how it stands (also on the invoice view, as `fapiao`)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field

from billing import fapiao_views as views
from billing.fapiao_handlers import Fapiaos
from events.catalog.billing_outbound import FapiaoBuyer
from events.errors import NotFound
from events.http import Actor, CurrentIdentity, SiteId, acting, site_tenant
from events.identity import ADVISOR, CASHIER, SERVICE_MANAGER, SYSTEM
from events.openapi import refusals

router = APIRouter(tags=["fapiao"])

InvoiceId = Annotated[UUID, Path(description="the invoice id")]
CashDesk = Annotated[Actor, acting(CASHIER, SERVICE_MANAGER)]
READERS = (CASHIER, SERVICE_MANAGER, ADVISOR, SYSTEM)
# A taxpayer id: the 18-character unified social credit code (the provider checks its check
# character), or an older 15- or 20-character registration number.
TAX_ID = re.compile(r"^[0-9A-Z]{15}$|^[0-9A-Z]{18}$|^[0-9A-Z]{20}$")
SPECIAL_NEEDS = ("buyer_tax_id", "address", "phone", "bank", "account")


class FapiaoBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Literal["normal", "special"] = Field(
        description="normal: 增值税普通发票; special: 增值税专用发票 (the buyer deducts its input VAT)"
    )
    buyer_name: str = Field(min_length=1, max_length=200)
    buyer_tax_id: str = Field(default="", max_length=20, description="required for a special invoice")
    address: str = Field(default="", max_length=300, description="required for a special invoice")
    phone: str = Field(default="", max_length=40, description="required for a special invoice")
    bank: str = Field(default="", max_length=200, description="the buyer's bank; required for a special invoice")
    account: str = Field(default="", max_length=60, description="the buyer's account; required for a special invoice")
    customer_id: UUID | None = Field(default=None, description="the buyer, when a customer of ours (a person)")

    def field_errors(self) -> list[dict[str, Any]]:
        errors = []
        if self.kind == "special":
            for name in SPECIAL_NEEDS:
                if not getattr(self, name):
                    errors.append(
                        {"loc": ("body", name), "msg": "required for a special VAT invoice", "type": "missing"}
                    )
        if self.buyer_tax_id and not TAX_ID.match(self.buyer_tax_id):
            msg = "a taxpayer id is 18 characters (the unified social credit code), or 15 or 20: digits and capitals"
            errors.append({"loc": ("body", "buyer_tax_id"), "msg": msg, "type": "value_error"})
        return errors

    def buyer(self) -> FapiaoBuyer:
        return FapiaoBuyer(
            customer_id=self.customer_id,
            name=self.buyer_name,
            tax_id=self.buyer_tax_id,
            address=self.address,
            phone=self.phone,
            bank=self.bank,
            account=self.account,
        )


class FapiaoView(BaseModel):
    kind: str
    status: str = Field(description="pending (asked of the provider), issued, or failed (see reason)")
    buyer_name: str
    buyer_tax_id: str
    total_gross: int = Field(description="fen, the customer's share of the invoice")
    einvoice_number: str | None
    check_code: str | None
    reason: str | None = Field(description="the provider's reason, when failed")
    attempts: int = Field(description="calls that found the provider unavailable")
    last_error: str | None
    retry_at: datetime | None
    requested_at: datetime
    issued_at: datetime | None


def fapiaos_of(request: Request) -> Fapiaos:
    fapiaos: Fapiaos = request.app.state.fapiaos
    return fapiaos


@router.post(
    "/sites/{site_id}/invoices/{invoice_id}/fapiao",
    status_code=202,
    responses=refusals("fapiao_pending", "fapiao_issued", "no_fapiao_for_invoice"),
)
async def request_fapiao(
    invoice_id: InvoiceId, body: FapiaoBody, request: Request, response: Response, by: CashDesk
) -> FapiaoView:
    """Ask for the invoice's e-invoice: recorded as pending now, asked of the provider once this
    commits (and again, with back-off, while the provider is unavailable). The same request again
    answers 200 with the fapiao as it stands; after a failure a corrected request is a new one."""
    errors = body.field_errors()
    if errors:
        raise RequestValidationError(errors)
    fapiaos = fapiaos_of(request)
    _, asked = await fapiaos.request(by.metadata, invoice_id, body.kind, body.buyer())
    if not asked:
        response.status_code = 200
    shown = await views.fapiao_of(fapiaos.runtime.pool, by.tenant, invoice_id)
    assert shown is not None  # written with the request's events
    return FapiaoView(**shown)


@router.get("/sites/{site_id}/invoices/{invoice_id}/fapiao", responses=refusals())
async def get_fapiao(site_id: SiteId, invoice_id: InvoiceId, identity: CurrentIdentity, request: Request) -> FapiaoView:
    """The invoice's fapiao as it stands (404 when none was asked for)."""
    tenant = site_tenant(identity, site_id, READERS)
    shown = await views.fapiao_of(fapiaos_of(request).runtime.pool, tenant, invoice_id)
    if shown is None:
        raise NotFound(f"no fapiao was asked for invoice {invoice_id}")
    return FapiaoView(**shown)
