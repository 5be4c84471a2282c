"""Run one test suite again and again until it fails: the proof that a test which once failed
now and then has lost its cause (a test that fails sometimes is a defect, never bad luck).

    python -m events.testing.soak --runs 30 tests/test_restarts.py [-- pytest args]

Every run keeps its services' logs in a folder of its own under `var/test-logs/`; the loop stops
at the first failure and says which run it was and where its logs are.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import ExitStack

from events.testing.servers import start_test_servers
from events.testing.suites import run_suite, split_pytest_args
from events.testing.system import new_logs_folder


def main() -> int:
    argv, pytest_args = split_pytest_args(sys.argv[1:])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10, help="runs in a row that must pass (default 10)")
    parser.add_argument("suite", help="a test module or folder")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with ExitStack() as servers:
        start_test_servers(servers, broker=False)  # each run its own broker, as in `make test`
        broker = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "one local broker per run")
        print(f"PostgreSQL {os.environ['DATABASE_URL']}  broker {broker}", flush=True)
        for run in range(1, args.runs + 1):
            logs = new_logs_folder()
            result = run_suite(args.suite, pytest_args)
            verdict = "passed" if result.returncode == 0 else "FAILED"
            print(f"run {run}/{args.runs}: {verdict} in {result.seconds:.0f}s", flush=True)
            if result.returncode != 0:
                print(result.output.rstrip())
                print(f"{args.suite}: failed at run {run} after {run - 1} in a row; the services' logs: {logs}")
                return 1
    minutes = (time.monotonic() - started) / 60
    print(f"{args.suite}: {args.runs} runs in a row passed ({minutes:.0f} min)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
