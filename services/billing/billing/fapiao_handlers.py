"""The fapiao use cases: the cashier's request, then the provider asked after the request commits
(a durable timer due at once, the call after the timer's commit: `outbound.calls`), its answer
recorded, and the provider asked again with back-off while it is unavailable.

Exactly once: every call of one request carries the request's id as the provider's
idempotency key, so a retry after a lost answer, a watchdog's call after a crash, or two calls
racing get the one e-invoice the provider issued. A client retrying the same request gets the
fapiao as it stands; nothing is asked of the provider again.

Timers (kind `FAPIAO_ISSUE`): requested → due now; unavailable → due at `retry_at`; each call →
a watchdog due after the lease (in case the answer is never recorded). A timer carries the
request and attempt count it was scheduled for and does nothing once the fapiao moved on.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

from billing import fapiao as fp
from billing import fapiao_views as views
from billing.domain import invoice as inv
from billing.erecord_handlers import site_settings
from billing.outbound.answers import Done, Refused
from billing.outbound.backoff import BACKOFF, Backoff
from billing.outbound.calls import LEASE, AfterCommit
from billing.outbound.einvoice import EInvoiceProvider
from events.catalog.billing_outbound import FapiaoAttemptFailed, FapiaoBuyer, FapiaoRequested
from events.commands import Outcome, execute, load
from events.connection import Connection
from events.decider import fold
from events.envelope import Envelope, Metadata
from events.runtime import UseCases
from events.timers import DueTimer, schedule

FAPIAO_ISSUE = "billing.fapiao_issue"
SYSTEM_ACTOR = "billing.fapiao"


def payload_of(invoice_id: UUID, request_id: UUID, attempts: int) -> dict[str, Any]:
    return {"invoice_id": str(invoice_id), "request_id": str(request_id), "attempts": attempts}


def timer_applies(state: fp.Fapiao, payload: dict[str, Any]) -> bool:
    """Whether a fired timer is still the fapiao's current one."""
    return (
        state.status == fp.PENDING
        and state.request is not None
        and str(state.request.request_id) == payload["request_id"]
        and state.attempts == payload["attempts"]
    )


@dataclass(frozen=True)
class Fapiaos(UseCases):
    provider: EInvoiceProvider
    calls: AfterCommit = field(default_factory=AfterCommit)
    backoff: Backoff = BACKOFF
    random_fraction: Callable[[], float] = random.random

    async def _after_append(self, conn: Connection, recorded: list[Envelope[Any]]) -> None:
        """In the events' transaction: the timers they make due, and the fapiao's row."""
        history = await self.store.read_stream(recorded[0].stream_id, conn=conn)
        await views.save(conn, recorded[0].tenant, fold(fp.fapiao, [e.event for e in history]), self.now())
        for envelope in recorded:
            event = envelope.event
            if isinstance(event, FapiaoRequested):
                due, attempts = self.now(), 0
            elif isinstance(event, FapiaoAttemptFailed):
                due, attempts = event.retry_at, event.attempt
            else:
                continue
            timer_id = f"fapiao-{event.invoice_id}-{envelope.stream_version}"
            payload = payload_of(event.invoice_id, event.request_id, attempts)
            await schedule(conn, timer_id, FAPIAO_ISSUE, due, envelope.tenant, payload)

    async def _run(
        self, metadata: Metadata, invoice_id: UUID, command: fp.FapiaoCommand, conn: Connection | None = None
    ) -> Outcome[fp.Fapiao]:
        return await execute(
            self.store,
            fp.fapiao,
            fp.stream_id(invoice_id),
            command,
            metadata,
            after_append=self._after_append,
            conn=conn,
        )

    async def request(
        self, metadata: Metadata, invoice_id: UUID, kind: str, buyer: FapiaoBuyer
    ) -> tuple[fp.Fapiao, bool]:
        """The cashier's request for the invoice's e-invoice (the invoice must be the caller's: 404);
        the fapiao, and whether this asked for it (False: the same request was made before)."""
        invoice, _ = await load(self.store, inv.invoice, inv.stream_id(invoice_id), metadata.tenant)
        settings = await site_settings(self.store, metadata.tenant)
        if buyer.customer_id is None and invoice.issued is not None:
            # A person's details are sealed under a customer: the invoice's, unless told otherwise.
            buyer = buyer.model_copy(update={"customer_id": invoice.issued.buyer.customer_id})
        command = fp.RequestFapiao(
            invoice_id=invoice_id,
            request_id=uuid4(),
            invoice=invoice,
            kind=kind,
            buyer=buyer,
            seller_name=settings.enterprise_name,
            seller_tax_id=settings.enterprise_tax_id,
            requested_by=metadata.actor,
            at=self.now(),
        )
        outcome = await self._run(metadata, invoice_id, command)
        return outcome.state, bool(outcome.recorded)

    async def issue_due(self, conn: Connection, timer: DueTimer) -> None:
        """The timer: schedule the watchdog, and ask the provider once this commits."""
        invoice_id = UUID(timer.payload["invoice_id"])
        history = await self.store.read_stream(fp.stream_id(invoice_id), conn=conn)
        state = fold(fp.fapiao, [e.event for e in history])
        if not timer_applies(state, timer.payload) or state.request is None:
            return
        request, attempts = state.request, state.attempts
        watchdog = f"fapiao-{invoice_id}-watch-{uuid4()}"  # never the id of the timer firing now
        await schedule(conn, watchdog, FAPIAO_ISSUE, self.now() + LEASE, timer.tenant, dict(timer.payload))
        metadata = Metadata(timer.tenant, SYSTEM_ACTOR, str(uuid4()), causation_id=timer.timer_id)

        async def call() -> None:
            answer = await self.provider.issue(request)
            at = self.now()
            command: fp.FapiaoCommand
            if isinstance(answer, Done):
                details = answer.details
                command = fp.RecordIssued(request.request_id, details["einvoice_number"], details["check_code"], at)
            elif isinstance(answer, Refused):
                command = fp.RecordFailed(request.request_id, answer.reason, at)
            else:
                retry_at = self.backoff.next_attempt(at, attempts + 1, self.random_fraction())
                command = fp.RecordAttemptFailed(request.request_id, answer.reason, retry_at)
            await self._run(metadata, invoice_id, command)

        self.calls.run(self.runtime.pool, timer.timer_id, call)
