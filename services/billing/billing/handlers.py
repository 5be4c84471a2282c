"""The billing use cases: each runs in one PostgreSQL transaction that records the events and
writes billing's own tables (ledger.py), so a number, a deposit's application or a till movement
exists exactly when its event does.

- Issuing reads the repair order from reception first (`Peers`, outside the transaction: no lock
  is held across a network call), then, under the RO's lock: the invoice in force, the site's
  settings, the deposits to apply, and last the series' counter row FOR UPDATE, held only for
  the decide and the append. A refused or rolled-back issue leaves the counter where it was.
- Money (payments, deposits, refunds) and the day close take the site's till lock, so a close
  counts every movement committed before it and a movement after it goes to the next day.

Handlers take the already-checked `Metadata` (tenant, actor, correlation) and the values the
API parsed; ids derived from a client's `Idempotency-Key` make a retry land on its first result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid5

from billing import ledger
from billing.domain import cash_day, deposits, errors
from billing.domain import invoice as invoices
from billing.domain import settings as site
from billing.domain.cash_day import Movement
from billing.domain.invoice import Invoice, IssueInvoice, MakeRefund, RepairOrderCopy, TakePayment, VoidInvoice
from billing.domain.numbers import number
from billing.domain.settings import BillingSettings
from events.catalog.billing import DepositTaken, InvoiceIssued, InvoiceVoided, PaymentTaken, RefundMade
from events.catalog.reception_values import Contact, RepairLine, VehicleIdentity
from events.commands import Outcome, execute
from events.connection import Connection
from events.decider import fold
from events.envelope import Metadata, Tenant
from events.identity import Identity
from events.peers import Peers
from events.personal_data import subjects_of
from events.runtime import UseCases

# The namespace of ids derived from a client's Idempotency-Key (RFC 4122 name-based): the same
# key of the same user at the same site names the same invoice, payment, deposit or refund.
_KEYED = UUID("0b6f3c52-9d1e-4a8b-8f3a-6c2e51d7a019")


def keyed_id(kind: str, tenant: Tenant, user_id: str, key: str) -> UUID:
    return uuid5(_KEYED, f"{kind}/{tenant.group_id}/{tenant.site_id}/{user_id}/{key}")


def repair_order_copy(answer: dict[str, Any]) -> RepairOrderCopy:
    """Reception's repair order view → what the invoice takes of it (its approved lines)."""
    return RepairOrderCopy(
        repair_order_id=UUID(str(answer["repair_order_id"])),
        ready=bool(answer.get("ready")),
        customer=Contact.model_validate(answer["customer"]),
        vehicle=VehicleIdentity.model_validate(answer["vehicle"]),
        lines=tuple(RepairLine.model_validate(line) for line in answer.get("lines", ())),
    )


@dataclass(frozen=True)
class Billing(UseCases):
    """The use cases, on the service's runtime and its one client for other services."""

    peers: Peers

    async def repair_order(self, identity: Identity, site_id: str, repair_order_id: UUID) -> RepairOrderCopy:
        """The RO as reception answers the caller (its tenancy and roles apply; 404 passes through)."""
        answer = await self.peers.get("reception", f"/sites/{site_id}/repair-orders/{repair_order_id}", identity)
        return repair_order_copy(answer)

    async def settings(self, tenant: Tenant, *, conn: Connection | None = None) -> BillingSettings:
        """The site's settings; the defaults when the site set none."""
        history = await self.store.read_stream(site.stream_id(tenant.site_id), conn=conn)
        if history and history[0].tenant != tenant:
            return site.DEFAULTS  # another group's stream of the same name is not this site's
        return fold(site.billing_settings, [e.event for e in history])

    # --- invoices ---------------------------------------------------------------------------

    async def issue(
        self, metadata: Metadata, identity: Identity, repair_order_id: UUID, series: str, invoice_id: UUID
    ) -> Outcome[Invoice]:
        tenant = metadata.tenant
        ro = await self.repair_order(identity, tenant.site_id, repair_order_id)
        # The buyer's name and phone are sealed under the customer's key (decision 0004); a new
        # key is made on a pooled connection of its own. Made now, before the transaction: issues
        # queued on the series' counter each hold a connection, and the one holding the counter
        # must not wait for the pool they fill.
        await self.store.personal_data.for_sealing(subjects_of(ro.customer))
        stream = invoices.stream_id(invoice_id)
        async with self.store.transaction() as conn:
            await ledger.lock(conn, *ledger.repair_order_lock(tenant, repair_order_id))
            history = await self.store.read_stream(stream, conn=conn)
            if history and history[0].tenant == tenant:
                state = fold(invoices.invoice, [e.event for e in history])
                if state.issued is not None and state.issued.repair_order_id == repair_order_id:
                    return Outcome(state, history[-1].stream_version, [])  # a retry: its invoice
            in_force = await ledger.invoice_in_force(conn, tenant, repair_order_id)
            if in_force is not None:
                raise errors.RepairOrderAlreadyInvoiced(
                    f"repair order {repair_order_id} is invoiced already (invoice {in_force}); "
                    "void that invoice to invoice the RO again"
                )
            settings = await self.settings(tenant, conn=conn)
            if series not in settings.series:
                raise errors.UnknownSeries(f"series {series!r} is not one of the site's: {', '.join(settings.series)}")
            applied = await ledger.unapplied_deposits(conn, tenant, repair_order_id)
            at = self.now()
            # Last, the counter row: locked from here to the commit, the shortest stretch possible.
            sequence = await ledger.next_number(conn, tenant, series)
            command = IssueInvoice(
                invoice_id=invoice_id,
                repair_order=ro,
                series=series,
                number=number(
                    settings.number_format(series), cash_day.local_day(at, settings.time_zone).year, sequence
                ),
                sequence=sequence,
                vat_bp=settings.vat_bp,
                rounding=settings.rounding,
                deposits=applied,
                issued_by=metadata.actor,
                issued_at=at,
            )
            outcome = await execute(self.store, invoices.invoice, stream, command, metadata, conn=conn)
            issued = next((e.event for e in outcome.recorded if isinstance(e.event, InvoiceIssued)), None)
            if issued is not None:
                await ledger.take_number(conn, tenant, series, sequence)
                await ledger.record_issue(conn, tenant, issued)
            return outcome

    async def pay(
        self,
        metadata: Metadata,
        invoice_id: UUID,
        payment_id: UUID,
        method: str,
        amount: int,
        reference: str | None,
        expected_version: int | None,
    ) -> Outcome[Invoice]:
        return await self._move_money(
            metadata,
            invoice_id,
            expected_version,
            lambda day, at: TakePayment(payment_id, method, amount, reference, day, metadata.actor, at),
            PaymentTaken,
            payment_id,
            Movement("payment", method, amount),
        )

    async def refund(
        self,
        metadata: Metadata,
        invoice_id: UUID,
        refund_id: UUID,
        method: str,
        amount: int,
        reason: str,
        expected_version: int | None,
    ) -> Outcome[Invoice]:
        return await self._move_money(
            metadata,
            invoice_id,
            expected_version,
            lambda day, at: MakeRefund(refund_id, method, amount, reason, day, metadata.actor, at),
            RefundMade,
            refund_id,
            Movement("refund", method, amount),
        )

    async def void(
        self, metadata: Metadata, invoice_id: UUID, reason: str, expected_version: int | None
    ) -> Outcome[Invoice]:
        async with self.store.transaction() as conn:
            command = VoidInvoice(reason, metadata.actor, self.now())
            outcome = await execute(
                self.store,
                invoices.invoice,
                invoices.stream_id(invoice_id),
                command,
                metadata,
                expected_version=expected_version,
                must_exist=True,
                conn=conn,
            )
            if any(isinstance(e.event, InvoiceVoided) for e in outcome.recorded):
                await ledger.record_void(conn, metadata.tenant, invoice_id)
            return outcome

    # --- deposits and the till ----------------------------------------------------------------

    async def take_deposit(
        self,
        metadata: Metadata,
        identity: Identity,
        repair_order_id: UUID,
        deposit_id: UUID,
        method: str,
        amount: int,
    ) -> tuple[DepositTaken, bool]:
        """The deposit, and whether this call took it (False: a retry of the same key)."""
        tenant = metadata.tenant
        await self.repair_order(identity, tenant.site_id, repair_order_id)  # 404 for an RO reception does not know
        stream = deposits.stream_id(repair_order_id)
        async with self.store.transaction() as conn:
            await ledger.lock(conn, *ledger.repair_order_lock(tenant, repair_order_id))
            day = await self._till_day(conn, tenant)
            at = self.now()
            invoiced = await ledger.invoice_in_force(conn, tenant, repair_order_id) is not None
            command = deposits.TakeDeposit(
                deposit_id, repair_order_id, method, amount, day, invoiced, metadata.actor, at
            )
            outcome = await execute(self.store, deposits.deposits, stream, command, metadata, conn=conn)
            for recorded in outcome.recorded:
                if isinstance(recorded.event, DepositTaken):
                    movement = Movement("deposit", method, amount)
                    await ledger.record_deposit(conn, tenant, deposit_id, repair_order_id, movement, day, at)
            return next(d for d in outcome.state.taken if d.deposit_id == deposit_id), bool(outcome.recorded)

    async def close_day(self, metadata: Metadata, day: date) -> Outcome[cash_day.CashDay]:
        tenant = metadata.tenant
        async with self.store.transaction() as conn:
            await ledger.lock(conn, *ledger.till_lock(tenant))
            settings = await self.settings(tenant, conn=conn)
            at = self.now()
            command = cash_day.CloseCashDay(
                site_id=tenant.site_id,
                day=day,
                today=cash_day.local_day(at, settings.time_zone),
                movements=await ledger.movements(conn, tenant, day),
                closed_by=metadata.actor,
                closed_at=at,
            )
            outcome = await execute(
                self.store, cash_day.cash_day, cash_day.stream_id(tenant.site_id, day), command, metadata, conn=conn
            )
            await ledger.record_close(conn, tenant, day)
            return outcome

    async def _till_day(self, conn: Connection, tenant: Tenant) -> date:
        """The day money moved now counts in: today at the site, or the next day not closed."""
        await ledger.lock(conn, *ledger.till_lock(tenant))
        settings = await self.settings(tenant, conn=conn)
        today = cash_day.local_day(self.now(), settings.time_zone)
        return cash_day.till_day(today, await ledger.closed_days(conn, tenant, today))

    async def _move_money(
        self,
        metadata: Metadata,
        invoice_id: UUID,
        expected_version: int | None,
        command: Callable[[date, datetime], TakePayment | MakeRefund],
        produced: type[PaymentTaken | RefundMade],
        movement_id: UUID,
        movement: Movement,
    ) -> Outcome[Invoice]:
        """Money in or out on an invoice: under the till lock, `command` (made for the till day and
        now) runs on the invoice stream, and the `produced` event it records moves the till."""
        tenant = metadata.tenant
        async with self.store.transaction() as conn:
            day = await self._till_day(conn, tenant)
            at = self.now()
            outcome = await execute(
                self.store,
                invoices.invoice,
                invoices.stream_id(invoice_id),
                command(day, at),
                metadata,
                expected_version=expected_version,
                must_exist=True,
                conn=conn,
            )
            for recorded in outcome.recorded:
                if isinstance(recorded.event, produced):
                    await ledger.record_movement(conn, tenant, movement_id, day, movement, invoice_id, None, at)
            return outcome
