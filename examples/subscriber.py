"""A subscriber outside the services: reads every dealerflow topic from the beginning and checks
each record against the published contract (`contract/schemas`, CloudEvents headers) and the
per-stream `ce_sequence` (1, 2, 3 … with no gap or repeat it has not seen before).

    python examples/subscriber.py [--bootstrap localhost:9092] [--prefix dealerflow.] [--idle 5]

Needs only aiokafka and jsonschema. Exits when no record came for `--idle` seconds; prints a
line per record and a summary, and exits 1 if any record broke the contract.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from pathlib import Path

from aiokafka import AIOKafkaConsumer
from jsonschema import Draft202012Validator

SCHEMAS = Path(__file__).parent.parent / "contract" / "schemas"
SCHEMA_PATH = re.compile(r"/(\w+)/(\w+)/v(\d+)\.json$")


def validator_for(dataschema: str, cache: dict[str, Draft202012Validator]) -> Draft202012Validator:
    if dataschema not in cache:
        service, name, version = SCHEMA_PATH.search(dataschema).groups()  # type: ignore[union-attr]
        cache[dataschema] = Draft202012Validator(
            json.loads((SCHEMAS / service / name / f"v{version}.json").read_text())
        )
    return cache[dataschema]


async def main(bootstrap: str, prefix: str, idle: float) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest")
    await consumer.start()
    validators: dict[str, Draft202012Validator] = {}
    last_sequence: dict[str, int] = {}
    read = broken = 0
    try:
        consumer.subscribe(pattern=f"^{re.escape(prefix)}\\w+\\.events$")
        while batch := await consumer.getmany(timeout_ms=int(idle * 1000)):
            for records in batch.values():
                for record in records:
                    read += 1
                    headers = {key: value.decode() for key, value in record.headers}
                    problems = list(
                        validator_for(headers["ce_dataschema"], validators).iter_errors(
                            json.loads(record.value or b"null")
                        )
                    )
                    subject, sequence = headers["ce_subject"], int(headers["ce_sequence"])
                    if sequence > last_sequence.get(subject, 0) + 1:
                        problems.append(f"gap in {subject}: {last_sequence.get(subject, 0)} → {sequence}")
                    last_sequence[subject] = max(sequence, last_sequence.get(subject, 0))
                    broken += bool(problems)
                    print(
                        f"{'BROKEN' if problems else 'ok':6} {headers['ce_type']} {subject} #{sequence}",
                        *(f"\n       {p}" for p in problems),
                    )
    finally:
        await consumer.stop()
    print(f"{read} records read, {broken} broke the contract")
    return 1 if broken else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", default="localhost:9092")
    parser.add_argument("--prefix", default="dealerflow.")
    parser.add_argument("--idle", type=float, default=5.0)
    options = parser.parse_args()
    sys.exit(asyncio.run(main(options.bootstrap, options.prefix, options.idle)))
