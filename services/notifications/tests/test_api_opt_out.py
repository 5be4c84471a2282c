"""A customer who opts out of a reminder (followup.ProposalAnswered `opt_out`, on the phone to a
CS agent or through the reminder's link) loses every marketing consent here, so no reminder or
campaign message goes to them again; service messages are untouched (docs/reminders.md)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from notifications_service import SITE, START, Service, as_

from events.catalog import followup_files, followup_proposals
from events.catalog.reception_values import Contact, VehicleIdentity
from events.testing import eventually

CAR = VehicleIdentity(vin="LFV2A21K8G3000001", plate="沪A12345")


async def test_opting_out_of_a_reminder_withdraws_marketing_consent(service: Service) -> None:
    customer, mail = uuid.uuid4(), f"{uuid.uuid4().hex[:8]}@example.cn"
    path = f"/sites/{SITE}/contact-preferences/{customer}"
    body = {"email": mail, "preferred_channel": "email", "consent": ["email:marketing", "email:service"]}
    assert (await service.http.put(path, json=body, headers=as_("cs_agent"))).status_code == 200
    proposal = uuid.uuid4()
    answered = followup_proposals.ProposalAnswered(
        proposal_id=proposal,
        file_id=customer,
        reason="maintenance_due",
        answer="opt_out",
        via="link",
        answered_by="customer-link",
        answered_at=START,
    )
    await service.publish((f"proposal-{proposal}", answered))

    async def consent() -> list[str]:
        answer = await service.http.get(path, headers=as_("cs_agent"))
        return answer.json()["consent"]  # type: ignore[no-any-return]

    assert await eventually(consent, until=lambda pairs: "email:marketing" not in pairs) == ["email:service"]

    reminder = followup_files.AppointmentProposed(
        file_id=customer,
        proposal_id=uuid.uuid4(),
        reason="campaign",
        contact=Contact(name="Li Lei", phone="13900000000", customer_id=customer),
        vehicle=CAR,
        suggested_date=START.date() + timedelta(days=14),
        proposed_at=START,
    )
    await service.publish((f"customer_file-{customer}", reminder))
    (withheld,) = await service.messages(str(customer))
    assert (withheld["status"], withheld["reason"]) == ("withheld", "no_consent")
