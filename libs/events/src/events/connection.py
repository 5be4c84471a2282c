"""The connection type handlers receive (a plain asyncpg connection or one borrowed from a
pool), and what is kept once per database a process talks to."""

from collections.abc import Callable
from typing import Protocol, TypeAlias, TypeVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy

Connection: TypeAlias = asyncpg.Connection | PoolConnectionProxy


class _OfPool(Protocol):
    pool: asyncpg.Pool


T = TypeVar("T", bound=_OfPool)


def per_pool(kept: dict[int, T], pool: asyncpg.Pool, make: Callable[[asyncpg.Pool], T]) -> T:
    """The one `T` of `pool` in `kept` (made on first use), so every store on a pool shares it.
    Pools cannot be weakly referenced: entries are keyed by id, and closed pools' are dropped."""
    found = kept.get(id(pool))
    if found is None or found.pool is not pool:
        for known in [k for k, v in kept.items() if v.pool.is_closing()]:  # pools of the past
            del kept[known]
        found = kept[id(pool)] = make(pool)
    return found
