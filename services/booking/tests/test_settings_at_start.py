"""A bad setting stops `python -m booking` at start with one line naming the variable, before
anything is opened: not a traceback from inside aiokafka once the service is up."""

from __future__ import annotations

import os
import subprocess
import sys


def test_a_bad_kafka_partitions_stops_the_service_at_start_naming_it() -> None:
    env = {**os.environ, "KAFKA_PARTITIONS": "abc", "PORT": "0"}
    stopped = subprocess.run(
        [sys.executable, "-m", "booking"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert stopped.returncode == 2, stopped.stderr
    assert "Traceback" not in stopped.stderr
    assert stopped.stderr.strip().splitlines()[-1] == (
        "booking: bad setting: KAFKA_PARTITIONS: 'abc' is not a valid integer"
    )
