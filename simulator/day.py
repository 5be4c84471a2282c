"""The day's script as pure data: which car comes to which site when, and what happens to it.

A day at a dealership: appointments booked the day before and walk-ins, most cars in the
morning rush (7:30-9:30), additional work the customer approves or declines, parts the shelf
does not hold (an emergency order), some jobs running late, some failing the quality check
and reworked, every car settled and delivered; then the callbacks — answered (satisfied or
not: a dissatisfied customer's complaint walks the 7 steps), refused, or unreachable (left in
the queue: an outbound call is allowed only from a day before the 72-hour mark, which a day
played in minutes does not reach).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, replace

from simulator.group import PARTS, SHORT_PARTS, Customer, Group, customer

RUSH = (7 * 60 + 30, 9 * 60 + 30)  # the morning rush, minutes after midnight (site time)
DAY = (7 * 60 + 30, 16 * 60 + 30)  # when the desk checks cars in
# What the car comes for: a service menu of the demo catalogue (`MENU` + its interval in km, the
# menu of the car's model family), or a line the advisor types by hand (labour operation,
# description, minutes, labour price in fen, part) — work the catalogue does not price.
MENU = "menu:"
SERVICES = (  # operation (or menu), description, labour minutes, labour price (fen; typed lines), part
    (f"{MENU}5000", "5,000 km service", 40, 0, "04152-YZZA1"),
    (f"{MENU}10000", "10,000 km service", 40, 0, "04152-YZZA1"),
    ("BRK-F", "front brake pads", 60, 24000, "04465-02220"),
    (f"{MENU}20000", "20,000 km service", 90, 0, "17801-0T020"),
)
CALLBACKS = ("satisfied", "dissatisfied", "refused", "unreachable")


@dataclass(frozen=True)
class Visit:
    number: int
    site: int
    customer: Customer
    booked: bool  # an appointment booked the day before (else a walk-in)
    arrives_at: int  # minutes after midnight, site time
    service: tuple[str, str, int, int, str]
    finding: str  # "none", "approved", "declined"
    shortage: bool  # the approved extra part is not on the shelf: an emergency order
    late: bool  # promised too tight: the workshop's progress check flags it late
    qc_fail: bool  # the first quality check fails; the job is reworked
    callback: str  # one of CALLBACKS
    back_to_facts: bool  # a complaint whose first explanation the customer does not accept
    # Left awaiting the customer's answer to the inspection's findings: a newcomer answers it
    # from the link in the receivers (`make run`); the car stays on the lift.
    waiting: bool = False

    @property
    def menu_id(self) -> str | None:
        """The service menu the car comes for (None: a line typed by hand)."""
        operation = self.service[0]
        if not operation.startswith(MENU):
            return None
        return f"{self.customer.model.lower()}-{operation.removeprefix(MENU)}"

    @property
    def inspected(self) -> bool:
        """The finding comes from the technician's digital inspection, with photos, and the
        customer answers through the approval link (the odd-numbered visits with a finding whose
        extra part is on the shelf); else the technician reports it and the advisor phones."""
        return self.finding != "none" and not self.shortage and self.number % 2 == 1

    @property
    def split_payment(self) -> bool:
        """The customer pays part by card, the rest by WeChat Pay."""
        return self.number % 3 == 1

    @property
    def deposit(self) -> bool:
        """The cashier takes a deposit when the car is checked in."""
        return self.number % 4 == 2


def plan_day(group: Group, cars_per_site: int, rng: random.Random, first: int = 0) -> list[Visit]:
    """The day for every site of `group`, earliest arrival first (numbers from `first`)."""
    visits: list[Visit] = []
    for site in range(len(group.sites)):
        for _ in range(cars_per_site):
            visit = _visit(first + len(visits), site, rng)
            visits.append(replace(visit, customer=replace(visit.customer, group_id=group.group_id)))
    return sorted(visits, key=lambda v: (v.arrives_at, v.number))


def _visit(number: int, site: int, rng: random.Random) -> Visit:
    rush = rng.random() < 0.6
    arrives = rng.randint(*RUSH) if rush else rng.randint(*DAY)
    finding = rng.choices(("none", "approved", "declined"), weights=(5, 3, 2))[0]
    callback = rng.choices(CALLBACKS, weights=(6, 2, 1, 1))[0]
    return Visit(
        number=number,
        site=site,
        customer=customer(rng),
        booked=rng.random() < 0.55,
        arrives_at=arrives,
        service=rng.choice(SERVICES),
        finding=finding,
        shortage=finding == "approved" and rng.random() < 0.4,
        late=rng.random() < 0.12,
        qc_fail=rng.random() < 0.1,
        callback=callback,
        back_to_facts=callback == "dissatisfied" and rng.random() < 0.5,
    )


def waiting_visit(visit: Visit, site: int) -> Visit:
    """`visit` as a walk-in at `site` whose inspection's findings wait for the customer (an odd
    number: inspected, no deposit)."""
    return replace(
        visit,
        number=visit.number | 1,
        site=site,
        booked=False,
        finding="declined",
        shortage=False,
        late=False,
        qc_fail=False,
        waiting=True,
    )


def extra_part(visit: Visit) -> str:
    """The part the additional work needs: one the shelf lacks when the script says shortage."""
    return sorted(SHORT_PARTS)[visit.number % len(SHORT_PARTS)] if visit.shortage else "04465-02220"


def part_price(part: str) -> int:
    return {**PARTS, **SHORT_PARTS}[part][2]


def expected(visits: list[Visit]) -> Counter[str]:
    """What the script says happens, counted the way the read models count it."""
    counts: Counter[str] = Counter()
    for v in visits:
        counts["visits"] += 1
        counts["appointments" if v.booked else "walk_ins"] += 1
        if v.waiting:
            counts["inspections"] += 1
            counts["awaiting_the_customer"] += 1
            continue
        counts[f"findings_{v.finding}"] += v.finding != "none"
        counts["inspections"] += v.inspected
        counts["approved_from_the_phone"] += v.inspected
        counts["emergency_orders"] += v.shortage
        counts["late_jobs"] += v.late
        counts["qc_failures"] += v.qc_fail
        counts["delivered"] += 1
        counts["split_payments"] += v.split_payment
        counts["deposits"] += v.deposit
        counts[f"callbacks_{v.callback}"] += 1
        counts["complaints"] += v.callback == "dissatisfied"
    return counts


def commands(visit: Visit) -> int:
    """How many commands (POSTs and PUTs at the gateway) the visit's people send: for pacing a load."""
    # booking, the desk, the job, QC, the invoice, its payment and the delivery
    count = (3 if visit.booked else 0) + 6 + 3 + 1 + 3
    count += visit.split_payment + visit.deposit
    count += 3 * 4 if visit.service[0] == f"{MENU}20000" else 0  # its four more jobs (the demo menu's five)
    if visit.inspected:  # open, 30 points, 2 photos, complete; the customer's answer; the approved job
        count += 34 + 1 + (3 if visit.finding == "approved" else 0)
    else:
        count += 2 if visit.finding != "none" else 0
        count += 3 if visit.finding == "approved" else 0
    count += 2 if visit.shortage else 0
    count += 3 if visit.qc_fail else 0
    count += 0 if visit.callback == "unreachable" else 2
    count += (11 if visit.back_to_facts else 8) if visit.callback == "dissatisfied" else 0
    return count
