"""`make test`: every test suite of the repository against one PostgreSQL and one broker.

Suites (each module of tests/, libs/events/tests, services/*/tests) run as separate pytest
processes, two at a time on this 2-core machine, the longest first, sharing the PostgreSQL started
here (or the one `DATABASE_URL` names). Separate processes keep each suite's test modules and
fixtures apart; one PostgreSQL keeps its start-up paid once. The local broker is the suite's own
(each pytest process starts one: it slows down as a run's topics pile up, testing/servers.py),
unless `KAFKA_BOOTSTRAP_SERVERS` names one for all.

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
    """Each cross-service module of tests/ (one suite each), the backbone's and each service's
    folder, the largest first: with two at a time, a long suite started last would run alone
    at the end. Size is the test code's, a stand-in for duration known before any run."""
    suites = [
        *sorted((root / "tests").glob("test_*.py")),
        root / "libs/events/tests",
        *sorted(root.glob("services/*/tests")),
    ]
    found = [s for s in suites if s.is_file() or any(s.rglob("test_*.py"))]
    found.sort(key=_test_code_size, reverse=True)
    return [str(s.relative_to(root)) for s in found]


def _test_code_size(suite: Path) -> int:
    files = [suite] if suite.is_file() else list(suite.rglob("test_*.py"))
    return sum(f.stat().st_size for f in files)


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
        start_test_servers(servers, broker=False)
        broker = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "one local broker per suite")
        print(f"PostgreSQL {os.environ['DATABASE_URL']}  broker {broker}", flush=True)
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
