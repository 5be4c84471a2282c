"""Examples of the main path's request bodies (check-in, estimate, signature, delivery), for the
OpenAPI document: what a desk sends, so a reader of `/docs` sees a visit from start to end.
Money is in minor units (fen)."""

from __future__ import annotations

from typing import Any

from fastapi.openapi.models import Example

CHECK_IN: dict[str, Example] = {
    "walk_in": Example(
        summary="a walk-in who leaves the car",
        value={
            "arrival_kind": "walk_in",
            "customer": {"name": "Wang Wei", "phone": "13800000001"},
            "vehicle": {"vin": "LFV3A23C0J3000001", "plate": "京A12345", "model": "Audi A4L"},
            "customer_waiting": False,
            "contact_phone": "13800000001",
            "arrived_at": "2026-05-06T09:00:00+08:00",
        },
    ),
    "appointment": Example(
        summary="an appointment car: its arrival is booking's record",
        value={
            "arrival_kind": "appointment",
            "appointment_id": "3b0e9f6c-2f4d-4a51-9a8e-7c1d2b3a4f50",
            "customer": {"name": "Li Na", "phone": "13900000002"},
            "vehicle": {"vin": "LFV3A23C0J3000002", "plate": "京B67890"},
            "customer_waiting": True,
        },
    ),
}

_SERVICE: dict[str, Any] = {
    "line_id": "0f8c6a52-9d1e-4c3b-8f7a-6e5d4c3b2a10",
    "labour_operation": "SVC-10000",
    "description": "10,000 km service",
    "labour_minutes": 40,
    "labour_price": 8000,
    "pay_type": "CUSTOMER_PAY",
    "parts": [{"part_number": "04152-YZZA1", "description": "oil filter", "quantity": 1, "unit_price": 3200}],
}

ESTIMATE: dict[str, Example] = {
    "service": Example(
        summary="a service with its promised time",
        value={
            "lines": [_SERVICE],
            "promised_at": "2030-05-06T12:00:00+08:00",
            "payment_method": "card",
            "old_parts": "discard",
            "wash": True,
        },
    )
}

SIGN: dict[str, Example] = {"signed": Example(summary="the customer's signature", value={"signature_ref": "scan-0001"})}

DELIVERY: dict[str, Example] = {
    "delivered": Example(
        summary="the work explained, old parts shown",
        value={
            "work_explained": True,
            "old_parts_shown": True,
            "old_parts_returned": False,
            "next_service_due_km": 20000,
        },
    )
}
