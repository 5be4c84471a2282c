"""Examples of the main path's request bodies (check-in, estimate, signature, delivery), for the
OpenAPI document: what a desk sends, so a reader of `/docs` sees a visit from start to end.
Money is in minor units (fen); the estimate names catalogue references, priced by the catalogue."""

from __future__ import annotations

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

_PROMISE = {"promised_at": "2030-05-06T12:00:00+08:00", "payment_method": "card", "old_parts": "discard", "wash": True}

ESTIMATE: dict[str, Example] = {
    "menu": Example(
        summary="a service menu, priced by the catalogue",
        value={"menu_id": "A4L-10000", **_PROMISE},
    ),
    "items": Example(
        summary="catalogue items, one at a discount (with its reason), and a sublet line typed by hand",
        value={
            "items": [
                {
                    "labour_operation": "SVC-10000",
                    "parts": [{"part_number": "04152-YZZA1", "quantity": 1}],
                },
                {
                    "labour_operation": "BRK-PADS-F",
                    "parts": [{"part_number": "04465-33471", "quantity": 1}],
                    "labour_price": 10000,
                    "reason": "loyalty card",
                },
            ],
            "lines": [
                {
                    "line_id": "0f8c6a52-9d1e-4c3b-8f7a-6e5d4c3b2a10",
                    "labour_operation": "SUBLET-GLASS",
                    "description": "windscreen by the glass shop",
                    "labour_minutes": 0,
                    "labour_price": 60000,
                    "pay_type": "SUBLET",
                    "reason": "the glass shop fits windscreens",
                }
            ],
            **_PROMISE,
        },
    ),
}

SIGN: dict[str, Example] = {"signed": Example(summary="the customer's signature", value={"signature_ref": "scan-0001"})}

DELIVERY: dict[str, Example] = {
    "delivered": Example(
        summary="the work explained, old parts shown (the next service from the catalogue)",
        value={
            "work_explained": True,
            "old_parts_shown": True,
            "old_parts_returned": False,
        },
    )
}
