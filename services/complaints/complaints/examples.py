"""Examples of the main operations' bodies, shown in the OpenAPI document (and tried by the
schema tests, so each is a body the service accepts)."""

from __future__ import annotations

from fastapi.openapi.models import Example

RECEIVE_EXAMPLES = {
    "waiting": Example(
        summary="a complaint by phone: a long wait nobody explained",
        value={
            "channel": "phone",
            "kind": "complaint",
            "category": "time",
            "customer_words": "I waited three hours for an oil change and nobody told me why",
            "customer_id": "0b5c6a52-2d0e-4a51-9d49-0c1f0e8a7d11",
            "vin": "LFV2A21K8G3000001",
        },
    ),
    "serious": Example(
        summary="a serious complaint: escalated to the service manager at once",
        value={
            "channel": "walk_in",
            "kind": "complaint",
            "category": "quality",
            "customer_words": "the brakes failed on the highway the day after the service",
            "customer_id": "0b5c6a52-2d0e-4a51-9d49-0c1f0e8a7d11",
            "serious_reasons": ["safety"],
        },
    ),
}
DECISION_EXAMPLES = {
    "goodwill": Example(
        summary="within the deciding person's limit",
        value={
            "remedy": "goodwill",
            "description": "a free wash and a 200 CNY voucher",
            "cost": 20_000,
            "remedy_due": "2030-05-02T18:00:00+08:00",
            "spokesperson": "advisor-1",
        },
    ),
    "manufacturer": Example(
        summary="beyond the dealer's limit: the manufacturer's customer service authorised it",
        value={
            "remedy": "replacement",
            "description": "a replacement gearbox",
            "cost": 3_500_000,
            "remedy_due": "2030-05-09T18:00:00+08:00",
            "spokesperson": "service_manager-1",
            "manufacturer_authorisation": {"person": "Zhou Min", "reference": "CS-2030-0412"},
        },
    ),
}
ACTION_EXAMPLES = {
    "apology": Example(
        summary="the remedy handed over in the customer's presence",
        value={
            "description": "apology by the service manager; voucher handed over",
            "cost": 20_000,
            "in_customer_presence": True,
            "customer_satisfied": True,
        },
    ),
}
FOLLOW_UP_EXAMPLES = {
    "satisfied": Example(
        summary="satisfied: the complaint closes and its report goes into the customer's record",
        value={"satisfied": True, "channel": "phone", "report_summary": "waiting-time complaint settled"},
    ),
    "not satisfied": Example(
        summary="not satisfied: back to the facts",
        value={
            "satisfied": False,
            "channel": "phone",
            "back_to": "confirm_facts",
            "customer_words": "the noise is back after two days",
        },
    ),
}
