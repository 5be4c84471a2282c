"""Wiring: the notifications runtime (database, relay, the trigger and contact reactions, the
send timers), the providers' adapters and the HTTP app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI

from events.clock import Clock, SystemClock
from events.connection import Connection
from events.envelope import Envelope
from events.kafka import KafkaSettings
from events.migrations import load_folder
from events.runtime import Reaction, ServiceRuntime, service_app
from events.settings import Settings, load
from events.tracing import configure_tracing
from notifications import api, contacts, opt_outs, waiting
from notifications.domain.triggers import TRIGGERS
from notifications.handlers import SEND, Notifications
from notifications.outbound.providers import Providers
from notifications.outbound.settings import ProviderSettings
from notifications.views import PERSONAL_COLUMNS


def create_app(
    *,
    clock: Clock | None = None,
    database_url: str | None = None,
    kafka: KafkaSettings | None = None,
    providers: ProviderSettings | None = None,
) -> FastAPI:
    runtime = ServiceRuntime(
        "notifications",
        personal_columns=PERSONAL_COLUMNS,
        migrations=load_folder("notifications", Path(__file__).parent / "sql"),
        clock=clock or SystemClock(),
        database_url=database_url,
        kafka=kafka,
    )
    settings = providers or load(ProviderSettings)
    notifications = Notifications(runtime, Providers(settings), settings.public_url)
    triggers = {t.event_type for t in TRIGGERS}

    async def learn_then_trigger(conn: Connection, envelope: Envelope[Any]) -> None:
        if envelope.event.event_type in contacts.LEARNED:
            key = await contacts.learn(conn, envelope)
            if key is not None:
                await notifications.on_contact(conn, envelope.tenant.group_id, key)
        if envelope.event.event_type in triggers:
            await notifications.on_trigger(conn, envelope)

    services = sorted({*contacts.LEARNED_FROM, *(t.split(".", 1)[0] for t in triggers)})
    runtime.reactions = [
        # Who a message goes to and what asks for it, in ONE consumer: an event of a stream is
        # handled after the ones before it (an internet booking's contact, then its confirmation
        # asked for at once). As two consumers they took each fetch side by side, and a trigger
        # could find no contact yet and be recorded undeliverable. Across topics (a check-in and
        # the workshop's trigger) there is no order: a trigger waits for its contact (`waiting`).
        Reaction("triggers", services, contacts.LEARNED | triggers, learn_then_trigger),
        contacts.erasing(),
        opt_outs.opting_out(notifications),  # followup's "opt out" answer withdraws marketing consent
    ]
    runtime.timers = {SEND: notifications.send_due, waiting.WAITED: notifications.contact_waited}
    return service_app(runtime, api.router, notifications=notifications)


def main_app() -> FastAPI:
    settings = load(Settings)
    configure_tracing("notifications")
    return create_app(database_url=settings.database_url, kafka=KafkaSettings.from_env(settings))
