"""`make test`: every test suite of the repository against one PostgreSQL and one broker.

Suites (each module of tests/, libs/events/tests, services/*/tests) run as separate pytest
processes, two at a time on this 2-core machine, sharing the servers started here (or the ones
`DATABASE_URL` / `KAFKA_BOOTSTRAP_SERVERS` name). Separate processes keep each suite's test
modules and fixtures apart; one pair of servers keeps start-up cost paid once.

    python -m events.testing.suites [--jobs N] [suite folders...] [-- pytest args]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from events.testing.servers import start_test_servers
from events.testing.system import new_logs_folder

_SUMMARY = re.compile(r"(\d+) (passed|failed|errors?|skipped)")
_CLOSING = re.compile(r"\b(passed|failed|errors?|no tests ran)\b.* in [\d.]+s")


@dataclass
class Result:
    suite: str
    returncode: int
    output: str
    seconds: float

    def count(self, word: str) -> int:
        closing = [line for line in self.output.splitlines() if _CLOSING.search(line)]
        total = 0
        for line in closing[-1:]:
            for number, kind in _SUMMARY.findall(line):
                if kind.rstrip("s") == word.rstrip("s"):
                    total += int(number)
        return total


def discover(root: Path) -> list[str]:
    """The cross-service modules first, one suite each (every one starts a whole system, so they
    are the longest), then the backbone's and each service's folder."""
    suites = [
        *sorted((root / "tests").glob("test_*.py")),
        root / "libs/events/tests",
        *sorted(root.glob("services/*/tests")),
    ]
    return [str(s.relative_to(root)) for s in suites if s.is_file() or any(s.rglob("test_*.py"))]


def run_suite(suite: str, pytest_args: list[str]) -> Result:
    started = time.monotonic()
    process = subprocess.run(
        [sys.executable, "-m", "pytest", suite, "-q", "--rootdir", ".", *pytest_args],
        capture_output=True,
        text=True,
    )
    return Result(suite, process.returncode, process.stdout + process.stderr, time.monotonic() - started)


def main() -> int:
    args, pytest_args = _parse()
    root = Path.cwd()
    suites = args.suites or discover(root)
    logs = new_logs_folder()
    with ExitStack() as servers:
        start_test_servers(servers)
        print(
            f"PostgreSQL {os.environ['DATABASE_URL']}  broker {os.environ['KAFKA_BOOTSTRAP_SERVERS']}",
            flush=True,
        )
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            results = []
            for result in pool.map(lambda s: run_suite(s, pytest_args), suites):
                print(
                    f"\n===== {result.suite} ({result.seconds:.0f}s) =====\n{result.output.rstrip()}",
                    flush=True,
                )
                results.append(result)
    passed = sum(r.count("passed") for r in results)
    failed = sum(r.count("failed") + r.count("error") for r in results)
    broken = [r.suite for r in results if r.returncode != 0]
    if broken and failed == 0:
        failed = len(broken)  # a suite that crashed without a summary still fails the run
    print("\nsuites:", ", ".join(f"{r.suite} {'ok' if r.returncode == 0 else 'FAILED'}" for r in results))
    print(f"{passed} passed, {failed} failed")
    if broken:
        print(f"the services' logs of every system these suites started: {logs}")
    return 1 if broken or failed else 0


def split_pytest_args(argv: list[str]) -> tuple[list[str], list[str]]:
    """The command's own arguments, and those after `--` (handed to pytest)."""
    if "--" not in argv:
        return argv, []
    split = argv.index("--")
    return argv[:split], argv[split + 1 :]


def _parse() -> tuple[argparse.Namespace, list[str]]:
    argv, pytest_args = split_pytest_args(sys.argv[1:])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=2, help="suites run at once (default 2)")
    parser.add_argument("suites", nargs="*", help="suite folders (default: all)")
    return parser.parse_args(argv), pytest_args


if __name__ == "__main__":
    raise SystemExit(main())
