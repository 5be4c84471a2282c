"""`dealerflow contract check`: the checked-in contract (`contract/`) is what the code generates
now (`make contract`, `events.asyncapi`). Files of older versions the code no longer
generates are allowed: they stay published until their sunset (docs/contract.md)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from events.asyncapi import write


@dataclass(frozen=True)
class ContractReport:
    checked: int
    missing: list[str]  # generated, not checked in
    changed: list[str]  # checked in with other content

    @property
    def matches(self) -> bool:
        return not self.missing and not self.changed


def check(contract: Path) -> ContractReport:
    with tempfile.TemporaryDirectory() as scratch:
        generated = Path(scratch)
        missing, changed = [], []
        files = write(generated)
        for path in files:
            relative = path.relative_to(generated)
            checked_in = contract / relative
            if not checked_in.exists():
                missing.append(str(relative))
            elif checked_in.read_text() != path.read_text():
                changed.append(str(relative))
    return ContractReport(len(files), sorted(missing), sorted(changed))
