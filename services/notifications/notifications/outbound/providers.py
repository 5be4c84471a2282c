"""The three providers behind one call, `send(message, report_to)`:

- SMS: `POST <SMS_URL>/messages` (Bearer key, `Idempotency-Key` = the message id) with the
  delivery report's `callback_url`; 201/200 with the provider's message id.
- E-mail: SMTP with login (STARTTLS when the server offers it), `Message-ID` derived from the
  message id (the server keeps a message once), `X-Delivery-Report-To` for the bounce webhook.
- WeChat: an access token for the app id and secret (kept until it expires), then
  `message/template/send` with `client_msg_id` = the message id; `errcode` 0 is sent, -1 and
  45009 (rate limit) are unavailable, the rest (40003: not a follower) refused.

A 5xx, 429, a timeout or an unreachable provider is `Unavailable` (asked again with back-off);
a 4xx (a wrong key included: asking again would not help) is `Refused` with the provider's words.
"""

from __future__ import annotations

import asyncio
import smtplib
import time
from email.message import EmailMessage
from email.utils import make_msgid

import httpx

from events.catalog.notifications import MessageRequested
from events.outbound import Answer, Done, Refused, Unavailable, post, reason_of
from notifications.outbound.settings import ProviderSettings


class Providers:
    def __init__(self, settings: ProviderSettings) -> None:
        self.settings = settings
        self._token: tuple[str, float] | None = None  # WeChat's access token and when it expires

    async def send(self, message: MessageRequested, report_to: str) -> Answer:
        if message.channel == "sms":
            return await self._sms(message, report_to)
        if message.channel == "email":
            return await asyncio.to_thread(self._email, message, report_to)
        return await self._wechat(message)

    async def _sms(self, message: MessageRequested, report_to: str) -> Answer:
        s = self.settings
        headers = {"authorization": f"Bearer {s.sms_key}", "idempotency-key": str(message.message_id)}
        body = {"to": message.to, "text": message.body, "callback_url": report_to}
        try:
            response = await post(
                None, s.outbound_timeout_seconds, f"{s.sms_url.rstrip('/')}/messages", json=body, headers=headers
            )
        except httpx.HTTPError as error:
            return Unavailable(f"the SMS provider did not answer: {error!r}")
        if response.status_code >= 500 or response.status_code == 429:
            return Unavailable(f"the SMS provider answered {response.status_code}: {reason_of(response)}")
        if response.status_code >= 400:
            return Refused(reason_of(response))
        return Done({"provider_message_id": str(response.json()["message_id"])})

    def _email(self, message: MessageRequested, report_to: str) -> Answer:
        s = self.settings
        mail = EmailMessage()
        mail["From"] = s.smtp_from
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Message-ID"] = make_msgid(idstring=str(message.message_id), domain="dealerflow")
        mail["X-Delivery-Report-To"] = report_to
        mail.set_content(message.body)
        # The Message-ID must be the same on every attempt: the server keeps one copy per id.
        mail.replace_header("Message-ID", f"<{message.message_id}@dealerflow>")
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.outbound_timeout_seconds) as smtp:
                smtp.ehlo()
                if smtp.has_extn("starttls"):
                    smtp.starttls()
                if s.smtp_user:
                    smtp.login(s.smtp_user, s.smtp_password)
                smtp.send_message(mail)
        except smtplib.SMTPAuthenticationError as error:
            return Refused(f"the mail server refused the login: {error.smtp_code} {error.smtp_error!r}")
        except smtplib.SMTPResponseException as error:
            said = error.smtp_error
            text = f"{error.smtp_code} {said.decode(errors='replace') if isinstance(said, bytes) else said}"
            return Unavailable(text) if 400 <= error.smtp_code < 500 else Refused(text)
        except smtplib.SMTPRecipientsRefused as error:
            return Refused(f"the mail server refused the recipient: {error.recipients!r}")
        except (smtplib.SMTPException, OSError) as error:
            return Unavailable(f"the mail server did not answer: {error!r}")
        return Done({"provider_message_id": f"<{message.message_id}@dealerflow>"})

    async def _access_token(self) -> str | Answer:
        if self._token and self._token[1] > time.monotonic():
            return self._token[0]
        s = self.settings
        params = {"grant_type": "client_credential", "appid": s.wechat_app_id, "secret": s.wechat_secret}
        async with httpx.AsyncClient(timeout=s.outbound_timeout_seconds) as client:
            response = await client.get(f"{s.wechat_url.rstrip('/')}/cgi-bin/token", params=params)
        if response.status_code >= 500:
            return Unavailable(f"WeChat answered {response.status_code}")
        body = response.json()
        if "access_token" not in body:
            return Refused(f"WeChat refused the app's credentials: {body.get('errcode')} {body.get('errmsg')}")
        # Renewed a minute early: a token that expires between our check and WeChat's is refused.
        self._token = (str(body["access_token"]), time.monotonic() + int(body.get("expires_in", 7200)) - 60)
        return self._token[0]

    async def _wechat(self, message: MessageRequested) -> Answer:
        s = self.settings
        try:
            token = await self._access_token()
            if not isinstance(token, str):
                return token
            body = {
                "touser": message.to,
                "template_id": s.wechat_template_id,
                "client_msg_id": str(message.message_id),
                "data": {"first": {"value": message.subject}, "remark": {"value": message.body}},
            }
            async with httpx.AsyncClient(timeout=s.outbound_timeout_seconds) as client:
                response = await client.post(
                    f"{s.wechat_url.rstrip('/')}/cgi-bin/message/template/send",
                    params={"access_token": token},
                    json=body,
                )
        except httpx.HTTPError as error:
            return Unavailable(f"WeChat did not answer: {error!r}")
        if response.status_code >= 500:
            return Unavailable(f"WeChat answered {response.status_code}")
        answer = response.json()
        code = int(answer.get("errcode", -1))
        if code == 0:
            return Done({"provider_message_id": str(answer["msgid"])})
        if code in (40001, 42001):
            self._token = None  # expired or revoked: a new one next time
            return Unavailable(f"WeChat refused the access token: {code}")
        if code in (-1, 45009):
            return Unavailable(f"WeChat is busy: {code} {answer.get('errmsg')}")
        return Refused(f"WeChat refused the message: {code} {answer.get('errmsg')}")
