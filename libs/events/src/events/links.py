"""Signed customer links: a token in a URL that is the only credential its holder has.

A link says what it may do (`purpose`), for which site and which thing (`subject`, e.g. a repair
order or an appointment id), which one decision it covers (`scope`, e.g. the finding round or the
estimate's version) and until when. The claims travel in the token, signed with HMAC-SHA256 under
the `LINK_SECRET` setting, so a service checks a link without a table of issued links and a
holder can change nothing in it (another RO's id, a later expiry) without breaking the signature.
Single use is not in here: the service writes `token_digest(token)` as a unique row in the
decision's transaction (docs/decisions/0022-customer-links.md).

The standard library rather than itsdangerous: the project does not depend on it, and its timed
serializer stamps the signing time and leaves the lifetime to each reader, where here the minting
service chooses the expiry and every reader must honour the same one.

Pure functions: the caller passes the secret and the time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

# Bumped if the token's layout changes, so an old token is refused as invalid, never misread.
_VERSION = 1
# Keys this MAC under its own label: a link secret reused elsewhere cannot forge a link.
_LABEL = b"dealerflow-link.v1."


class LinkInvalid(Exception):
    """Tampered, malformed, signed with another secret or minted for another purpose. Callers
    answer 404 `link_invalid` whichever it was: the holder learns nothing about why."""


class LinkExpired(Exception):
    """A genuine link past its expiry (410 `link_expired`)."""


@dataclass(frozen=True)
class LinkClaims:
    """What a link lets its holder do. `expires_at` is kept in UTC to the second (what the token
    carries), so claims read back from a token equal the claims signed."""

    purpose: str
    site_id: str
    subject: str
    scope: str
    expires_at: datetime

    def __post_init__(self) -> None:
        if self.expires_at.tzinfo is None:
            raise ValueError("expires_at must be timezone-aware")
        object.__setattr__(self, "expires_at", self.expires_at.astimezone(UTC).replace(microsecond=0))


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    if not text.isascii():
        raise LinkInvalid("not a link")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise LinkInvalid("not a link") from None


def _mac(payload: str, secret: bytes) -> bytes:
    return hmac.new(secret, _LABEL + payload.encode("ascii"), hashlib.sha256).digest()


def sign_link(claims: LinkClaims, secret: bytes) -> str:
    """The URL-safe token carrying `claims` (base64url characters and one dot)."""
    if not secret:
        raise ValueError("a link secret must not be empty")
    body = [_VERSION, claims.purpose, claims.site_id, claims.subject, claims.scope, int(claims.expires_at.timestamp())]
    payload = _b64encode(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    return f"{payload}.{_b64encode(_mac(payload, secret))}"


def read_link(token: str, secret: bytes, *, purpose: str, now: datetime) -> LinkClaims:
    """The claims of a genuine, unexpired link minted for `purpose`.

    Raises `LinkInvalid` (tampered, malformed, other secret, other purpose) or `LinkExpired`. The
    signature is checked before anything in the token is read; expiry only for a genuine link."""
    if not secret:
        raise ValueError("a link secret must not be empty")
    payload, dot, signature = token.partition(".")
    if not dot or not payload or not payload.isascii():
        raise LinkInvalid("not a link")
    if not hmac.compare_digest(_b64decode(signature), _mac(payload, secret)):
        raise LinkInvalid("bad signature")
    try:
        body = json.loads(_b64decode(payload).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise LinkInvalid("not a link") from None
    if not (
        isinstance(body, list)
        and len(body) == 6
        and body[0] == _VERSION
        and all(isinstance(value, str) for value in body[1:5])
        and isinstance(body[5], int)
        and not isinstance(body[5], bool)
    ):
        raise LinkInvalid("not a link")
    if body[1] != purpose:
        raise LinkInvalid("another purpose")
    expires_at = datetime.fromtimestamp(body[5], UTC)
    if now >= expires_at:
        raise LinkExpired("link expired")
    return LinkClaims(purpose=body[1], site_id=body[2], subject=body[3], scope=body[4], expires_at=expires_at)


def token_digest(token: str) -> str:
    """sha256 hex of the token: what a service stores to spend a link once, never the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
