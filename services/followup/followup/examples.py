"""Examples of the main operations' bodies, shown in the OpenAPI document (and tried by the
schema tests, so each is a body the service accepts)."""

from __future__ import annotations

from fastapi.openapi.models import Example

ATTEMPT_EXAMPLES = {
    "unreachable": Example(
        summary="no answer: tried again in 2 hours", value={"outcome": "unreachable", "note": "no answer"}
    ),
    "call me later": Example(
        summary="the customer asks to be called at a time they give",
        value={"outcome": "call_me_later", "call_me_later_at": "2030-05-02T18:30:00+08:00"},
    ),
    "reached": Example(
        summary="reached, the call script's answers: a dissatisfied customer opens a complaint",
        value={
            "outcome": "reached",
            "answers": {
                "problem_fixed": False,
                "satisfaction_score": 2,
                "read_back_confirmed": True,
                "dissatisfaction": ["price", "time"],
                "customer_words": "the brakes still squeal, and it was expensive",
                "unanswered_question": "how long is the warranty left?",
            },
        },
    ),
}
ANSWER_EXAMPLES = {
    "today": Example(
        summary="the supervisor's answer; the customer is told by the end of today",
        value={"answer": "two more years or 60,000 km"},
    ),
}
CAMPAIGN_EXAMPLES = {
    "free service": Example(
        summary="a free check in two weeks' time: customers are phoned, then written to",
        value={
            "kind": "free_service",
            "title": "winter check",
            "starts_at": "2030-11-15T09:00:00+08:00",
            "file_ids": ["0b5c6a52-2d0e-4a51-9d49-0c1f0e8a7d11"],
        },
    ),
}
