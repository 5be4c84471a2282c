"""The notifications use cases: a trigger becomes a message (in the consumer's transaction,
with its inbox row), the provider is asked once that commits (a durable timer due at the
message's `send_at`, the call after the timer's commit: `events.outbound`), its answer and later
its delivery report are recorded.

Exactly once per trigger: the message's id is derived from the triggering event's id and the
kind, so a redelivered or republished trigger finds its message and decides nothing; every call
of one message carries the message's id as the provider's idempotency key (SMS `Idempotency-Key`,
the e-mail's Message-ID, WeChat's `client_msg_id`), so a retry after a lost answer or a
watchdog's call after a crash is one message at the provider, not two.

Timers (kind `SEND`): requested → due at `send_at` (now, or the end of the quiet hours);
unavailable → due at `retry_at` (back-off); each call → a watchdog after the lease. A timer
carries the attempt count it was scheduled for and does nothing once the message moved on.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID, uuid4, uuid5

from events.catalog import notifications as ev
from events.commands import Outcome, execute
from events.connection import Connection
from events.decider import fold
from events.envelope import Envelope, Metadata, Tenant
from events.identity import internal_secret
from events.outbound import BACKOFF, LEASE, AfterCommit, Backoff, Done, Refused
from events.runtime import UseCases
from events.timers import DueTimer, schedule
from notifications import contacts, views, waiting
from notifications.domain import message as msg
from notifications.domain import preferences as prefs
from notifications.domain import site as sites
from notifications.domain.consent import Preferences
from notifications.domain.site import SiteSettings
from notifications.domain.triggers import Trigger, trigger_of
from notifications.outbound.providers import Providers

SEND = "notifications.send"
SYSTEM_ACTOR = "notifications"
_NO_CONTACT = UUID("7c3e2f8a-1b4d-4e6f-8a9b-0c1d2e3f4a5b")


def _keys(trigger: Trigger) -> list[str]:
    """The contacts that would name the trigger's addressee (`Notifications._addressee`)."""
    keys = [f"ro:{trigger.repair_order_id}"] if trigger.repair_order_id else []
    return keys + ([f"customer:{trigger.customer_id}"] if trigger.customer_id else [])


def report_token(message_id: UUID) -> str:
    """What a provider's delivery report must carry for this message (in the URL we give it)."""
    return hmac.new(internal_secret().encode(), f"report:{message_id}".encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class Notifications(UseCases):
    providers: Providers
    public_url: str
    calls: AfterCommit = field(default_factory=AfterCommit)
    backoff: Backoff = BACKOFF
    random_fraction: Callable[[], float] = random.random

    # --- what the rules read ------------------------------------------------------------------

    async def site(self, tenant: Tenant, conn: Connection | None = None) -> SiteSettings:
        history = await self.store.read_stream(ev.site_stream(tenant.site_id), conn=conn)
        if history and history[0].tenant != tenant:
            return SiteSettings()  # another group's stream of the same name is not this site's
        return fold(sites.site_settings, [e.event for e in history])

    async def preferences(self, group_id: str, customer_id: UUID, conn: Connection | None = None) -> Preferences:
        """The customer's preferences, set at any site of their group."""
        history = await self.store.read_stream(ev.contact_stream(customer_id), conn=conn)
        if history and history[0].tenant.group_id != group_id:
            return Preferences()
        return fold(prefs.preferences, [e.event for e in history])

    # --- a trigger becomes a message ---------------------------------------------------------

    async def on_trigger(self, conn: Connection, envelope: Envelope[Any], *, waited: bool = False) -> None:
        """`waited`: the trigger waited for its contact already (`waiting`), it is handled as it is."""
        settings = await self.site(envelope.tenant, conn)
        trigger = trigger_of(envelope.event, settings.quiet_hours.timezone)
        if trigger is None:
            return
        known = await self._addressee(conn, envelope.tenant.group_id, trigger)
        keys = _keys(trigger)  # none: nothing to wait for
        if known is None and keys and not waited and not await self._decided(conn, envelope.event_id, trigger.kind):
            await waiting.park(conn, envelope, keys, self.now())
            return
        phone = known.phone if known else ""
        customer_id = (known.customer_id if known else None) or trigger.customer_id
        if customer_id is None:
            customer_id = contacts.subject_of(None, phone) if phone else uuid5(_NO_CONTACT, trigger.reference)
        params = {
            "name": known.name if known else "",
            "plate": known.plate if known else "",
            "reference": trigger.reference,
            **trigger.params,
        }
        command = msg.OpenMessage(
            message_id=msg.message_id(envelope.event_id, trigger.kind),
            customer_id=customer_id,
            trigger=replace(trigger, params=params),
            trigger_type=envelope.event.event_type,
            trigger_event_id=envelope.event_id,
            preferences=await self.preferences(envelope.tenant.group_id, customer_id, conn),
            fallback_phone=phone,
            quiet_hours=settings.quiet_hours,
            templates=settings.templates,
            at=self.now(),
        )
        await self._run(envelope.caused(SYSTEM_ACTOR), command.message_id, command, conn)

    async def _decided(self, conn: Connection, event_id: UUID, kind: str) -> bool:
        """The trigger's message exists (a redelivery after it waited and was handled)."""
        return bool(await self.store.read_stream(ev.message_stream(msg.message_id(event_id, kind)), conn=conn))

    async def on_contact(self, conn: Connection, group_id: str, key: str) -> None:
        """A contact learnt: the triggers that waited for it are handled now, in this transaction."""
        for envelope in await waiting.take_for(conn, group_id, key):
            await self.on_trigger(conn, envelope, waited=True)

    async def contact_waited(self, conn: Connection, timer: DueTimer) -> None:
        """No contact came in time: the trigger is handled without one (undeliverable, for a person)."""
        envelope = await waiting.take(conn, UUID(timer.payload["event_id"]))
        if envelope is not None:
            await self.on_trigger(conn, envelope, waited=True)

    async def _addressee(self, conn: Connection, group_id: str, trigger: Trigger) -> contacts.Known | None:
        if trigger.contact is not None:
            who = trigger.contact
            plate = trigger.params.get("plate", "")
            if not plate and trigger.appointment_id is not None:
                booked = await contacts.find(conn, group_id, f"appointment:{trigger.appointment_id}")
                plate = booked.plate if booked else ""
            return contacts.Known(who.name, who.phone, plate, who.customer_id)
        if trigger.repair_order_id is not None:
            found = await contacts.find(conn, group_id, f"ro:{trigger.repair_order_id}")
            if found is not None:
                return found
        if trigger.customer_id is not None:
            return await contacts.find(conn, group_id, f"customer:{trigger.customer_id}")
        return None

    async def _run(
        self, metadata: Metadata, message_id: UUID, command: msg.MessageCommand, conn: Connection | None = None
    ) -> Outcome[msg.Message]:
        return await execute(
            self.store,
            msg.message,
            ev.message_stream(message_id),
            command,
            metadata,
            must_exist=not isinstance(command, msg.OpenMessage),
            after_append=self._after_append,
            conn=conn,
        )

    async def _after_append(self, conn: Connection, recorded: list[Envelope[Any]]) -> None:
        """In the events' transaction: the message's row, and the timers they make due."""
        first = recorded[0]
        if isinstance(first.event, ev.MessageRequested | ev.MessageWithheld):
            await views.save_requested(conn, first.tenant, first.event)
        history = await self.store.read_stream(first.stream_id, conn=conn)
        state = fold(msg.message, [e.event for e in history])
        await views.save_status(conn, first.event.message_id, state, self.now())
        for envelope in recorded:
            event = envelope.event
            if isinstance(event, ev.MessageRequested):
                due, attempts = event.send_at, 0
            elif isinstance(event, ev.MessageAttemptFailed):
                due, attempts = event.retry_at, event.attempt
            else:
                continue
            payload = {"message_id": str(event.message_id), "attempts": attempts}
            await schedule(
                conn, f"message-{event.message_id}-{envelope.stream_version}", SEND, due, envelope.tenant, payload
            )

    # --- the provider asked, after commit ----------------------------------------------------

    async def send_due(self, conn: Connection, timer: DueTimer) -> None:
        """The timer: schedule the watchdog, and ask the provider once this commits."""
        message_id = UUID(timer.payload["message_id"])
        history = await self.store.read_stream(ev.message_stream(message_id), conn=conn)
        state = fold(msg.message, [e.event for e in history])
        request = state.requested
        if state.status != msg.PENDING or request is None or state.attempts != timer.payload["attempts"]:
            return
        attempts = state.attempts
        watchdog = f"message-{message_id}-watch-{uuid4()}"  # never the id of the timer firing now
        await schedule(conn, watchdog, SEND, self.now() + LEASE, timer.tenant, dict(timer.payload))
        metadata = Metadata(timer.tenant, SYSTEM_ACTOR, str(uuid4()), causation_id=timer.timer_id)
        report_to = f"{self.public_url.rstrip('/')}/delivery-reports/{message_id}?token={report_token(message_id)}"

        async def call() -> None:
            answer = await self.providers.send(request, report_to)
            at = self.now()
            command: msg.MessageCommand
            if isinstance(answer, Done):
                command = msg.RecordSent(message_id, str(answer.details["provider_message_id"]), at)
            elif isinstance(answer, Refused):
                command = msg.RecordRefused(message_id, answer.reason, at)
            else:
                retry_at = self.backoff.next_attempt(at, attempts + 1, self.random_fraction())
                command = msg.RecordAttemptFailed(message_id, answer.reason, retry_at)
            await self._run(metadata, message_id, command)

        self.calls.run(self.runtime.pool, timer.timer_id, call)

    # --- the provider's delivery report --------------------------------------------------------

    async def report(self, message_id: UUID, provider_message_id: str, status: str, reason: str) -> msg.Message | None:
        """Record a delivery report; the message after it (None: not a message of ours). A report
        that arrives before our own record of the send is answered with the message still
        pending: the route asks the provider to report again."""
        tenant = await views.tenant_of(self.runtime.pool, message_id)
        if tenant is None:
            return None
        metadata = Metadata(tenant, SYSTEM_ACTOR, str(uuid4()))
        command = msg.RecordReport(provider_message_id, status, reason, self.now())
        return (await self._run(metadata, message_id, command)).state

    # --- people's settings ----------------------------------------------------------------------

    async def set_preferences(self, metadata: Metadata, command: prefs.SetPreferences) -> Preferences:
        """The customer's preferences hold at every site of their group: the stream stays with the
        site that first recorded them (another group's customer is not found)."""
        stream = ev.contact_stream(command.customer_id)
        history = await self.store.read_stream(stream)
        if history and history[0].tenant.group_id == metadata.tenant.group_id:
            metadata = metadata._replace(tenant=history[0].tenant)
        outcome = await execute(self.store, prefs.preferences, stream, command, metadata)
        return outcome.state

    async def set_site(self, metadata: Metadata, command: sites.SiteCommand) -> SiteSettings:
        outcome = await execute(
            self.store, sites.site_settings, ev.site_stream(metadata.tenant.site_id), command, metadata
        )
        return outcome.state
