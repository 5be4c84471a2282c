"""Customers' personal data: marked in the contracts, encrypted in the event store with a key per
data subject, unreadable once the key is erased (crypto-shredding; docs/decisions/0004).

    class Contact(_Value):
        name: Annotated[str, PERSONAL] = Field(min_length=1)
        customer_id: UUID | None = None

A marked field (a string, or a tuple of strings) is stored as a token `pd1.<subject>.<sealed>`:
AES-GCM under the subject's key, the subject id as associated data (a token moved to another
subject does not open). The subject is the model's `customer_id`; a contact without one is its
own subject, named by a keyed hash of its phone (`phone_subject`), so an erasure by customer
can name it too. Reading swaps each token for its text, or for `ERASED` once the key is gone —
the ids, lines, amounts and times around it stay as they were.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import re
import typing
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel

from events.connection import Connection, per_pool
from events.identity import internal_secret
from events.personal_fields import PersonalData

log = logging.getLogger(__name__)

ERASED = "[erased]"  # what a reader gets for personal data whose subject was erased
UNREADABLE = "[unreadable]"  # a token that does not open under its subject's key (tampered)
_PREFIX = "pd1."
# A token as it appears in stored JSON text: found and replaced without parsing the document.
TOKEN = re.compile(r'"pd1\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]+)"')
_MARK = '"pd1.'
_NONCE = 12


def phone_subject(phone: str) -> uuid.UUID:
    """The subject of a contact known only by phone: a keyed hash (the services' shared secret),
    so the id reveals nothing, yet every service derives the same one."""
    digits = re.sub(r"\D", "", phone) or phone
    digest = hmac.new(internal_secret().encode(), b"phone:" + digits.encode(), hashlib.sha256).digest()
    return uuid.UUID(bytes=digest[:16], version=4)


# --- which fields are personal: computed once per contract class ------------------------------


@dataclass(frozen=True)
class _Plan:
    leaves: tuple[tuple[str, str], ...]  # (field, subject field)
    nested: tuple[tuple[str, type[BaseModel]], ...]

    def __bool__(self) -> bool:
        return bool(self.leaves or self.nested)


_PLANS: dict[type[BaseModel], _Plan] = {}


def _models_in(annotation: Any) -> Iterable[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    if typing.get_origin(annotation) is typing.Annotated:
        yield from _models_in(typing.get_args(annotation)[0])
        return
    for arg in typing.get_args(annotation):
        if arg is not Ellipsis and arg is not type(None):
            yield from _models_in(arg)


def plan_of(model: type[BaseModel]) -> _Plan:
    """The personal fields of `model`, its own and its values' (empty for most contracts)."""
    plan = _PLANS.get(model)
    if plan is None:
        _PLANS[model] = _Plan((), ())  # a model that contains itself ends here
        leaves, nested = [], []
        for name, info in model.model_fields.items():
            marker = next((m for m in info.metadata if isinstance(m, PersonalData)), None)
            if marker is not None:
                leaves.append((name, marker.subject))
                continue
            inner = next((m for m in _models_in(info.annotation) if plan_of(m)), None)
            if inner is not None:
                nested.append((name, inner))
        plan = _PLANS[model] = _Plan(tuple(leaves), tuple(nested))
    return plan


def has_personal_data(model: type[BaseModel]) -> bool:
    return bool(plan_of(model))


# --- sealing and opening ---------------------------------------------------------------------


def seal(key: bytes, subject: uuid.UUID, text: str) -> str:
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(key).encrypt(nonce, text.encode(), subject.bytes)
    return f"{_PREFIX}{subject}.{base64.urlsafe_b64encode(nonce + sealed).rstrip(b'=').decode()}"


def open_token(key: bytes | None, subject: uuid.UUID, sealed: str) -> str:
    """The text of a token; `ERASED` without a key, `UNREADABLE` if it was tampered with."""
    if key is None:
        return ERASED
    try:
        raw = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
        return AESGCM(key).decrypt(raw[:_NONCE], raw[_NONCE:], subject.bytes).decode()
    except (InvalidTag, ValueError):
        log.warning("a personal-data token of subject %s does not open: tampered or damaged", subject)
        return UNREADABLE


def subjects_of(event: BaseModel) -> set[uuid.UUID]:
    """The data subjects whose personal data `event` carries."""
    found: set[uuid.UUID] = set()

    def note(subject: uuid.UUID, value: str) -> str:
        found.add(subject)
        return value

    _walk(event.model_dump(mode="json"), plan_of(type(event)), None, note)
    return found


def sealed_json(event: BaseModel, keys: Mapping[uuid.UUID, bytes | None]) -> str:
    """The event's JSON with every personal field sealed under its subject's key (`keys` has one
    for each of `subjects_of(event)`; None: the subject is erased, the field is stored erased)."""

    def protect(subject: uuid.UUID, value: str) -> str:
        key = keys[subject]
        return ERASED if key is None else seal(key, subject, value)

    data = event.model_dump(mode="json")
    _walk(data, plan_of(type(event)), None, protect)
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _walk(data: Any, plan: _Plan, outer: uuid.UUID | None, each: Any) -> None:
    """Replace, in place, every personal string under `plan` in `data` by `each(subject, text)`."""
    if not isinstance(data, dict):
        return
    for name, subject_field in plan.leaves:
        value = data.get(name)
        if value is None:
            continue
        subject = _subject(data, subject_field, outer)
        if isinstance(value, str):
            data[name] = each(subject, value) if value != ERASED else value
        elif isinstance(value, list):
            data[name] = [each(subject, v) if isinstance(v, str) and v != ERASED else v for v in value]
    own = data.get("customer_id")
    here = _as_uuid(own) or outer
    for name, model in plan.nested:
        value = data.get(name)
        for item in value if isinstance(value, list) else [value]:
            _walk(item, plan_of(model), here, each)


def _subject(data: Mapping[str, Any], subject_field: str, outer: uuid.UUID | None) -> uuid.UUID:
    named = data.get(subject_field)
    if isinstance(named, dict):  # the subject is a contact beside the field: its customer, or its phone
        return _subject(named, "customer_id", outer)
    found = _as_uuid(named)
    if found is not None:
        return found
    phone = data.get("phone")
    if isinstance(phone, str) and phone and phone != ERASED:
        return phone_subject(phone)
    return outer or uuid.UUID(int=0)


def _as_uuid(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            return None
    return None


def token_subjects(texts: Iterable[str]) -> set[uuid.UUID]:
    """The subjects of the tokens in stored JSON texts (a cheap check first: most have none)."""
    return {uuid.UUID(m.group(1)) for text in texts if _MARK in text for m in TOKEN.finditer(text)}


def reveal(text: str, keys: Mapping[uuid.UUID, bytes | None]) -> str:
    """Stored JSON text with each token replaced by its text (or a placeholder)."""
    if _MARK not in text:
        return text

    def opened(match: re.Match[str]) -> str:
        subject = uuid.UUID(match.group(1))
        return json.dumps(open_token(keys.get(subject), subject, match.group(2)), ensure_ascii=False)

    return TOKEN.sub(opened, text)


# --- the keys: each service's own table ------------------------------------------------------


class PersonalDataKeys:
    """A service's subject keys (`personal_data_keys`). Keys read for a page are asked for in one
    statement. Keys for sealing are cached: a key erased meanwhile elsewhere only makes what it
    seals unreadable at once, which is what erasure wants."""

    def __init__(self, pool: asyncpg.Pool, cache_size: int = 10_000) -> None:
        self.pool = pool
        self._sealing: dict[uuid.UUID, bytes | None] = {}
        self._cache_size = cache_size

    @classmethod
    def of(cls, pool: asyncpg.Pool) -> PersonalDataKeys:
        """The keys of the database behind `pool`, one cache for every store on it."""
        return per_pool(_BY_POOL, pool, cls)

    async def for_sealing(self, subjects: Iterable[uuid.UUID]) -> dict[uuid.UUID, bytes | None]:
        wanted = set(subjects)
        missing = [s for s in wanted if s not in self._sealing]
        if missing:
            # On the pool, not the caller's transaction: a key must outlive a rolled-back command,
            # or a cached key would seal data that nothing can open. An unused key is harmless.
            async with self.pool.acquire() as conn:
                await conn.execute(
                    """INSERT INTO personal_data_keys (subject_id, key)
                       SELECT * FROM unnest($1::uuid[], $2::bytea[])
                       ON CONFLICT (subject_id) DO NOTHING""",
                    missing,
                    [AESGCM.generate_key(bit_length=256) for _ in missing],
                )
                rows = await conn.fetch(
                    "SELECT subject_id, key FROM personal_data_keys WHERE subject_id = ANY($1::uuid[])", missing
                )
            if len(self._sealing) > self._cache_size:
                self._sealing.clear()
            for row in rows:
                self._sealing[row["subject_id"]] = row["key"]
        return {s: self._sealing.get(s) for s in wanted}

    async def for_reading(
        self, subjects: Iterable[uuid.UUID], conn: Connection | None = None
    ) -> dict[uuid.UUID, bytes | None]:
        wanted = list(subjects)
        if not wanted:
            return {}
        sql = "SELECT subject_id, key FROM personal_data_keys WHERE subject_id = ANY($1::uuid[])"
        rows = await (conn.fetch(sql, wanted) if conn is not None else self.pool.fetch(sql, wanted))
        return {row["subject_id"]: row["key"] for row in rows}

    async def reveal_all(self, texts: Sequence[str], conn: Connection | None = None) -> list[str] | None:
        """`texts` revealed, or None when none of them holds a token (nothing was read)."""
        subjects = token_subjects(texts)
        if not subjects:
            return None
        keys = await self.for_reading(subjects, conn)
        return [reveal(text, keys) for text in texts]

    def forget(self, subjects: Iterable[uuid.UUID]) -> None:
        for subject in subjects:
            self._sealing[subject] = None


_BY_POOL: dict[int, PersonalDataKeys] = {}


async def erase_keys(conn: Connection, subjects: Sequence[uuid.UUID]) -> None:
    """Shred: the subjects' keys are gone for good. The row stays (key NULL), so the subject is
    not given a fresh key later and anything still written about them is stored erased."""
    await conn.execute(
        """INSERT INTO personal_data_keys (subject_id, key, erased_at)
           SELECT s, NULL, now() FROM unnest($1::uuid[]) s
           ON CONFLICT (subject_id)
           DO UPDATE SET key = NULL, erased_at = coalesce(personal_data_keys.erased_at, now())""",
        list(subjects),
    )
