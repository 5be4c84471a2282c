"""`dealerflow dead-letters`: the operator lists every group's letters and re-drives them through
the same code as the HTTP re-drive (`events.dead_letters`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from test_dead_letters_api import Ledger, ledger_service

from events import dead_letters
from events.catalog.testing import CounterIncremented
from events.envelope import Metadata, Tenant
from events.errors import NotFound
from events.runtime import ServiceRuntime
from events.testing import eventually
from events.testing.publishing import Publisher


@pytest.fixture(name="ledger_service")
async def started_ledger(
    database: str, bootstrap_servers: str, topic_prefix: str
) -> AsyncIterator[tuple[Ledger, ServiceRuntime]]:
    async with ledger_service(database, bootstrap_servers, topic_prefix) as (_, ledger, runtime):
        yield ledger, runtime


async def test_letters_of_every_group_are_listed_and_redriven_once_after_the_fix(
    ledger_service: tuple[Ledger, ServiceRuntime], postgres_url: str
) -> None:
    ledger, runtime = ledger_service
    assert runtime.kafka is not None
    publisher = Publisher(postgres_url, runtime.kafka)
    for group, amount in (("g1", 3), ("g2", 4)):
        await publisher.publish(
            Metadata(Tenant(group, "s1"), "test", f"corr-{group}"),
            (f"counter-{group}", CounterIncremented(counter_id=group, amount=amount, reason="api")),
        )

    letters = await eventually(
        lambda: dead_letters.letters(runtime.pool, None), until=lambda found: len(found) == 2, what="two letters"
    )
    assert {letter["consumer"] for letter in letters} == {"ledger.counters"}
    (of_g1,) = await dead_letters.letters(runtime.pool, "g1")
    assert of_g1 in letters, "a group's view is its own part of the operator's"

    with pytest.raises(dead_letters.StillFailing):
        await dead_letters.redrive_letter(runtime, letters[0]["dead_letter_id"], None)
    assert len(await dead_letters.letters(runtime.pool, None)) == 2, "a letter that fails again stays open"

    ledger.broken = False
    for letter in letters:
        redriven = await dead_letters.redrive_letter(runtime, letter["dead_letter_id"], None)
        assert redriven["redriven_at"] is not None
    again = await dead_letters.redrive_letter(runtime, redriven["dead_letter_id"], None)
    assert again == redriven, "re-driving a re-driven letter does nothing"
    assert await runtime.pool.fetchval("SELECT sum(amount) FROM ledger") == 7, "each handled once"
    assert await dead_letters.letters(runtime.pool, None) == []
    with pytest.raises(NotFound):
        await dead_letters.redrive_letter(runtime, 999_999, None)
