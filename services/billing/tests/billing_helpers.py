"""Repair orders and commands for billing's tests: reception's RO view as billing reads it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from billing.domain.invoice import IssueInvoice, MakeRefund, RepairOrderCopy, TakePayment, VoidInvoice
from billing.domain.settings import DEFAULT_VAT
from billing.handlers import repair_order_copy
from events.catalog.billing import AppliedDeposit

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
DAY = date(2026, 3, 2)


def line(
    pay_type: str = "CUSTOMER_PAY", labour: int = 38_000, parts: tuple[tuple[str, int, int], ...] = (), **extra: Any
) -> dict[str, Any]:
    """A repair line as reception shows it; `parts` are (part number, quantity, unit price)."""
    return {
        "line_id": str(uuid.uuid4()),
        "labour_operation": extra.pop("labour_operation", "OIL-10K"),
        "description": extra.pop("description", "10,000 km service"),
        "labour_minutes": 60,
        "labour_price": labour,
        "pay_type": pay_type,
        "pay_type_reason": "goodwill: loyal customer" if pay_type in ("DEALER", "MANUFACTURER") else None,
        "parts": [
            {"part_number": number, "description": f"part {number}", "quantity": quantity, "unit_price": price}
            for number, quantity, price in parts
        ],
        "safety_critical": False,
        "origin": "estimate",
        **extra,
    }


def repair_order(*lines: dict[str, Any], ready: bool = True, ro: UUID | None = None) -> dict[str, Any]:
    """The fields of reception's `GET /sites/{s}/repair-orders/{id}` billing reads (and a few more)."""
    return {
        "repair_order_id": str(ro or uuid.uuid4()),
        "status": "ready" if ready else "in_workshop",
        "customer": {"name": "Li Wei", "phone": "13800138000", "customer_id": str(uuid.uuid4())},
        "vehicle": {"vin": "LFV2A21K8G3000001", "plate": "沪A12345", "model": "Camry"},
        "lines": list(lines) or [line(parts=(("90915-YZZD2", 1, 4_550), ("0888083720", 4, 5_750)))],
        "ready": ready,
        "currency": "CNY",
    }


def issue(
    ro: dict[str, Any],
    *,
    invoice_id: UUID | None = None,
    deposits: tuple[AppliedDeposit, ...] = (),
    rounding: str = "per_line",
    sequence: int = 1,
) -> IssueInvoice:
    copy: RepairOrderCopy = repair_order_copy(ro)
    return IssueInvoice(
        invoice_id=invoice_id or uuid.uuid4(),
        repair_order=copy,
        series="service",
        number=f"SVC-2026-{sequence:06d}",
        sequence=sequence,
        vat_bp=DEFAULT_VAT,
        rounding=rounding,
        deposits=deposits,
        issued_by="cashier-1",
        issued_at=AT,
    )


def pay(amount: int, method: str = "cash", payment_id: UUID | None = None) -> TakePayment:
    return TakePayment(payment_id or uuid.uuid4(), method, amount, None, DAY, "cashier-1", AT)


def refund(amount: int, method: str = "cash", reason: str = "labour charged twice") -> MakeRefund:
    return MakeRefund(uuid.uuid4(), method, amount, reason, DAY, "cashier-1", AT)


def void(reason: str = "wrong pay type on the brake job") -> VoidInvoice:
    return VoidInvoice(reason, "manager-1", AT)
