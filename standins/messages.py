"""The message receivers' memory and page: every SMS, e-mail and WeChat template message the
stand-ins received, with its delivery status, per customer (their phone, e-mail or openid).

A receiver reports the outcome of a message it accepted to the callback its sender gave (an SMS
request's `callback_url`, an e-mail's `X-Delivery-Report-To` header) a moment later, as real
providers do: delivered, failed or bounced. `/messages/admin/failures` makes the next N of a
channel fail: unavailable (503), refused (422), failed or bounced (accepted, then reported so)."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from standins.ledger import Failures
from standins.pages import page

log = logging.getLogger(__name__)
router = APIRouter()
CHANNELS = ("sms", "mail", "wechat")
REPORT_DELAY = 0.3  # seconds between accepting a message and reporting on it, as a network would
REPORT_ATTEMPTS = 60  # 18 s: a sender that has not recorded its send yet answers 409 meanwhile


@dataclass(frozen=True)
class Received:
    channel: str
    provider_id: str
    to: str
    subject: str
    body: str
    status: str
    reason: str
    received_at: str
    receipts: int


class MessageBox:
    """One row per message a receiver accepted (or refused), under the receiver's own id."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._db.execute(
            """CREATE TABLE IF NOT EXISTS messages (
                 channel TEXT NOT NULL, provider_id TEXT NOT NULL, key TEXT NOT NULL, recipient TEXT NOT NULL,
                 subject TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL,
                 received_at TEXT NOT NULL, receipts INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (channel, key))"""
        )
        self.failures = {channel: Failures() for channel in CHANNELS}

    def known(self, channel: str, key: str) -> Received | None:
        """The message received under the sender's idempotency key, if any (counted as a receipt)."""
        with self._lock:
            self._db.execute(
                "UPDATE messages SET receipts = receipts + 1 WHERE channel = ? AND key = ?", (channel, key)
            )
            row = self._db.execute(f"{_SELECT} WHERE channel = ? AND key = ?", (channel, key)).fetchone()
        return Received(*row) if row else None

    def keep(self, channel: str, key: str, to: str, subject: str, body: str, status: str, reason: str = "") -> str:
        """Record a message; its provider id."""
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        with self._lock:
            (count,) = self._db.execute("SELECT count(*) FROM messages WHERE channel = ?", (channel,)).fetchone()
            provider_id = f"{channel.upper()}{int(count) + 1:08d}"
            self._db.execute(
                "INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
                (channel, provider_id, key, to, subject, body, status, reason, now),
            )
        return provider_id

    def settle(self, channel: str, provider_id: str, status: str, reason: str = "") -> None:
        with self._lock:
            self._db.execute(
                "UPDATE messages SET status = ?, reason = ? WHERE channel = ? AND provider_id = ?",
                (status, reason, channel, provider_id),
            )

    def all(self, to: str | None = None) -> list[Received]:
        where, args = ("WHERE recipient = ?", (to,)) if to else ("", ())
        with self._lock:
            rows = self._db.execute(f"{_SELECT} {where} ORDER BY received_at DESC, provider_id DESC", args).fetchall()
        return [Received(*row) for row in rows]

    def report_later(
        self, channel: str, provider_id: str, status: str, reason: str, callback: str, reported_id: str = ""
    ) -> None:
        """Settle the message as `status` and tell the sender at `callback` (if any) a moment later,
        naming it `reported_id` (the sender's Message-ID for mail) or the provider id; an answer
        other than 2xx is tried again a few times, as providers' webhooks do."""

        def report() -> None:
            time.sleep(REPORT_DELAY)
            self.settle(channel, provider_id, status, reason)
            if not callback:
                return
            body = {"message_id": reported_id or provider_id, "status": status, "reason": reason}
            for _ in range(REPORT_ATTEMPTS):
                try:
                    if httpx.post(callback, json=body, timeout=10).is_success:
                        return
                except httpx.HTTPError as error:
                    log.warning("delivery report to %s failed: %r", callback, error)
                time.sleep(REPORT_DELAY)
            log.warning("delivery report of %s to %s given up", provider_id, callback)

        threading.Thread(target=report, name=f"report {provider_id}", daemon=True).start()


_SELECT = "SELECT channel, provider_id, recipient, subject, body, status, reason, received_at, receipts FROM messages"


def box(request: Request) -> MessageBox:
    received: MessageBox = request.app.state.messages
    return received


def install(app: FastAPI, data: Path) -> None:
    """The message receivers on the stand-ins' app: SMS, WeChat, the SMTP server, this page."""
    from standins import mail, sms, wechat

    app.state.messages = MessageBox(data / "messages.sqlite3")
    for each in (router, sms.router, wechat.router):
        app.include_router(each)
    mail.install(app, data)


class FailurePlan(BaseModel):
    channel: str = Field(pattern="^(sms|mail|wechat)$")
    count: int = Field(ge=1)
    mode: str = Field(default="failed", pattern="^(unavailable|refused|failed|bounced|lost_answer)$")


@router.post("/messages/admin/failures", tags=["message receivers"])
def fail_next(plan: FailurePlan, request: Request) -> dict[str, int]:
    """The next `count` messages of `channel`: unavailable (503), refused (422), accepted and then
    reported failed / bounced (e-mail), or (SMS) sent with its answer lost (503)."""
    failures = box(request).failures[plan.channel]
    failures.plan(plan.count, {"mode": plan.mode})
    return {"pending_failures": failures.pending()}


@router.get("/messages/admin/received", tags=["message receivers"])
def received(request: Request, to: str | None = None) -> list[dict[str, Any]]:
    """Everything received (for one recipient: `to`), newest first."""
    return [json.loads(json.dumps(r.__dict__)) for r in box(request).all(to)]


@router.get("/messages", response_class=HTMLResponse, include_in_schema=False)
def messages_page(request: Request) -> str:
    rows = [
        (
            [
                r.to,
                r.channel,
                r.received_at,
                r.subject,
                r.body,
                r.status + (f": {r.reason}" if r.reason else ""),
                r.provider_id,
                str(r.receipts),
            ],
            r.status in ("failed", "bounced", "refused"),
        )
        for r in sorted(box(request).all(), key=lambda r: (r.to, r.received_at))
    ]
    return page(
        "Messages received (local SMS gateway, mail server, WeChat)",
        "Stand-ins of the SMS provider, the mail server and the WeChat service account: not part of dealerflow. "
        "Every message they received, per customer (phone, e-mail or openid), with its delivery status.",
        ["customer", "channel", "received", "subject", "text", "status", "provider id", "receipts"],
        rows,
    )
