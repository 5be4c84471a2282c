"""Steps 2 to 4 (docs/domain.md §7): listen to the customer (5W2H), confirm the facts (cause,
responsibility), decide the remedy within the deciding person's authority (beyond it with a
manager's approval, beyond the dealer's with the manufacturer's)."""

from __future__ import annotations

from collections.abc import Sequence

from complaints.domain import errors
from complaints.domain.commands import ConfirmFacts, DecideRemedy, ListenToCustomer
from complaints.domain.state import FACTS_CONFIRMED, LISTENED, RECEIVED, Complaint
from complaints.domain.steps import require_step
from events.catalog import complaints as ev
from events.catalog.complaints_values import (
    APPROVER_ROLES,
    CATEGORIES,
    MANUFACTURER_ROLES,
    REMEDIES,
    RESPONSIBILITIES,
)
from events.contract import Event
from events.rules import InvalidAmount, MissingInformation, require_code, require_text


def listen(state: Complaint, command: ListenToCustomer) -> Sequence[Event]:
    complaint_id = require_step(state, RECEIVED, "listening to the customer")
    require_text(command.account.what, "what the customer complains about")
    return [
        ev.ComplaintListened(
            complaint_id=complaint_id,
            account=command.account,
            restated_words=require_text(command.restated_words, "the complaint restated in the customer's words"),
            handled_by=require_text(command.handled_by, "who listened"),
            listened_at=command.listened_at,
        )
    ]


def confirm_facts(state: Complaint, command: ConfirmFacts) -> Sequence[Event]:
    complaint_id = require_step(state, LISTENED, "confirming the facts")
    reproduced_by = (command.reproduced_by or "").strip() or None
    if command.reproduced and reproduced_by is None:
        raise MissingInformation("say which technician or foreman reproduced the symptom")
    return [
        ev.ComplaintFactsConfirmed(
            complaint_id=complaint_id,
            responsibility=require_code(command.responsibility, RESPONSIBILITIES, "responsibility"),
            cause=require_code(command.cause, CATEGORIES, "cause"),
            findings=require_text(command.findings, "the facts found"),
            reproduced=command.reproduced,
            reproduced_by=reproduced_by,
            vip=command.vip,
            repeat_visitor=command.repeat_visitor,
            handled_by=require_text(command.handled_by, "who confirmed the facts"),
            confirmed_at=command.confirmed_at,
        )
    ]


def _require_authority(command: DecideRemedy) -> tuple[bool, bool]:
    """(approval required, referred to the manufacturer): beyond the handling person's limit a
    manager approves; beyond the dealer's, the manufacturer's customer service (docs/domain.md §7)."""
    if command.cost < 0 or command.authority_limit < 0 or (command.dealer_limit or 0) < 0:
        raise InvalidAmount("a remedy's cost and authority limits are never negative")
    role = command.authorised_by.role if command.authorised_by else None
    referred = command.dealer_limit is not None and command.cost > command.dealer_limit
    if referred and role not in MANUFACTURER_ROLES:
        raise errors.ManufacturerReferralRequired(
            f"the remedy costs {command.cost}, beyond the dealer's limit of {command.dealer_limit}: refer the case "
            "to the manufacturer's customer service and record their authorisation"
        )
    required = command.cost > command.authority_limit
    if required and role not in APPROVER_ROLES:
        raise errors.ApprovalRequired(
            f"the remedy costs {command.cost}, beyond the handling person's limit of {command.authority_limit}: "
            "the service manager must approve it"
        )
    return required, referred


def decide_remedy(state: Complaint, command: DecideRemedy) -> Sequence[Event]:
    complaint_id = require_step(state, FACTS_CONFIRMED, "deciding the remedy")
    required, referred = _require_authority(command)
    if command.remedy_due < command.decided_at:
        raise errors.TimeOutOfOrder("the remedy cannot be due before the decision is made")
    return [
        ev.ComplaintDecisionMade(
            complaint_id=complaint_id,
            remedy=require_code(command.remedy, REMEDIES, "remedy"),
            description=require_text(command.description, "what will be done"),
            cost=command.cost,
            compromise=command.compromise.strip(),
            remedy_due=command.remedy_due,
            spokesperson=require_text(command.spokesperson, "who tells the customer"),
            authority_limit=command.authority_limit,
            approval_required=required,
            authorised_by=command.authorised_by,
            referred_to_manufacturer=referred,
            handled_by=require_text(command.handled_by, "who decided"),
            decided_at=command.decided_at,
        )
    ]
