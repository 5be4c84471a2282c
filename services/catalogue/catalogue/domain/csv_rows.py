"""What every CSV file the catalogue imports shares, checked line by line — pure, no I/O.

The catalogue reads two such files, a parts price file (`catalogue.price_list.rows`) and a
labour-time file (`catalogue.domain.labour_file`), by the same rules: UTF-8 (a leading byte-order
mark, as Excel writes one, is ignored), a header line naming the file's columns in any order, one
row per line, blank lines skipped, and every fault reported with its line (the file's own line,
the header being line 1) and its column. Each file's own rows and limits stay in its module.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _csv import Reader

# Row errors listed in a refusal; the rest are only counted (a wrong file can have 100,000).
MAX_LISTED = 1000


@dataclass(frozen=True, slots=True)
class RowError:
    """What is wrong with one line: `field` is a column name (None: the line as a whole)."""

    line: int
    field: str | None
    reason: str


@dataclass
class RowErrors:
    """Every error of a file: the first `MAX_LISTED` kept in line order, all of them counted."""

    listed: list[RowError] = field(default_factory=list)
    count: int = 0

    def add(self, line: int, column: str | None, reason: str) -> None:
        self.count += 1
        if len(self.listed) < MAX_LISTED:
            self.listed.append(RowError(line, column, reason))


class InvalidFile(ValueError):
    """The file has bad rows: nothing of it may be imported. A subclass names its kind of file
    (`kind`, as the message says it)."""

    code = "invalid_rows"
    kind = "file"

    def __init__(self, errors: RowErrors) -> None:
        self.errors = errors
        shown = "" if errors.count <= len(errors.listed) else f" (the first {len(errors.listed)} are listed)"
        super().__init__(f"the {self.kind} has {errors.count} error(s){shown}; nothing was imported")


def open_file(data: bytes, columns: tuple[str, ...], errors: RowErrors) -> tuple[Reader, tuple[int, ...]] | None:
    """The file's rows after its header, and where each of `columns` is in a row; None (with the
    errors) when the file is not UTF-8 text or its header is wrong."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        errors.add(line, None, "not UTF-8 text: save the file as 'CSV UTF-8' (a GBK file must be converted first)")
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    positions = header(next(reader, None), columns, errors)
    return None if positions is None else (reader, positions)


def header(names: list[str] | None, columns: tuple[str, ...], errors: RowErrors) -> tuple[int, ...] | None:
    """Where each of `columns` is in a row; None (with the errors) when the header is wrong."""
    if not names or not any(name.strip() for name in names):
        errors.add(1, None, f"the first line must name the columns: {','.join(columns)}")
        return None
    names = [name.strip().lower() for name in names]
    for name in names:
        if name not in columns:
            errors.add(1, name or None, f"unknown column {name!r}: the columns are {','.join(columns)}")
    for name in columns:
        if names.count(name) > 1:
            errors.add(1, name, "column named twice")
        elif name not in names:
            errors.add(1, name, "missing column")
    if errors.count:
        return None
    return tuple(names.index(name) for name in columns)


def full_rows(reader: Reader, width: int, errors: RowErrors) -> Iterator[tuple[int, list[str]]]:
    """Each row of `width` fields after the header, with its line; a row of another width is an
    error, a blank line is skipped."""
    for row in reader:
        line = reader.line_num
        if len(row) != width:
            if len(row) <= 1 and not "".join(row).strip():
                continue  # a blank line (Excel leaves some at the end)
            errors.add(line, None, f"{len(row)} fields where the header has {width}")
            continue
        yield line, row


def required_text(value: str, longest: int, line: int, column: str, errors: RowErrors) -> str:
    """A required text field, trimmed, of at most `longest` characters."""
    value = value.strip()
    if not value:
        errors.add(line, column, "required")
    elif len(value) > longest:
        errors.add(line, column, f"longer than {longest} characters")
    return value
