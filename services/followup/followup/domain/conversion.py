"""Conversion of appointment proposals per reason (docs/reports.md): of the proposals made in a
period, how many the customer answered, how many became an appointment and how many of those
cars arrived. A proposal counts in the period it was proposed, so a month's figures settle as
its proposals are worked, and a booking without an answer (the customer called in, or booked
through the link) still counts as booked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from followup.domain.voc import period_of


@dataclass(frozen=True)
class ProposalFact:
    reason: str
    proposed_at: datetime
    answered: bool
    booked: bool
    arrived: bool


@dataclass(frozen=True)
class ConversionRow:
    period: str
    reason: str
    proposed: int
    answered: int
    booked: int
    arrived: int
    booked_rate: float


def conversion(facts: Iterable[ProposalFact], period: str, tz: tzinfo) -> list[ConversionRow]:
    counts: dict[tuple[str, str], list[int]] = {}
    for fact in facts:
        key = (period_of(fact.proposed_at, period, tz), fact.reason)
        step = counts.setdefault(key, [0, 0, 0, 0])
        for i, done in enumerate((True, fact.answered, fact.booked, fact.arrived)):
            step[i] += int(done)
    return [
        ConversionRow(when, reason, proposed, answered, booked, arrived, round(booked / proposed, 4))
        for (when, reason), (proposed, answered, booked, arrived) in sorted(counts.items())
    ]
