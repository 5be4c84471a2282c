"""The plumbing every step of a visit plans with: the random source, the heap of timed events
and `release`, which hands them out in time order and numbers each stream's events; opening
hours and other helpers of the clock.

The steps sit on top of it one class per module, each calling only the steps of the classes
beneath it, so that a module reads alone: `Complaints` <- `Followup` <- `Reception` <- `Parts`
<- `Workshop` <- `Booking` <- `CheckIn` <- `Site` (the year, in `year.py`)."""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from bench.history.reference import PARTS
from bench.history.site import DAY, DESK_CLOSES, DESK_OPENS, FIRST_DAY, SITE_ID, TENANT, WORKSHOP_CLOSES, WORKSHOP_OPENS
from bench.history.state import Customer
from events.contract import Event
from events.envelope import Envelope, Metadata


class Planner:
    """One site's pending events, planned at any moment from `cursor` on, and what the steps
    share: the customers met so far and the site's stock streams."""

    def __init__(self, rng: random.Random, repair_orders_per_day: int) -> None:
        self.rng = rng
        self.rate = repair_orders_per_day
        self.heap: list[tuple[datetime, int, str, Event, str, str]] = []
        self.seq = 0
        self.versions: dict[str, int] = {}
        self.cursor = FIRST_DAY  # nothing may be planned before what was released
        self.customers: list[Customer] = []
        self.stock_streams = {p.number: f"stock-{SITE_ID}:{p.number}" for p in PARTS}
        self.capacity_stream = f"capacity-{SITE_ID}"
        self.on_hand = {p.number: 400 for p in PARTS}

    # -- plumbing --

    def uuid(self) -> UUID:
        return UUID(int=self.rng.getrandbits(128), version=4)

    def at(self, when: datetime, stream: str, event: Event, actor: str, correlation: str) -> None:
        assert when >= self.cursor, f"{event.event_type} planned at {when}, before {self.cursor}"
        self.seq += 1
        heapq.heappush(self.heap, (when, self.seq, stream, event, actor, correlation))

    def release(self, until: datetime) -> Iterator[Envelope[Any]]:
        heap, versions, getrandbits = self.heap, self.versions, self.rng.getrandbits
        while heap and heap[0][0] < until:
            when, _, stream, event, actor, correlation = heapq.heappop(heap)
            version = versions.get(stream, 0) + 1
            versions[stream] = version
            event_id = UUID(int=getrandbits(128), version=4)
            yield Envelope(event, event_id, stream, version, Metadata(TENANT, actor, correlation), when, when)
        self.cursor = until

    def minutes(self, low: float, high: float) -> timedelta:
        return timedelta(seconds=self.rng.randint(int(low * 60), int(high * 60)))

    @staticmethod
    def day(index: int) -> datetime:
        return FIRST_DAY + timedelta(days=index)

    @staticmethod
    def midnight(moment: datetime) -> datetime:
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)

    def hours(self, moment: datetime, opens: timedelta, closes: timedelta) -> datetime:
        """`moment`, moved into opening hours (the next opening when it falls outside them)."""
        midnight = self.midnight(moment)
        if moment < midnight + opens:
            return midnight + opens
        if moment >= midnight + closes:
            return midnight + DAY + opens
        return moment

    def desk(self, moment: datetime) -> datetime:
        return self.hours(moment, DESK_OPENS, DESK_CLOSES)

    def shop(self, moment: datetime) -> datetime:
        return self.hours(moment, WORKSHOP_OPENS, WORKSHOP_CLOSES)

    def pick(self, options: Sequence[Any]) -> Any:
        return options[self.rng.randrange(len(options))]
