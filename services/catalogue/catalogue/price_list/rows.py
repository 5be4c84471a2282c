"""Reading a parts price file (CSV) into the rows of one price-list version — pure, no I/O.

The file (docs/catalogue.md, "The parts price list"): UTF-8 (a leading byte-order mark, as Excel
writes one, is ignored), a header line naming the columns `part_number, description,
list_price, cost, oem, superseded_by` in any order, then one part per line. Prices are whole
fen: a decimal point, an exponent or a sign in money is a row error, never rounded.

A file is all or nothing: every bad row is reported with its line number (the file's own line,
the header being line 1), and a file with any bad row yields no rows at all.

Speed matters (a price file holds 100,000 parts; bench/catalogue_import.py), so there are two
passes. The fast one reads a plain file with one regular expression and one comprehension, plain
tuples out, ready for `COPY`; no model is built per row. Whatever it does not accept goes to the
careful one (the `csv` module, every field checked on its own), which names each fault with its
line — or finds the file good after all. Both give the same parts for a good file (tested).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING

# `MAX_LISTED` and `RowError` (shared with the labour-time file) are named here too, as the price
# list's callers know them.
from catalogue.domain.csv_rows import MAX_LISTED as MAX_LISTED
from catalogue.domain.csv_rows import InvalidFile, RowErrors, full_rows, header, open_file, required_text
from catalogue.domain.csv_rows import RowError as RowError
from events.log_pages import collection_paused

if TYPE_CHECKING:
    from _csv import Reader

COLUMNS = ("part_number", "description", "list_price", "cost", "oem", "superseded_by")
MAX_ROWS = 1_000_000
MAX_DESCRIPTION = 200
# Fen: twelve digits are ten thousand million yuan, far above any part and well inside bigint.
MAX_MONEY_DIGITS = 12
# The part numbers the parts service's paths accept (services/parts/parts/api.py), upper-cased.
PART_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9\-./]{0,39}")
# How price files write "OEM or not" (Y/N is the usual; 是/否 from Chinese spreadsheets).
OEM_VALUES = {"y": True, "n": False, "yes": True, "no": False, "true": True, "false": False, "1": True, "0": False}
OEM_VALUES |= {"是": True, "否": False}
# The same as written in a file (`Y`, `y`, `Yes`, `TRUE` …), for the column-at-a-time pass.
OEM_AS_WRITTEN = {form: v for k, v in OEM_VALUES.items() for form in (k, k.upper(), k.capitalize())}

# One part as loaded by `COPY`: list_key (its version's), part_number, description, list_price, cost, oem,
# superseded_by (the order of `price_list_parts`' columns in `importer.COPY_COLUMNS`).
Record = tuple[int, str, str, int, int, bool, str | None]


class InvalidRows(InvalidFile):
    """The price file has bad rows: nothing of it may be imported."""

    kind = "price file"


@dataclass(frozen=True)
class PriceFile:
    """A valid price file: its parts, ready for `COPY`, and what the import event records."""

    records: list[Record]
    superseded: int
    checksum: str


def read_price_file(data: bytes, list_key: int) -> PriceFile:
    """The parts of a price file for the version `list_key`, sorted by part number (loaded in that
    order under a key above every earlier version's, each goes to the right end of the primary
    key's index: an append, not a search); `InvalidRows` listing every bad row when anything is
    wrong."""
    return _read_at_once(data, list_key) or read_line_by_line(data, list_key)


# Each column of a plain line (no quotes, no blanks around a value, no empty line), as the fast
# pass matches it: upper-case part numbers, a description without blanks at either end, whole fen.
_PLAIN = {
    "part_number": r"([A-Z0-9][A-Z0-9\-./]{0,39})",
    "description": rf'([^\s,"](?:[^,"\r\n]{{0,{MAX_DESCRIPTION - 2}}}[^\s,"])?)',
    "list_price": rf"([0-9]{{1,{MAX_MONEY_DIGITS}}})",
    "cost": rf"([0-9]{{1,{MAX_MONEY_DIGITS}}})",
    # The usual one-letter flags tried first; a longer one is tried when the comma does not follow.
    "oem": "(" + "|".join(sorted(map(re.escape, OEM_AS_WRITTEN), key=len)) + ")",
    "superseded_by": r"([A-Z0-9][A-Z0-9\-./]{0,39})?",
}


def _read_at_once(data: bytes, list_key: int) -> PriceFile | None:
    """The fast pass: one regular expression, built for the header's column order, matches every
    plain line and takes its fields (`findall`, in C), and one comprehension makes the parts —
    several times faster than the `csv` module and a check per field in Python.

    Stricter than the line-by-line pass, never looser: None as soon as a line does not match (a
    bad row, but also quotes, blanks around a value, a blank line); that pass then names the
    faults, or finds the file good. `InvalidRows` for a wrong header."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    errors = RowErrors()
    positions = header(next(csv.reader([first.rstrip("\r")]), None), COLUMNS, errors)
    if positions is None:
        raise InvalidRows(errors)
    start = len(text) if end < 0 else end + 1
    lines = text.count("\n", start) + (not text.endswith("\n"))
    if not 0 < lines <= MAX_ROWS:
        return None
    order = sorted(COLUMNS, key=lambda name: positions[COLUMNS.index(name)])
    line = re.compile("^" + ",".join(_PLAIN[name] for name in order) + "\r?$", re.MULTILINE)
    with collection_paused():  # a hundred thousand tuples, no cycles among them
        fields = line.findall(text, start)
        if len(fields) != lines:
            return None
        if positions != tuple(range(len(COLUMNS))):  # findall gives them in the file's order
            fields = list(map(itemgetter(*positions), fields))
        oem = OEM_AS_WRITTEN
        parts: list[Record] = [(list_key, n, d, int(p), int(c), oem[o], s or None) for n, d, p, c, o, s in fields]
        del fields
        numbers = set(map(itemgetter(1), parts))
        successors = {r[1]: r[6] for r in parts if r[6] is not None}
        if len(numbers) != len(parts) or _supersession_faults(successors, numbers):
            return None
        parts.sort(key=itemgetter(1))  # last: the passes above go through memory in file order
    return PriceFile(parts, len(successors), hashlib.sha256(data).hexdigest())


def read_line_by_line(data: bytes, list_key: int) -> PriceFile:
    """The careful pass: every row checked on its own; `InvalidRows` with every fault and its line."""
    errors = RowErrors()
    opened = open_file(data, COLUMNS, errors)
    if opened is None:
        raise InvalidRows(errors)
    reader, positions = opened
    records, lines = _rows(reader, positions, list_key, errors)
    if not records and not errors.count:
        errors.add(1, None, "the file has no parts: one part per line after the header")
    successors = {r[1]: r[6] for r in records if r[6] is not None}
    for number, reason in _supersession_faults(successors, lines.keys()):
        errors.add(lines[number], "superseded_by", reason)
    if errors.count:
        errors.listed.sort(key=lambda e: e.line)
        raise InvalidRows(errors)
    records.sort(key=itemgetter(1))
    return PriceFile(records, len(successors), hashlib.sha256(data).hexdigest())


def _rows(
    reader: Reader, positions: tuple[int, ...], list_key: int, errors: RowErrors
) -> tuple[list[Record], dict[str, int]]:
    """The good rows and the line of each part number; every bad row goes to `errors`."""
    p_number, p_description, p_list, p_cost, p_oem, p_successor = positions
    width = len(positions)
    records: list[Record] = []
    lines: dict[str, int] = {}
    oem_values, fullmatch = OEM_VALUES, PART_NUMBER.fullmatch
    for line, row in full_rows(reader, width, errors):
        if len(records) >= MAX_ROWS:
            errors.add(line, None, f"a price file holds at most {MAX_ROWS:,} parts: split the file")
            break
        bad = errors.count
        number = row[p_number].strip().upper()
        if not fullmatch(number):
            errors.add(line, "part_number", _part_number_reason(number))
        elif number in lines:
            errors.add(line, "part_number", f"{number} is already on line {lines[number]}")
        else:
            lines[number] = line
        description = required_text(row[p_description], MAX_DESCRIPTION, line, "description", errors)
        text = row[p_list].strip()
        if text.isdigit() and text.isascii() and len(text) <= MAX_MONEY_DIGITS:
            list_price = int(text)
        else:
            list_price = 0
            errors.add(line, "list_price", money_reason(text))
        text = row[p_cost].strip()
        if text.isdigit() and text.isascii() and len(text) <= MAX_MONEY_DIGITS:
            cost = int(text)
        else:
            cost = 0
            errors.add(line, "cost", money_reason(text))
        oem = oem_values.get(row[p_oem].strip().lower())
        if oem is None:
            errors.add(line, "oem", "Y or N (also yes/no, true/false, 1/0, 是/否)")
        successor: str | None = row[p_successor].strip().upper() or None
        if successor is not None and not fullmatch(successor):
            errors.add(line, "superseded_by", _part_number_reason(successor))
            successor = None
        if errors.count == bad:
            records.append((list_key, number, description, list_price, cost, oem is True, successor))
    return records, lines


def money_reason(text: str) -> str:
    """Why `text` is not an amount of fen (only asked of text that is not one)."""
    if not text:
        return "required: the price in whole fen"
    if "e" in text.lower() and _is_float(text):
        return f"{text!r} is a float: prices are whole fen, written out in digits"
    if "." in text or "," in text:
        return f"{text!r} has a decimal point: prices are whole fen (12.50 yuan is written 1250)"
    if text.startswith("-"):
        return f"{text!r} is negative"
    if text.isdigit() and text.isascii():
        return f"{text!r} has more than {MAX_MONEY_DIGITS} digits"
    return f"{text!r} is not a whole number of fen"


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _part_number_reason(number: str) -> str:
    if not number:
        return "required"
    if len(number) > 40:
        return "longer than 40 characters"
    return f"{number!r} is not a part number (letters, digits and - . / only, starting with a letter or digit)"


def _supersession_faults(successors: dict[str, str], known: Collection[str]) -> list[tuple[str, str]]:
    """(part number, why) for each part whose successor is not in the file or that is on a
    supersession cycle; `successors`: part number → the part that replaces it, `known`: the
    file's part numbers."""
    faults = []
    for number, successor in successors.items():
        if successor == number:
            faults.append((number, f"{number} cannot supersede itself"))
        elif successor not in known:
            faults.append((number, f"{successor} is not in this price file"))
    # Each part has at most one successor, so the chains are paths; a walk that meets its own
    # path has found a cycle. Every part is walked once (`done`): linear in the file.
    done: set[str] = set()
    for start in successors:
        path: dict[str, None] = {}
        node: str | None = start
        while node is not None and node not in done and node not in path:
            path[node] = None
            node = successors.get(node)
        if node is not None and node in path and successors.get(node) != node:
            cycle = list(path)[list(path).index(node) :]
            shown = " → ".join([*cycle, node])
            faults += [(member, f"supersession cycle: {shown}") for member in cycle]
        done.update(path)
    return faults
