"""The SMS provider's stand-in: takes a text for a mainland mobile number with the account's key
(`Authorization: Bearer`; a wrong key is 401), answers with its message id (the same request
again under the same `Idempotency-Key` gets the same id and sends nothing more), refuses a number
that is not a mobile number (422), and reports delivered or failed to the request's
`callback_url` a moment later. A planned `lost_answer` sends but answers 503, as a lost answer looks."""

from __future__ import annotations

import re

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from standins.messages import box

router = APIRouter()
SMS_KEY = "local-sms-key"  # the notifications service's default SMS_KEY
_MOBILE = re.compile(r"^(\+?86)?1[3-9]\d{9}$")


class SendRequest(BaseModel):
    to: str = Field(min_length=1)
    text: str = Field(min_length=1, max_length=1000)
    callback_url: str = ""


@router.post("/sms/api/v1/messages", tags=["SMS provider"])
def send(
    body: SendRequest,
    request: Request,
    authorization: str = Header(default=""),
    idempotency_key: str = Header(default=""),
) -> JSONResponse:
    received = box(request)
    if authorization != f"Bearer {SMS_KEY}":
        return JSONResponse({"code": "unauthorised", "reason": "wrong key"}, status_code=401)
    if not idempotency_key:
        return JSONResponse({"code": "idempotency_key_missing", "reason": "Idempotency-Key is required"}, 400)
    known = received.known("sms", idempotency_key)
    if known is not None:
        return JSONResponse({"message_id": known.provider_id, "status": "accepted"}, status_code=200)
    failure = received.failures["sms"].next()
    mode = failure["mode"] if failure else None
    if mode == "unavailable":
        return JSONResponse({"code": "unavailable", "reason": "gateway busy, try again later"}, status_code=503)
    to = re.sub(r"[\s-]", "", body.to)
    if mode == "refused" or not _MOBILE.match(to):
        reason = "not a mainland mobile number" if mode != "refused" else "refused by the carrier"
        received.keep("sms", idempotency_key, to, "", body.text, "refused", reason)
        return JSONResponse({"code": "refused", "reason": reason}, status_code=422)
    provider_id = received.keep("sms", idempotency_key, to, "", body.text, "accepted")
    outcome = ("failed", "handset unreachable") if mode in ("failed", "bounced") else ("delivered", "")
    received.report_later("sms", provider_id, *outcome, body.callback_url)
    if mode == "lost_answer":
        # Sent, but the answer never reaches the sender: what its retry under the same key must survive.
        return JSONResponse({"code": "unavailable", "reason": "gateway timeout"}, status_code=503)
    return JSONResponse({"message_id": provider_id, "status": "accepted"}, status_code=201)
