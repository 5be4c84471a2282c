"""Lists that never stop silently: keyset pages, opaque cursors and the `Link: rel="next"` header.

A list names its sort once, as keys (column or expression, direction, NULLS placement), the last
one unique so the order is total. A page is the rows after the cursor's row in that order; the
query fetches one row more than the page to know whether there is a next one, and the answer
then carries `Link: <?cursor=...&limit=...&...>; rel="next"` (RFC 8288). Keyset, not OFFSET: a
row added or removed while someone walks the list shifts no page, and page 1000 costs what page
1 costs.

The cursor is the last row's sort key as base64url of compact JSON, typed so that datetimes,
dates, UUIDs, booleans and NULLs come back as what the column holds, with the list's name and a
fingerprint of its sort: a cursor of another list (or of this list before its sort changed) is
refused (`InvalidCursor`, 422), never read as a position it does not mean.

Everything here is pure but the last section (FastAPI's parameters and the answer's header).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Protocol, TypeVar
from urllib.parse import urlencode
from uuid import UUID

from fastapi import Query, Request, Response

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
# A cursor holds a handful of short keys; anything far longer is not one of ours.
MAX_CURSOR_LENGTH = 2000

KeyValue = None | bool | int | str | datetime | date | UUID
KINDS: tuple[type, ...] = (bool, int, str, datetime, date, UUID)


class InvalidCursor(ValueError):
    """The `cursor` parameter does not decode, or belongs to another list or sort (422)."""

    code = "invalid_cursor"


class Row(Protocol):
    def __getitem__(self, key: str, /) -> Any: ...


R = TypeVar("R", bound=Row)


@dataclass(frozen=True)
class Key:
    """One sort key: the row's field `name` (the SQL expression `sql` when it is not a plain
    column), the Python type of its values, its direction and where its NULLs go (`None`:
    PostgreSQL's default, last ascending and first descending). `nullable=False` for a column
    that never holds NULL spares the query its NULL branches."""

    name: str
    kind: type
    descending: bool = False
    nulls_first: bool | None = None
    nullable: bool = True
    sql: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise TypeError(f"a sort key holds one of {[k.__name__ for k in KINDS]}, not {self.kind.__name__}")

    @property
    def expression(self) -> str:
        return self.sql or self.name

    @property
    def nulls_lead(self) -> bool:
        return self.descending if self.nulls_first is None else self.nulls_first

    def ordering(self) -> str:
        direction = "DESC" if self.descending else "ASC"
        return f"{self.expression} {direction} NULLS {'FIRST' if self.nulls_lead else 'LAST'}"

    def equal(self, param: str | None) -> str:
        return f"{self.expression} IS NULL" if param is None else f"{self.expression} = {param}"

    def beyond(self, param: str | None) -> str | None:
        """The rows strictly after the cursor's value in this key (`param` None: it is NULL);
        None when no row can be."""
        if param is None:
            return f"{self.expression} IS NOT NULL" if self.nulls_lead else None
        strictly = f"{self.expression} {'<' if self.descending else '>'} {param}"
        if self.nulls_lead or not self.nullable:
            return strictly
        return f"({strictly} OR {self.expression} IS NULL)"


@dataclass(frozen=True)
class Window:
    """One page's part of a query: `after` goes into its WHERE (`TRUE` on the first page),
    `order` ends it (ORDER BY ... LIMIT one row more than the page), `params` follow the
    query's own parameters."""

    listing: Listing
    limit: int
    after: str
    order: str
    params: tuple[Any, ...]

    def page(self, rows: Sequence[R]) -> tuple[list[R], str | None]:
        """The page's rows, and the cursor of the next page (None: this was the last)."""
        shown = list(rows[: self.limit])
        more = len(rows) > self.limit
        return shown, self.listing.cursor(shown[-1]) if more else None


@dataclass(frozen=True)
class Listing:
    """A list's name and its sort; the last key must be unique and non-null (a total order)."""

    name: str
    keys: tuple[Key, ...]

    def __post_init__(self) -> None:
        if not self.keys or self.keys[-1].nullable:
            raise ValueError(f"{self.name}: the last sort key must be a unique column declared nullable=False")

    @property
    def order_by(self) -> str:
        return ", ".join(key.ordering() for key in self.keys)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(f"{self.name}|{self.order_by}".encode()).hexdigest()[:12]

    def window(self, cursor: str | None, limit: int, first: int) -> Window:
        """The page after `cursor` (None: the first page), with its parameters numbered from
        `$first`. Raises InvalidCursor."""
        values = self.decode(cursor) if cursor is not None else None
        params: list[Any] = []

        def param(value: KeyValue) -> str | None:
            if value is None:
                return None
            params.append(value)
            return f"${first + len(params) - 1}"

        after = "TRUE"
        if values is not None:
            numbered = [param(value) for value in values]
            branches = []
            for i, key in enumerate(self.keys):
                beyond = key.beyond(numbered[i])
                if beyond is not None:
                    ties = [k.equal(p) for k, p in zip(self.keys[:i], numbered[:i], strict=True)]
                    branches.append(" AND ".join([*ties, beyond]))
            after = "(" + " OR ".join(f"({branch})" for branch in branches) + ")" if branches else "FALSE"
        params.append(limit + 1)
        order = f"ORDER BY {self.order_by} LIMIT ${first + len(params) - 1}"
        return Window(self, limit, after, order, tuple(params))

    def cursor(self, row: Row) -> str:
        document = {"l": self.name, "o": self.fingerprint, "k": [_encode(row[key.name]) for key in self.keys]}
        text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def decode(self, cursor: str) -> tuple[KeyValue, ...]:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise InvalidCursor("the cursor is not one this list handed out")
        try:
            document = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        except (binascii.Error, UnicodeDecodeError, ValueError) as error:
            raise InvalidCursor("the cursor does not decode; pass the one from the Link header as it is") from error
        if not isinstance(document, dict) or document.get("l") != self.name:
            raise InvalidCursor("the cursor belongs to another list")
        if document.get("o") != self.fingerprint:
            raise InvalidCursor("the cursor belongs to another sort of this list; start again from the first page")
        encoded = document.get("k")
        if not isinstance(encoded, list) or len(encoded) != len(self.keys):
            raise InvalidCursor("the cursor does not hold this list's sort key")
        return tuple(_decode(key, value) for key, value in zip(self.keys, encoded, strict=True))


def _encode(value: Any) -> Any:
    # JSON has no datetime, date or UUID: they go as one-letter tagged objects.
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, UUID):
        return {"u": str(value)}
    raise TypeError(f"a sort key value of type {type(value).__name__} cannot go into a cursor")


def _decode(key: Key, value: Any) -> KeyValue:
    if value is None:
        if not key.nullable:
            raise InvalidCursor(f"the cursor holds no {key.name}")
        return None
    try:
        if key.kind is bool and isinstance(value, bool):
            return value
        if key.kind is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if key.kind is str and isinstance(value, str):
            return value
        if key.kind is datetime and isinstance(value, dict) and value.keys() == {"t"}:
            return datetime.fromisoformat(value["t"])
        if key.kind is date and isinstance(value, dict) and value.keys() == {"d"}:
            return date.fromisoformat(value["d"])
        if key.kind is UUID and isinstance(value, dict) and value.keys() == {"u"}:
            return UUID(value["u"])
    except (TypeError, ValueError) as error:
        raise InvalidCursor(f"the cursor's {key.name} does not decode") from error
    raise InvalidCursor(f"the cursor's {key.name} is not a {key.kind.__name__}")


def next_link(query: Iterable[tuple[str, str]], cursor: str, limit: int) -> str:
    """`Link: <?cursor=...&limit=...&(the other parameters as given)>; rel="next"`: a reference
    of only a query, so it resolves against whatever URL the client called (the gateway's
    `/api/v1/...` or the service's own path)."""
    others = [(name, value) for name, value in query if name not in ("cursor", "limit")]
    return f'<?{urlencode([("cursor", cursor), ("limit", str(limit)), *others])}>; rel="next"'


# --- the HTTP side: the two parameters, the header's documentation, the answer ----------------

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"rows per page, 1-{MAX_LIMIT} (default {DEFAULT_LIMIT})")]
Cursor = Annotated[
    str | None,
    Query(description='where the page starts: the `cursor` of the previous answer\'s `Link: <...>; rel="next"`'),
]
LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "one page of the list, in the list's order",
        "headers": {
            "Link": {
                "description": 'present when there is more: `<?cursor=...&limit=...&...>; rel="next"` (RFC 8288), '
                "a query-only reference to the next page; absent on the last page",
                "schema": {"type": "string"},
            }
        },
    }
}


def answer(window: Window, rows: Sequence[R], request: Request, response: Response) -> list[R]:
    """The page's rows; the `Link` to the next page on `response` when there is one."""
    shown, cursor = window.page(rows)
    if cursor is not None:
        response.headers["Link"] = next_link(request.query_params.multi_items(), cursor, window.limit)
    return shown
