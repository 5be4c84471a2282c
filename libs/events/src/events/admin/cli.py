"""`dealerflow …`: the operator's command line (docs/operations.md). Parses, finds the service
(`events.admin.target`), calls the backbone, prints. Exit status: 0 done (or equal), 1 a check
found something (read models differ, contract or migrations changed, a letter still fails),
2 the command could not run (bad arguments, unreachable database, unknown read model)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import asyncpg

from events import dead_letters
from events.admin import contract_check, replay
from events.admin.rebuild import LiveMovedBack, Outcome, Swap, rebuild
from events.admin.target import Target, TargetError, locate, migrations_of, runtime_of, started
from events.errors import DomainError
from events.migrations import status
from events.projection import KafkaProjector, LogProjector
from events.runtime import ServiceRuntime

FOUND, DIFFERS, FAILED = 0, 1, 2


def _out(text: str = "") -> None:
    print(text, flush=True)


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- rebuild ------------------------------------------------------------------------------


class _ProgressLine:
    """`read / total` on stderr, at most a few times a second (and always the last)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.shown_at = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.shown_at < 0.5:
            return
        self.shown_at = now
        share = f" ({100 * done // total}%)" if total else ""
        _err(f"{self.name}: {done:,} / {total:,} events read{share}")


def _projector(runtime: ServiceRuntime, name: str) -> LogProjector | KafkaProjector:
    for projector in runtime.projectors:
        if projector.projection.name == name:
            return projector
    known = ", ".join(p.projection.name for p in runtime.projectors)
    raise TargetError(f"{runtime.name} has no read model {name!r}; it has: {known}")


async def _list_read_models(runtime: ServiceRuntime) -> int:
    _out(f"{'read model':<34} {'fed from':<36} {'behind':>8} {'seconds':>9} {'applied':>10}")
    for projector in runtime.projectors:
        lag = await projector.lag()
        fed = "own log" if isinstance(projector, LogProjector) else ", ".join(projector.topics)
        behind = "?" if lag.events_behind is None else str(lag.events_behind)
        line = f"{projector.projection.name:<34} {fed:<36} {behind:>8} {lag.seconds_behind:>9.1f}"
        _out(f"{line} {lag.events_applied:>10,}")
    return FOUND


def _report(outcome: Outcome, asked: Swap) -> int:
    comparison = outcome.comparison
    verdict = "EQUAL to the live one" if comparison.equal else "DIFFERENT from the live one"
    _out(f"{outcome.projection}: rebuilt from {outcome.events_read:,} events, {verdict}")
    for table in comparison.tables:
        mark = "=" if table.equal else "≠"
        _out(
            f"  {mark} {table.table}: live {table.live_rows:,} rows, rebuilt {table.rebuilt_rows:,}; "
            f"only in live {table.only_live:,}, only in rebuilt {table.only_rebuilt:,}"
        )
        for row in table.first_only_live:
            _out(f"      live    {row}")
        for row in table.first_only_rebuilt:
            _out(f"      rebuilt {row}")
    if outcome.swapped:
        _out("  swapped in: the live read model is now the rebuilt one")
        return FOUND
    if asked is Swap.IF_EQUAL and not comparison.equal:
        _out("  not swapped: it differs (read the rows above; --swap --accept-differences takes the rebuilt one)")
    elif asked is Swap.NEVER:
        _out("  not swapped (a check only; --swap swaps an equal one in)")
    return FOUND if comparison.equal else DIFFERS


async def _rebuild(args: argparse.Namespace, target: Target) -> int:
    runtime = runtime_of(target)
    async with started(runtime):
        if args.list:
            return await _list_read_models(runtime)
        if args.read_model is None:
            raise TargetError("name a read model (`dealerflow rebuild --list <service>` lists them)")
        projector = _projector(runtime, args.read_model)
        swap = Swap.NEVER if not args.swap else Swap.ALWAYS if args.accept_differences else Swap.IF_EQUAL
        try:
            outcome = await rebuild(projector, swap, _ProgressLine(args.read_model), keep_shadow=args.keep_shadow)
        except LiveMovedBack as error:
            raise TargetError(f"{error}; run the rebuild again") from None
        return _report(outcome, swap)


# --- replay -------------------------------------------------------------------------------


async def _replay(args: argparse.Namespace, target: Target) -> int:
    runtime = runtime_of(target)
    async with started(runtime):
        assert runtime.relay is not None  # set by start
        try:
            planned = await replay.plan(runtime.relay, args.start)
        except replay.BadPosition as error:
            raise TargetError(str(error)) from None
        if planned.events == 0:
            _out(f"{runtime.name}: nothing to republish after {args.start}")
            return FOUND
        _out(
            f"{runtime.name}: republish {planned.events:,} events to Kafka, from position {planned.first_position} "
            f"(recorded {planned.first_recorded_at:%Y-%m-%d %H:%M:%S %Z}); relay checkpoint "
            f"{tuple(planned.checkpoint)} → {tuple(planned.moved_to)}"
        )
        if not args.yes and not _confirmed("Republish? Subscribers will receive these events again [y/N] "):
            _out("nothing changed")
            return DIFFERS
        await replay.replay(runtime.relay, planned)
        _out("checkpoint moved: the relay republishes from there (a running one within seconds)")
        return FOUND


def _confirmed(question: str) -> bool:
    if not sys.stdin.isatty():
        _err("not confirmed (no terminal to ask on): pass --yes")
        return False
    return input(question).strip().lower() in {"y", "yes"}


# --- dead letters -------------------------------------------------------------------------


def _letter_line(letter: dict[str, Any]) -> str:
    state = f"re-driven {letter['redriven_at']:%Y-%m-%d %H:%M}" if letter["redriven_at"] else "open"
    return (
        f"{letter['dead_letter_id']:>6}  {letter['failed_at']:%Y-%m-%d %H:%M}  {letter['consumer']}  "
        f"{letter['event_type'] or '?'}  {letter['topic']}[{letter['partition']}]@{letter['offset']}  "
        f"{letter['attempts']} attempts  {state}\n        {letter['error']}"
    )


async def _dead_letters(args: argparse.Namespace, target: Target) -> int:
    runtime = runtime_of(target)
    async with started(runtime):
        if args.action == "list":
            letters = await dead_letters.letters(
                runtime.pool, None, args.consumer, not args.include_redriven, args.limit
            )
            for letter in letters:
                _out(_letter_line(letter))
            _out(f"{len(letters)} dead letter(s)")
            return FOUND
        # The projections' consumers exist once opened (a running service opens them in `run`).
        for projector in runtime.projectors:
            if isinstance(projector, KafkaProjector):
                await projector.open_consumer()
        if args.all:
            ids = [letter["dead_letter_id"] for letter in await dead_letters.letters(runtime.pool, None, limit=1000)]
        elif args.id is not None:
            ids = [args.id]
        else:
            raise TargetError("name a letter to re-drive, or --all")
        outcome = FOUND
        for letter_id in sorted(ids):
            try:
                letter = await dead_letters.redrive_letter(runtime, letter_id, None)
            except DomainError as error:  # not found, or it fails again (the letter stays open)
                _out(f"{letter_id:>6}  {error.code}: {error}")
                outcome = DIFFERS
                continue
            _out(f"{letter_id:>6}  re-driven ({letter['consumer']}, {letter['event_type']})")
        if not ids:
            _out("no open dead letters")
        return outcome


# --- migrations and contract --------------------------------------------------------------


async def _migrations(args: argparse.Namespace, target: Target) -> int:
    runtime = runtime_of(target)
    try:
        conn = await asyncpg.connect(target.database_url)
    except (OSError, asyncpg.PostgresError) as error:
        raise TargetError(f"cannot connect to {target.service}'s database: {error}") from None
    try:
        report = await status(conn, migrations_of(runtime))
    finally:
        await conn.close()
    _out(f"{'migration':<44} {'state':<11} {'applied at':<17} {'file sha256':<13} recorded sha256")
    for s in report:
        at = f"{s.applied_at:%Y-%m-%d %H:%M}" if s.applied_at else ""
        name = f"{s.component}/{s.name}"
        _out(f"{name:<44} {s.state:<11} {at:<17} {(s.file_checksum or '')[:12]:<13} {(s.recorded_checksum or '')[:12]}")
    changed = [s for s in report if s.state in {"changed", "no_file"}]
    for s in changed:
        _out(f"{s.component}/{s.name}: {s.state}: " + _WHY[s.state])
    return DIFFERS if changed else FOUND


_WHY = {
    "changed": "the file was edited after it was applied; the service refuses to start until it is restored",
    "no_file": "applied, but this version ships no such file",
}


def _contract(args: argparse.Namespace) -> int:
    report = contract_check.check(args.contract)
    for path in report.missing:
        _out(f"missing  {args.contract / path}")
    for path in report.changed:
        _out(f"changed  {args.contract / path}")
    if report.matches:
        _out(f"{args.contract}: the {report.checked} generated files match")
        return FOUND
    _out(f"{args.contract} does not match the code: `make contract` writes it (then review and commit)")
    return DIFFERS


# --- parsing ------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="dealerflow",
        description="Operate a dealerflow service's database and topics (docs/operations.md).",
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="command")

    where = argparse.ArgumentParser(add_help=False)
    where.add_argument(
        "--database-url", help="the service's database (default: $DATABASE_URL, else make run's var/stack.env)"
    )
    where.add_argument(
        "--stack",
        type=Path,
        nargs="?",
        const=Path("var/stack.env"),
        help="use the local stack `make run` started (its var/stack.env), ignoring $DATABASE_URL",
    )

    rebuild_cmd = commands.add_parser(
        "rebuild",
        parents=[where],
        help="rebuild a read model beside the live one, compare, swap in when told",
        description="Rebuild a read model into shadow tables while the live one serves, then compare the two "
        "row for row at the same log position. Without --swap nothing changes. Exit 0 equal, 1 different.",
    )
    rebuild_cmd.add_argument("service")
    rebuild_cmd.add_argument("read_model", nargs="?", metavar="read-model", help="e.g. booking.appointments")
    rebuild_cmd.add_argument("--list", action="store_true", help="list the service's read models with their lag")
    rebuild_cmd.add_argument("--swap", action="store_true", help="swap the rebuilt one in if it equals the live one")
    rebuild_cmd.add_argument(
        "--accept-differences",
        action="store_true",
        help="with --swap: swap it in even if it differs (after reading a report without --swap)",
    )
    rebuild_cmd.add_argument("--keep-shadow", action="store_true", help="leave the shadow schema for inspection")

    replay_cmd = commands.add_parser(
        "replay",
        parents=[where],
        help="republish the service's log to Kafka from a position",
        description="Move the outbox relay's checkpoint back: the relay republishes every event from there "
        "(subscribers skip what they already handled).",
    )
    replay_cmd.add_argument("service")
    replay_cmd.add_argument(
        "--from", dest="start", required=True, metavar="POSITION", help="`start`, or the log position of an event"
    )
    replay_cmd.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    letters_cmd = commands.add_parser(
        "dead-letters",
        help="list or re-drive the service's dead letters",
        description="Dead letters: records a consumer gave up on after bounded retries.",
    )
    letters_cmd.add_argument("service")
    actions = letters_cmd.add_subparsers(dest="action", required=True, metavar="action")
    list_cmd = actions.add_parser(
        "list", parents=[where], help="the letters, newest first", description="The letters, newest first."
    )
    list_cmd.add_argument("--consumer", help="only this consumer's")
    list_cmd.add_argument("--include-redriven", action="store_true", help="also those already re-driven")
    list_cmd.add_argument("--limit", type=int, default=100)
    redrive_cmd = actions.add_parser(
        "redrive",
        parents=[where],
        help="handle a letter's record again, after the fix",
        description="Handle the letter's record again in its consumer (the inbox still prevents a second effect). "
        "A letter that fails again stays open.",
    )
    redrive_cmd.add_argument("id", type=int, nargs="?", help="the letter's id (from `list`)")
    redrive_cmd.add_argument("--all", action="store_true", help="every open letter")

    migrations_cmd = commands.add_parser(
        "migrations", help="migration status with checksums", description="Migrations of the service's database."
    )
    migrations_cmd.add_argument("service")
    migration_actions = migrations_cmd.add_subparsers(dest="action", required=True, metavar="action")
    migration_actions.add_parser(
        "status",
        parents=[where],
        help="applied and pending migrations, with checksums",
        description="Applied and pending migrations with their sha256; an applied migration whose file "
        "changed since is `changed` (exit 1), and the service refuses to start.",
    )

    contract_cmd = commands.add_parser(
        "contract", help="the published event contract", description="The published event contract."
    )
    contract_actions = contract_cmd.add_subparsers(dest="action", required=True, metavar="action")
    check_cmd = contract_actions.add_parser(
        "check",
        help="the checked-in contract matches what the code generates",
        description="The checked-in contract/ matches what `make contract` would write now (exit 1 if not).",
    )
    check_cmd.add_argument("--contract", type=Path, default=Path("contract"), help="default: ./contract")
    return top


_SERVICE_COMMANDS: dict[str, Callable[[argparse.Namespace, Target], Coroutine[Any, Any, int]]] = {
    "rebuild": _rebuild,
    "replay": _replay,
    "dead-letters": _dead_letters,
    "migrations": _migrations,
}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "contract":
            return _contract(args)
        target = locate(args.service, database_url_option=args.database_url, stack=args.stack)
        return asyncio.run(_SERVICE_COMMANDS[args.command](args, target))
    except TargetError as error:
        _err(f"dealerflow: {error}")
        return FAILED
