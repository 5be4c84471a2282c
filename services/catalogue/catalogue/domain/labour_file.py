"""Reading a labour-time file (CSV) into labour operations — pure, no I/O.

The file (docs/catalogue.md, "Labour operations"): UTF-8 (a leading byte-order mark, as Excel
writes one, is ignored), a header line naming the columns `code, model_family, description_zh,
description_en, flat_rate_minutes, skill_level` in any order, then one row per code and model
family (`*`: every family without a row of its own). Times are whole minutes.

A file is all or nothing: every bad row is reported with its line number (the file's own line,
the header being line 1), its field and why; a file with any bad row imports nothing. A code
named twice for the same family is an error on the second line.
"""

from __future__ import annotations

import _csv
import hashlib
import re
from dataclasses import dataclass

from catalogue.domain.csv_rows import InvalidFile, RowErrors, full_rows, open_file, required_text
from catalogue.domain.labour import LabourOperation

COLUMNS = ("code", "model_family", "description_zh", "description_en", "flat_rate_minutes", "skill_level")
MAX_ROWS = 200_000
MAX_DESCRIPTION = 200
MAX_MINUTES = 6000  # 100 hours: far above any one operation
SKILL_LEVELS = range(1, 6)
CODE = re.compile(r"[A-Z0-9][A-Z0-9\-._]{0,31}")
FAMILY = re.compile(r"\*|[^\s*][^*]{0,63}")


class InvalidLabourFile(InvalidFile):
    """The labour-time file has bad rows: nothing of it may be imported."""

    kind = "labour-time file"

    @classmethod
    def too_large(cls, limit: int) -> InvalidLabourFile:
        errors = RowErrors()
        errors.add(1, None, f"the file is larger than {limit // (1024 * 1024)} MB: split it")
        return cls(errors)


@dataclass(frozen=True)
class LabourFile:
    """A valid labour-time file: its operations and the file's sha256 (the import event's)."""

    operations: list[LabourOperation]
    checksum: str

    @property
    def codes(self) -> int:
        return len({op.code for op in self.operations})


def read_labour_file(data: bytes) -> LabourFile:
    """The operations of a labour-time file; `InvalidLabourFile` listing every bad row when
    anything is wrong."""
    errors = RowErrors()
    opened = open_file(data, COLUMNS, errors)
    if opened is None:
        raise InvalidLabourFile(errors)
    reader, positions = opened
    operations = _rows(reader, positions, errors)
    if not operations and not errors.count:
        errors.add(1, None, "the file has no operations: one code and model family per line after the header")
    if errors.count:
        raise InvalidLabourFile(errors)
    return LabourFile(operations, hashlib.sha256(data).hexdigest())


def _rows(reader: _csv.Reader, positions: tuple[int, ...], errors: RowErrors) -> list[LabourOperation]:
    p_code, p_family, p_zh, p_en, p_minutes, p_skill = positions
    width = len(positions)
    operations: list[LabourOperation] = []
    lines: dict[tuple[str, str], int] = {}
    for line, row in full_rows(reader, width, errors):
        if len(operations) >= MAX_ROWS:
            errors.add(line, None, f"a labour-time file holds at most {MAX_ROWS:,} rows: split the file")
            break
        bad = errors.count
        code = row[p_code].strip().upper()
        if not CODE.fullmatch(code):
            errors.add(line, "code", _code_reason(code))
        family = row[p_family].strip()
        if not FAMILY.fullmatch(family):
            errors.add(line, "model_family", _family_reason(family))
        if errors.count == bad:
            first = lines.setdefault((code, family), line)
            if first != line:
                errors.add(line, "code", f"{code} for {family} is already on line {first}")
        description_zh = required_text(row[p_zh], MAX_DESCRIPTION, line, "description_zh", errors)
        description_en = required_text(row[p_en], MAX_DESCRIPTION, line, "description_en", errors)
        minutes = _whole(row[p_minutes], range(0, MAX_MINUTES + 1), line, "flat_rate_minutes", errors)
        skill = _whole(row[p_skill], SKILL_LEVELS, line, "skill_level", errors)
        if errors.count == bad:
            operations.append(LabourOperation(code, family, description_zh, description_en, minutes, skill))
    return operations


def _whole(text: str, allowed: range, line: int, column: str, errors: RowErrors) -> int:
    text = text.strip()
    if text.isdigit() and text.isascii() and int(text) in allowed:
        return int(text)
    if not text:
        errors.add(line, column, "required")
    elif "." in text and column == "flat_rate_minutes":
        errors.add(line, column, f"{text!r} is not whole minutes (0.5 hours is written 30)")
    else:
        errors.add(line, column, f"{text!r} is not a whole number from {allowed.start} to {allowed.stop - 1}")
    return 0


def _code_reason(code: str) -> str:
    if not code:
        return "required"
    if len(code) > 32:
        return "longer than 32 characters"
    return f"{code!r} is not a labour operation code (letters, digits and - . _ only)"


def _family_reason(family: str) -> str:
    if not family:
        return "required: a model family, or * for every family"
    if len(family) > 64:
        return "longer than 64 characters"
    return f"{family!r} is not a model family (or * alone for every family)"
