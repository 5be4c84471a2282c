"""Customers' names and phones in followup's answers, shown by role (decision 0004): only the
roles that talk to the customer see them, and each read is recorded against the customer's file;
a machine client (`system`) gets `[withheld]` in their place.

    rows = await shown(request, identity, listed, ("contact_name", "phone"))
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from fastapi import Request

from events.catalog.reception_values import Contact
from events.identity import Identity
from events.privacy import WITHHELD, personal_view, sees_personal_data

# Whose data a row shows: the customer's file.
SUBJECT = "file_id"
# The personal fields of a `Contact`, and of a file in the list.
CONTACT_FIELDS = ("name", "phone")


async def shown(
    request: Request, identity: Identity, rows: Sequence[dict[str, Any]], fields: Sequence[str]
) -> list[dict[str, Any]]:
    """Rows (each with its `file_id`) as `identity` may see them, the reader's look recorded."""
    return await personal_view(request.app.state.runtime.pool, identity, request, rows, fields=fields, subject=SUBJECT)


async def seen(request: Request, identity: Identity, file_ids: Iterable[UUID]) -> bool:
    """Whether `identity` may see the customers of a record that nests them; a reader's look at
    each file is recorded."""
    await shown(request, identity, [{SUBJECT: file_id} for file_id in file_ids], fields=())
    return sees_personal_data(identity)


def withheld(contact: Contact | None) -> Contact | None:
    return None if contact is None else contact.model_copy(update=dict.fromkeys(CONTACT_FIELDS, WITHHELD))
