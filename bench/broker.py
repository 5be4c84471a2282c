"""`make bench-broker`: what the local broker's CPU costs as its log grows
(`python -m bench.broker [--quick]`).

The load benchmark's broker took more of a core the longer a run went on, at a steady rate of
commands. This measures why, with nothing else running: a steady workload — `--rate` records/s
produced to one topic of 8 partitions with the producer settings the relays use, tailed by
`--groups` consumer groups with the consumer settings the services use (one group per service)
— timed on the broker process's CPU while the topic already holds a growing backlog. Controls
from the same run: the same workload with the backlog in another topic, producing without
consumers, and consumers without producing. The baseline (ratio 1) is the workload on an empty
broker, measured before any backlog. Starts its own broker (the local one, whose CPU it can read); writes
bench/results/broker.md.
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil

from bench.backbone import ROOT, exclusive, machine_facts, producer_facts, report_head, tansu_version
from bench.results_history import with_earlier_runs
from events.kafka import KafkaSettings
from events.local import LocalBroker

RESULTS = ROOT / "bench" / "results" / "broker.md"
PAYLOAD = b'{"repair_order_id":"6a9e01db-d6f9-400c-8fb2-82e1fa01ad66","note":"' + b"x" * 500 + b'"}'


@dataclass(frozen=True)
class Phase:
    label: str
    backlog: int  # records the measured topic held when the phase began
    elsewhere: int  # records other topics held
    cpu: float  # the broker's CPU, % of one core
    consumed: int  # records the groups received during the phase (all groups)


class Workload:
    """A topic, its producer and `groups` consumer groups tailing it, on one broker."""

    def __init__(self, settings: KafkaSettings, groups: int, rate: int, seconds: float, min_bytes: int) -> None:
        self.settings, self.groups, self.rate, self.seconds = settings, groups, rate, seconds
        self.min_bytes = min_bytes  # the consumers' fetch_min_bytes
        self.topic, self.other = settings.topic("measured"), settings.topic("elsewhere")
        self.producer = settings.producer()
        self.consumed = 0
        self.received = asyncio.Event()  # set whenever a tail receives records
        self.held = {self.topic: 0, self.other: 0}

    async def fill(self, topic: str, records: int) -> None:
        """Add `records` to `topic` as fast as the broker takes them (the backlog)."""
        sent = [await self.producer.send(topic, PAYLOAD, key=f"stream-{i % 997}".encode()) for i in range(records)]
        await asyncio.gather(*sent)
        self.held[topic] += records

    async def produce(self) -> None:
        """`rate` records/s for `seconds`, in ten sends a second (a relay's pages are small)."""
        per_tick, ticks = max(1, self.rate // 10), round(self.seconds * 10)
        started = time.perf_counter()
        for tick in range(ticks):
            await self.fill(self.topic, per_tick)
            await asyncio.sleep(max(0.0, started + (tick + 1) / 10 - time.perf_counter()))

    async def caught_up(self, timeout: float = 300.0) -> None:
        """Until every group has received every record of the topic: a phase measures the
        steady workload, not the groups catching up with a backlog just added."""
        async with asyncio.timeout(timeout):
            while self.consumed < self.groups * self.held[self.topic]:
                self.received.clear()
                await self.received.wait()

    async def tail(self, group: int, stop: asyncio.Event) -> None:
        consumer = self.settings.consumer(f"bench-broker-{group}", self.topic, fetch_min_bytes=self.min_bytes)
        await consumer.start()
        try:
            while not stop.is_set():
                fetched = await consumer.getmany(timeout_ms=200)
                if fetched:
                    self.consumed += sum(len(records) for records in fetched.values())
                    self.received.set()
        finally:
            await consumer.stop()


async def measure(broker: psutil.Process, seconds: float, work: Callable[[], Awaitable[None]]) -> float:
    """The broker's CPU, % of one core, while `work` runs (or for `seconds` if it returns at once)."""
    before, started = broker.cpu_times(), time.perf_counter()
    await work()
    await asyncio.sleep(max(0.0, started + seconds - time.perf_counter()))
    after = broker.cpu_times()
    spent = (after.user - before.user) + (after.system - before.system)
    return 100 * spent / (time.perf_counter() - started)


async def run(bootstrap: str, pid: int, args: argparse.Namespace) -> list[Phase]:
    settings = KafkaSettings.from_env(bootstrap_servers=bootstrap, fetch_max_wait_ms=args.fetch_max_wait_ms)
    work = Workload(settings, args.groups, args.rate, args.seconds, args.fetch_min_bytes)
    await settings.ensure_topics(work.topic, work.other)
    broker = psutil.Process(pid)
    phases: list[Phase] = []
    tails: list[asyncio.Task[None]] = []

    async def phase(label: str, job: Callable[[], Awaitable[None]]) -> None:
        if tails:
            await work.caught_up()
        consumed, held = work.consumed, dict(work.held)
        cpu = await measure(broker, args.seconds, job)
        phases.append(Phase(label, held[work.topic], held[work.other], cpu, work.consumed - consumed))
        print(f"{label}: broker {cpu:.1f} % of a core", flush=True)

    async def idle() -> None:
        return None

    await work.producer.start()
    try:
        await phase("producing, no consumers", work.produce)
        stop = asyncio.Event()
        # No wait for the groups to join: each phase first waits until every group has received
        # every record the topic holds (`caught_up`), which a group can only do once it has joined.
        tails += [asyncio.create_task(work.tail(g, stop)) for g in range(args.groups)]
        await phase("consumers, nothing produced", idle)
        await phase("produced and consumed", work.produce)
        await work.fill(work.other, args.backlog[-1])
        await phase("produced and consumed, the backlog in another topic", work.produce)
        for backlog in args.backlog:
            await work.fill(work.topic, backlog - work.held[work.topic])
            await phase("produced and consumed", work.produce)
        await phase("consumers, nothing produced", idle)
        stop.set()
        await asyncio.gather(*tails)
    finally:
        await work.producer.stop()
    return phases


def table(phases: list[Phase], args: argparse.Namespace) -> str:
    baseline = next(p.cpu for p in phases if p.label == "produced and consumed")
    lines = [
        "| workload | records in the topic | records in other topics | broker CPU (% of a core) | ratio to the "
        "empty broker | records received |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for p in phases:
        lines.append(
            f"| {p.label} | {p.backlog:,} | {p.elsewhere:,} | {p.cpu:.1f} | {p.cpu / baseline:.2f} | {p.consumed:,} |"
        )
    lines.append("")
    lines.append(
        f"Workload: {args.rate} records/s of {len(PAYLOAD)} bytes, {args.groups} consumer groups tailing the topic "
        f"(fetch_min_bytes={args.fetch_min_bytes}, fetch_max_wait_ms={args.fetch_max_wait_ms})."
    )
    return "\n".join(lines)


def report(phases: list[Phase], args: argparse.Namespace, facts: list[str], command: str, started: datetime) -> str:
    return "\n".join(
        [
            *report_head(
                "The local broker's CPU as its log grows",
                f"Run {started:%Y-%m-%d %H:%M} UTC with `{command}`. All figures are from this one run, on one broker.",
                facts,
            ),
            table(phases, args),
            "",
            "## Method",
            "",
            *(f"{line}" for line in (__doc__ or "").split("\n\n", 1)[1].strip().splitlines()),
            "",
            "Each phase lasts "
            f"{args.seconds:.0f} s; the broker's CPU is read from /proc (user + system) before and after.",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.broker", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: backlogs of 10,000 and 20,000, 5 s phases")
    parser.add_argument("--rate", type=int, default=100, help="records/s produced in each phase (100)")
    parser.add_argument("--groups", type=int, default=6, help="consumer groups tailing the topic (6: one per service)")
    parser.add_argument("--seconds", type=float, default=15.0, help="seconds per phase (15)")
    parser.add_argument("--fetch-min-bytes", type=int, default=1, help="the consumers' fetch_min_bytes (1)")
    parser.add_argument(
        "--fetch-max-wait-ms", type=int, default=KafkaSettings.fetch_max_wait_ms, help="their fetch_max_wait_ms"
    )
    parser.add_argument("--backlog", type=int, nargs="+", default=[100_000, 200_000, 300_000, 400_000])
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"where to write the report ({RESULTS})")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.backlog = 5.0, [10_000, 20_000]
    command = shlex.join(["python", "-m", "bench.broker", *(sys.argv[1:] if argv is None else argv)])
    started = datetime.now(UTC)
    with exclusive(), LocalBroker() as broker:
        assert broker.pid is not None
        facts = [*machine_facts(), f"Broker: {tansu_version()}, memory storage, local"]
        facts.append(producer_facts(broker.bootstrap_servers))
        phases = asyncio.run(run(broker.bootstrap_servers, broker.pid, args))
    text = report(phases, args, facts, command, started)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(with_earlier_runs(text, args.output))
    print()
    print(table(phases, args))
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
