"""The outward adapters joined to billing's runtime: the e-record policy on reception's
settlements, the two upload/issue timers, the read models' personal columns; the use cases go
on `app.state` (`erecords`, `fapiaos`) for the routes."""

from __future__ import annotations

from typing import Any

from billing.erecord_handlers import ERECORD_UPLOAD, ERecords
from billing.fapiao_handlers import FAPIAO_ISSUE, Fapiaos
from billing.fapiao_views import PERSONAL_COLUMNS
from billing.outbound.calls import AfterCommit
from billing.outbound.einvoice import EInvoiceProvider
from billing.outbound.erecord import ERecordPlatform
from billing.outbound.settings import OutboundSettings
from events.runtime import ServiceRuntime
from events.settings import load


def install(runtime: ServiceRuntime, settings: OutboundSettings | None = None) -> dict[str, Any]:
    """Add the adapters' reaction, timers and personal columns to `runtime` (before it starts);
    the app state its routes read."""
    settings = settings or load(OutboundSettings)
    calls = AfterCommit()
    erecords = ERecords(runtime, ERecordPlatform(settings), calls)
    fapiaos = Fapiaos(runtime, EInvoiceProvider(settings), calls)
    runtime.reactions.append(erecords.reaction())
    runtime.timers.update({ERECORD_UPLOAD: erecords.upload_due, FAPIAO_ISSUE: fapiaos.issue_due})
    runtime.personal_columns = (*runtime.personal_columns, *PERSONAL_COLUMNS)
    return {"erecords": erecords, "fapiaos": fapiaos}
