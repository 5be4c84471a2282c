"""The catalogue's use cases: each change appends its event and writes its versioned rows in one
transaction (decision 0014); the quote reads what is in force on its date.

Retried commands do their work once: an import is named by its file, scope, site and date (the
same file sent again is the same import, answered as it was); an edit, a site's rates or a menu
sent again with the same values from the same date records nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from catalogue import tables
from catalogue.domain import labour, menus, rates
from catalogue.domain.errors import FieldError, Unprocessable
from catalogue.domain.labour import ChangeLabourOperation, LabourVersion, in_force
from catalogue.domain.labour_file import read_labour_file
from catalogue.domain.quotes import PartPrice, PartRequest, QuotedLine, QuoteRequest, price
from catalogue.price_list import lookup
from catalogue.zones import site_today
from events.catalog.catalogue import LabourOperationsImported, LabourRatesSet, ServiceMenuSet
from events.commands import Outcome, execute
from events.connection import Connection
from events.envelope import Envelope, Metadata, NewEvent, Tenant
from events.errors import ConcurrencyConflict
from events.runtime import UseCases

_IMPORTS = uuid5(NAMESPACE_URL, "https://dealerflow.example/catalogue/labour-imports")


def import_id(tenant: Tenant, scope: str, effective_from: date, sha256: str) -> UUID:
    """The import a file names: the same file, scope, site and date is the same import."""
    site = tenant.site_id if scope == "site" else ""
    return uuid5(_IMPORTS, f"{tenant.group_id}/{site}/{scope}/{effective_from.isoformat()}/{sha256}")


async def _write_rates(conn: Connection, recorded: list[Envelope[Any]]) -> None:
    for envelope in recorded:
        await tables.write_rates(conn, envelope)


async def _write_menu(conn: Connection, recorded: list[Envelope[Any]]) -> None:
    for envelope in recorded:
        await tables.write_menu(conn, envelope)


@dataclass(frozen=True)
class Quote:
    lines: list[QuotedLine]
    labour_rates: date | None  # the rates version used (its effective date)
    labour_operations: dict[str, date]  # each code's version used
    parts_price_lists: list[Any]  # the price-list versions the parts came from


@dataclass(frozen=True)
class Catalogue(UseCases):
    """The use cases, on the service's runtime (its event store and clock)."""

    async def today(self, tenant: Tenant) -> date:
        return await site_today(self.runtime.pool, tenant, self.now())

    # --- labour operations ----------------------------------------------------------------

    async def import_labour_operations(
        self, metadata: Metadata, scope: str, effective_from: date, data: bytes
    ) -> dict[str, Any]:
        """Import a labour-time file (all of it or, with any bad row, nothing: `InvalidLabourFile`)."""
        file = read_labour_file(data)
        tenant = metadata.tenant
        named = import_id(tenant, scope, effective_from, file.checksum)
        event = LabourOperationsImported(
            import_id=named,
            scope=scope,
            effective_from=effective_from,
            rows=len(file.operations),
            operations=file.codes,
            sha256=file.checksum,
            imported_by=metadata.actor,
        )
        try:
            async with self.store.transaction() as conn:
                if (done := await tables.labour_import(conn, tenant.group_id, named)) is not None:
                    return dict(done)
                (envelope,) = await self.store.append(
                    f"labour_import-{named}", 0, [NewEvent(event, metadata)], conn=conn
                )
                await tables.write_import(conn, envelope, file.operations)
        except ConcurrencyConflict:
            pass  # the same import, sent twice at once: the other one recorded it
        done = await tables.labour_import(self.runtime.pool, tenant.group_id, named)
        assert done is not None
        return dict(done)

    async def change_labour_operation(self, metadata: Metadata, command: ChangeLabourOperation) -> LabourVersion:
        """Edit one operation for one family; the same edit again records nothing."""
        op = command.operation
        async with self.store.transaction() as conn:
            latest = await tables.latest_labour_version(conn, metadata.tenant, command.scope, op.code, op.model_family)
            decided = labour.change(latest, command)
            if decided:
                stream = f"labour_change-{command.change_id}"
                (envelope,) = await self.store.append(stream, 0, [NewEvent(decided[0], metadata)], conn=conn)
                await tables.write_change(conn, envelope)
        return LabourVersion(op, command.scope, command.effective_from)

    async def labour_operation(self, tenant: Tenant, code: str, model_family: str, at: date) -> LabourVersion | None:
        versions = await tables.labour_versions(self.runtime.pool, tenant, [code], model_family, at)
        return in_force(versions.get(code, ()), model_family)

    # --- rates and menus -----------------------------------------------------------------

    async def set_labour_rates(
        self, metadata: Metadata, command: rates.SetLabourRates, expected_version: int | None
    ) -> Outcome[LabourRatesSet | None]:
        return await execute(
            self.store,
            rates.labour_rates,
            rates.stream_id(command.site_id),
            command,
            metadata,
            expected_version=expected_version,
            after_append=_write_rates,
        )

    async def set_service_menu(
        self, metadata: Metadata, command: menus.SetServiceMenu, expected_version: int | None
    ) -> Outcome[ServiceMenuSet | None]:
        return await execute(
            self.store,
            menus.service_menu,
            menus.stream_id(metadata.tenant.site_id, command.menu_id),
            command,
            metadata,
            expected_version=expected_version,
            after_append=_write_menu,
        )

    # --- quotes --------------------------------------------------------------------------

    async def quote(self, tenant: Tenant, request: QuoteRequest, menu_id: str | None, at: date) -> Quote:
        """Price `request` (and the menu's items first, if one is named) as in force on `at`."""
        async with self.runtime.pool.acquire() as conn:
            if menu_id is not None:
                request = await _with_menu(conn, tenant, request, menu_id, at)
            found = await tables.labour_versions(conn, tenant, request.codes, request.model_family, at)
            operations = {
                code: chosen
                for code, versions in found.items()
                if (chosen := in_force(versions, request.model_family)) is not None
            }
            rate_row = await tables.rates_at(conn, tenant, at)
            rate = None if rate_row is None else json.loads(rate_row["rates"]).get(request.pay_type)
            listed = await lookup.prices(conn, tenant.group_id, request.part_numbers, at) if request.parts else {}
        known = {number: PartPrice(p.description, p.list_price, not p.oem) for number, p in listed.items()}
        lines = price(request, operations, rate, known, uuid4)
        return Quote(
            lines,
            None if rate_row is None or not request.codes else rate_row["effective_from"],
            {code: operations[code].effective_from for code in request.codes},
            sorted({p.price_list_version for p in listed.values()}),
        )


async def _with_menu(conn: Connection, tenant: Tenant, request: QuoteRequest, menu_id: str, at: date) -> QuoteRequest:
    """The request with the menu's operations and parts before its own."""
    menu = await tables.menu_at(conn, tenant, menu_id, at)
    if menu is None or menu["model_family"] != request.model_family:
        message = f"no service menu {menu_id} for {request.model_family} on {at.isoformat()}"
        raise Unprocessable("unknown_reference", message, [FieldError("body.menu_id", message, "unknown_menu")])
    items: Sequence[dict[str, Any]] = menu["items"]
    codes = tuple(item["labour_operation"] for item in items)
    parts = tuple(
        PartRequest(part["part_number"], part["quantity"], item["labour_operation"])
        for item in items
        for part in item["parts"]
    )
    return QuoteRequest(
        request.model_family,
        request.pay_type,
        codes + request.labour_operations,
        parts + request.parts,
        request.lang,
    )
