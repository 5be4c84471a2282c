"""End to end over HTTP through the gateway, every service a real process: after the car
leaves. A delivered car gets its 72-hour callback; the customer is dissatisfied; a complaint
opens in the complaints service, walks the Toyota 7 steps (once back to the facts when the
customer does not agree), closes with its report in the customer's record; and the week's
CSI/VOC report shows the call and the complaint."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from dealership import Person, delivered_car, priced, published_about, running, staff, stocked

from events.testing.system import RunningSystem

GROUP, SITE = str(uuid.uuid4()), str(uuid.uuid4())


@pytest.fixture(scope="module")
def system() -> Iterator[RunningSystem]:
    with running(["catalogue", "reception", "workshop", "parts", "billing", "followup", "complaints"]) as started:
        yield started


async def test_a_dissatisfied_callback_becomes_a_complaint_that_walks_the_seven_steps(
    system: RunningSystem, gateway: httpx.AsyncClient, bootstrap_servers: str
) -> None:
    people = await staff(gateway, GROUP, SITE)
    await priced(gateway, GROUP, [SITE])
    await stocked(people["clerk"], 5)
    ro = await delivered_car(people)

    # --- followup: the 72-hour callback is in the queue --------------------------------------
    agent = people["agent"]
    queue = await agent.until(
        "callbacks", lambda rows: any(r["repair_order_id"] == ro for r in rows), "the callback in the queue"
    )
    (callback,) = [r for r in queue if r["repair_order_id"] == ro]
    delivered_at = datetime.now(UTC)
    assert timedelta(hours=71) < datetime.fromisoformat(callback["due_at"]) - delivered_at < timedelta(hours=73)
    callback_id = callback["callback_id"]
    await agent.ok("POST", f"callbacks/{callback_id}/assign", {})

    # The customer rings in before the window opens (an outbound call would be too early):
    # the oil light is back on and the price was too high.
    answers = {
        "problem_fixed": False,
        "satisfaction_score": 2,
        "read_back_confirmed": True,
        "dissatisfaction": ["price", "quality"],
        "customer_words": "油灯又亮了 而且价格太贵",
    }
    call = {"outcome": "reached", "direction": "inbound", "answers": answers}
    await agent.ok("POST", f"callbacks/{callback_id}/attempts", call, status=201)
    raised = await published_about(
        system, "followup", bootstrap_servers, "callback_id", callback_id, last="followup.ComplaintRaised"
    )
    assert "followup.CallRecorded" in raised

    # --- complaints: opened from the callback, the 7 steps ------------------------------------
    manager = people["manager"]
    desk = await manager.until(
        "complaints", lambda rows: any(r["callback_id"] == callback_id for r in rows), "the complaint on the desk"
    )
    (complaint,) = [r for r in desk if r["callback_id"] == callback_id]
    assert complaint["channel"] == "callback"
    cpath = f"complaints/{complaint['complaint_id']}"
    await walk_the_seven_steps(manager, cpath)
    closed = await manager.ok("GET", cpath)
    assert (closed["step"], closed["times_back_to_facts"]) == ("closed", 1)
    assert closed["kind"] == "complaint"
    reports = await manager.until(
        f"complaints/customers/{complaint['customer_id']}/reports", lambda rows: len(rows) == 1, "the customer's record"
    )
    assert (reports[0]["responsibility"], reports[0]["remedy"]) == ("dealer", "goodwill")

    # --- CSI/VOC: this week's report shows the call and the complaint ------------------------
    monday = (delivered_at - timedelta(days=delivered_at.weekday())).date().isoformat()

    def shows_both(report: dict[str, Any]) -> bool:
        # The complaint counts once it is received, but its facts (responsibility, cause) come
        # later in its stream: wait until its remedy shows (within SLA), which comes after them.
        rows = [r for r in report["rows"] if r["site_id"] == SITE]
        return (
            bool(rows)
            and sum(rows[0]["complaints"].values()) >= 1
            and rows[0]["complaints_raised_by_callbacks"] >= 1
            and rows[0]["complaints_within_sla"] >= 1
        )

    report = await manager.until(f"reports/csi?period=week&from={monday}&tz=UTC", shows_both, "the week's report")
    (row,) = [r for r in report["rows"] if r["site_id"] == SITE]
    assert row["satisfaction"]["2"] == 1
    assert row["dissatisfaction"]["price"] == 1
    assert row["first_time_fix_rate"] == 1.0
    assert row["complaints"]["complaint"] == 1
    assert row["complaint_responsibility"] == {"dealer": 1}
    csv = await manager.get(f"reports/csi.csv?period=week&from={monday}&tz=UTC")
    assert csv.status_code == 200
    assert SITE in csv.text


async def walk_the_seven_steps(manager: Person, cpath: str) -> None:
    """received (by the callback) → listened → facts → decided → explained: the customer does
    not agree, so back to the facts → decided again → explained, agreed → acted → followed up."""
    account = {"what": "oil warning lamp back on", "when": "two days after the service", "where": "on the road"}
    await manager.ok("POST", f"{cpath}/listen", {"account": account, "restated_words": "the lamp is on again"})
    facts: dict[str, Any] = {
        "responsibility": "dealer",
        "cause": "quality",
        "findings": "the oil filter seal was pinched at the service",
        "reproduced": True,
        "reproduced_by": "tech-zhang",
    }
    await manager.ok("POST", f"{cpath}/facts", facts)
    due = (datetime.now(UTC) + timedelta(hours=4)).isoformat()
    decision = {
        "remedy": "repair",
        "description": "replace the filter free of charge",
        "cost": 3000,
        "remedy_due": due,
        "spokesperson": "manager-zhou",
    }
    await manager.ok("POST", f"{cpath}/decision", decision)
    refused = await manager.ok("POST", f"{cpath}/explanation", {"agreed": False, "customer_response": "and the price?"})
    assert refused["step"] == "listened", "not agreed: the facts are confirmed again (step 3)"
    await manager.ok("POST", f"{cpath}/facts", {**facts, "findings": facts["findings"] + "; price checked too"})
    await manager.ok(
        "POST",
        f"{cpath}/decision",
        {**decision, "remedy": "goodwill", "description": "free filter and 50 % off the labour", "cost": 8000},
    )
    await manager.ok("POST", f"{cpath}/explanation", {"agreed": True})
    action = {
        "description": "filter replaced with the customer watching",
        "cost": 8000,
        "in_customer_presence": True,
        "customer_satisfied": True,
    }
    await manager.ok("POST", f"{cpath}/action", action)
    follow_up = {"satisfied": True, "channel": "phone", "report_summary": "pinched seal; goodwill on labour"}
    await manager.ok("POST", f"{cpath}/follow-up", follow_up)
