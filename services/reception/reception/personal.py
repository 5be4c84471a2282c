"""Customers' names and phones in reception's answers, shown by role (decision 0004): the desk,
the cashier and managers see them, and each read is recorded; the workshop's people (dispatcher,
technician, parts clerk, QC) get `[withheld]` in their place. The car (plate, VIN), the visit's
ids and the concern in the customer's words stay: they are what the workshop works from. So do
the walk-around's damage notes, the signature's reference, each finding's consent and a
customer's reason for declining one: the visit's record, shown to whoever may read the visit.

    shown = await visit_as_seen(pool, identity, request, repair_order_view(state, version))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg
from fastapi import Request

from events.identity import Identity
from events.privacy import WITHHELD, personal_view, sees_personal_data
from reception.views import AdvisorBoardView, RepairOrderSummary, RepairOrderView

# The contacts on a visit's view, and their personal fields (the published `Contact`'s).
CONTACTS = ("customer", "vehicle_user")
CONTACT_FIELDS = ("name", "phone")
# The personal columns of the list of a site's visits.
LISTED = ("customer_name",)
SUBJECT = "repair_order_id"


def withheld(view: RepairOrderView) -> RepairOrderView:
    """A visit's view without its contacts' personal fields (the shape stays)."""
    hidden = dict.fromkeys(CONTACT_FIELDS, WITHHELD)
    return view.model_copy(update={key: getattr(view, key).model_copy(update=hidden) for key in CONTACTS})


def answer_for(identity: Identity, view: RepairOrderView) -> RepairOrderView:
    """A command's answer: the desk that acts on the visit has just typed or used these
    details, so nothing is recorded; anyone else gets them withheld."""
    return view if sees_personal_data(identity) else withheld(view)


async def visit_as_seen(
    pool: asyncpg.Pool, identity: Identity, request: Request, view: RepairOrderView
) -> RepairOrderView:
    if not sees_personal_data(identity):
        return withheld(view)
    await personal_view(pool, identity, request, [{SUBJECT: view.repair_order_id}], fields=(), subject=SUBJECT)
    return view


async def visits_as_seen(
    pool: asyncpg.Pool, identity: Identity, request: Request, rows: Sequence[dict[str, Any]]
) -> list[RepairOrderSummary]:
    shown = await personal_view(pool, identity, request, rows, fields=LISTED, subject=SUBJECT)
    return [RepairOrderSummary.model_validate(row) for row in shown]


# The advisor board's lists of cards, and their personal column.
BOARD_CARDS = ("appointments", "cars")
ON_A_CARD = ("customer_name",)


def board_for(identity: Identity, board: dict[str, Any]) -> dict[str, Any]:
    """The advisor board as `identity` may see it, not recorded: for its live stream, which
    sends the whole board again after every change at the site."""
    if sees_personal_data(identity):
        return board
    return {**board, **{cards: [_card_withheld(card) for card in board[cards]] for cards in BOARD_CARDS}}


async def board_as_seen(
    pool: asyncpg.Pool, identity: Identity, request: Request, board: dict[str, Any]
) -> AdvisorBoardView:
    """The advisor board as `identity` may see it; a reader's look is recorded per card."""
    if sees_personal_data(identity):
        cards = [*board["appointments"], *board["cars"]]
        await personal_view(pool, identity, request, cards, fields=(), subject="card_id")
    return AdvisorBoardView.model_validate(board_for(identity, board))


def _card_withheld(card: dict[str, Any]) -> dict[str, Any]:
    return {**card, **{f: WITHHELD for f in ON_A_CARD if card.get(f) is not None}}
