"""Standard Webhooks signatures (https://www.standardwebhooks.com): pure, no I/O.

A secret is `whsec_` + base64 of random bytes; the signature of a message is
`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` keyed with the secret's decoded bytes.
During a key rotation both the new and the old secret sign, space-separated, so a receiver
that still knows only the old one keeps verifying.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable

SECRET_PREFIX = "whsec_"
_SECRET_BYTES = 32


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(_SECRET_BYTES)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, message_id: str, timestamp: int, body: str | bytes) -> str:
    """One `v1,` signature of a message."""
    payload = body.encode() if isinstance(body, str) else body
    signed = f"{message_id}.{timestamp}.".encode() + payload
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets_: Iterable[str], message_id: str, timestamp: int, body: str | bytes) -> str:
    """The `webhook-signature` header: one signature per valid secret, space-separated."""
    return " ".join(sign(secret, message_id, timestamp, body) for secret in secrets_)


def verify(secret: str, message_id: str, timestamp: int, body: str | bytes, header: str) -> bool:
    """What a receiver does: does any signature in `header` match this secret?"""
    expected = sign(secret, message_id, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in header.split())
