"""Customers' personal data in the event store: sealed at append under the subject's key, opened
on read, a placeholder once the key is shredded — and the business facts around it intact."""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime

import asyncpg

from events.catalog.booking import CustomerRegistered
from events.catalog.reception_values import Contact
from events.envelope import Metadata, NewEvent, Tenant
from events.personal_data import (
    ERASED,
    UNREADABLE,
    PersonalDataKeys,
    erase_keys,
    open_token,
    phone_subject,
    seal,
    sealed_json,
    subjects_of,
)
from events.privacy import PersonalColumn, erase_personal_data
from events.store import EventStore
from events.testing import log_settled

META = Metadata(tenant=Tenant("group-a", "site-1"), actor="tester", correlation_id="c-1")
NAME, PHONE, OTHER_PHONE = "王小明 Wang Xiaoming", "+86 138 0013 8000", "13900139000"
AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def registered(customer: uuid.UUID) -> CustomerRegistered:
    return CustomerRegistered(
        customer_id=customer,
        name=NAME,
        phones=(PHONE, OTHER_PHONE),
        preferred_contact="phone",
        do_not_call=False,
        registered_at=AT,
    )


async def raw_rows(pool: asyncpg.Pool) -> list[str]:
    return [row[0] for row in await pool.fetch("SELECT data::text FROM events")]


def test_a_token_opens_only_with_its_key_and_subject() -> None:
    key, subject = os.urandom(32), uuid.uuid4()
    token = seal(key, subject, PHONE)
    assert PHONE not in token
    assert token.startswith(f"pd1.{subject}.")
    sealed = token.rsplit(".", 1)[1]
    assert open_token(key, subject, sealed) == PHONE
    assert open_token(None, subject, sealed) == ERASED
    assert open_token(os.urandom(32), subject, sealed) == UNREADABLE  # another key
    assert open_token(key, uuid.uuid4(), sealed) == UNREADABLE  # moved to another subject
    tampered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    assert open_token(key, subject, tampered) == UNREADABLE


def test_subjects_are_the_customer_or_the_phone() -> None:
    customer = uuid.uuid4()
    assert subjects_of(registered(customer)) == {customer}
    known = Contact(name=NAME, phone=PHONE, customer_id=customer)
    walk_in = Contact(name=NAME, phone=PHONE)
    assert subjects_of(known) == {customer}
    assert subjects_of(walk_in) == {phone_subject(PHONE)}
    assert phone_subject("+86 138-0013-8000") == phone_subject(PHONE)  # the digits name the subject
    sealed = json.loads(sealed_json(walk_in, {phone_subject(PHONE): None}))
    assert sealed == {"name": ERASED, "phone": ERASED, "customer_id": None}  # an erased subject stays erased


async def test_round_trip_with_no_plaintext_in_the_events_table(pool: asyncpg.Pool) -> None:
    store, customer = EventStore(pool), uuid.uuid4()
    await store.append(f"customer-{customer}", 0, [NewEvent(registered(customer), META)])

    rows = await raw_rows(pool)
    assert len(rows) == 1
    assert NAME not in rows[0]
    assert PHONE not in rows[0]
    assert OTHER_PHONE not in rows[0]
    assert str(customer) in rows[0]
    assert "registered_at" in rows[0]
    stored = json.loads(rows[0])
    assert stored["preferred_contact"] == "phone"
    assert stored["name"].startswith(f"pd1.{customer}.")

    (read,) = await store.read_stream(f"customer-{customer}")
    assert read.event == registered(customer)
    await log_settled(pool)
    assert [e.event for e in await store.read_log()] == [registered(customer)]
    (published,) = await store.read_log_stored()
    assert NAME in published.data
    assert PHONE in published.data


async def test_a_shredded_key_reads_as_the_placeholder_and_never_fails(pool: asyncpg.Pool) -> None:
    store, erased, kept = EventStore(pool), uuid.uuid4(), uuid.uuid4()
    await store.append(f"customer-{erased}", 0, [NewEvent(registered(erased), META)])
    await store.append(f"customer-{kept}", 0, [NewEvent(registered(kept), META)])

    async with pool.acquire() as conn:
        await erase_keys(conn, [erased])
    store.personal_data.forget([erased])

    (gone,) = await store.read_stream(f"customer-{erased}")
    assert (gone.event.name, gone.event.phones) == (ERASED, (ERASED, ERASED))
    assert (gone.event.customer_id, gone.event.registered_at) == (erased, AT)  # the facts stay
    (still,) = await store.read_stream(f"customer-{kept}")
    assert still.event == registered(kept)  # another customer's key is untouched
    await log_settled(pool)
    assert [e.event.name for e in await store.read_log()] == [ERASED, NAME]

    # Written after the erasure (a late event about them): stored erased, no new key.
    await store.append(f"customer-{erased}", 1, [NewEvent(registered(erased), META)])
    assert await pool.fetchval("SELECT key FROM personal_data_keys WHERE subject_id = $1", erased) is None
    assert all(NAME not in row for row in (await raw_rows(pool))[2:])
    fresh = EventStore(pool)  # no cache: the key is gone from the table
    assert [e.event.name for e in await fresh.read_stream(f"customer-{erased}")] == [ERASED, ERASED]


async def test_a_tampered_token_reads_as_unreadable(pool: asyncpg.Pool) -> None:
    store, customer = EventStore(pool), uuid.uuid4()
    await store.append(f"customer-{customer}", 0, [NewEvent(registered(customer), META)])
    data = json.loads(await pool.fetchval("SELECT data::text FROM events"))
    token = data["name"]
    data["name"] = token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")
    await pool.execute("UPDATE events SET data = $1::jsonb", json.dumps(data))
    (read,) = await store.read_stream(f"customer-{customer}")
    assert read.event.name == UNREADABLE
    assert read.event.phones == (PHONE, OTHER_PHONE)


async def test_erasure_scrubs_read_models_by_the_values_the_log_held(pool: asyncpg.Pool) -> None:
    store, customer, other = EventStore(pool), uuid.uuid4(), uuid.uuid4()
    await store.append(f"customer-{customer}", 0, [NewEvent(registered(customer), META)])
    await pool.execute("CREATE TABLE board (card int PRIMARY KEY, who text, phones text[], total int)")
    await pool.execute(
        "INSERT INTO board VALUES (1, $1, $2, 500), (2, 'Li Lei', $3, 700)",
        NAME,
        [PHONE, "010"],
        ["010"],
    )
    columns = [PersonalColumn("board", "who"), PersonalColumn("board", "phones", array=True)]
    async with pool.acquire() as conn, conn.transaction():
        scrubbed = await erase_personal_data(conn, PersonalDataKeys.of(pool), [customer, other], columns)
    assert scrubbed == 3  # the name and both phones
    rows = [tuple(r) for r in await pool.fetch("SELECT card, who, phones, total FROM board ORDER BY card")]
    assert rows == [(1, ERASED, [ERASED, "010"], 500), (2, "Li Lei", ["010"], 700)]

    (read,) = await store.read_stream(f"customer-{customer}")
    assert read.event.name == ERASED
    assert read.event.customer_id == customer
