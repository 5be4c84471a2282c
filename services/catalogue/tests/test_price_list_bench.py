"""The price-list import benchmark's own code (`bench/catalogue_import.py`) on 1,000 parts: its
generated file is a valid price file, and both of its loads store every part. Not timed."""

from __future__ import annotations

import uuid

from bench.catalogue_import import Outcome, price_file, run
from catalogue.price_list.rows import read_price_file


def test_the_generated_file_is_a_realistic_valid_price_file() -> None:
    data = price_file(1000)
    assert data == price_file(1000), "seeded: the same file every run"
    parsed = read_price_file(data, 1)
    assert len(parsed.records) == 1000
    assert 0 < parsed.superseded < 100
    assert 0.8 < sum(r[5] for r in parsed.records) / 1000 < 0.95, "mostly OEM parts"
    assert all(r[3] >= 100 and 0 < r[4] < r[3] for r in parsed.records), "prices in fen, cost below list"


async def test_the_benchmark_runs_both_imports_and_checks_what_they_stored(postgres_url: str) -> None:
    outcome = await run(postgres_url, 1000, 2, database=f"bench_{uuid.uuid4().hex[:12]}")
    assert isinstance(outcome, Outcome)
    assert (len(outcome.copy_seconds), len(outcome.ours_seconds), len(outcome.parse_seconds)) == (2, 2, 2)
    assert outcome.ratio > 0
