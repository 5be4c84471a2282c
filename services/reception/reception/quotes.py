"""Reception's calls to the catalogue (`events.peers`, as the caller): quotes for an estimate's
lines, whether it knows a labour code, and the next service of a car. Its answers become the
published shapes (`RepairLine`) here, so nothing beyond this module reads the catalogue's JSON.

A catalogue that cannot be reached is a 503 `peer_unavailable` (the command did nothing); its
refusals (an unknown code or part: 422 naming it) come back with its status and code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError

from events.catalog.reception_values import RepairLine, RepairPart
from events.errors import NotFound
from events.identity import Identity
from events.peers import Peers, PeerUnavailable
from reception.domain.next_service import NextService

CATALOGUE = "catalogue"


@dataclass(frozen=True)
class Quote:
    lines: tuple[RepairLine, ...]
    price_lists: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class QuotedPart:
    part_number: str
    quantity: int


@dataclass(frozen=True)
class Catalogue:
    """The catalogue as one person at one site sees it."""

    peers: Peers
    identity: Identity
    site_id: str

    async def quote(
        self,
        model_family: str,
        pay_type: str,
        *,
        menu_id: str | None = None,
        labour_operation: str | None = None,
        parts: Sequence[QuotedPart] = (),
    ) -> Quote:
        """The catalogue's lines for a service menu, or for one labour operation with its parts, at
        the prices in force today (the catalogue's today at the site: price changes take effect
        from a date there)."""
        body: dict[str, Any] = {"model_family": model_family, "pay_type": pay_type}
        if menu_id is not None:
            body["menu_id"] = menu_id
        if labour_operation is not None:
            body["labour_operations"] = [labour_operation]
            body["parts"] = [
                {"part_number": p.part_number, "quantity": p.quantity, "labour_operation": labour_operation}
                for p in parts
            ]
        answer = await self.peers.post(CATALOGUE, f"/sites/{self.site_id}/quotes", self.identity, body)
        try:
            lines = tuple(_line(line, pay_type) for line in answer["lines"])
            price_lists = versions(answer.get("price_lists") or {})
        except (KeyError, TypeError, ValueError, ValidationError) as error:
            raise PeerUnavailable(f"catalogue answered a quote reception cannot read ({error!r})") from error
        return Quote(lines, price_lists)

    async def knows(self, labour_operation: str, model_family: str) -> bool:
        """Whether the catalogue has this labour code for the model family (a 404 if not)."""
        try:
            await self.peers.get(
                CATALOGUE,
                f"/sites/{self.site_id}/labour-operations/{quote(labour_operation, safe='')}",
                self.identity,
                {"model_family": model_family},
            )
        except NotFound:
            return False
        return True

    async def next_service(self, model_family: str, mileage_km: int, on: date) -> NextService | None:
        """The next service menu after this mileage and day; None when the catalogue has no menu
        for the model family (a 404)."""
        try:
            answer = await self.peers.get(
                CATALOGUE,
                f"/sites/{self.site_id}/service-menus/next",
                self.identity,
                {"model_family": model_family, "mileage_km": str(mileage_km), "on": on.isoformat()},
            )
        except NotFound:
            return None
        try:
            return NextService(
                due_date=date.fromisoformat(answer["due_date"]),
                due_km=int(answer["due_km"]),
                menu_id=None if answer.get("menu_id") is None else str(answer["menu_id"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise PeerUnavailable(f"catalogue answered a next service reception cannot read ({error!r})") from error


def versions(price_lists: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The price lists a quote names, flat: `labour_rates` → its date, `parts` → the price list's
    version (several joined by commas), a nested map (each labour operation's date) as
    `labour_operations.<code>`; nothing for a list the quote did not use."""
    flat: list[tuple[str, str]] = []
    for name, used in price_lists.items():
        if isinstance(used, dict):
            flat.extend((f"{name}.{key}", str(value)) for key, value in used.items() if value is not None)
        elif isinstance(used, list):
            flat.append((str(name), ",".join(str(each) for each in used)))
        elif used is not None:
            flat.append((str(name), str(used)))
    return tuple(sorted(flat))


def _line(answer: dict[str, Any], pay_type: str) -> RepairLine:
    # Only the published line's fields: the catalogue may answer more than reception keeps.
    return RepairLine(
        line_id=answer["line_id"],
        labour_operation=answer["labour_operation"],
        description=answer.get("description") or answer["labour_operation"],
        labour_minutes=answer["labour_minutes"],
        labour_price=answer["labour_price"],
        pay_type=answer.get("pay_type") or pay_type,
        parts=tuple(
            RepairPart(
                part_number=part["part_number"],
                description=part.get("description") or part["part_number"],
                quantity=part["quantity"],
                unit_price=part["unit_price"],
                non_oem=bool(part.get("non_oem", False)),
            )
            for part in answer.get("parts") or ()
        ),
    )
