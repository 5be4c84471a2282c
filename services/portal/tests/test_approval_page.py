"""The approval page over HTTP, with reception's public API stood in for: what the customer sees
of each item, the body their choices make, and each refusal in their language. Reception's rules
are tested in reception's suite; the page in a browser against the whole system in
tests/test_portal_approval.py."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from portal_helpers import GatewayStandIn

TOKEN = "eyJ0ZXN0IjoxfQ.c2lnbmF0dXJl"
API = f"/api/v1/public/approvals/{TOKEN}"
BRAKES, WIPERS, PHOTO = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())


def item(item_id: str, description: str, severity: str | None, price: int, **more: Any) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "description": description,
        "severity": severity,
        "safety_critical": severity == "red",
        "extra_minutes": 30,
        "price": price,
        "lines": [{"description": description, "labour_minutes": 30, "price": price}],
        "media": [],
        "decision": None,
        **more,
    }


def approval(approval_of: str = "additional_work", decided_at: str | None = None, **more: Any) -> dict[str, Any]:
    photo = {
        "media_id": PHOTO,
        "kind": "photo",
        "content_type": "image/jpeg",
        "url": f"/api/v1/public/media/{TOKEN}/{PHOTO}",
        "thumbnail_url": f"/api/v1/public/media/{TOKEN}/{PHOTO}/thumbnail",
    }
    return {
        "approval_of": approval_of,
        "repair_order_id": str(uuid.uuid4()),
        "vehicle": {"plate": "沪B88888", "model": "Magotan"},
        "currency": "CNY",
        "items": [
            item(BRAKES, "front brake pads", "red", 57000, media=[photo]),
            item(WIPERS, "wiper blades", "yellow", 10000),
        ],
        "current_total": 28300,
        "promised_at": "2026-12-07T10:00:00+00:00",
        "expires_at": "2026-12-08T08:00:00+00:00",
        "decided_at": decided_at,
        **more,
    }


async def test_the_page_shows_each_item_with_its_grade_in_words_its_photos_and_prices(
    portal: httpx.AsyncClient, gateway: GatewayStandIn
) -> None:
    gateway.answer("GET", API, 200, approval())
    zh = await portal.get(f"/approvals/{TOKEN}", headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 200, zh.text
    assert "红色:影响行车安全,建议立即维修" in zh.text
    assert "黄色:建议近期维修" in zh.text
    assert "¥570.00" in zh.text
    assert "¥283.00" in zh.text  # the total so far, as the API gives it
    assert f'src="/approvals/{TOKEN}/media/{PHOTO}/thumbnail"' in zh.text  # through the portal: one origin
    assert f'name="k-{BRAKES}"' in zh.text  # the red item's risk acknowledgement
    assert f'name="k-{WIPERS}"' not in zh.text
    en = await portal.get(f"/approvals/{TOKEN}", headers={"Accept-Language": "en"})
    assert "Red: affects safety, repair now" in en.text
    assert "Send my decision" in en.text
    # The customer's address goes along, so the gateway counts each customer on their own.
    assert gateway.seen[-1].headers["x-forwarded-for"] == "203.0.113.7"


async def test_the_choices_become_the_apis_body_and_the_page_is_read_again(
    portal: httpx.AsyncClient, gateway: GatewayStandIn
) -> None:
    gateway.answer("GET", API, 200, approval())
    gateway.answer("POST", f"{API}/decision", 200, approval(decided_at="2026-12-07T08:00:00+00:00"))
    form = {f"d-{BRAKES}": "declined", f"k-{BRAKES}": "yes", f"r-{BRAKES}": " next month ", f"d-{WIPERS}": "approved"}
    response = await portal.post(f"/approvals/{TOKEN}/decision", data=form, headers={"User-Agent": "Phone/1.0"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/approvals/{TOKEN}"
    sent = next(s for s in gateway.seen if s.method == "POST")
    assert sent.headers["user-agent"] == "Phone/1.0"  # the device the consent records
    assert sent.body == {
        "items": [
            {"finding_id": BRAKES, "decision": "declined", "reason": "next month", "risk_acknowledged": True},
            {"finding_id": WIPERS, "decision": "approved", "reason": "", "risk_acknowledged": False},
        ]
    }


async def test_a_refused_decision_shows_the_form_again_with_the_reason_in_the_customers_words(
    portal: httpx.AsyncClient, gateway: GatewayStandIn
) -> None:
    gateway.answer("GET", API, 200, approval())
    gateway.refuse("POST", f"{API}/decision", 409, "safety_explanation_required")
    form = {f"d-{BRAKES}": "declined", f"r-{BRAKES}": "too dear", f"d-{WIPERS}": "approved"}
    response = await portal.post(f"/approvals/{TOKEN}/decision", data=form, headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert "A red item affects safety" in response.text
    assert "too dear" in response.text  # nothing typed is lost
    assert 'value="approved" required data-approve checked' in response.text


async def test_a_decided_link_shows_the_confirmation_with_the_apis_total(
    portal: httpx.AsyncClient, gateway: GatewayStandIn
) -> None:
    decided = approval(decided_at="2026-12-07T08:00:00+00:00", current_total=85300)
    decided["items"][0]["decision"], decided["items"][1]["decision"] = "approved", "declined"
    gateway.answer("GET", API, 200, decided)
    response = await portal.get(f"/approvals/{TOKEN}", headers={"Accept-Language": "zh"})
    assert response.status_code == 200
    assert 'data-done="additional_work"' in response.text
    assert "¥853.00" in response.text
    assert 'data-decision="declined"' in response.text
    assert "<form" not in response.text.split("<main", 1)[1]


async def test_the_estimate_is_signed_with_one_button(portal: httpx.AsyncClient, gateway: GatewayStandIn) -> None:
    estimate = approval("estimate")
    for entry in estimate["items"]:
        entry["severity"] = None
    gateway.answer("GET", API, 200, estimate)
    gateway.answer("POST", f"{API}/decision", 200, approval("estimate", decided_at="2026-12-07T08:00:00+00:00"))
    page = await portal.get(f"/approvals/{TOKEN}", headers={"Accept-Language": "en"})
    assert "Approve and sign" in page.text
    assert "data-approve" not in page.text
    signed = await portal.post(f"/approvals/{TOKEN}/decision", data={"approved": "yes"})
    assert signed.status_code == 303
    assert next(s for s in gateway.seen if s.method == "POST").body == {"approved": True}


async def test_expired_used_and_invalid_links_are_error_pages_saying_what_to_do(
    portal: httpx.AsyncClient, gateway: GatewayStandIn
) -> None:
    for status, code, words in (
        (410, "link_expired", "此链接已过期"),
        (404, "link_invalid", "此链接无效"),
        (409, "approval_outdated", "估价单在发送此链接后已更新"),
    ):
        gateway.refuse("GET", API, status, code)
        response = await portal.get(f"/approvals/{TOKEN}", headers={"Accept-Language": "zh"})
        assert response.status_code == status, code
        assert f'data-error="{code}"' in response.text
        assert words in response.text
    gateway.answer("GET", API, 200, approval())
    gateway.refuse("POST", f"{API}/decision", 409, "link_used")
    used = await portal.post(f"/approvals/{TOKEN}/decision", data={f"d-{WIPERS}": "approved"})
    assert used.status_code == 409
    assert 'data-error="link_used"' in used.text


async def test_a_form_from_another_site_is_refused(portal: httpx.AsyncClient, gateway: GatewayStandIn) -> None:
    gateway.answer("GET", API, 200, approval())
    response = await portal.post(
        f"/approvals/{TOKEN}/decision", data={f"d-{WIPERS}": "approved"}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert not any(s.method == "POST" for s in gateway.seen)


async def test_photos_come_through_the_portal_with_the_links_token(
    portal: httpx.AsyncClient, gateway: GatewayStandIn
) -> None:
    gateway.answer("GET", f"/api/v1/public/media/{TOKEN}/{PHOTO}/thumbnail", 200, {"stand-in": "image"})
    thumbnail = await portal.get(f"/approvals/{TOKEN}/media/{PHOTO}/thumbnail")
    assert thumbnail.status_code == 200
    assert thumbnail.json() == {"stand-in": "image"}
    assert thumbnail.headers["content-type"] == "application/json"  # as the gateway served it
    # A photo the link may not see is a plain 404, whatever the gateway said why.
    gateway.refuse("GET", f"/api/v1/public/media/{TOKEN}/{PHOTO}", 410, "link_expired")
    assert (await portal.get(f"/approvals/{TOKEN}/media/{PHOTO}")).status_code == 404
