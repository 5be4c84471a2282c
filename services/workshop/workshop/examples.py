"""Examples of the main operations' bodies, shown in the OpenAPI document (and tried by the
schema tests, so each is a body the service accepts): the dispatcher hands a job to a
technician and a bay, the technician reports what else the car needs, the inspector checks it."""

from __future__ import annotations

from fastapi.openapi.models import Example

DISPATCH_EXAMPLES = {
    "bay": Example(
        summary="the brake job to Wang Lei on lift 2",
        value={"technician_id": "tech-wang-lei", "bay": "lift-2"},
    ),
}
PAUSE_EXAMPLES = {
    "parts": Example(summary="the technician stops: a part is missing", value={"reason": "waiting_parts"}),
    "for_someone": Example(
        summary="the dispatcher clocks off a technician who left for the day",
        value={"technician_id": "tech-wang-lei", "reason": "end_of_shift"},
    ),
}
FINDINGS_EXAMPLES = {
    "discs": Example(
        summary="worn brake discs found at the initial inspection: safety-critical, priced, with a photo",
        value={
            "findings": [
                {
                    "description": "front brake discs worn below the minimum thickness",
                    "safety_critical": True,
                    "proposed_lines": [
                        {
                            "line_id": "5d0c1f3e-8a51-4b9e-9a6e-2f1c0b7d4e21",
                            "labour_operation": "BRAKE-DISC-F",
                            "description": "replace front brake discs and pads",
                            "labour_minutes": 60,
                            "labour_price": 24_000,
                            "pay_type": "CUSTOMER_PAY",
                            "parts": [
                                {
                                    "part_number": "43512-02220",
                                    "description": "front brake disc",
                                    "quantity": 2,
                                    "unit_price": 45_000,
                                }
                            ],
                            "safety_critical": True,
                        }
                    ],
                    "extra_minutes": 60,
                    "evidence_refs": ["photo:front-left-disc.jpg"],
                }
            ]
        },
    ),
}
QUALITY_CHECK_EXAMPLES = {
    "passed": Example(summary="every concern addressed: the car is ready for delivery", value={"passed": True}),
    "failed": Example(
        summary="the pads still squeal: the brake job goes back as rework",
        value={
            "passed": False,
            "reasons": ["front brakes squeal under light braking"],
            "rework_job_ids": ["5d0c1f3e-8a51-4b9e-9a6e-2f1c0b7d4e21"],
        },
    ),
}
