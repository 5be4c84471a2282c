"""The e-invoice (fapiao) provider's stand-in: issues an e-invoice number and check code for a
request it accepts, refuses one a tax office would (a buyer's tax id that is not a unified social
credit code, a special VAT invoice without the buyer's bank details, totals that do not add up),
and answers a request again under the same Idempotency-Key with the same invoice."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from standins import EINVOICE_KEY
from standins.ledger import Failures, Ledger
from standins.pages import page

router = APIRouter()
PARTY = "einvoice"
_ISSUING = threading.Lock()  # a number is drawn and recorded in one step

# GB 32100-2015: the unified social credit code's alphabet and its check digit's weights.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_problem(code: str) -> str | None:
    """Why `code` is not a unified social credit code (统一社会信用代码), or None."""
    if len(code) != 18:
        return f"税号应为18位统一社会信用代码 (a tax id is an 18-character unified social credit code, not {len(code)})"
    if any(c not in _USCC_ALPHABET for c in code):
        return "税号含非法字符 (the tax id has characters a unified social credit code never uses)"
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    if _USCC_ALPHABET[(31 - total % 31) % 31] != code[17]:
        return "税号校验位错误 (the tax id's check character is wrong)"
    return None


class Buyer(BaseModel):
    name: str
    tax_id: str = ""
    address: str = ""
    phone: str = ""
    bank: str = ""
    account: str = ""


class Line(BaseModel):
    name: str
    quantity: int
    net: int
    tax: int
    rate_bp: int


class IssueRequest(BaseModel):
    kind: str = Field(description="normal (增值税普通发票) or special (增值税专用发票)")
    seller_name: str
    seller_tax_id: str
    buyer: Buyer
    lines: list[Line]
    total_net: int
    total_tax: int
    total_gross: int
    reference: str = Field(description="the seller's own invoice number")


def refusal(request: IssueRequest) -> str | None:
    """The provider's reason to refuse `request`, or None."""
    if request.kind not in ("normal", "special"):
        return f"发票种类无效 (unknown invoice kind {request.kind!r})"
    if not request.buyer.name.strip():
        return "购买方名称为空 (the buyer's name is missing)"
    if request.buyer.tax_id or request.kind == "special":
        problem = uscc_problem(request.buyer.tax_id)
        if problem:
            return problem
    if request.kind == "special":
        missing = [f for f in ("address", "phone", "bank", "account") if not getattr(request.buyer, f).strip()]
        if missing:
            return (
                f"专用发票需购买方地址、电话、开户行及账号 (a special invoice needs the buyer's {', '.join(missing)})"
            )
    if not request.lines:
        return "发票无明细 (the invoice has no lines)"
    if sum(line.net for line in request.lines) != request.total_net:
        return "金额合计与明细不符 (total_net is not the sum of the lines)"
    if sum(line.tax for line in request.lines) != request.total_tax:
        return "税额合计与明细不符 (total_tax is not the sum of the lines)"
    if request.total_net + request.total_tax != request.total_gross:
        return "价税合计不符 (total_gross is not total_net + total_tax)"
    return None


def _answer(ledger: Ledger, key: str, request: IssueRequest) -> dict[str, Any]:
    number = ledger.next_number(PARTY)
    year = datetime.now(UTC).strftime("%y")
    digest = int(hashlib.sha256(key.encode()).hexdigest(), 16)
    return {
        "invoice_number": f"{year}44{number:016d}",  # a 20-digit fully digitalised e-invoice number
        "check_code": f"{digest % 10**20:020d}",
        "issued_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "total_gross": request.total_gross,
    }


@router.post("/einvoice/api/v1/invoices", tags=["e-invoice provider"])
def issue(
    body: IssueRequest,
    request: Request,
    authorization: str = Header(default=""),
    idempotency_key: str = Header(default=""),
) -> JSONResponse:
    ledger: Ledger = request.app.state.ledger
    failures: Failures = request.app.state.einvoice_failures
    if authorization != f"Bearer {EINVOICE_KEY}":
        return JSONResponse({"code": "unauthorised", "reason": "密钥无效 (wrong key)"}, status_code=401)
    if not idempotency_key:
        return JSONResponse({"code": "idempotency_key_missing", "reason": "Idempotency-Key is required"}, 400)
    failure = failures.next()
    if failure and failure["mode"] == "unavailable":
        return JSONResponse({"code": "unavailable", "reason": "服务暂不可用 (try again later)"}, status_code=503)
    sent = body.model_dump(mode="json")
    with _ISSUING:
        known = ledger.find(PARTY, idempotency_key)
        if known is not None and known.request != sent:
            return JSONResponse(
                {"code": "idempotency_key_reused", "reason": "another request was made under this key"}, 409
            )
        if known is not None:
            ledger.record(PARTY, idempotency_key, sent, known.answer)  # counts the repeat
            answer, status = known.answer, 200
        else:
            reason = refusal(body)
            answer = {"code": "refused", "reason": reason} if reason else _answer(ledger, idempotency_key, body)
            ledger.record(PARTY, idempotency_key, sent, answer)
            status = 422 if reason else 201
    if failure and failure["mode"] == "lost_answer":
        # Issued and recorded, but the answer never reaches the caller: what a retry must survive.
        return JSONResponse({"code": "unavailable", "reason": "gateway timeout"}, status_code=503)
    return JSONResponse(answer, status_code=status if "code" not in answer else 422)


class FailurePlan(BaseModel):
    count: int = Field(ge=1)
    mode: str = Field(default="unavailable", pattern="^(unavailable|lost_answer)$")


@router.post("/einvoice/admin/failures", tags=["e-invoice provider"])
def fail_next(plan: FailurePlan, request: Request) -> dict[str, int]:
    """Fail the next `count` issue requests: `unavailable` (503, nothing issued) or `lost_answer`
    (issued, but answered 503 as if the answer were lost)."""
    failures: Failures = request.app.state.einvoice_failures
    failures.plan(plan.count, {"mode": plan.mode})
    return {"pending_failures": failures.pending()}


@router.get("/einvoice/admin/invoices", tags=["e-invoice provider"])
def received(request: Request) -> list[dict[str, Any]]:
    ledger: Ledger = request.app.state.ledger
    return [
        {
            "idempotency_key": e.key,
            "received_at": e.received_at,
            "receipts": e.receipts,
            "request": e.request,
            "answer": e.answer,
        }
        for e in ledger.newest_first(PARTY)
    ]


@router.get("/einvoice", response_class=HTMLResponse, include_in_schema=False)
def einvoice_page(request: Request) -> str:
    ledger: Ledger = request.app.state.ledger
    rows = []
    for e in ledger.newest_first(PARTY):
        buyer, answer = e.request["buyer"], e.answer
        outcome = answer.get("reason") or f"{answer['invoice_number']} / {answer['check_code']}"
        rows.append(
            (
                [
                    e.received_at,
                    e.request["reference"],
                    e.request["kind"],
                    buyer["name"],
                    buyer["tax_id"],
                    f"{e.request['total_gross'] / 100:.2f}",
                    outcome,
                    str(e.receipts),
                ],
                "reason" in answer,
            )
        )
    return page(
        "E-invoice provider (local stand-in)",
        "A stand-in of the e-invoice provider billing talks to: not part of dealerflow. What it was asked to issue, "
        "newest first; a request repeated under the same Idempotency-Key is one invoice (receipts counts them).",
        [
            "received",
            "seller's number",
            "kind",
            "buyer",
            "buyer tax id",
            "gross (CNY)",
            "e-invoice / check code",
            "receipts",
        ],
        rows,
    )
