"""User tokens: verifying the bearer tokens users and systems present, and the local
development issuer that `make run` uses to hand out logins.

Two kinds of token are verified (docs/sign-in.md):
- an OpenID provider's access token (`GATEWAY_OIDC_ISSUER`, and in local development the
  gateway's own development provider): RS256 or ES256, signed with a key the provider's JWKS
  publishes (`oidc_keys`); roles, sites and dealer group read from the claims configured for it;
- a token signed with a key given in the settings: HS256 with `GATEWAY_JWT_SECRET`, or RS256 with
  `GATEWAY_JWT_PUBLIC_KEY`.
The audience must be the configured one (`dealerflow`); expiry is required. A token that proves
who its bearer is but names no dealer group or no role the gateway knows is 403, not 401.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt

from events.identity import ROLES, Forbidden, Identity, Unauthenticated
from events.settings import Settings, load
from gateway.oidc_keys import ALGORITHMS, IssuerKeys
from gateway.settings import GatewaySettings

AUDIENCE = "dealerflow"
LOCAL_ISSUER = "dealerflow-local-dev"


@dataclass(frozen=True)
class ClaimPaths:
    """Where a provider's tokens carry what the gateway needs: a claim's name, or a dotted path
    into nested claims (`realm_access.roles`)."""

    roles: str = "roles"
    sites: str = "sites"
    group: str = "group"


@dataclass(frozen=True)
class OidcIssuer:
    issuer: str
    audience: str = AUDIENCE
    claims: ClaimPaths = field(default_factory=ClaimPaths)


@dataclass(frozen=True)
class TokenSettings:
    secret: str | None
    public_key: str | None
    issuer: str | None
    oidc: tuple[OidcIssuer, ...] = ()

    @classmethod
    def from_env(cls, settings: GatewaySettings | None = None) -> TokenSettings:
        """From the gateway's settings (read from the environment when not given), which refuse
        to start without a key outside local development."""
        settings = settings or load(GatewaySettings)
        secret = settings.gateway_jwt_secret
        public_key = settings.gateway_jwt_public_key
        if not secret and not public_key and settings.local:
            secret = "local-development-only-user-token-secret"
        oidc: tuple[OidcIssuer, ...] = ()
        if settings.gateway_oidc_issuer:
            claims = ClaimPaths(
                roles=settings.gateway_oidc_roles_claim,
                sites=settings.gateway_oidc_sites_claim,
                group=settings.gateway_oidc_group_claim,
            )
            oidc = (OidcIssuer(settings.gateway_oidc_issuer, settings.gateway_oidc_audience, claims),)
        return cls(secret, public_key, settings.gateway_jwt_issuer, oidc)

    @property
    def local_issuer_enabled(self) -> bool:
        return load(Settings).local and self.secret is not None


def bearer_token(authorization: str | None) -> str:
    if not authorization or not authorization.startswith("Bearer "):
        raise Unauthenticated("a bearer token is required")
    return authorization.removeprefix("Bearer ").strip()


def issuer_of(token: str) -> str | None:
    """The issuer a token names, unverified: only to choose the keys that will verify it."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise Unauthenticated("the token is not valid") from None
    issuer = claims.get("iss")
    return issuer if isinstance(issuer, str) else None


async def verify_oidc(issuer: OidcIssuer, keys: IssuerKeys, token: str) -> Identity:
    """The identity an OpenID provider's access token proves, signed with a key its JWKS publishes."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise Unauthenticated("the token is not valid") from None
    algorithm, kid = header.get("alg"), header.get("kid")
    if algorithm not in ALGORITHMS or not (kid is None or isinstance(kid, str)):
        raise Unauthenticated("the token is not valid")
    key = await keys.key(kid, algorithm)
    if key is None:
        raise Unauthenticated("the token is signed with a key its issuer does not publish")
    claims = _decode(token, key.key, [algorithm], issuer.audience, issuer.issuer)
    return identity_from(claims, issuer.claims)


def verify(settings: TokenSettings, authorization: str | None) -> Identity:
    """The identity a `Bearer` token signed with the settings' key proves; `Unauthenticated`
    (without details of any data) if it is missing, malformed, forged, expired or for another
    audience."""
    token = bearer_token(authorization)
    key = settings.public_key or settings.secret
    if key is None:  # a gateway configured with no key trusts no token
        raise Unauthenticated("no token key is configured")
    algorithms = ["RS256"] if settings.public_key else ["HS256"]
    claims = _decode(token, key, algorithms, AUDIENCE, settings.issuer)
    return identity_from(claims, ClaimPaths())


def _decode(token: str, key: Any, algorithms: list[str], audience: str, issuer: str | None) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            audience=audience,
            issuer=issuer,
            options={"require": ["exp", "sub", "aud", *(["iss"] if issuer else [])]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the token has expired") from None
    except jwt.PyJWTError:
        raise Unauthenticated("the token is not valid") from None
    return claims


def identity_from(claims: Mapping[str, Any], paths: ClaimPaths) -> Identity:
    """The person a verified token's claims describe. Roles the gateway does not know are dropped
    (a provider's tokens carry many: `offline_access`, other applications'); none left, or no
    dealer group, is 403: the bearer is known but may do nothing here."""
    roles = frozenset(_strings(claim(claims, paths.roles))) & frozenset(ROLES)
    groups = _strings(claim(claims, paths.group))
    if len(groups) != 1:
        raise Forbidden("the token names no dealer group (or several)")
    if not roles:
        raise Forbidden("the token names no role known here")
    subject = str(claims["sub"])
    name = claims.get("name") or claims.get("preferred_username") or subject
    return Identity(
        user_id=subject,
        name=str(name),
        group_id=groups[0],
        roles=roles,
        site_ids=frozenset(_strings(claim(claims, paths.sites))),
    )


def claim(claims: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path (`realm_access.roles`); a claim whose own name holds dots (as
    namespaced claims like `https://example.com/roles` do) is taken whole first."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _strings(value: Any) -> list[str]:
    """A claim as a list of strings: providers send one value as a string, several as a list
    (or, for scopes and some role claims, space-separated)."""
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list | tuple):
        return [str(item) for item in value if isinstance(item, str | int) and str(item)]
    return []


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
