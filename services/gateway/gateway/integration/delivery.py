"""Webhook delivery: a worker in every gateway process takes subscriptions with events waiting,
one at a time per slot, and POSTs their next events in feed order.

Sharing the work between replicas: a subscription is claimed with `FOR UPDATE SKIP LOCKED` and
a lease (`leased_by`, `leased_until`) in one short statement, and the HTTP calls happen outside
any transaction — holding a row lock for a 15-second call would hold back the server-wide
read horizon of every service on the server (decision 0001). Every later update is guarded by
the lease. Per subscription the order is the feed's: the next event is not sent before the one
before it succeeded. A failing endpoint waits out its back-off without a slot, so it never
blocks other subscriptions.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import asyncpg
import httpx

from events.clock import Clock, SystemClock, sleep_unless
from events.connection import Connection
from gateway.integration import cloudevents, feed
from gateway.integration.addresses import AddressPolicy, RefusedDestination
from gateway.integration.backoff import RetryPolicy
from gateway.integration.destinations import Destinations
from gateway.integration.filters import like_patterns
from gateway.integration.signing import signature_header
from gateway.integration.subscriptions import THIN, Delivery, Subscription, record_delivery
from gateway.metrics import count_delivery

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliverySettings:
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: float = 15.0  # seconds for one POST
    slots: int = 8  # subscriptions served at once by one process
    batch: int = 20  # events sent per claim before the subscription goes back in line
    lease: float = 60.0  # seconds a claim lasts without renewal; > timeout
    poll_interval: float = 0.25  # how often an idle worker looks for subscriptions with events waiting


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        return self.status_code == 410


@dataclass(frozen=True)
class Claim:
    """A subscription as claimed, and the lease that claim holds. The lease is one claim's, not
    the worker's: another slot of the same worker claiming the subscription after a replay must
    not let this older claim's writes through (CI: a replay's second event never came)."""

    subscription: Subscription
    lease: str


async def post(
    client: httpx.AsyncClient,
    destinations: Destinations,
    subscription: Subscription,
    event: feed.FeedEvent,
    now: datetime,
    timeout: float,
) -> Outcome:
    """One signed POST of one event (Standard Webhooks headers, structured CloudEvent body), to
    the address its URL resolves to now, if that is not inside (a refusal is a failed attempt)."""
    body = cloudevents.body(
        cloudevents.structured(
            event.headers, event.data, position=event.position, thin_payload=subscription.payload == THIN
        )
    )
    timestamp = int(now.timestamp())
    headers = {
        "content-type": cloudevents.CONTENT_TYPE,
        "webhook-id": event.event_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(subscription.signing_secrets(now), event.event_id, timestamp, body),
        "user-agent": "dealerflow-webhooks/1",
    }
    started = time.monotonic()
    status: int | None = None
    try:
        async with asyncio.timeout(timeout):
            pinned = await destinations.pin(subscription.url)
        response = await client.post(
            pinned.url,
            content=body.encode(),
            headers={**headers, **pinned.headers},
            extensions=pinned.extensions,
            timeout=timeout,
            follow_redirects=False,  # the registered URL is the one called: a redirect could lead inside
        )
        status = response.status_code
        error = None if 200 <= status < 300 else f"HTTP {status}"
        if response.is_redirect:
            error = f"HTTP {status}: redirects are not followed"
    except RefusedDestination as refused:
        error = f"refused: {refused}"
    except httpx.HTTPError as failure:
        error = f"{type(failure).__name__}: {failure}"[:500]
    except OSError as failure:  # the name did not resolve (or not in time)
        error = f"not resolved: {type(failure).__name__}: {failure}"[:500]
    return Outcome(status, error, round((time.monotonic() - started) * 1000))


class DeliveryWorker:
    def __init__(
        self,
        pool: asyncpg.Pool,
        client: httpx.AsyncClient,
        settings: DeliverySettings | None = None,
        *,
        clock: Clock | None = None,
        random_fraction: Callable[[], float] = random.random,
        destinations: Destinations | None = None,
    ) -> None:
        self.pool = pool
        self.client = client
        self.destinations = destinations or Destinations(AddressPolicy.from_env())
        self.settings = settings or DeliverySettings()
        self.clock = clock or SystemClock()
        self.random_fraction = random_fraction
        self.worker_id = f"gateway-{uuid.uuid4().hex[:12]}"
        # One idle slot at a time looks for work: eight slots polling on their own were 32
        # statements a second on a system with nothing to send. The one that finds some hands
        # the looking to the next idle slot, which looks at once.
        self._looking = asyncio.Lock()

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(*(self._slot(stop) for _ in range(self.settings.slots)))

    async def _slot(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            async with self._looking:
                claim = await self._look(stop)
            if claim is None:  # stopped
                return
            try:
                await self.serve(claim)
            finally:
                await self.release(claim)

    async def _look(self, stop: asyncio.Event) -> Claim | None:
        """The next subscription claimed, or None once `stop` is set."""
        while not stop.is_set():
            claim = await self.claim()
            if claim is not None:
                return claim
            await sleep_unless(stop, self.settings.poll_interval)
        return None

    async def claim(self) -> Claim | None:
        """The subscription served least recently among those with events waiting and no
        back-off or other worker's lease in the way; leased to this worker."""
        now = self.clock.now()
        lease = f"{self.worker_id}/{uuid.uuid4().hex[:12]}"
        row = await self.pool.fetchrow(
            """UPDATE webhook_subscriptions SET leased_by = $1, leased_until = $2 + $3::interval
               WHERE id = (
                   SELECT id FROM webhook_subscriptions s
                   WHERE status = 'active' AND deleted_at IS NULL
                     AND (next_attempt_at IS NULL OR next_attempt_at <= $2)
                     AND (leased_by IS NULL OR leased_until < $2)
                     AND EXISTS (SELECT 1 FROM integration_feed f
                                 WHERE f.group_id = s.group_id AND f.position > s.checkpoint)
                   ORDER BY leased_until NULLS FIRST LIMIT 1
                   FOR UPDATE SKIP LOCKED)
               RETURNING *""",
            lease,
            now,
            timedelta(seconds=self.settings.lease),
        )
        return Claim(Subscription.of(row), lease) if row is not None else None

    async def release(self, claim: Claim) -> None:
        await self.pool.execute(
            "UPDATE webhook_subscriptions SET leased_by = NULL, leased_until = $3 WHERE id = $1 AND leased_by = $2",
            claim.subscription.id,
            claim.lease,
            self.clock.now(),
        )

    async def serve(self, claim: Claim) -> None:
        """Send the subscription's next events in order until one fails or the batch is done."""
        subscription = claim.subscription
        until = await feed.head(self.pool)
        events = await feed.read(
            self.pool,
            group_id=subscription.group_id,
            after=subscription.checkpoint,
            limit=self.settings.batch,
            site_ids=subscription.site_ids,
            type_likes=like_patterns(subscription.event_types),
            until=until,
        )
        if not events:  # nothing it wants up to `until`: move past what was looked at
            await self._update(claim, "checkpoint = greatest(checkpoint, $4)", until)
            return
        failed, first_failure = subscription.failed_attempts, subscription.first_failure_at
        for event in events:
            now = self.clock.now()
            outcome = await post(self.client, self.destinations, subscription, event, now, self.settings.timeout)
            count_delivery(outcome.status_code)
            async with self.pool.acquire() as conn, conn.transaction():
                await record_delivery(
                    conn,
                    subscription_id=subscription.id,
                    position=event.position,
                    event_id=event.event_id,
                    event_type=event.event_type,
                    attempt=failed + 1,
                    status_code=outcome.status_code,
                    error=outcome.error,
                    duration_ms=outcome.duration_ms,
                    succeeded=outcome.succeeded,
                )
                if outcome.succeeded:
                    kept = await self._update(
                        claim,
                        """checkpoint = $4, failed_attempts = 0, first_failure_at = NULL, next_attempt_at = NULL""",
                        event.position,
                        conn=conn,
                    )
                    failed, first_failure = 0, None
                    if not kept:
                        return
                    continue
                if outcome.gone:
                    log.info("webhook %s answered 410 Gone: disabled", subscription.id)
                    await self._update(
                        claim, "status = 'disabled', status_reason = $4", "410 Gone from the endpoint", conn=conn
                    )
                    return
                failed += 1
                first_failure = first_failure or now
                retry_at = self.settings.retry.next_attempt(first_failure, now, failed, self.random_fraction())
                if retry_at is None:
                    log.warning("webhook %s failing since %s: disabled", subscription.id, first_failure)
                    await self._update(
                        claim,
                        "status = 'disabled', status_reason = $4, failed_attempts = 0, "
                        "first_failure_at = NULL, next_attempt_at = NULL",
                        f"failing since {first_failure.isoformat()}; replay to resume",
                        conn=conn,
                    )
                    return
                await self._update(
                    claim,
                    "failed_attempts = $4, first_failure_at = $5, next_attempt_at = $6",
                    failed,
                    first_failure,
                    retry_at,
                    conn=conn,
                )
                return

    async def _update(self, claim: Claim, assignments: str, *args: object, conn: Connection | None = None) -> bool:
        """Change the subscription if this claim still holds it (renewing the lease); False if
        the lease was lost or the subscription deleted or disabled meanwhile."""
        now = self.clock.now()
        done = await (conn or self.pool).fetchval(
            f"""UPDATE webhook_subscriptions
                SET {assignments}, leased_until = $3::timestamptz + interval '1 second' * {self.settings.lease}
                WHERE id = $1 AND leased_by = $2 AND status = 'active' AND deleted_at IS NULL RETURNING 1""",
            claim.subscription.id,
            claim.lease,
            now,
            *args,
        )
        return bool(done)


async def redeliver(
    pool: asyncpg.Pool,
    client: httpx.AsyncClient,
    destinations: Destinations,
    subscription: Subscription,
    earlier: Delivery,
    timeout: float,
) -> Delivery:
    """Send one logged delivery's event again, now (out of order by nature; the checkpoint and
    the retry state are left alone)."""
    events = await feed.read(pool, group_id=subscription.group_id, after=earlier.position - 1, limit=1)
    event = events[0]
    now = SystemClock().now()
    outcome = await post(client, destinations, subscription, event, now, timeout)
    count_delivery(outcome.status_code)
    attempts = await pool.fetchval(
        "SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $1 AND position = $2",
        subscription.id,
        event.position,
    )
    return await record_delivery(
        pool,
        subscription_id=subscription.id,
        position=event.position,
        event_id=event.event_id,
        event_type=event.event_type,
        attempt=int(attempts) + 1,
        redelivery=True,
        status_code=outcome.status_code,
        error=outcome.error,
        duration_ms=outcome.duration_ms,
        succeeded=outcome.succeeded,
    )
