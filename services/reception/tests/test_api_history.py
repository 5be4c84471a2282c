"""The RO's history: every event of its stream in order, with time, type, actor and a one-line
summary; read like the RO itself (any of the site's departments), never across tenants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from api_helpers import ADVISOR_A, GROUP_B, SITE_1, as_, consent, ok, post, signed_visit

from events.identity import ADVISOR, TECHNICIAN


def history(ro: str, site: str = SITE_1) -> str:
    return f"/sites/{site}/repair-orders/{ro}/history"


async def test_the_history_lists_every_event_in_order_with_who_and_what(api: httpx.AsyncClient) -> None:
    ro = await signed_visit(api)
    later = (datetime.now(UTC) + timedelta(hours=5)).isoformat()
    await ok(
        await post(api, f"/{ro}/promised-time", {"promised_at": later, "reason": "parts late", "consent": consent()})
    )
    answer = await api.get(history(ro), headers=ADVISOR_A)
    entries = answer.json()
    assert answer.status_code == 200, answer.text
    assert [e["event_type"] for e in entries] == [
        "reception.VehicleCheckedIn",
        "reception.WalkAroundRecorded",
        "reception.ConcernRecorded",
        "reception.RepairOrderOpened",
        "reception.EstimatePrepared",
        "reception.RepairOrderSigned",
        "reception.PromisedTimeRevised",
    ]
    assert [e["version"] for e in entries] == list(range(1, 8))
    assert {e["actor"] for e in entries} == {"advisor-1"}
    revised = entries[-1]["summary"]
    assert "parts late" in revised
    assert "consent phone call-1" in revised
    assert "Wang Wei" not in answer.text
    assert "13800000001" not in answer.text


async def test_the_history_is_read_like_the_ro(api: httpx.AsyncClient) -> None:
    ro = await signed_visit(api)
    assert (await api.get(history(ro), headers=as_(TECHNICIAN))).status_code == 200
    other_group = await api.get(history(ro), headers=as_(ADVISOR, GROUP_B, SITE_1))
    assert other_group.status_code == 404
    assert other_group.json()["error"]["code"] == "not_found"
    unknown = await api.get(history("00000000-0000-4000-8000-000000000000"), headers=ADVISOR_A)
    assert unknown.status_code == 404
