"""`dealerflow rebuild`: a read model rebuilt in shadow tables, compared with the live one at the
same position, swapped in only as asked; for a projection of the own log and one fed by topics."""

from __future__ import annotations

import json

import asyncpg
from kafka_helpers import running
from test_projections import META, CounterTotals, seed, totals

from events.admin.rebuild import Swap, rebuild
from events.catalog.testing import CounterIncremented, CounterOpened
from events.envelope import NewEvent
from events.projection import KafkaProjector, LogProjector
from events.relay import Relay
from events.store import EventStore
from events.testing import eventually, kafka_for_tests, log_settled


async def _shadow_schemas(pool: asyncpg.Pool) -> list[str]:
    rows = await pool.fetch("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'shadow_%'")
    return [r["nspname"] for r in rows]


async def test_a_rebuilt_log_projection_equal_to_the_live_one_is_reported_equal_and_changes_nothing(
    pool: asyncpg.Pool,
) -> None:
    await pool.execute(CounterTotals.ddl)
    store = EventStore(pool)
    expected = await seed(store)
    projector = LogProjector(store, CounterTotals(), page_size=7)
    await projector.catch_up()
    seen: list[tuple[int, int]] = []

    outcome = await rebuild(
        LogProjector(store, CounterTotals(), page_size=7), Swap.IF_EQUAL, lambda d, t: seen.append((d, t))
    )

    assert outcome.comparison.equal
    assert outcome.swapped, "an equal rebuild is swapped in when asked"
    (table,) = outcome.comparison.tables
    assert (table.table, table.live_rows, table.rebuilt_rows) == ("counter_totals", 4, 4)
    assert outcome.events_read == 24
    assert seen[0] == (0, 24), "progress from none"
    assert seen[-1] == (24, 24), "to all"
    assert await totals(pool) == expected
    assert await _shadow_schemas(pool) == [], "the shadow is dropped"


async def test_a_differing_log_projection_is_reported_row_by_row_and_swapped_only_when_accepted(
    pool: asyncpg.Pool,
) -> None:
    await pool.execute(CounterTotals.ddl)
    store = EventStore(pool)
    expected = await seed(store)
    projector = LogProjector(store, CounterTotals(), page_size=7)
    await projector.catch_up()
    await pool.execute("UPDATE counter_totals SET total = -1 WHERE counter_id = 'c2'")  # a corrupted row
    # Appended after the live model's checkpoint: neither side has it (compared at one position).
    await store.append("counter-9", 0, [NewEvent(CounterOpened(counter_id="c9", label="x"), META)])
    await log_settled(pool)

    outcome = await rebuild(projector, Swap.IF_EQUAL)
    assert not outcome.comparison.equal
    assert not outcome.swapped
    (table,) = outcome.comparison.tables
    assert (table.only_live, table.only_rebuilt) == (1, 1)
    assert json.loads(table.first_only_live[0]) == {"counter_id": "c2", "label": "x", "total": -1}
    assert json.loads(table.first_only_rebuilt[0])["total"] == expected["c2"]
    assert (await totals(pool))["c2"] == -1, "not swapped: the live one is untouched"

    report = await rebuild(projector, Swap.NEVER)
    assert not report.swapped
    assert not report.comparison.equal

    accepted = await rebuild(projector, Swap.ALWAYS)
    assert accepted.swapped
    assert await totals(pool) == expected
    assert (await rebuild(projector, Swap.NEVER)).comparison.equal
    # The live projector carries on from its checkpoint after the swap.
    await store.append("counter-0", 6, [NewEvent(CounterIncremented(counter_id="c0", amount=5, reason="r"), META)])
    await log_settled(pool)
    await projector.catch_up()
    assert await totals(pool) == {**expected, "c0": expected["c0"] + 5, "c9": 0}


async def test_a_topic_fed_projection_is_rebuilt_to_the_live_streams_versions_and_compared(
    pool: asyncpg.Pool, bootstrap_servers: str, topic_prefix: str
) -> None:
    await pool.execute(CounterTotals.ddl)
    store = EventStore(pool)
    expected = await seed(store)
    kafka = kafka_for_tests(bootstrap_servers=bootstrap_servers, topic_prefix=f"{topic_prefix}.", partitions=2)
    relay = Relay(store, kafka)
    projector = KafkaProjector(pool, CounterTotals(), kafka, [kafka.topic("sample")])

    async with running(relay.run, projector.run):
        await eventually(lambda: totals(pool), until=lambda t: t == expected, what="projection caught up")
        equal = await rebuild(projector, Swap.NEVER)
        assert equal.comparison.equal, equal.comparison
        assert [t.table for t in equal.comparison.tables] == ["counter_totals", "projection_streams"]
        assert equal.events_read >= 24

        await pool.execute("DELETE FROM counter_totals WHERE counter_id = 'c1'")  # a lost row
        differs = await rebuild(projector, Swap.IF_EQUAL)
        assert not differs.swapped
        totals_diff = differs.comparison.tables[0]
        assert (totals_diff.only_live, totals_diff.only_rebuilt) == (0, 1)
        assert json.loads(totals_diff.first_only_rebuilt[0])["counter_id"] == "c1"

        fixed = await rebuild(projector, Swap.ALWAYS)
        assert fixed.swapped
        assert await totals(pool) == expected
    assert await _shadow_schemas(pool) == []
