"""Who is asking, as the gateway vouches for it.

Users authenticate at the gateway (signed tokens). The gateway forwards each request with a
short-lived *internal identity token* in the `X-Dealerflow-Identity` header, signed with a
secret only the gateway and the services share. A service believes nothing else: a request
without a valid internal token did not come through the gateway and gets 401.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import jwt

IDENTITY_HEADER = "X-Dealerflow-Identity"
INTERNAL_AUDIENCE = "dealerflow-internal"
INTERNAL_ISSUER = "dealerflow-gateway"
_ALGORITHM = "HS256"

# The roles of the people at a dealership (docs/domain.md, "People").
ADVISOR = "advisor"
DISPATCHER = "dispatcher"
TECHNICIAN = "technician"
PARTS_CLERK = "parts_clerk"
QC_INSPECTOR = "qc_inspector"
CASHIER = "cashier"
CS_AGENT = "cs_agent"
SERVICE_MANAGER = "service_manager"
GROUP_ADMIN = "group_admin"
SYSTEM = "system"  # another system integrated through the gateway (API client)
ROLES = (
    ADVISOR,
    DISPATCHER,
    TECHNICIAN,
    PARTS_CLERK,
    QC_INSPECTOR,
    CASHIER,
    CS_AGENT,
    SERVICE_MANAGER,
    GROUP_ADMIN,
    SYSTEM,
)


class Unauthenticated(Exception):
    code = "unauthenticated"


class Forbidden(Exception):
    code = "forbidden"


@dataclass(frozen=True)
class Identity:
    user_id: str
    name: str
    group_id: str
    roles: frozenset[str]
    site_ids: frozenset[str] = field(default_factory=frozenset)

    @property
    def all_sites(self) -> bool:
        """A group admin sees every site of the group."""
        return GROUP_ADMIN in self.roles

    def can_see(self, group_id: str, site_id: str) -> bool:
        return group_id == self.group_id and (self.all_sites or site_id in self.site_ids)

    def require_site(self, group_id: str, site_id: str) -> None:
        """Refuse a site outside this identity's scope. The message does not reveal whether the
        site exists."""
        if not self.can_see(group_id, site_id):
            raise Forbidden(f"no access to site {site_id}")

    def require_role(self, *roles: str) -> None:
        if not (self.roles & set(roles)) and GROUP_ADMIN not in self.roles:
            raise Forbidden(f"this needs one of the roles: {', '.join(sorted(roles))}")


def internal_secret() -> str:
    secret = os.environ.get("INTERNAL_TOKEN_SECRET")
    if secret:
        return secret
    if os.environ.get("DEALERFLOW_ENV", "local") == "local":
        return "local-development-only-internal-secret"
    raise RuntimeError("INTERNAL_TOKEN_SECRET must be set outside local development")


def issue_internal_token(identity: Identity, *, ttl_seconds: int = 60, secret: str | None = None) -> str:
    """What the gateway attaches to a request it forwards."""
    now = int(time.time())
    claims = {
        "iss": INTERNAL_ISSUER,
        "aud": INTERNAL_AUDIENCE,
        "iat": now,
        "exp": now + ttl_seconds,
        "sub": identity.user_id,
        "name": identity.name,
        "group": identity.group_id,
        "roles": sorted(identity.roles),
        "sites": sorted(identity.site_ids),
    }
    return jwt.encode(claims, secret or internal_secret(), algorithm=_ALGORITHM)


def verify_internal_token(token: str | None, *, secret: str | None = None) -> Identity:
    """The identity in a forwarded request; `Unauthenticated` if absent, forged or expired."""
    if not token:
        raise Unauthenticated("requests must come through the gateway")
    try:
        claims = jwt.decode(
            token,
            secret or internal_secret(),
            algorithms=[_ALGORITHM],
            audience=INTERNAL_AUDIENCE,
            issuer=INTERNAL_ISSUER,
            options={"require": ["exp", "sub", "aud", "iss"]},
        )
    except jwt.PyJWTError as error:
        raise Unauthenticated(f"invalid identity token: {error}") from None
    return Identity(
        user_id=claims["sub"],
        name=claims.get("name", claims["sub"]),
        group_id=claims["group"],
        roles=frozenset(claims.get("roles", [])),
        site_ids=frozenset(claims.get("sites", [])),
    )
