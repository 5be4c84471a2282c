"""Published events of the catalogue service's parts price list (issue 19): a dealer group's
price list is versioned, one version per imported file, in force from its `effective_from` date.

Stream: `price_list-<group_id>`; its stream version is the price list's version (1, 2, 3 …).
The rows themselves are not in the event (a price file holds 100,000 parts): read them with
`GET /sites/{site}/parts-prices/{part_number}?at=` or the catalogue's quote. Group and site
(the site the file was imported at) travel in the envelope. Money is whole fen.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import AwareDatetime, Field

from events.contract import Event


class PriceListImported(Event, type="catalogue.PriceListImported", version=1):
    """A price file was imported as a new version of the group's parts price list, in force from
    `effective_from` (until a version with a later date takes over). Earlier versions stay as
    they were: what was quoted or signed with them can always be read again.

    `checksum` is the sha256 of the file as sent (hex), `superseded` the number of its parts
    that name a successor."""

    price_list_id: UUID
    version: int = Field(ge=1)
    effective_from: date
    rows: int = Field(ge=1)
    superseded: int = Field(ge=0)
    checksum: str = Field(min_length=64, max_length=64)
    imported_at: AwareDatetime
