"""The connection type handlers receive: a plain asyncpg connection or one borrowed from a pool."""

from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

Connection: TypeAlias = asyncpg.Connection | PoolConnectionProxy
