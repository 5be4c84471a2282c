"""One car's visit played by the site's people, step by step, at the script's pace: booked
the day before (from a service menu, or the job typed in), arrival, the desk's check-in to
hand-over with the estimate priced from the catalogue's menu (or a line typed by hand, with its
reason), the workshop, parts, QC, the cashier's invoice and payment (a deposit at check-in for
some, a split payment for others) and the delivery. Waits for another service's reaction by
polling its read model."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from simulator.actors import Person, Staff
from simulator.day import Visit, extra_part, part_price
from simulator.group import PARTS, SHORT_PARTS
from simulator.inspection import answer, approval_link, inspect

DEPOSIT = 20000  # fen, taken at check-in: less than any visit's bill
LATE_PROMISE = timedelta(seconds=30)  # the workshop checks at 75 %: flagged well before the promise
FAIR_PROMISE = timedelta(hours=3)


@dataclass(frozen=True)
class Pace:
    """The script's clock: `speed` simulated minutes per real second from `start` (minutes after
    midnight) at real time `t0`; no speed: as fast as the system answers (load)."""

    speed: float | None
    start: int
    t0: float

    async def at(self, minute: int) -> None:
        if not self.speed:
            return
        delay = self.t0 + (minute - self.start) / self.speed - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)  # pacing the script, not waiting for the system


def _line(description: str, operation: str, minutes: int, labour: int, part: str) -> dict[str, Any]:
    catalogue = {**PARTS, **SHORT_PARTS}
    return {
        "line_id": str(uuid.uuid4()),
        "labour_operation": operation,
        "description": description,
        "labour_minutes": minutes,
        "labour_price": labour,
        "pay_type": "CUSTOMER_PAY",
        "parts": [
            {"part_number": part, "description": catalogue[part][0], "quantity": 1, "unit_price": part_price(part)}
        ],
    }


def _consent(advisor: str) -> dict[str, Any]:
    return {"kind": "phone", "recorded_by": advisor, "at": datetime.now(UTC).isoformat(), "reference": "rec-sim"}


async def book(staff: Staff, visit: Visit) -> str:
    """The day before: the advisor books the car into a free slot and confirms it."""
    advisor_id = staff.site.advisors[visit.number % len(staff.site.advisors)]
    advisor = staff.advisors[advisor_id]
    today = datetime.now(UTC).date()
    for day in (today, today + timedelta(days=1)):
        free = await advisor.call("GET", f"free-slots?date={day.isoformat()}&minutes=60&advisor={advisor_id}")
        if free:
            break
    slot = free[visit.number % min(len(free), 6)]["start"]  # the customer picks one of the first few
    _operation, description, minutes, _, part = visit.service
    typed_in = {
        "description": description,
        "estimated_minutes": minutes,
        "parts": [{"part_number": part, "quantity": 1}],
    }
    work: dict[str, Any] = {"menu_id": visit.menu_id} if visit.menu_id else {"requested_jobs": [typed_in]}
    body = {
        "reason": "maintenance",
        "customer": visit.customer.contact(),
        "vehicle": visit.customer.vehicle(),
        **work,
        "advisor_id": advisor_id,
        "slot_start": slot,
    }
    appointment: str = (await advisor.call("POST", "appointments", body, expect=201))["appointment_id"]
    await advisor.call("POST", f"appointments/{appointment}/confirm", {"confirmation": "day_before"})
    staff.roles["advisor"].stats.happened["appointments"] += 1
    return appointment


async def play(staff: Staff, visit: Visit, pace: Pace, appointment: str | None) -> str:
    """The visit from arrival to delivery: the repair order's id."""
    stats = staff["dispatcher"].stats
    advisor = staff.advisors[staff.site.advisors[visit.number % len(staff.site.advisors)]]
    technician = staff.technicians[staff.site.technicians[visit.number % len(staff.site.technicians)]]
    dispatcher, qc, cashier = staff["dispatcher"], staff["qc_inspector"], staff["cashier"]
    t = visit.arrives_at
    await pace.at(t)
    if appointment:
        await advisor.call("POST", f"appointments/{appointment}/arrival")
    # An appointment car's arrival is booking's; a walk-in's is the greeter's, a minute or three
    # before the advisor greets the customer (greeting time, seeds: 1-3 minutes).
    greeter = datetime.now(UTC) - timedelta(minutes=1 + visit.number % 3)
    arrival = (
        {"arrival_kind": "appointment", "appointment_id": appointment}
        if appointment
        else {"arrived_at": greeter.isoformat()}
    )
    check_in = {
        "arrival_kind": "walk_in",
        **arrival,
        "customer": visit.customer.contact(),
        "vehicle": visit.customer.vehicle(),
        "customer_waiting": visit.number % 3 == 0,
        "contact_phone": visit.customer.phone,
    }
    ro: str = (await advisor.call("POST", "repair-orders", check_in, expect=201))["repair_order_id"]
    stats.happened["walk_ins" if not appointment else "checked_in_appointments"] += 1
    rpath, wpath = f"repair-orders/{ro}", f"work-orders/{ro}"
    walk_around = {"mileage_km": 8000 + visit.number * 37 % 90000, "fuel_eighths": 4, "valuables_reminded": True}
    await advisor.call("POST", f"{rpath}/walk-around", {**walk_around, "protective_covers_fitted": True}, expect=201)
    operation, description, minutes, labour, part = visit.service
    concern: dict[str, Any] = {"customer_words": f"{description}, please", "what": "service", "when": "now"}
    concern |= {"where": "-", "who": "owner", "how_often": "once", "read_back_confirmed": True}
    await advisor.call("POST", f"{rpath}/concerns", concern, expect=201)
    work: dict[str, Any]
    if visit.menu_id:
        work = {"menu_id": visit.menu_id}  # the catalogue prices the menu for the car's model family
    else:
        typed = _line(description, operation, minutes, labour, part)
        work = {"lines": [{**typed, "reason": "the advisor's diagnosis: no catalogue operation fits"}]}
    promised = datetime.now(UTC) + (LATE_PROMISE if visit.late else FAIR_PROMISE)
    estimate = {**work, "promised_at": promised.isoformat(), "payment_method": "card"}
    estimated = await advisor.call(
        "POST", f"{rpath}/estimate", {**estimate, "old_parts": "discard", "wash": True}, expect=201
    )
    jobs = [str(line["line_id"]) for line in estimated["lines"]]
    await advisor.call("POST", f"{rpath}/sign", {"signature_ref": f"scan-{visit.number:05d}"})
    key = f"K-{visit.number % 400 + 1}"
    await advisor.call("POST", f"{rpath}/hand-over", {"key_tag": key})
    if visit.deposit:
        deposit = {"repair_order_id": ro, "method": "cash", "amount": DEPOSIT}
        await cashier.call("POST", "deposits", deposit, expect=201)
        stats.happened["deposits"] += 1

    # The workshop: the work order arrives by event.
    await pace.at(t + 15)
    await dispatcher.until(wpath, lambda w: w["key_tag"] == key, "the work order with the key")
    job, *more = jobs
    await dispatcher.call("POST", f"{wpath}/jobs/{job}/dispatch", {"technician_id": technician.user, "bay": key[2:]})
    if visit.waiting:  # inspected before the work starts; the car waits for the customer's answer
        await inspect(technician, ro)
        await approval_link(advisor, ro)
        stats.happened["awaiting_the_customer"] += 1
        return ro
    async with technician.bench:
        await technician.call("POST", f"{wpath}/jobs/{job}/start")
        extra = None
        if visit.inspected:
            await _inspection(staff, visit, ro, advisor, technician, pace, t + 25)
        elif visit.finding != "none":
            extra = await _finding(staff, visit, ro, advisor, technician, pace, t + 25)
        await pace.at(t + 25 + minutes)
        if visit.late:  # the technician is still at it when the progress check finds it late
            await dispatcher.until(
                "work-orders", lambda rows: any(r["repair_order_id"] == ro and r["running_late"] for r in rows), "late"
            )
            stats.happened["late_jobs"] += 1
        await technician.call("POST", f"{wpath}/jobs/{job}/complete")
    for other in more:  # the menu's other operations, one after the other in the same bay
        await dispatcher.call(
            "POST", f"{wpath}/jobs/{other}/dispatch", {"technician_id": technician.user, "bay": key[2:]}
        )
        async with technician.bench:
            await technician.call("POST", f"{wpath}/jobs/{other}/start")
            await technician.call("POST", f"{wpath}/jobs/{other}/complete")
    if extra is not None:
        await _extra_job(staff, visit, ro, extra, technician, key[2:])
    if visit.inspected and visit.finding == "approved":
        await _approved_jobs(staff, ro, jobs, technician, key[2:])
    if visit.qc_fail:
        fail = {"passed": False, "reasons": ["torque not recorded"], "rework_job_ids": [job]}
        await qc.call("POST", f"{wpath}/quality-checks", fail, expect=201)
        stats.happened["qc_failures"] += 1
        async with technician.bench:
            await technician.call("POST", f"{wpath}/jobs/{job}/start")
            await technician.call("POST", f"{wpath}/jobs/{job}/complete")
    await pace.at(t + 35 + minutes)
    await qc.call("POST", f"{wpath}/quality-checks", {"passed": True}, expect=201)

    # The desk: ready by event; the cashier invoices and takes the money; billing's InvoicePaid
    # settles the repair order (by event); the advisor delivers.
    await advisor.until(rpath, lambda r: r["ready"], "the car ready for delivery")
    await pace.at(t + 50 + minutes)
    await _pay(staff, visit, ro)
    await advisor.until(rpath, lambda r: r["status"] == "settled", "the repair order settled by billing")
    delivery = {"work_explained": True, "old_parts_shown": True, "old_parts_returned": False}
    await advisor.call("POST", f"{rpath}/delivery", delivery)
    stats.happened["delivered"] += 1
    return ro


async def _pay(staff: Staff, visit: Visit, ro: str) -> None:
    """The cashier's invoice (billing numbers it and applies the deposit) and the customer's
    payment of the balance: by card, or split between card and WeChat Pay."""
    cashier = staff["cashier"]
    invoice = await cashier.call("POST", "invoices", {"repair_order_id": ro, "series": "service"}, expect=201)
    ipath, balance = f"invoices/{invoice['invoice_id']}", invoice["balance"]
    if visit.split_payment and balance > 1:
        card = balance // 2
        await cashier.call("POST", f"{ipath}/payments", {"method": "card", "amount": card}, expect=201)
        await cashier.call("POST", f"{ipath}/payments", {"method": "wechat_pay", "amount": balance - card}, expect=201)
        staff["dispatcher"].stats.happened["split_payments"] += 1
    elif balance > 0:
        await cashier.call("POST", f"{ipath}/payments", {"method": "card", "amount": balance}, expect=201)


async def _finding(
    staff: Staff, visit: Visit, ro: str, advisor: Person, technician: Person, pace: Pace, at: int
) -> dict[str, Any] | None:
    """The technician's finding; the customer approves (the extra line) or declines on the phone."""
    stats = staff["dispatcher"].stats
    rpath, wpath = f"repair-orders/{ro}", f"work-orders/{ro}"
    await pace.at(at)
    part = extra_part(visit)
    extra = _line(f"replace {({**PARTS, **SHORT_PARTS})[part][0]}", "EXTRA", 30, 12000, part)
    finding = {"description": "worn beyond limit", "safety_critical": False, "proposed_lines": [extra]}
    reported = await technician.call("POST", f"{wpath}/findings", {"findings": [finding | {"extra_minutes": 30}]}, 201)
    finding_id = reported["reported"][0]["finding_id"]
    await advisor.until(rpath, lambda r: r["status"] == "awaiting_approval", "the finding at the desk")
    decision = "approve" if visit.finding == "approved" else "decline"
    body: dict[str, Any] = {"consent": _consent(advisor.user)}
    if decision == "decline":
        body |= {"customer_reason": "next time", "safety_explained": True}
    await advisor.call("POST", f"{rpath}/additional-work/{finding_id}/{decision}", body)
    stats.happened[f"findings_{visit.finding}"] += 1
    if decision == "approve":
        return extra
    # The workshop learns the decision by event; until then its QC would refuse the car.
    await staff["dispatcher"].until(wpath, lambda w: not w["pending_findings"], "the decision in the workshop")
    return None


async def _inspection(
    staff: Staff, visit: Visit, ro: str, advisor: Person, technician: Person, pace: Pace, at: int
) -> None:
    """The technician's inspection finds two items; the customer answers on the phone through the
    approval link the message carried."""
    await pace.at(at)
    await inspect(technician, ro)
    link = await approval_link(advisor, ro)
    await answer(advisor, link, visit)
    staff["dispatcher"].stats.happened[f"findings_{visit.finding}"] += 1
    # The workshop learns the decision by event; until then its QC would refuse the car.
    await staff["dispatcher"].until(f"work-orders/{ro}", lambda w: not w["pending_findings"], "the decision")


async def _approved_jobs(staff: Staff, ro: str, estimated: list[str], technician: Person, bay: str) -> None:
    """The jobs of the items the customer approved (the inspection point's usual repair: no parts)."""
    dispatcher, wpath = staff["dispatcher"], f"work-orders/{ro}"
    order = await dispatcher.until(
        wpath, lambda w: any(j["origin"] == "additional_work" for j in w["jobs"]), "the approved job"
    )
    for job in order["jobs"]:
        if job["job_id"] in estimated or job["status"] == "completed":
            continue
        await dispatcher.call(
            "POST", f"{wpath}/jobs/{job['job_id']}/dispatch", {"technician_id": technician.user, "bay": bay}
        )
        async with technician.bench:
            await technician.call("POST", f"{wpath}/jobs/{job['job_id']}/start")
            await technician.call("POST", f"{wpath}/jobs/{job['job_id']}/complete")


async def _extra_job(staff: Staff, visit: Visit, ro: str, extra: dict[str, Any], technician: Person, bay: str) -> None:
    """The approved line's job, in the car's bay (the first job is done with it); a part the
    shelf lacks is ordered in an emergency first, and its receipt releases the waiting job."""
    stats, dispatcher, clerk = staff["dispatcher"].stats, staff["dispatcher"], staff["parts_clerk"]
    wpath, extra_job, part = f"work-orders/{ro}", extra["line_id"], extra["parts"][0]["part_number"]
    if visit.shortage:
        await dispatcher.until(
            wpath, lambda w: any(j["job_id"] == extra_job and j["missing_parts"] for j in w["jobs"]), "the shortage"
        )
        expected_at = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
        lines = [{"part_number": part, "quantity": 1, "repair_order_id": ro, "line_id": extra_job}]
        order = {"supplier": "OEM regional parts centre", "expected_at": expected_at, "lines": lines}
        order_id = (await clerk.call("POST", "parts-orders/emergency", order, expect=201))["parts_order_id"]
        stats.happened["emergency_orders"] += 1
        await clerk.call("POST", f"parts-orders/{order_id}/receipts", {"lines": [{"line_number": 1, "quantity": 1}]})
        await dispatcher.until(
            wpath,
            lambda w: any(j["job_id"] == extra_job and not j["missing_parts"] for j in w["jobs"]),
            "the job released",
        )
    else:
        await dispatcher.until(wpath, lambda w: any(j["job_id"] == extra_job for j in w["jobs"]), "the extra job")
    await dispatcher.call("POST", f"{wpath}/jobs/{extra_job}/dispatch", {"technician_id": technician.user, "bay": bay})
    async with technician.bench:
        await technician.call("POST", f"{wpath}/jobs/{extra_job}/start")
        await technician.call("POST", f"{wpath}/jobs/{extra_job}/complete")
