"""The inspection's use cases: open it on a work order (the template that fits, last visit's
results carried forward), grade items, attach photos and videos (kept in the media store, the row
written in the event's transaction), and complete it — reporting its yellow and red items as the
work order's findings in the same transaction, so there is never a completed inspection whose
findings the advisor did not get, nor findings reported twice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from events.catalog.workshop import MediaRef
from events.commands import Outcome, execute, load
from events.connection import Connection
from events.envelope import Envelope, Metadata
from events.media import CheckedUpload
from events.runtime import UseCases
from workshop import inspection_results, media_files
from workshop.domain import errors
from workshop.domain import inspection as insp
from workshop.domain import inspection_templates as templates
from workshop.domain.commands import ReportAdditionalWork
from workshop.domain.inspection import AttachMedia, CompleteInspection, Inspection, InspectionCommand, OpenInspection
from workshop.domain.state import READY
from workshop.domain.work_order import stream_id as work_order_stream
from workshop.domain.work_order import work_order
from workshop.handlers import Workshop
from workshop.media_files import MediaFiles


@dataclass(frozen=True)
class Inspecting(UseCases):
    workshop: Workshop
    files: MediaFiles

    async def run(
        self, metadata: Metadata, repair_order_id: UUID, command: InspectionCommand, expected_version: int | None
    ) -> Outcome[Inspection]:
        return await execute(
            self.store,
            insp.inspection,
            insp.stream_id(repair_order_id),
            command,
            metadata,
            expected_version=expected_version,
            must_exist=True,
        )

    async def open(
        self, metadata: Metadata, repair_order_id: UUID, template_id: str | None, service_type: str
    ) -> Outcome[Inspection]:
        tenant = metadata.tenant
        order, _ = await load(self.store, work_order, work_order_stream(repair_order_id), tenant)
        if order.status == READY:
            raise errors.AlreadyReady("the car passed quality check and is ready for delivery")
        assert order.vehicle is not None  # an opened work order knows its car
        site, _ = await load(
            self.store, templates.inspection_templates, templates.stream_id(tenant.site_id), tenant, must_exist=False
        )
        template = site.get(template_id) if template_id else site.fitting(order.vehicle.model or "", service_type)
        async with self.runtime.pool.acquire() as conn:
            previous_ro, previous = await inspection_results.last_inspection(
                conn, tenant.group_id, order.vehicle.vin, repair_order_id
            )
        command = OpenInspection(
            repair_order_id, order.vehicle.vin, template, previous_ro, previous, metadata.actor, self.now()
        )
        return await execute(
            self.store, insp.inspection, insp.stream_id(repair_order_id), command, metadata, must_exist=False
        )

    async def attach(
        self,
        metadata: Metadata,
        repair_order_id: UUID,
        item_id: str,
        upload: CheckedUpload,
        expected_version: int | None,
    ) -> tuple[Outcome[Inspection], MediaRef]:
        tenant, at = metadata.tenant, self.now()
        state, _ = await load(self.store, insp.inspection, insp.stream_id(repair_order_id), tenant)
        # Refused before the bytes are kept: an unknown item or a completed inspection stores nothing.
        insp.attach_media(state, AttachMedia(item_id, _placeholder(upload), metadata.actor, at))
        media_id = uuid4()
        ref = MediaRef(media_id=media_id, kind=upload.kind, content_type=upload.content_type)
        await media_files.keep(self.files, tenant, media_id, upload)

        async def describe(conn: Connection, recorded: list[Envelope[Any]]) -> None:
            await media_files.record(conn, tenant, media_id, repair_order_id, item_id, upload, metadata.actor, at)

        outcome = await execute(
            self.store,
            insp.inspection,
            insp.stream_id(repair_order_id),
            AttachMedia(item_id, ref, metadata.actor, at),
            metadata,
            expected_version=expected_version,
            must_exist=True,
            after_append=describe,
        )
        return outcome, ref

    async def complete(
        self, metadata: Metadata, repair_order_id: UUID, command: CompleteInspection, expected_version: int | None
    ) -> Outcome[Inspection]:
        state, version = await load(self.store, insp.inspection, insp.stream_id(repair_order_id), metadata.tenant)
        # The findings below are this version's: a change since is a conflict, not other findings.
        expected = version if expected_version is None else expected_version
        insp.complete(state, command)  # refusals first (ungraded items, unquoted findings)
        findings = insp.findings_of(state, command.quotes)

        async def report(conn: Connection, recorded: list[Envelope[Any]]) -> None:
            if findings:
                report = ReportAdditionalWork(findings, command.completed_by, command.completed_at)
                await self.workshop.run(metadata, repair_order_id, report, conn=conn)

        return await execute(
            self.store,
            insp.inspection,
            insp.stream_id(repair_order_id),
            command,
            metadata,
            expected_version=expected,
            must_exist=True,
            after_append=report,
        )


def _placeholder(upload: CheckedUpload) -> MediaRef:
    return MediaRef(media_id=UUID(int=0), kind=upload.kind, content_type=upload.content_type)
