"""The mail server's stand-in: a real SMTP server (aiosmtpd) that takes mail with the account's
login (AUTH PLAIN/LOGIN; the local one is public) and keeps each message — also as a file in a
Maildir under `<data>/mail/` a newcomer can open with any mail reader. The Message-ID is the
idempotency key: a message sent again after a lost answer is kept once. Its outcome (delivered,
or bounced when planned) goes to the URL in the message's `X-Delivery-Report-To` header, like a
mail provider's event webhook.

Port: `STANDINS_SMTP_PORT` (`make run`: 8025), else a free one; `GET /mail/admin/smtp` says which."""

from __future__ import annotations

import mailbox
import os
import socket
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from fastapi import APIRouter, FastAPI, Request

from standins.messages import MessageBox

router = APIRouter()
SMTP_USER = "dealerflow-local"  # the notifications service's default SMTP_USER / SMTP_PASSWORD
SMTP_PASSWORD = "local-smtp-password"
HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _authenticate(server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        SMTP_USER.encode(),
        SMTP_PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


class Receiver:
    """aiosmtpd's handler: every accepted message into the box and the Maildir."""

    def __init__(self, received: MessageBox, maildir: Path) -> None:
        self.received = received
        self.maildir = mailbox.Maildir(maildir, create=True)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's name
        if not session.authenticated:
            return "530 5.7.0 Authentication required"
        raw = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        key = str(parsed.get("Message-ID") or "") or f"no-id-{len(self.received.all()) + 1}"
        if self.received.known("mail", key) is not None:
            return "250 OK (already received)"
        failure = self.received.failures["mail"].next()
        mode = failure["mode"] if failure else None
        if mode == "unavailable":
            return "421 4.3.2 Service not available, try again later"
        to = ", ".join(envelope.rcpt_tos)
        text = parsed.get_body(preferencelist=("plain",))
        body = text.get_content() if text is not None else ""
        subject = str(parsed.get("Subject") or "")
        if mode == "refused":
            self.received.keep("mail", key, to, subject, body, "refused", "relay refused")
            return "554 5.7.1 Relay access denied"
        self.maildir.add(raw)
        provider_id = self.received.keep("mail", key, to, subject, body, "accepted")
        outcome = ("bounced", "550 5.1.1 mailbox unavailable") if mode in ("bounced", "failed") else ("delivered", "")
        report_to = str(parsed.get("X-Delivery-Report-To") or "")
        self.received.report_later("mail", provider_id, *outcome, report_to, reported_id=key)
        return f"250 OK queued as {provider_id}"


def install(app: FastAPI, data: Path) -> None:
    """Start the SMTP server with the app, stop it with the app."""
    port = int(os.environ.get("STANDINS_SMTP_PORT") or 0) or _free_port()
    controller = Controller(
        Receiver(app.state.messages, data / "mail"),
        hostname=HOST,
        port=port,
        authenticator=_authenticate,
        auth_require_tls=False,  # local only: the login is public anyway
    )
    app.state.smtp_port = port
    app.router.on_startup.append(controller.start)
    app.router.on_shutdown.append(controller.stop)
    app.include_router(router)


@router.get("/mail/admin/smtp", tags=["mail server"])
def smtp_address(request: Request) -> dict[str, object]:
    """Where the SMTP server listens (and the login it takes)."""
    return {"host": HOST, "port": request.app.state.smtp_port, "user": SMTP_USER}
