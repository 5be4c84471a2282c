"""Which service's database and broker the operator's command works on, and the service's
runtime (its read models, relay and consumers) as its own `app.py` wires them.

The database: `--database-url`, else `DATABASE_URL` (the service's own database, as the
service reads it), else the local stack's `var/stack.env` written by `make run` (its server,
with the service's database `dealerflow_<service>`). The broker: `KAFKA_BOOTSTRAP_SERVERS`,
else the stack's.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from events.database import database_url
from events.kafka import KafkaSettings
from events.migrations import Migration, backbone_migrations, status
from events.runtime import ServiceRuntime

STACK_ENV = Path("var") / "stack.env"


class TargetError(Exception):
    """The command cannot find or open what it was asked to work on."""


@dataclass(frozen=True)
class Target:
    service: str
    database_url: str
    kafka: KafkaSettings


def _stack(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition("=")
        if value:
            values[key.strip()] = value.strip()
    return values


def locate(service: str, *, database_url_option: str | None = None, stack: Path | None = None) -> Target:
    stack_file = stack if stack is not None else STACK_ENV
    stack_values = _stack(stack_file) if stack_file.is_file() else {}
    if stack is not None and not stack_values:
        raise TargetError(f"{stack} is not a stack file (`make run` writes var/stack.env)")
    url = database_url_option or (None if stack is not None else os.environ.get("DATABASE_URL"))
    if url is None and "DATABASE_URL" in stack_values:
        url = database_url(stack_values["DATABASE_URL"], f"dealerflow_{service}")
    if url is None:
        raise TargetError(
            "no database: pass --database-url, set DATABASE_URL, or run from the folder where "
            "`make run` runs (it writes var/stack.env)"
        )
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS") if stack is None else None
    bootstrap = bootstrap or stack_values.get("KAFKA_BOOTSTRAP_SERVERS")
    kafka = KafkaSettings.from_env(**({"bootstrap_servers": bootstrap} if bootstrap else {}))
    return Target(service, url, kafka)


def runtime_of(target: Target) -> ServiceRuntime:
    """The service's runtime as its `app.py` builds it (not started)."""
    try:
        app_module = importlib.import_module(f"{target.service}.app")
    except ModuleNotFoundError as error:
        raise TargetError(f"no service {target.service!r} is installed here ({error})") from None
    try:
        app = app_module.create_app(database_url=target.database_url, kafka=target.kafka)
    except TypeError:
        app = None
    runtime = getattr(getattr(app, "state", None), "runtime", None)
    if not isinstance(runtime, ServiceRuntime):
        raise TargetError(f"{target.service} keeps no event log or read models of its own")
    return runtime


def migrations_of(runtime: ServiceRuntime) -> list[Migration]:
    return backbone_migrations() + runtime.migrations


@asynccontextmanager
async def started(runtime: ServiceRuntime) -> AsyncIterator[ServiceRuntime]:
    """The runtime's pool, relay, consumers and projectors, without its background loops.
    Only on a database the service has fully migrated: this command never changes a schema."""
    try:
        conn = await asyncpg.connect(runtime.database_url)
    except (OSError, asyncpg.PostgresError) as error:
        raise TargetError(f"cannot connect to {runtime.name}'s database: {error}") from None
    try:
        not_ready = [s for s in await status(conn, migrations_of(runtime)) if s.state != "applied"]
    finally:
        await conn.close()
    if not_ready:
        listed = ", ".join(f"{s.component}/{s.name} ({s.state})" for s in not_ready)
        raise TargetError(
            f"{runtime.name}'s database is not at this version's migrations: {listed}; "
            f"see `dealerflow migrations {runtime.name} status`"
        )
    await runtime.start(background=False)
    try:
        yield runtime
    finally:
        await runtime.stop()
