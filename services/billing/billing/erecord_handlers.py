"""The repair e-record use cases: prepare a settlement's record (the policy on reception's
`InvoiceSettled`), upload it (a durable timer, then the call after commit: `outbound.calls`),
record the platform's answer, resubmit after a fix.

Timers (kind `ERECORD_UPLOAD`, written in the transaction of the event that makes an upload due):
prepared or resubmitted → due now; the platform down → due at the back-off's `retry_at`; sent →
a watchdog due after the lease, in case the answer is never recorded. A timer carries the
submission, attempt count and status it was scheduled for and does nothing once the record has
moved on (answered, resubmitted), so a late or duplicate timer never uploads twice.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from billing import erecord as er
from billing import erecord_views as views
from billing.domain import settings as site
from billing.domain.settings import BillingSettings
from billing.erecord_content import prepared
from billing.outbound.answers import Done, Refused
from billing.outbound.backoff import BACKOFF, Backoff
from billing.outbound.calls import LEASE, AfterCommit
from billing.outbound.erecord import ERecordPlatform
from events.catalog.billing_outbound import (
    ERecordPrepared,
    ERecordResubmitted,
    ERecordSent,
    ERecordUploadFailed,
)
from events.catalog.reception import InvoiceSettled
from events.commands import Outcome, execute, load
from events.connection import Connection
from events.decider import fold
from events.envelope import Envelope, Metadata, Tenant
from events.runtime import Reaction, UseCases
from events.store import EventStore
from events.timers import DueTimer, schedule

ERECORD_UPLOAD = "billing.erecord_upload"
SYSTEM_ACTOR = "billing.erecord"


async def site_settings(store: EventStore, tenant: Tenant, conn: Connection | None = None) -> BillingSettings:
    """The site's billing settings as they are now (the defaults when never set)."""
    history = await store.read_stream(site.stream_id(tenant.site_id), conn=conn)
    if history and history[0].tenant != tenant:
        return site.DEFAULTS  # another group's stream of the same name is not this site's
    return fold(site.billing_settings, [e.event for e in history])


def upload_timer(
    envelope: Envelope[Any], state: er.ERecord, now: datetime
) -> tuple[str, datetime, dict[str, Any]] | None:
    """The upload timer an e-record event makes due (id, due time, payload), or None."""
    event = envelope.event
    if isinstance(event, ERecordPrepared | ERecordResubmitted):
        due, status = now, er.PENDING
    elif isinstance(event, ERecordUploadFailed):
        due, status = event.retry_at, er.PENDING
    elif isinstance(event, ERecordSent):
        due, status = now + LEASE, er.SENT
    else:
        return None
    payload = {
        "record_id": str(event.record_id),
        "submission": state.submission,
        "attempts": state.attempts,
        "status": status,
    }
    return f"erecord-{event.record_id}-{envelope.stream_version}", due, payload


def timer_applies(state: er.ERecord, payload: dict[str, Any]) -> bool:
    """Whether a fired upload timer is still the record's current one."""
    return (
        state.awaiting_upload
        and state.submission == payload["submission"]
        and state.attempts == payload["attempts"]
        and state.status == payload["status"]
    )


@dataclass(frozen=True)
class ERecords(UseCases):
    platform: ERecordPlatform
    calls: AfterCommit = field(default_factory=AfterCommit)
    backoff: Backoff = BACKOFF
    random_fraction: Callable[[], float] = random.random

    async def _after_append(self, conn: Connection, recorded: list[Envelope[Any]]) -> None:
        """In the events' transaction: the timers they make due, and the record's row."""
        history = await self.store.read_stream(recorded[0].stream_id, conn=conn)
        state = er.erecord.initial_state
        for envelope in history:
            state = er.erecord.evolve(state, envelope.event)
            fresh = envelope.stream_version >= recorded[0].stream_version
            timer = upload_timer(envelope, state, self.now()) if fresh else None
            if timer is not None:
                timer_id, due, payload = timer
                await schedule(conn, timer_id, ERECORD_UPLOAD, due, envelope.tenant, payload)
        await views.save(conn, recorded[0].tenant, state, self.now())

    async def _run(
        self, metadata: Metadata, record_id: UUID, command: er.ERecordCommand, conn: Connection | None = None
    ) -> Outcome[er.ERecord]:
        return await execute(
            self.store,
            er.erecord,
            er.stream_id(record_id),
            command,
            metadata,
            must_exist=not isinstance(command, er.Prepare),
            after_append=self._after_append,
            conn=conn,
        )

    # --- the settlement -----------------------------------------------------------------------

    async def prepare(self, conn: Connection, envelope: Envelope[Any]) -> None:
        """reception.InvoiceSettled → the settlement's record, pending upload (once per settlement:
        its id follows from it, and a record that exists is left as it is)."""
        settled: InvoiceSettled = envelope.event
        settings = await site_settings(self.store, envelope.tenant, conn)
        event = prepared(settled, settings.enterprise_name, settings.enterprise_licence_number, self.now())
        await self._run(envelope.caused(SYSTEM_ACTOR), event.record_id, er.Prepare(event), conn)

    def reaction(self) -> Reaction:
        return Reaction("erecords", ["reception"], {InvoiceSettled.event_type}, self.prepare)

    # --- the upload ---------------------------------------------------------------------------

    async def upload_due(self, conn: Connection, timer: DueTimer) -> None:
        """The timer: claim the upload (sent, with its watchdog), and call once this commits."""
        record_id = UUID(timer.payload["record_id"])
        history = await self.store.read_stream(er.stream_id(record_id), conn=conn)
        state = fold(er.erecord, [e.event for e in history])
        if not timer_applies(state, timer.payload):
            return
        metadata = Metadata(timer.tenant, SYSTEM_ACTOR, str(uuid4()), causation_id=timer.timer_id)
        outcome = await self._run(metadata, record_id, er.MarkSent(state.submission, self.now()), conn)
        if not outcome.recorded or outcome.state.record is None:
            return
        record, attempt = outcome.state.record, outcome.state.attempts

        async def call() -> None:
            answer = await self.platform.upload(record)
            at = self.now()
            command: er.ERecordCommand
            if isinstance(answer, Done):
                command = er.RecordAccepted(attempt, str(answer.details["platform_record_id"]), at)
            elif isinstance(answer, Refused):
                command = er.RecordRejected(attempt, answer.reason, at)
            else:
                retry_at = self.backoff.next_attempt(at, attempt, self.random_fraction())
                command = er.RecordUploadFailed(attempt, answer.reason, retry_at)
            await self._run(metadata, record_id, command)

        self.calls.run(self.runtime.pool, timer.timer_id, call)

    # --- after a fix --------------------------------------------------------------------------

    async def resubmit(self, metadata: Metadata, record_id: UUID) -> Outcome[er.ERecord]:
        """Send the record again, built with the site's enterprise identity as it is now."""
        state, _ = await load(self.store, er.erecord, er.stream_id(record_id), metadata.tenant)
        assert state.record is not None
        settings = await site_settings(self.store, metadata.tenant)
        record = state.record.model_copy(
            update={
                "enterprise_name": settings.enterprise_name,
                "enterprise_licence_number": settings.enterprise_licence_number,
            }
        )
        return await self._run(metadata, record_id, er.Resubmit(record, metadata.actor, self.now()))
