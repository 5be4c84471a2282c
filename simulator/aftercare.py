"""After the car leaves: customer service takes the 72-hour callback, and a dissatisfied
customer's complaint walks the Toyota 7 steps with the service manager.

The callbacks a day played in minutes can make are the customer's own calls (inbound: the
service opens an outbound call only from a day before the 72-hour mark): answered with the
script's answers, or the survey refused (an SMS goes out). Unreachable customers' callbacks
stay in the queue, as they would until their window opens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from simulator.actors import Person, Staff
from simulator.day import Visit


async def callback(staff: Staff, visit: Visit, ro: str) -> None:
    agent, stats = staff["cs_agent"], staff["cs_agent"].stats
    queue = await agent.until(
        "callbacks?agent=unassigned", lambda rows: any(r["repair_order_id"] == ro for r in rows), "the callback"
    )
    (row,) = [r for r in queue if r["repair_order_id"] == ro]
    if visit.callback == "unreachable":
        stats.happened["callbacks_unreachable"] += 1
        return
    cpath = f"callbacks/{row['callback_id']}"
    await agent.call("POST", f"{cpath}/assign", {})
    if visit.callback == "refused":
        await agent.call("POST", f"{cpath}/attempts", {"outcome": "refused", "direction": "inbound"}, expect=201)
        stats.happened["callbacks_refused"] += 1
        return
    happy = visit.callback == "satisfied"
    answers: dict[str, Any] = {
        "problem_fixed": happy,
        "satisfaction_score": 5 if happy else 2,
        "read_back_confirmed": True,
        "dissatisfaction": [] if happy else ["price"],
        "customer_words": "很满意, 服务很好" if happy else "价格太贵, 问题也没解决",
    }
    call = {"outcome": "reached", "direction": "inbound", "answers": answers}
    await agent.call("POST", f"{cpath}/attempts", call, expect=201)
    stats.happened[f"callbacks_{visit.callback}"] += 1
    if not happy:
        await complaint(staff["service_manager"], visit, str(row["callback_id"]))


async def complaint(manager: Person, visit: Visit, callback_id: str) -> None:
    """Opened from the callback by event: listened → facts → decided → explained (once not
    agreed: back to the facts, when the script says so) → acted → followed up → closed."""
    desk = await manager.until(
        "complaints", lambda rows: any(r["callback_id"] == callback_id for r in rows), "the complaint on the desk"
    )
    (row,) = [r for r in desk if r["callback_id"] == callback_id]
    cpath = f"complaints/{row['complaint_id']}"
    account = {"what": "the price was higher than quoted", "when": "at the settlement", "where": "at the desk"}
    await manager.call("POST", f"{cpath}/listen", {"account": account, "restated_words": "价格比报价高"})
    facts: dict[str, Any] = {
        "responsibility": "dealer",
        "cause": "price",
        "findings": "labour billed at the old rate",
        "reproduced": True,
        "reproduced_by": manager.user,
    }
    decision = {
        "remedy": "goodwill",
        "description": "refund the difference",
        "cost": 3000,
        "remedy_due": (datetime.now(UTC) + timedelta(hours=4)).isoformat(),
        "spokesperson": manager.user,
    }
    await manager.call("POST", f"{cpath}/facts", facts)
    await manager.call("POST", f"{cpath}/decision", decision)
    if visit.back_to_facts:
        await manager.call("POST", f"{cpath}/explanation", {"agreed": False, "customer_response": "not enough"})
        await manager.call("POST", f"{cpath}/facts", {**facts, "findings": "labour billed at the old rate; rechecked"})
        await manager.call("POST", f"{cpath}/decision", {**decision, "cost": 5000})
    await manager.call("POST", f"{cpath}/explanation", {"agreed": True})
    action = {"description": "difference refunded", "cost": 3000, "in_customer_presence": True}
    await manager.call("POST", f"{cpath}/action", {**action, "customer_satisfied": True})
    follow_up = {"satisfied": True, "channel": "phone", "report_summary": "billing error; refunded"}
    await manager.call("POST", f"{cpath}/follow-up", follow_up)
    manager.stats.happened["complaints_closed"] += 1
