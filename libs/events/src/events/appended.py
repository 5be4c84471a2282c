"""How many events this process has appended to a database: one count per pool, shared by every
`EventStore` on it (a service builds a store per command), read into the
`dealerflow_events_appended_total` counter when `/metrics` is scraped (`events.metrics`).

A plain integer, not a Prometheus counter: the append path pays no lock and no label look-up.
"""

from __future__ import annotations

import asyncpg

from events.connection import per_pool

_BY_POOL: dict[int, AppendedEvents] = {}


class AppendedEvents:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        # Counted when the append's statement returns: events of a transaction the caller then
        # rolls back are counted too (a counter of appends, not of commits).
        self.count = 0

    @classmethod
    def of(cls, pool: asyncpg.Pool) -> AppendedEvents:
        return per_pool(_BY_POOL, pool, cls)
