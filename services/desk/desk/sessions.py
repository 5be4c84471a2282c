"""Sessions kept in the desk's database; the cookie carries only a random id. A session holds
who the person is (as the gateway's `/me` says), the site they picked, the CSRF token of their
forms and their tokens (refreshed here before they expire)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import asyncpg

from desk.oidc import Tokens

ALL_SITES = "*"
SIGN_IN_MINUTES = 10  # a sign-in not finished by then starts again


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    group_id: str
    roles: frozenset[str]
    site_ids: tuple[str, ...]
    all_sites: bool


@dataclass(frozen=True)
class Session:
    id: str  # the cookie's value; only its hash is stored
    csrf_token: str
    person: Person
    site_id: str | None
    access_token: str
    refresh_token: str | None
    expires_at: datetime

    def with_tokens(self, tokens: Tokens) -> Session:
        return replace(
            self,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_at=datetime.fromtimestamp(tokens.expires_at, UTC),
        )


@dataclass(frozen=True)
class PendingSignIn:
    nonce: str
    verifier: str
    return_to: str


class Sessions:
    def __init__(self, pool: asyncpg.Pool, idle: timedelta) -> None:
        self.pool = pool
        self.idle = idle

    @property
    def _idle_minutes(self) -> int:
        return max(1, int(self.idle.total_seconds() // 60))

    async def begin_sign_in(self, state: str, nonce: str, verifier: str, return_to: str) -> None:
        await self.pool.execute(
            "INSERT INTO desk_sign_ins (state_hash, nonce, verifier, return_to) VALUES ($1, $2, $3, $4)",
            _hash(state),
            nonce,
            verifier,
            return_to,
        )

    async def finish_sign_in(self, state: str) -> PendingSignIn | None:
        """The sign-in `state` names, taken (a second answer with it finds nothing)."""
        row = await self.pool.fetchrow(
            """DELETE FROM desk_sign_ins WHERE state_hash = $1 AND created_at > now() - make_interval(mins => $2)
               RETURNING nonce, verifier, return_to""",
            _hash(state),
            SIGN_IN_MINUTES,
        )
        await self.pool.execute(
            "DELETE FROM desk_sign_ins WHERE created_at < now() - make_interval(mins => $1)", SIGN_IN_MINUTES
        )
        return PendingSignIn(row["nonce"], row["verifier"], row["return_to"]) if row else None

    async def create(self, person: Person, tokens: Tokens) -> Session:
        only_site = person.site_ids[0] if len(person.site_ids) == 1 and not person.all_sites else None
        session = Session(
            id=secrets.token_urlsafe(32),
            csrf_token=secrets.token_urlsafe(32),
            person=person,
            site_id=only_site,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_at=datetime.fromtimestamp(tokens.expires_at, UTC),
        )
        # Sessions idle past their time are only ever refused; a sign-in clears them away.
        await self.pool.execute(
            "DELETE FROM desk_sessions WHERE last_seen_at < now() - make_interval(mins => $1)", self._idle_minutes
        )
        await self.pool.execute(
            """INSERT INTO desk_sessions (id_hash, csrf_token, user_id, name, group_id, roles, site_ids, all_sites,
                                          site_id, access_token, refresh_token, expires_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)""",
            _hash(session.id),
            session.csrf_token,
            person.user_id,
            person.name,
            person.group_id,
            sorted(person.roles),
            list(person.site_ids),
            person.all_sites,
            session.site_id,
            session.access_token,
            session.refresh_token,
            session.expires_at,
        )
        return session

    async def find(self, session_id: str) -> Session | None:
        """The live session with this id (touched: idle time starts again), or None."""
        row = await self.pool.fetchrow(
            """UPDATE desk_sessions SET last_seen_at = now()
               WHERE id_hash = $1 AND last_seen_at > now() - make_interval(mins => $2)
               RETURNING *""",
            _hash(session_id),
            self._idle_minutes,
        )
        if row is None:
            return None
        person = Person(
            row["user_id"],
            row["name"],
            row["group_id"],
            frozenset(row["roles"]),
            tuple(row["site_ids"]),
            row["all_sites"],
        )
        return Session(
            session_id,
            row["csrf_token"],
            person,
            row["site_id"],
            row["access_token"],
            row["refresh_token"],
            row["expires_at"],
        )

    async def save_tokens(self, session: Session) -> None:
        await self.pool.execute(
            "UPDATE desk_sessions SET access_token = $2, refresh_token = $3, expires_at = $4 WHERE id_hash = $1",
            _hash(session.id),
            session.access_token,
            session.refresh_token,
            session.expires_at,
        )

    async def pick_site(self, session: Session, site_id: str) -> None:
        await self.pool.execute("UPDATE desk_sessions SET site_id = $2 WHERE id_hash = $1", _hash(session.id), site_id)

    async def end(self, session_id: str) -> None:
        await self.pool.execute("DELETE FROM desk_sessions WHERE id_hash = $1", _hash(session_id))
