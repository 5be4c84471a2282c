"""The customer's approval links as reception mints and spends them (docs/approval-links.md).

A link is an `events.links` token (purpose `approval`, the site, the RO as subject, the decision
as scope) inside the portal's address. Reading one answers which visit and decision it names, or
refuses it (`events.link_refusals.LinkRefused`: 404 `link_invalid` for anything not genuine, 410
`link_expired`).
Spending one writes its digest as the unique row of `approval_decisions` in the decision's
transaction, with the device's details (the consent's evidence, erased with the customer): a
second use finds the row (409 `link_used`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from events.catalog.privacy import PersonalDataErased
from events.connection import Connection
from events.envelope import Envelope, Tenant
from events.link_refusals import LinkRefused, read_or_refuse, subject_id
from events.links import LinkClaims, sign_link, token_digest
from events.runtime import Reaction
from events.settings import load
from reception.domain.repair_order import stream_id
from reception.settings import ReceptionSettings

PURPOSE = "approval"
# The portal's page for a link (services/portal/portal/approval.py).
PAGE = "/approvals/"
# A browser's User-Agent is rarely above a few hundred characters; a longer one is cut, not refused.
MAX_USER_AGENT = 500


@dataclass(frozen=True)
class Device:
    """What the customer's decision records of the phone it came from."""

    user_agent: str
    client_address: str


@dataclass(frozen=True)
class ApprovalLinks:
    """Mints and reads approval links with the site's key; `portal_url` is the portal's public
    address, `lifetime` how long a link may be used."""

    key: bytes
    portal_url: str
    lifetime: timedelta

    def mint(self, tenant: Tenant, repair_order_id: UUID, scope: str, now: datetime) -> tuple[str, datetime]:
        """The link the customer opens (the portal's page with the token), and until when."""
        claims = LinkClaims(PURPOSE, tenant.site_id, str(repair_order_id), scope, now + self.lifetime)
        return f"{self.portal_url.rstrip('/')}{PAGE}{sign_link(claims, self.key)}", claims.expires_at

    def read(self, token: str, now: datetime) -> tuple[LinkClaims, UUID]:
        """The claims of a usable link and the RO it names, or `LinkRefused`."""
        claims = read_or_refuse(token, self.key, purpose=PURPOSE, now=now)
        return claims, subject_id(claims)


def configured_links(settings: ReceptionSettings | None = None) -> ApprovalLinks:
    """The links as the settings make them (LINK_SECRET, PORTAL_URL, RECEPTION_APPROVAL_LINK_HOURS)."""
    settings = settings or load(ReceptionSettings)
    lifetime = timedelta(hours=settings.reception_approval_link_hours)
    return ApprovalLinks(settings.link_key, settings.portal_url, lifetime)


def consent_reference(digest: str) -> str:
    """The reference a decision through a link records as its consent (the link's digest): what
    the RO's consent and the link's row in `approval-requests` have in common."""
    return f"link:sha256:{digest}"


def token_of(link: str) -> str:
    """The token inside a link this service minted."""
    return link.rsplit(PAGE, 1)[-1]


async def tenant_of(pool: asyncpg.Pool, claims: LinkClaims, repair_order_id: UUID) -> Tenant:
    """The visit's group: the link names its site and RO, the RO's first event the rest. The log,
    not a read model: a link opened the moment it was sent must not find a projection behind."""
    group = await pool.fetchval(
        "SELECT group_id FROM events WHERE stream_id = $1 AND stream_version = 1 AND site_id = $2",
        stream_id(repair_order_id),
        claims.site_id,
    )
    if group is None:
        raise LinkRefused("link_invalid")
    return Tenant(str(group), claims.site_id)


_SPEND = """
INSERT INTO approval_decisions (digest, repair_order_id, group_id, site_id, scope, subject_id, user_agent,
    client_address, decided_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (digest) DO NOTHING
RETURNING digest
"""


async def spend(
    conn: Connection,
    token: str,
    tenant: Tenant,
    repair_order_id: UUID,
    scope: str,
    subject_id: UUID,
    device: Device,
    at: datetime,
) -> str:
    """Mark the link used, in the decision's transaction: its digest, or `LinkRefused` (409
    `link_used`), which rolls the decision back with it."""
    digest = token_digest(token)
    spent = await conn.fetchval(
        _SPEND,
        digest,
        repair_order_id,
        tenant.group_id,
        tenant.site_id,
        scope,
        subject_id,
        device.user_agent[:MAX_USER_AGENT],
        device.client_address,
        at,
    )
    if spent is None:
        raise LinkRefused(
            "link_used", "this link was already used: the decision is recorded; call your service advisor to change it"
        )
    return digest


async def decisions_of(pool: asyncpg.Pool, tenant: Tenant, repair_order_id: UUID) -> dict[str, dict[str, Any]]:
    """The links of a visit used so far, by digest: when, and from which device."""
    rows = await pool.fetch(
        """SELECT digest, scope, user_agent, client_address, decided_at FROM approval_decisions
           WHERE repair_order_id = $1 AND group_id = $2 AND site_id = $3""",
        repair_order_id,
        tenant.group_id,
        tenant.site_id,
    )
    return {row["digest"]: dict(row) for row in rows}


async def decided_at(pool: asyncpg.Pool, token: str) -> datetime | None:
    found: datetime | None = await pool.fetchval(
        "SELECT decided_at FROM approval_decisions WHERE digest = $1", token_digest(token)
    )
    return found


async def erase(conn: Connection, subjects: tuple[UUID, ...]) -> int:
    """The device details of `subjects`' decisions cleared (the digest and time stay: the RO's
    consent names them); the number cleared."""
    result: str = await conn.execute(
        """UPDATE approval_decisions SET user_agent = NULL, client_address = NULL
           WHERE subject_id = ANY($1::uuid[]) AND (user_agent IS NOT NULL OR client_address IS NOT NULL)""",
        list(subjects),
    )
    return int(result.split()[-1])


def erasures() -> Reaction:
    """privacy.PersonalDataErased → the customer's devices forgotten."""

    async def react(conn: Connection, envelope: Envelope[Any]) -> None:
        erased: PersonalDataErased = envelope.event
        await erase(conn, erased.subject_ids)

    return Reaction("approval-device-erasure", ["privacy"], {PersonalDataErased.event_type}, react)
