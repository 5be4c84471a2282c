"""Webhook subscriptions and their delivery log, in the gateway's database.

Every read and change is scoped to one dealer group: a subscription of another group is
"not found", never "forbidden", so ids of other groups' subscriptions reveal nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from events.connection import Connection
from events.errors import NotFound
from gateway.integration.signing import new_secret

THIN = "thin"
FULL = "full"


@dataclass(frozen=True)
class Subscription:
    id: uuid.UUID
    group_id: str
    url: str
    event_types: list[str]
    site_ids: list[str]
    payload: str
    secret: str
    previous_secret: str | None
    previous_secret_until: datetime | None
    status: str
    status_reason: str | None
    checkpoint: int
    failed_attempts: int
    first_failure_at: datetime | None
    next_attempt_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, row: asyncpg.Record) -> Subscription:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets that sign now: the current one, and the previous one during a rotation."""
        valid_previous = self.previous_secret and self.previous_secret_until and now < self.previous_secret_until
        return [self.secret, self.previous_secret] if valid_previous and self.previous_secret else [self.secret]


@dataclass(frozen=True)
class Delivery:
    id: uuid.UUID
    subscription_id: uuid.UUID
    position: int
    event_id: uuid.UUID
    event_type: str
    attempt: int
    redelivery: bool
    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int
    succeeded: bool

    @classmethod
    def of(cls, row: asyncpg.Record) -> Delivery:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


_LIVE = "deleted_at IS NULL"


async def create(
    pool: asyncpg.Pool,
    *,
    group_id: str,
    url: str,
    event_types: list[str],
    site_ids: list[str],
    payload: str,
    checkpoint: int,
    created_by: str,
) -> Subscription:
    row = await pool.fetchrow(
        """INSERT INTO webhook_subscriptions (id, group_id, url, event_types, site_ids, payload, secret,
                                              checkpoint, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *""",
        uuid.uuid4(),
        group_id,
        url,
        event_types,
        site_ids,
        payload,
        new_secret(),
        checkpoint,
        created_by,
    )
    assert row is not None
    return Subscription.of(row)


async def get(conn: asyncpg.Pool | Connection, group_id: str, subscription_id: uuid.UUID) -> Subscription:
    row = await conn.fetchrow(
        f"SELECT * FROM webhook_subscriptions WHERE id = $1 AND group_id = $2 AND {_LIVE}",
        subscription_id,
        group_id,
    )
    if row is None:
        raise NotFound(f"no webhook subscription {subscription_id}")
    return Subscription.of(row)


async def list_for(pool: asyncpg.Pool, group_id: str) -> list[Subscription]:
    rows = await pool.fetch(
        f"SELECT * FROM webhook_subscriptions WHERE group_id = $1 AND {_LIVE} ORDER BY created_at", group_id
    )
    return [Subscription.of(r) for r in rows]


async def delete(pool: asyncpg.Pool, group_id: str, subscription_id: uuid.UUID) -> None:
    """Soft delete: the delivery log keeps referring to it; nothing is delivered any more."""
    done = await pool.fetchval(
        f"""UPDATE webhook_subscriptions SET deleted_at = now(), status = 'deleted'
            WHERE id = $1 AND group_id = $2 AND {_LIVE} RETURNING 1""",
        subscription_id,
        group_id,
    )
    if not done:
        raise NotFound(f"no webhook subscription {subscription_id}")


async def rotate_secret(
    pool: asyncpg.Pool, group_id: str, subscription_id: uuid.UUID, overlap: timedelta
) -> Subscription:
    """A new secret; the current one keeps signing (beside the new) for `overlap`."""
    row = await pool.fetchrow(
        f"""UPDATE webhook_subscriptions
            SET previous_secret = secret, previous_secret_until = now() + $3::interval, secret = $4
            WHERE id = $1 AND group_id = $2 AND {_LIVE} RETURNING *""",
        subscription_id,
        group_id,
        overlap,
        new_secret(),
    )
    if row is None:
        raise NotFound(f"no webhook subscription {subscription_id}")
    return Subscription.of(row)


async def replay(pool: asyncpg.Pool, group_id: str, subscription_id: uuid.UUID, after: int) -> Subscription:
    """Deliver again from the event after `after`; re-enables a disabled subscription.

    The lease goes too: a worker serving the subscription right now would otherwise write its
    own checkpoint over this one (every update of a worker is guarded by its lease)."""
    row = await pool.fetchrow(
        f"""UPDATE webhook_subscriptions
            SET checkpoint = $3, status = 'active', status_reason = NULL, failed_attempts = 0,
                first_failure_at = NULL, next_attempt_at = NULL, leased_by = NULL, leased_until = NULL
            WHERE id = $1 AND group_id = $2 AND {_LIVE} RETURNING *""",
        subscription_id,
        group_id,
        after,
    )
    if row is None:
        raise NotFound(f"no webhook subscription {subscription_id}")
    return Subscription.of(row)


async def deliveries(pool: asyncpg.Pool, subscription_id: uuid.UUID, limit: int) -> list[Delivery]:
    rows = await pool.fetch(
        """SELECT * FROM webhook_deliveries WHERE subscription_id = $1
           ORDER BY attempted_at DESC, position DESC LIMIT $2""",
        subscription_id,
        limit,
    )
    return [Delivery.of(r) for r in rows]


async def delivery(pool: asyncpg.Pool, subscription_id: uuid.UUID, delivery_id: uuid.UUID) -> Delivery:
    row = await pool.fetchrow(
        "SELECT * FROM webhook_deliveries WHERE id = $1 AND subscription_id = $2", delivery_id, subscription_id
    )
    if row is None:
        raise NotFound(f"no delivery {delivery_id}")
    return Delivery.of(row)


async def record_delivery(conn: asyncpg.Pool | Connection, **values: Any) -> Delivery:
    row = await conn.fetchrow(
        """INSERT INTO webhook_deliveries (id, subscription_id, position, event_id, event_type, attempt,
                                           redelivery, status_code, error, duration_ms, succeeded)
           VALUES ($1, $2, $3, $4::uuid, $5, $6, $7, $8, $9, $10, $11) RETURNING *""",
        uuid.uuid4(),
        values["subscription_id"],
        values["position"],
        values["event_id"],
        values["event_type"],
        values["attempt"],
        values.get("redelivery", False),
        values.get("status_code"),
        values.get("error"),
        values["duration_ms"],
        values["succeeded"],
    )
    assert row is not None
    return Delivery.of(row)
