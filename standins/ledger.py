"""What a stand-in received and answered, in one SQLite file (a stand-in's memory, not our
system's: nothing of dealerflow reads it). One row per key the party knows a request by (an
idempotency key, a settlement list number); a request again under the same key replaces
the row, with its count of receipts."""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Entry:
    key: str
    received_at: str
    request: dict[str, Any]
    answer: dict[str, Any]
    receipts: int


class Ledger:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # FastAPI runs the stand-ins' plain `def` routes on worker threads: one connection, one lock.
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._db.execute(
            """CREATE TABLE IF NOT EXISTS received (
                 party TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, received_at TEXT NOT NULL,
                 request TEXT NOT NULL, answer TEXT NOT NULL, receipts INTEGER NOT NULL DEFAULT 1,
                 PRIMARY KEY (party, key))"""
        )

    def find(self, party: str, key: str) -> Entry | None:
        with self._lock:
            row = self._db.execute(
                "SELECT key, received_at, request, answer, receipts FROM received WHERE party = ? AND key = ?",
                (party, key),
            ).fetchone()
        return _entry(row) if row else None

    def record(self, party: str, key: str, request: dict[str, Any], answer: dict[str, Any]) -> int:
        """Keep `request` and its `answer` under `key`; the number of the party's rows so far
        (a new key's sequence number)."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            (count,) = self._db.execute("SELECT count(*) FROM received WHERE party = ?", (party,)).fetchone()
            self._db.execute(
                """INSERT INTO received (party, key, seq, received_at, request, answer) VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (party, key) DO UPDATE SET received_at = excluded.received_at,
                     request = excluded.request, answer = excluded.answer, receipts = received.receipts + 1""",
                (party, key, count + 1, now, json.dumps(request, ensure_ascii=False), json.dumps(answer)),
            )
        return int(count) + 1

    def next_number(self, party: str) -> int:
        with self._lock:
            (count,) = self._db.execute("SELECT count(*) FROM received WHERE party = ?", (party,)).fetchone()
        return int(count) + 1

    def newest_first(self, party: str, limit: int = 200) -> list[Entry]:
        with self._lock:
            rows = self._db.execute(
                """SELECT key, received_at, request, answer, receipts FROM received WHERE party = ?
                   ORDER BY received_at DESC, seq DESC LIMIT ?""",
                (party, limit),
            ).fetchall()
        return [_entry(row) for row in rows]


def _entry(row: tuple[str, str, str, str, int]) -> Entry:
    return Entry(row[0], row[1], json.loads(row[2]), json.loads(row[3]), row[4])


class Failures:
    """The next N requests a party fails on purpose (tests and demos: an outage, a refusal)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[dict[str, Any]] = []

    def plan(self, count: int, failure: dict[str, Any]) -> None:
        with self._lock:
            self._queue.extend([failure] * count)

    def next(self) -> dict[str, Any] | None:
        with self._lock:
            return self._queue.pop(0) if self._queue else None

    def pending(self) -> int:
        with self._lock:
            return len(self._queue)
