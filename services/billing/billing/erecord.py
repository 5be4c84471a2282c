"""The repair e-record of one settlement (JT/T 1132), as a pure decider: built after the
settlement, uploaded, answered. Its status: pending (built, or the platform down: retried) →
sent (an upload went out, its answer not yet recorded) → accepted, or rejected with the
platform's reason. A rejection is not retried; a resubmission sends the record, built again,
from pending. An answer that does not belong to the attempt in flight (a timer of an earlier
submission firing late) changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID, uuid5

from events.catalog.billing_outbound import (
    ERecordAccepted,
    ERecordContent,
    ERecordPrepared,
    ERecordRejected,
    ERecordResubmitted,
    ERecordSent,
    ERecordUploadFailed,
)
from events.contract import Event
from events.decider import Decider
from events.errors import DomainError

PENDING, SENT, ACCEPTED, REJECTED = "pending", "sent", "accepted", "rejected"
STATUSES = (PENDING, SENT, ACCEPTED, REJECTED)
_RECORD_IDS = UUID("6f1f0c0e-55a4-4b61-9d3e-0b6a7a1e1132")


def record_id_of(repair_order_id: UUID, invoice_number: str) -> UUID:
    """One record per settlement, whoever sees it first and however often it is delivered."""
    return uuid5(_RECORD_IDS, f"{repair_order_id}/{invoice_number}")


def stream_id(record_id: UUID) -> str:
    return f"erecord-{record_id}"


class UploadInProgress(DomainError):
    code = "erecord_upload_in_progress"


@dataclass(frozen=True)
class ERecord:
    record_id: UUID | None = None
    prepared: ERecordPrepared | None = None
    record: ERecordContent | None = None  # as last built (a resubmission builds it again)
    status: str = PENDING
    submission: int = 0  # 1 for the first upload, +1 per resubmission (names its timers)
    attempts: int = 0  # uploads sent in this submission
    last_error: str | None = None
    retry_at: datetime | None = None
    reason: str | None = None
    platform_record_id: str | None = None

    @property
    def exists(self) -> bool:
        return self.record_id is not None

    @property
    def awaiting_upload(self) -> bool:
        return self.exists and self.status in (PENDING, SENT)


@dataclass(frozen=True)
class Prepare:
    event: ERecordPrepared


@dataclass(frozen=True)
class MarkSent:
    submission: int
    at: datetime


@dataclass(frozen=True)
class RecordAccepted:
    attempt: int
    platform_record_id: str
    at: datetime


@dataclass(frozen=True)
class RecordRejected:
    attempt: int
    reason: str
    at: datetime


@dataclass(frozen=True)
class RecordUploadFailed:
    attempt: int
    reason: str
    retry_at: datetime


@dataclass(frozen=True)
class Resubmit:
    record: ERecordContent
    by: str
    at: datetime


ERecordCommand = Prepare | MarkSent | RecordAccepted | RecordRejected | RecordUploadFailed | Resubmit


def decide(state: ERecord, command: ERecordCommand) -> list[Event]:
    if isinstance(command, Prepare):
        return [] if state.exists else [command.event]
    if not state.exists:
        raise DomainError("the e-record does not exist")
    assert state.record_id is not None
    rid = state.record_id
    if isinstance(command, Resubmit):
        if state.awaiting_upload:
            raise UploadInProgress("the record is being uploaded; resubmit after the platform's answer")
        return [
            ERecordResubmitted(
                record_id=rid, record=command.record, resubmitted_by=command.by, resubmitted_at=command.at
            )
        ]
    if isinstance(command, MarkSent):
        if not state.awaiting_upload or command.submission != state.submission:
            return []
        return [ERecordSent(record_id=rid, attempt=state.attempts + 1, sent_at=command.at)]
    # An answer counts only for the attempt in flight.
    if state.status != SENT or command.attempt != state.attempts:
        return []
    if isinstance(command, RecordAccepted):
        return [
            ERecordAccepted(
                record_id=rid,
                attempt=command.attempt,
                platform_record_id=command.platform_record_id,
                accepted_at=command.at,
            )
        ]
    if isinstance(command, RecordRejected):
        return [ERecordRejected(record_id=rid, attempt=command.attempt, reason=command.reason, rejected_at=command.at)]
    return [
        ERecordUploadFailed(record_id=rid, attempt=command.attempt, reason=command.reason, retry_at=command.retry_at)
    ]


def evolve(state: ERecord, event: Event) -> ERecord:
    if isinstance(event, ERecordPrepared):
        return ERecord(record_id=event.record_id, prepared=event, record=event.record, submission=1)
    if isinstance(event, ERecordResubmitted):
        return replace(
            state,
            record=event.record,
            status=PENDING,
            submission=state.submission + 1,
            attempts=0,
            last_error=None,
            retry_at=None,
            reason=None,
        )
    if isinstance(event, ERecordSent):
        return replace(state, status=SENT, attempts=event.attempt, retry_at=None)
    if isinstance(event, ERecordUploadFailed):
        return replace(state, status=PENDING, last_error=event.reason, retry_at=event.retry_at)
    if isinstance(event, ERecordAccepted):
        return replace(state, status=ACCEPTED, platform_record_id=event.platform_record_id, last_error=None)
    if isinstance(event, ERecordRejected):
        return replace(state, status=REJECTED, reason=event.reason)
    return state


erecord: Decider[ERecordCommand, ERecord] = Decider(ERecord(), decide, evolve)
