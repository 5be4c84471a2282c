"""The simulator plays a short day for two sites against the whole system (every service a
real process behind the gateway, the message receivers the local stand-ins); afterwards the
advisor board, the callback queue, the complaint desk and the CSI report show what its script
says it did, the customers' receivers hold messages of several kinds on every channel, and
nothing failed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import httpx
import pytest
from dealership import Person, login, running
from receivers import received

import standins
from events.testing import eventually
from events.testing.system import RunningSystem
from simulator.run import Options, Outcome, simulate

SERVICES = [
    "booking",
    "catalogue",
    "reception",
    "workshop",
    "parts",
    "billing",
    "followup",
    "complaints",
    "notifications",
]


@pytest.fixture(scope="module")
def system(receivers: str) -> Iterator[RunningSystem]:
    providers = standins.messages_env(receivers)
    # The simulator's people poll read models for several cars at once: above the per-person
    # limit meant for humans at a screen.
    limits = {"GATEWAY_RATE_PER_SECOND": "1000", "GATEWAY_RATE_BURST": "1000"}
    with running(SERVICES, extra_env={**limits, **providers}) as started:
        yield started


@pytest.fixture
async def gateway(system: RunningSystem) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=system.gateway_url, timeout=30) as client:
        yield client


async def test_a_short_day_for_two_sites_shows_in_the_read_models(
    system: RunningSystem, gateway: httpx.AsyncClient, receivers: str
) -> None:
    # Flat out (no pacing), seed 6: every kind of visit in 8 cars (checked below).
    options = Options(sites=2, cars_per_site=4, speed=None, seed=6, standins=receivers, self_bookings=1)
    outcome = await simulate(system.gateway_url, options, None)
    script = outcome.expected
    assert outcome.stats.errors == [], "\n".join(outcome.stats.errors)
    for kind in ("appointments", "walk_ins", "findings_approved", "findings_declined", "emergency_orders"):
        assert script[kind] > 0, f"the seed's script has no {kind}: pick another seed"
    for kind in ("late_jobs", "qc_failures", "callbacks_satisfied", "complaints", "callbacks_refused"):
        assert script[kind] > 0, f"the seed's script has no {kind}: pick another seed"
    for kind in ("split_payments", "deposits"):
        assert script[kind] > 0, f"the seed's script has no {kind}: pick another seed"
        assert outcome.stats.happened[kind] == script[kind], kind
    assert any(v.menu_id for v in outcome.visits), "no visit from a service menu: pick another seed"
    assert not all(v.menu_id for v in outcome.visits), "no line typed by hand: pick another seed"
    happened = outcome.stats.happened
    for kind in ("appointments", "walk_ins", "delivered", "findings_approved", "findings_declined"):
        assert happened[kind] == script[kind], kind
    assert script["inspections"] > 0, "no inspected visit in the seed's script: pick another seed"
    assert happened["inspections"] == happened["approved_from_the_phone"] == script["inspections"]
    assert happened["self_bookings"] == happened["confirmed_from_the_link"] == 2
    for kind in ("emergency_orders", "late_jobs", "qc_failures", "callbacks_satisfied", "callbacks_dissatisfied"):
        assert happened[kind] == script[kind], kind
    assert happened["complaints_closed"] == script["complaints"]
    assert happened["callbacks_refused"] == script["callbacks_refused"]
    assert happened["callbacks_unreachable"] == script["callbacks_unreachable"]

    for index, site in enumerate(outcome.group.sites):
        visits = [v for v in outcome.visits if v.site == index]
        manager = await login(gateway, outcome.group.group_id, site.site_id, "service_manager", "manager-check")
        await _site_shows_its_day(system, manager, outcome, [v.number for v in visits])
    await _customers_were_told(receivers)


async def _customers_were_told(receivers: str) -> None:
    """The receivers hold the day's messages on every channel: SMS, e-mail and WeChat, among them
    the day-before confirmation with its link, the approval request with its link, the car ready
    and the invoice."""

    def kinds(rows: list[dict[str, Any]]) -> set[tuple[str, str]]:
        markers = {"/appointment/": "confirmation", "/approvals/": "approval", "完工": "ready", "结算单": "invoice"}
        return {(row["channel"], kind) for row in rows for marker, kind in markers.items() if marker in row["body"]}

    rows = await eventually(
        lambda: received(receivers),
        until=lambda rows: (
            {kind for _, kind in kinds(rows)} == {"confirmation", "approval", "ready", "invoice"}
            and {row["channel"] for row in rows} >= {"sms", "mail", "wechat"}
        ),
        what="messages of every kind on every channel",
    )
    seen = kinds(rows)
    assert ("sms", "confirmation") in seen, seen
    assert {channel for channel, kind in seen if kind in ("ready", "invoice")} >= {"sms", "mail", "wechat"}, seen


async def _site_shows_its_day(system: RunningSystem, manager: Person, outcome: Outcome, numbers: list[int]) -> None:
    visits = [v for v in outcome.visits if v.number in numbers]
    ros = {outcome.delivered[n] for n in numbers}

    # The advisor board: once it has every car of the day delivered (its read model, in
    # reception's database), none of them is on the page any more (docs/flow.md, "The advisor
    # board"); the appointment cars among them were marked.
    cards = await eventually(
        lambda: _board_cards(system.database("reception"), ros),
        until=lambda found: len(found) == len(ros) and all(status == "delivered" for status, _ in found.values()),
        what="every car of the day delivered in the board's read model",
    )
    assert sum(appointment for _, appointment in cards.values()) == sum(v.booked for v in visits)
    board = await manager.ok("GET", "advisor-board")
    assert not {c["repair_order_id"] for c in board["cars"]} & ros, "a delivered car is still on the board"

    # The till: every car invoiced under billing's own number, split payments where the script split.
    for visit in visits:
        invoice = (await manager.ok("GET", f"repair-orders/{outcome.delivered[visit.number]}"))["invoice"]
        assert invoice["invoice_number"].startswith("SVC-"), invoice
        assert ("wechat_pay" in {p["method"] for p in invoice["payments"]}) == visit.split_payment, invoice

    # The callback queue: one first callback per delivered car; only the unreachable ones untried.
    unreachable = sum(v.callback == "unreachable" for v in visits)

    def untried(rows: list[dict[str, Any]]) -> int:
        first = [r for r in rows if r["repair_order_id"] in ros and r["kind"] == "first"]
        return sum(r["status"] == "open" and r["attempts"] == 0 for r in first)

    queue = await manager.until(
        "callbacks",
        lambda rows: {r["repair_order_id"] for r in rows} >= ros and untried(rows) == unreachable,
        "a callback per car, the reached and refused ones with their attempt",
    )
    assert len([r for r in queue if r["repair_order_id"] in ros and r["kind"] == "first"]) == len(visits)
    # A reached customer's callback brings the second follow-up (within 7 days).
    reached = sum(v.callback in ("satisfied", "dissatisfied") for v in visits)
    assert len([r for r in queue if r["repair_order_id"] in ros and r["kind"] == "second"]) == reached

    # The complaint desk: one closed complaint per dissatisfied call.
    dissatisfied = sum(v.callback == "dissatisfied" for v in visits)
    await manager.until(
        "complaints?include_closed=true",
        lambda desk: sum(r["step"] == "closed" for r in desk) == dissatisfied == len(desk),
        "every complaint closed",
    )

    # The CSI report (every period since 12 weeks ago): the scores the calls recorded.
    def counted(report: dict[str, Any]) -> bool:
        raised: int = sum(r["complaints_raised_by_callbacks"] for r in report["rows"])
        return raised >= dissatisfied

    report = await manager.until("reports/csi?period=month&tz=UTC", counted, "the complaints in the report")
    rows = [r for r in report["rows"] if r["site_id"] == manager.site]
    satisfaction = {score: sum(r["satisfaction"][score] for r in rows) for score in ("2", "5")}
    assert satisfaction == {"5": sum(v.callback == "satisfied" for v in visits), "2": dissatisfied}


async def _board_cards(database: str, repair_orders: set[str]) -> dict[str, tuple[str, bool]]:
    """The board's cards of these visits: status, and whether the car came by appointment."""
    conn = await asyncpg.connect(database)
    try:
        rows = await conn.fetch(
            """SELECT repair_order_id::text, status, appointment_car FROM advisor_board
               WHERE repair_order_id = ANY($1::uuid[])""",
            sorted(repair_orders),
        )
    finally:
        await conn.close()
    return {row[0]: (row[1], row[2]) for row in rows}
