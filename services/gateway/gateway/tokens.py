"""User tokens: verifying the bearer tokens users and systems present, and the local
development issuer that `make run` uses to hand out logins.

Production: HS256 with `GATEWAY_JWT_SECRET`, or RS256 with `GATEWAY_JWT_PUBLIC_KEY` (the
identity provider's key). The audience must be `dealerflow`; expiry is required.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import jwt

from events.identity import ROLES, Identity, Unauthenticated
from events.settings import Settings, load
from gateway.settings import GatewaySettings

AUDIENCE = "dealerflow"
LOCAL_ISSUER = "dealerflow-local-dev"


@dataclass(frozen=True)
class TokenSettings:
    secret: str | None
    public_key: str | None
    issuer: str | None

    @classmethod
    def from_env(cls, settings: GatewaySettings | None = None) -> TokenSettings:
        """From the gateway's settings (read from the environment when not given), which refuse
        to start without a key outside local development."""
        settings = settings or load(GatewaySettings)
        secret = settings.gateway_jwt_secret
        public_key = settings.gateway_jwt_public_key
        if not secret and not public_key:
            secret = "local-development-only-user-token-secret"
        return cls(secret, public_key, settings.gateway_jwt_issuer)

    @property
    def local_issuer_enabled(self) -> bool:
        return load(Settings).local and self.secret is not None


def verify(settings: TokenSettings, authorization: str | None) -> Identity:
    """The identity a `Bearer` token proves; `Unauthenticated` (without details of any data)
    if it is missing, malformed, forged, expired or for another audience."""
    if not authorization or not authorization.startswith("Bearer "):
        raise Unauthenticated("a bearer token is required")
    token = authorization.removeprefix("Bearer ").strip()
    key = settings.public_key or settings.secret
    if key is None:  # a gateway configured with no key trusts no token
        raise Unauthenticated("no token key is configured")
    algorithms = ["RS256"] if settings.public_key else ["HS256"]
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            audience=AUDIENCE,
            issuer=settings.issuer,
            options={"require": ["exp", "sub", "aud"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the token has expired") from None
    except jwt.PyJWTError:
        raise Unauthenticated("the token is not valid") from None
    roles = frozenset(claims.get("roles", [])) & frozenset(ROLES)
    group = claims.get("group")
    if not group or not roles:
        raise Unauthenticated("the token names no dealer group or no known role")
    return Identity(
        user_id=str(claims["sub"]),
        name=str(claims.get("name", claims["sub"])),
        group_id=str(group),
        roles=roles,
        site_ids=frozenset(claims.get("sites", [])),
    )


def issue(settings: TokenSettings, identity: Identity, *, ttl_seconds: int = 8 * 3600) -> str:
    """A token from the local development issuer (`make run`, tests)."""
    if settings.secret is None:
        raise RuntimeError("the local issuer needs a shared secret")
    now = int(time.time())
    claims = {
        "iss": settings.issuer or LOCAL_ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + ttl_seconds,
        "jti": str(uuid.uuid4()),
        "sub": identity.user_id,
        "name": identity.name,
        "group": identity.group_id,
        "roles": sorted(identity.roles),
        "sites": sorted(identity.site_ids),
    }
    return jwt.encode(claims, settings.secret, algorithm="HS256")
