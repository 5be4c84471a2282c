"""The contact queue's use cases: a proposal queued from `followup.AppointmentProposed`, the
customer's answer (an agent's, or through the reminder's link, spent once), booking's
appointment with a proposal converting it and its arrival, the "later" timer, and a failed
message handled. Each runs `events.commands.execute` on the proposal's stream with its clock.

The reactions run in the consumer's transaction with its inbox row, so a redelivered event
changes nothing twice; an appointment booked from a proposal is remembered in
`proposal_appointments` in the same transaction, so its arrival finds the proposal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from events.catalog import booking as booking_events
from events.catalog import followup_files as ev
from events.catalog.followup_proposals import failed_message_stream, proposal_stream
from events.commands import Outcome, execute
from events.connection import Connection
from events.envelope import Envelope, Metadata
from events.errors import NotFound
from events.runtime import Reaction, UseCases
from events.timers import DueTimer, keeping
from followup.domain.failed_message import FailedMessage, failed_message
from followup.domain.proposal import Proposal, proposal
from followup.domain.proposal_clocks import proposal_clocks
from followup.domain.proposal_commands import (
    BookProposal,
    HandleFailedMessage,
    MarkProposalArrived,
    ProposalCommand,
    QueueProposal,
    ReturnProposal,
)

SYSTEM_ACTOR = "followup.clock"
keep_proposal_clocks = keeping(proposal_clocks)


@dataclass(frozen=True)
class Proposals(UseCases):
    async def proposal(
        self,
        metadata: Metadata,
        proposal_id: UUID,
        command: ProposalCommand,
        *,
        conn: Connection | None = None,
        expected_version: int | None = None,
    ) -> Outcome[Proposal]:
        return await execute(
            self.store,
            proposal,
            proposal_stream(proposal_id),
            command,
            metadata,
            must_exist=not isinstance(command, QueueProposal),
            expected_version=expected_version,
            after_append=keep_proposal_clocks,
            conn=conn,
        )

    async def handle_failed(self, metadata: Metadata, command: HandleFailedMessage) -> Outcome[FailedMessage]:
        return await execute(self.store, failed_message, failed_message_stream(command.message_id), command, metadata)

    async def due_again(self, conn: Connection, timer: DueTimer) -> None:
        metadata = Metadata(timer.tenant, SYSTEM_ACTOR, str(uuid4()), causation_id=timer.timer_id)
        await self.proposal(metadata, UUID(timer.payload["proposal_id"]), ReturnProposal(self.now()), conn=conn)

    async def _on_booking(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event = envelope.event
        if isinstance(event, booking_events.AppointmentBooked):
            proposal_id = event.proposal_id
            if proposal_id is None:
                return
            await conn.execute(
                "INSERT INTO proposal_appointments VALUES ($1, $2) ON CONFLICT DO NOTHING",
                event.appointment_id,
                proposal_id,
            )
            command: ProposalCommand = BookProposal(event.appointment_id, event.slot_start, event.booked_at)
        else:
            proposal_id = await conn.fetchval(
                "SELECT proposal_id FROM proposal_appointments WHERE appointment_id = $1", event.appointment_id
            )
            if proposal_id is None:
                return
            command = MarkProposalArrived(event.appointment_id, event.arrived_at)
        try:
            await self.proposal(envelope.caused(), proposal_id, command, conn=conn)
        except NotFound:
            return  # a proposal id of another group, or none: nothing of ours to convert

    async def _on_proposed(self, conn: Connection, envelope: Envelope[Any]) -> None:
        event: ev.AppointmentProposed = envelope.event
        at: datetime = max(self.now(), event.proposed_at)
        await self.proposal(envelope.caused(), event.proposal_id, QueueProposal(event, at), conn=conn)

    def reactions(self) -> list[Reaction]:
        bookings = {booking_events.AppointmentBooked.event_type, booking_events.VehicleArrived.event_type}
        return [
            Reaction("contact-queue", ["followup"], {ev.AppointmentProposed.event_type}, self._on_proposed),
            Reaction("proposal-bookings", ["booking"], bookings, self._on_booking),
        ]
