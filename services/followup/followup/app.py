"""Wiring: the followup runtime (database, relay, reactions, clocks, own and fed read models)
and its HTTP app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from events.clock import Clock, SystemClock
from events.kafka import KafkaSettings
from events.migrations import load_folder
from events.runtime import ServiceRuntime, service_app
from events.settings import load
from events.tracing import configure_tracing
from followup import (
    api,
    campaign_targets_api,
    campaigns_api,
    contact_queue_api,
    conversion_report,
    csi_report,
    customer_files_api,
    policies,
    productivity_api,
)
from followup.analytics import FEEDS, VocFacts
from followup.callback_queue import PERSONAL_COLUMNS as CALLBACK_PERSONAL_COLUMNS
from followup.callback_queue import CallbackQueue
from followup.contact_log import PERSONAL_COLUMNS as LOG_PERSONAL_COLUMNS
from followup.contact_log import ContactLog
from followup.contact_queue import PERSONAL_COLUMNS as QUEUE_PERSONAL_COLUMNS
from followup.contact_queue import ContactQueue, FailedMessages, FailedMessagesHandled
from followup.customer_files import PERSONAL_COLUMNS as FILE_PERSONAL_COLUMNS
from followup.customer_files import CustomerFiles
from followup.domain.clocks import CALLBACK_OVERDUE, ESCALATION_DUE, LETTER_DUE
from followup.domain.proposal_clocks import PROPOSAL_DUE_AGAIN
from followup.handlers import Followup
from followup.proposals import Proposals
from followup.settings import FollowupSettings


def create_app(
    *, clock: Clock | None = None, database_url: str | None = None, kafka: KafkaSettings | None = None
) -> FastAPI:
    runtime = ServiceRuntime(
        "followup",
        personal_columns=(
            CALLBACK_PERSONAL_COLUMNS + LOG_PERSONAL_COLUMNS + FILE_PERSONAL_COLUMNS + QUEUE_PERSONAL_COLUMNS
        ),
        migrations=load_folder("followup", Path(__file__).parent / "sql"),
        own_projections=[
            CallbackQueue(),
            ContactLog(),
            CustomerFiles(),
            VocFacts(),
            ContactQueue(),
            FailedMessagesHandled(),
        ],
        feed_projections=[*FEEDS, (FailedMessages(), ["notifications"])],
        clock=clock or SystemClock(),
        database_url=database_url,
        kafka=kafka,
    )
    followup = Followup(runtime)
    proposals = Proposals(runtime)
    runtime.reactions = [policies.deliveries(followup), policies.own_events(followup), *proposals.reactions()]
    runtime.timers = {
        CALLBACK_OVERDUE: followup.mark_overdue,
        ESCALATION_DUE: followup.escalation_due,
        LETTER_DUE: followup.letter_due,
        PROPOSAL_DUE_AGAIN: proposals.due_again,
    }
    return service_app(
        runtime,
        campaign_targets_api.router,
        api.router,
        customer_files_api.router,
        campaigns_api.router,
        csi_report.router,
        productivity_api.router,
        contact_queue_api.router,
        conversion_report.router,
        followup=followup,
        proposals=proposals,
    )


def main_app() -> FastAPI:
    settings = load(FollowupSettings)
    configure_tracing("followup")
    return create_app(database_url=settings.database_url, kafka=KafkaSettings.from_env(settings))
