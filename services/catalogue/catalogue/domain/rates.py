"""A site's labour rates (fen per hour per pay type), versioned by date: the decider of the
stream `labour_rates-<site_id>`. Its state is the latest version recorded (what a retried PUT is
compared with); the versions in force on each date are in the versioned table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from catalogue.domain.effective import effective_from
from events.catalog.catalogue import LabourRatesSet
from events.contract import Event
from events.decider import Decider


@dataclass(frozen=True)
class SetLabourRates:
    site_id: str
    rates: Mapping[str, int]
    effective_from: date | None
    today: date  # at the site
    set_by: str


def stream_id(site_id: str) -> str:
    return f"labour_rates-{site_id}"


def decide(latest: LabourRatesSet | None, command: SetLabourRates) -> Sequence[Event]:
    start = effective_from(command.effective_from, command.today, field="body.effective_from")
    rates = dict(command.rates)
    if latest is not None and latest.effective_from == start and latest.rates == rates:
        return []  # the same version again: a retried PUT does its work once
    return [LabourRatesSet(site_id=command.site_id, rates=rates, effective_from=start, set_by=command.set_by)]


def evolve(latest: LabourRatesSet | None, event: Event) -> LabourRatesSet | None:
    return event if isinstance(event, LabourRatesSet) else latest


labour_rates: Decider[SetLabourRates, LabourRatesSet | None] = Decider(None, decide, evolve)
