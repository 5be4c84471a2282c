"""The local stack: a real PostgreSQL server and a real Kafka-protocol broker, started by the
project itself so that `make run` and `make test` need nothing preinstalled.

`DATABASE_URL` and `KAFKA_BOOTSTRAP_SERVERS` point at existing servers instead."""

from events.local.broker import LocalBroker
from events.local.ports import free_port, wait_for_port
from events.local.postgres import LocalPostgres

__all__ = ["LocalBroker", "LocalPostgres", "free_port", "wait_for_port"]
