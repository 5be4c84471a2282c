"""Approval from the customer's phone, over HTTP on a real PostgreSQL and broker: the workshop's
round of findings gets a signed link; the link's page shows each item's grade, photos, price and
extra time; the customer's decision is recorded once, as their digital consent, through the same
rules as the advisor's; expired, used, tampered and other visits' links act on nothing."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from api_helpers import (
    ADVISOR_A,
    GROUP_A,
    SERVICE_ITEM,
    SERVICE_PRICE,
    SITE_1,
    SITE_2,
    as_,
    estimate_of,
    estimated_visit,
    ok,
    post,
    repair_line,
    signed_visit,
    view,
)

from events.catalog.reception_values import RepairLine
from events.catalog.workshop import AdditionalWorkFound, Finding, MediaRef
from events.envelope import Metadata, Tenant
from events.identity import TECHNICIAN
from events.links import LinkClaims, sign_link, token_digest
from events.testing import eventually
from events.testing.publishing import Publisher
from reception.approval_links import configured_links, token_of

PHONE = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile", "X-Forwarded-For": "203.0.113.50"}
BRAKES_PRICE = 12000 + 45000
WIPERS_PRICE = 1000 + 9000


async def found(workshop: Publisher, ro: str, *findings: Finding, round_: int = 1) -> None:
    event = AdditionalWorkFound(
        repair_order_id=uuid.UUID(ro), round=round_, findings=findings, reported_by="tech-1", found_at=datetime.now(UTC)
    )
    await workshop.publish(Metadata(Tenant(GROUP_A, SITE_1), "tech-1", str(uuid.uuid4())), (f"work_order-{ro}", event))


def finding(description: str, line: dict[str, Any], *, safety: bool = False, photos: int = 0) -> Finding:
    return Finding(
        finding_id=uuid.uuid4(),
        description=description,
        safety_critical=safety,
        proposed_lines=(RepairLine.model_validate({**line, "origin": "additional_work"}),),
        extra_minutes=30,
        media=tuple(MediaRef(media_id=uuid.uuid4(), kind="photo", content_type="image/jpeg") for _ in range(photos)),
    )


async def requests(api: httpx.AsyncClient, ro: str) -> list[dict[str, Any]]:
    response = await api.get(f"/sites/{SITE_1}/repair-orders/{ro}/approval-requests", headers=ADVISOR_A)
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


async def link_of_round(api: httpx.AsyncClient, ro: str, scope: str = "round-1") -> str:
    """The token of the link reception minted for the round (as the customer's message carries it)."""
    sent = await eventually(
        lambda: requests(api, ro),
        until=lambda rows: any(row["scope"] == scope for row in rows),
        what=f"the approval link of {scope}",
    )
    return token_of(next(row["link"] for row in sent if row["scope"] == scope))


async def page(api: httpx.AsyncClient, token: str) -> httpx.Response:
    return await api.get(f"/public/approvals/{token}", headers=PHONE)


async def decide(api: httpx.AsyncClient, token: str, body: dict[str, Any]) -> httpx.Response:
    return await api.post(f"/public/approvals/{token}/decision", json=body, headers=PHONE)


def code(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


async def round_with_brakes_and_wipers(
    api: httpx.AsyncClient, workshop: Publisher
) -> tuple[str, Finding, Finding, str]:
    ro = await signed_visit(api)
    brakes = finding(
        "front brake pads worn to 2 mm", repair_line("front brake pads", 12000, 45000), safety=True, photos=2
    )
    wipers = finding("wiper blades streak", repair_line("wipers", 1000, 9000))
    await found(workshop, ro, brakes, wipers)
    return ro, brakes, wipers, await link_of_round(api, ro)


async def test_a_round_of_findings_gets_one_link_to_the_portal_that_shows_every_item(
    api: httpx.AsyncClient, workshop: Publisher
) -> None:
    ro, brakes, wipers, token = await round_with_brakes_and_wipers(api, workshop)
    (sent,) = await requests(api, ro)
    assert sent["link"] == f"http://127.0.0.1:8011/approvals/{token}"
    assert (sent["approval_of"], sent["finding_ids"]) == (
        "additional_work",
        [str(brakes.finding_id), str(wipers.finding_id)],
    )
    expires = datetime.fromisoformat(sent["expires_at"])
    assert timedelta(hours=23) < expires - datetime.now(UTC) <= timedelta(hours=24)
    assert sent["decided_at"] is None

    shown = await ok(await page(api, token))
    assert (shown["approval_of"], shown["repair_order_id"]) == ("additional_work", ro)
    assert shown["vehicle"] == {"plate": "京A12345", "model": "Audi A4L"}
    assert shown["current_total"] == SERVICE_PRICE  # the signed work, before any of this
    assert shown["decided_at"] is None
    items = {item["item_id"]: item for item in shown["items"]}
    red, yellow = items[str(brakes.finding_id)], items[str(wipers.finding_id)]
    assert (red["severity"], red["safety_critical"], red["price"], red["extra_minutes"]) == (
        "red",
        True,
        BRAKES_PRICE,
        30,
    )
    assert (yellow["severity"], yellow["price"], yellow["decision"]) == ("yellow", WIPERS_PRICE, None)
    assert red["lines"] == [{"description": "front brake pads", "labour_minutes": 40, "price": BRAKES_PRICE}]
    media = brakes.media[0].media_id
    assert red["media"][0]["url"] == f"/api/v1/public/media/{token}/{media}"
    assert red["media"][0]["thumbnail_url"] == f"/api/v1/public/media/{token}/{media}/thumbnail"
    assert len(red["media"]) == 2
    assert yellow["media"] == []


async def test_the_customer_approves_some_and_declines_others_once_as_a_digital_consent(
    api: httpx.AsyncClient, workshop: Publisher
) -> None:
    ro, brakes, wipers, token = await round_with_brakes_and_wipers(api, workshop)
    decision = {
        "items": [
            {"finding_id": str(brakes.finding_id), "decision": "approved"},
            {"finding_id": str(wipers.finding_id), "decision": "declined", "reason": "I will change them myself"},
        ]
    }
    shown = await ok(await decide(api, token, decision))
    assert shown["current_total"] == SERVICE_PRICE + BRAKES_PRICE
    assert {item["item_id"]: item["decision"] for item in shown["items"]} == {
        str(brakes.finding_id): "approved",
        str(wipers.finding_id): "declined",
    }
    assert shown["decided_at"] is not None

    # The RO as the advisor sees it: the approved work is on it, the declined one a recommendation.
    visit = await view(api, ro)
    assert any(line["description"] == "front brake pads" for line in visit["lines"])
    assert (visit["estimate_total"], visit["current_total"]) == (SERVICE_PRICE, SERVICE_PRICE + BRAKES_PRICE)
    assert not any(line["description"] == "wipers" for line in visit["lines"])
    findings = {f["finding_id"]: f for f in visit["findings"]}
    declined = findings[str(wipers.finding_id)]
    assert (declined["decision"], declined["customer_reason"]) == ("declined", "I will change them myself")
    consent = findings[str(brakes.finding_id)]["consent"]
    assert (consent["kind"], consent["recorded_by"]) == ("digital", "customer")
    assert consent["reference"] == f"link:sha256:{token_digest(token)}"
    assert findings[str(brakes.finding_id)]["media"][0]["media_id"] == str(brakes.media[0].media_id)

    # The device it came from, for the advisor: the link whose reference the consent records.
    (used,) = await requests(api, ro)
    assert (used["decided_at"] is not None, used["reference"]) == (True, consent["reference"])
    assert (used["user_agent"], used["client_address"]) == (PHONE["User-Agent"], "203.0.113.50")

    # Single use: the same link again is refused and changes nothing; reading it still works.
    again = await decide(api, token, decision)
    assert code(again) == (409, "link_used")
    assert (await view(api, ro))["version"] == visit["version"]
    assert (await ok(await page(api, token)))["decided_at"] is not None

    # The board follows: nothing awaits the customer any more.
    async def listed() -> dict[str, Any]:
        rows = (await api.get(f"/sites/{SITE_1}/repair-orders", headers=ADVISOR_A)).json()
        row: dict[str, Any] = next(r for r in rows if r["repair_order_id"] == ro)
        return row

    await eventually(
        listed, until=lambda row: row["status"] != "awaiting_approval", what="the board after the decision"
    )


async def test_a_decision_must_cover_the_round_and_a_refused_one_leaves_the_link_usable(
    api: httpx.AsyncClient, workshop: Publisher
) -> None:
    ro, brakes, wipers, token = await round_with_brakes_and_wipers(api, workshop)
    only_one = {"items": [{"finding_id": str(wipers.finding_id), "decision": "approved"}]}
    assert code(await decide(api, token, only_one)) == (409, "decision_incomplete")
    # A red item is declined only by a customer who read the page's warning of the risk.
    unwarned: dict[str, list[dict[str, Any]]] = {
        "items": [
            {"finding_id": str(brakes.finding_id), "decision": "declined"},
            {"finding_id": str(wipers.finding_id), "decision": "approved"},
        ]
    }
    assert code(await decide(api, token, unwarned)) == (409, "safety_explanation_required")
    twice = {"items": [{"finding_id": str(wipers.finding_id), "decision": "approved"}] * 2}
    assert code(await decide(api, token, twice)) == (409, "missing_information")
    assert (await requests(api, ro))[0]["decided_at"] is None
    unwarned["items"][0]["risk_acknowledged"] = True
    shown = await ok(await decide(api, token, unwarned))
    assert shown["current_total"] == SERVICE_PRICE + WIPERS_PRICE
    declined = next(f for f in (await view(api, ro))["findings"] if f["finding_id"] == str(brakes.finding_id))
    assert (declined["decision"], declined["safety_explained"]) == ("declined", True)


async def test_bad_bodies_are_422_with_their_fields(api: httpx.AsyncClient, workshop: Publisher) -> None:
    _, brakes, _, token = await round_with_brakes_and_wipers(api, workshop)
    for body, field in (
        ({"items": []}, "body.items"),
        ({"items": [{"finding_id": str(brakes.finding_id), "decision": "maybe"}]}, "body.items.0.decision"),
        ({"items": [{"finding_id": "not-an-id", "decision": "approved"}]}, "body.items.0.finding_id"),
        ({"approved": True}, "body.items"),
        ({"items": [], "surprise": 1}, "body.surprise"),
    ):
        response = await decide(api, token, body)
        assert response.status_code == 422, (body, response.text)
        assert field in {f["field"] for f in response.json()["error"]["fields"]}, (body, response.text)


async def test_expired_tampered_and_foreign_links_act_on_nothing(api: httpx.AsyncClient, workshop: Publisher) -> None:
    ro, brakes, wipers, token = await round_with_brakes_and_wipers(api, workshop)
    decision = {
        "items": [
            {"finding_id": str(brakes.finding_id), "decision": "approved"},
            {"finding_id": str(wipers.finding_id), "decision": "approved"},
        ]
    }
    links = configured_links()
    tenant = Tenant(GROUP_A, SITE_1)

    expired, _ = links.mint(tenant, uuid.UUID(ro), "round-1", datetime.now(UTC) - timedelta(hours=25))
    assert code(await page(api, token_of(expired))) == (410, "link_expired")
    assert code(await decide(api, token_of(expired), decision)) == (410, "link_expired")

    # The RO in the token changed to another visit: the signature no longer holds.
    other_ro = await signed_visit(api)
    payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims[3] = other_ro
    forged = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).rstrip(b"=").decode()
    for bad in (f"{forged}.{signature}", token[:-3] + "abc", "not-a-link", token.split(".")[0]):
        assert code(await page(api, bad)) == (404, "link_invalid"), bad
        assert code(await decide(api, bad, decision)) == (404, "link_invalid"), bad

    # Genuine tokens that name no visit they may act on: another purpose, another site, an unknown RO.
    soon = datetime.now(UTC) + timedelta(hours=1)
    for claims_ in (
        LinkClaims("appointment", SITE_1, ro, "round-1", soon),
        LinkClaims("approval", SITE_2, ro, "round-1", soon),
        LinkClaims("approval", SITE_1, str(uuid.uuid4()), "round-1", soon),
        LinkClaims("approval", SITE_1, "not-a-uuid", "round-1", soon),
    ):
        genuine = sign_link(claims_, links.key)
        assert code(await page(api, genuine)) == (404, "link_invalid"), claims_

    # Another RO's link never acts on this one: its findings are not the link's.
    other_brakes = finding("rear pads", repair_line("rear pads", 9000, 30000))
    await found(workshop, other_ro, other_brakes)
    other_token = await link_of_round(api, other_ro)
    foreign = {"items": [{"finding_id": str(brakes.finding_id), "decision": "approved"}]}
    assert code(await decide(api, other_token, foreign)) == (409, "finding_not_found")
    assert all(f["decision"] is None for f in (await view(api, ro))["findings"])
    # Nothing above spent the genuine link.
    assert (await ok(await decide(api, token, decision)))[
        "current_total"
    ] == SERVICE_PRICE + BRAKES_PRICE + WIPERS_PRICE


async def test_the_estimate_is_signed_from_the_phone(api: httpx.AsyncClient) -> None:
    ro, estimated = await estimated_visit(api, items=[SERVICE_ITEM])
    sent = await ok(await post(api, f"/{ro}/approval-requests", {"approval_of": "estimate"}), 201)
    assert (sent["approval_of"], sent["scope"]) == ("estimate", "estimate-1")
    token = token_of(sent["link"])

    shown = await ok(await page(api, token))
    assert shown["approval_of"] == "estimate"
    assert shown["current_total"] == SERVICE_PRICE == sum(item["price"] for item in shown["items"])
    assert {item["item_id"] for item in shown["items"]} == {line["line_id"] for line in estimated["lines"]}

    assert code(await decide(api, token, {"approved": False})) == (422, "invalid_request")
    signed = await ok(await decide(api, token, {"approved": True}))
    assert all(item["decision"] == "approved" for item in signed["items"])
    visit = await view(api, ro)
    assert visit["status"] == "signed"
    assert visit["signature_ref"] == f"link:sha256:{token_digest(token)}"
    assert visit["signed_with"]["kind"] == "digital"
    assert code(await decide(api, token, {"approved": True})) == (409, "link_used")


async def test_an_estimate_replaced_after_its_link_is_not_signed_by_it(api: httpx.AsyncClient) -> None:
    ro, _ = await estimated_visit(api, items=[SERVICE_ITEM])
    first = token_of((await ok(await post(api, f"/{ro}/approval-requests", {"approval_of": "estimate"}), 201))["link"])
    await ok(await post(api, f"/{ro}/estimate", estimate_of(items=[SERVICE_ITEM, SERVICE_ITEM])), 201)
    assert code(await page(api, first)) == (409, "approval_outdated")
    assert code(await decide(api, first, {"approved": True})) == (409, "approval_outdated")
    assert (await view(api, ro))["signed_at"] is None
    current = token_of(
        (await ok(await post(api, f"/{ro}/approval-requests", {"approval_of": "estimate"}), 201))["link"]
    )
    assert (await ok(await page(api, current)))["current_total"] == 2 * SERVICE_PRICE


async def test_the_desk_sends_links_again_and_only_the_desk_sees_them(
    api: httpx.AsyncClient, workshop: Publisher
) -> None:
    ro, _, _, _ = await round_with_brakes_and_wipers(api, workshop)
    (first,) = await requests(api, ro)
    again = await ok(await post(api, f"/{ro}/approval-requests", {"approval_of": "additional_work"}), 201)
    # A link for the same decision, valid from now (the same token within the same second).
    assert (again["scope"], again["approval_of"]) == ("round-1", "additional_work")
    assert again["expires_at"] >= first["expires_at"]
    assert len(await requests(api, ro)) == 2
    assert (await ok(await page(api, token_of(again["link"]))))["repair_order_id"] == ro
    nothing = await post(api, f"/{ro}/approval-requests", {"approval_of": "estimate"})
    assert code(nothing) == (409, "already_signed")
    technician = await api.get(f"/sites/{SITE_1}/repair-orders/{ro}/approval-requests", headers=as_(TECHNICIAN))
    assert technician.status_code == 403
    assert (
        await post(api, f"/{ro}/approval-requests", {"approval_of": "additional_work"}, as_(TECHNICIAN))
    ).status_code == 403


async def test_the_desk_cannot_type_a_digital_consent(api: httpx.AsyncClient, workshop: Publisher) -> None:
    ro, brakes, _, _ = await round_with_brakes_and_wipers(api, workshop)
    typed = {"kind": "digital", "recorded_by": "advisor-1", "at": datetime.now(UTC).isoformat(), "reference": "x"}
    response = await post(api, f"/{ro}/additional-work/{brakes.finding_id}/approve", {"consent": typed})
    assert response.status_code == 422, response.text
