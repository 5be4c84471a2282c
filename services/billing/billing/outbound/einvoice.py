"""The e-invoice (fapiao) provider adapter: asks the provider to issue the e-invoice of one
request, under the request's id as `Idempotency-Key` — asked again (a retry after a timeout, a
crash between its answer and our commit), the provider answers with the invoice it issued the
first time, never a second one. The provider answers 201/200 issued (number and check code),
422 refused with its reason, or is down (5xx, unreachable, too slow): then we ask again later.
A 401 (a wrong key) and a 409 (the key reused for another request: our defect) are refusals
too: asking again would not help."""

from __future__ import annotations

from typing import Any

import httpx

from billing.outbound.answers import Answer, Done, Refused, Unavailable, post, reason_of
from billing.outbound.settings import OutboundSettings
from events.catalog.billing_outbound import FapiaoRequested


def wire(request: FapiaoRequested) -> dict[str, Any]:
    """The request in the provider's terms."""
    buyer = request.buyer
    return {
        "kind": request.kind,
        "seller_name": request.seller_name,
        "seller_tax_id": request.seller_tax_id,
        "buyer": {
            "name": buyer.name,
            "tax_id": buyer.tax_id,
            "address": buyer.address,
            "phone": buyer.phone,
            "bank": buyer.bank,
            "account": buyer.account,
        },
        "lines": [line.model_dump(mode="json") for line in request.lines],
        "total_net": request.total_net,
        "total_tax": request.total_tax,
        "total_gross": request.total_gross,
        "reference": request.invoice_number,
    }


class EInvoiceProvider:
    def __init__(self, settings: OutboundSettings, client: httpx.AsyncClient | None = None) -> None:
        self.url = settings.einvoice_url.rstrip("/")
        self.key = settings.einvoice_key
        self.timeout = settings.outbound_timeout_seconds
        self.client = client  # None: a client per call (calls are rare; nothing to close at shutdown)

    async def issue(self, request: FapiaoRequested) -> Answer:
        headers = {"authorization": f"Bearer {self.key}", "idempotency-key": str(request.request_id)}
        try:
            response = await post(
                self.client, self.timeout, f"{self.url}/invoices", json=wire(request), headers=headers
            )
        except httpx.HTTPError as error:  # unreachable, reset, too slow
            return Unavailable(f"the provider did not answer: {error!r}")
        if response.status_code >= 500 or response.status_code == 429:
            return Unavailable(f"the provider answered {response.status_code}: {reason_of(response)}")
        if response.status_code >= 400:
            return Refused(reason_of(response))
        body = response.json()
        return Done({"einvoice_number": str(body["invoice_number"]), "check_code": str(body.get("check_code", ""))})
