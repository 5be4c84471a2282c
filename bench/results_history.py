"""A benchmark's results file holds its latest run and, under "Earlier runs", every run before it,
newest first: a new run never overwrites a figure, and the README need not keep the history."""

from __future__ import annotations

import re
from pathlib import Path

EARLIER = "\n## Earlier runs\n"


def _as_earlier_run(report: str) -> str:
    """A whole report as one entry of the history: headed by its "Run ..." line, its own headings
    two levels down so that they sit under that entry."""
    lines = report.strip().splitlines()
    run = next((i for i, line in enumerate(lines) if line.startswith("Run ")), None)
    if run is None:
        heading, body = "### Run (date not recorded)", lines[1:]
    else:
        heading, body = f"### {lines[run]}", lines[1:run] + lines[run + 1 :]
    body = [re.sub(r"^(#+) ", r"\1## ", line) if line.startswith("#") else line for line in body]
    return "\n".join([heading, *body]).strip() + "\n"


def with_earlier_runs(report: str, path: Path) -> str:
    """`report` followed by the run `path` holds now and the runs before it."""
    if not path.exists():
        return report
    latest, _, earlier = path.read_text().partition(EARLIER)
    entries = [_as_earlier_run(latest), earlier.strip("\n")]
    return report.rstrip("\n") + "\n" + EARLIER + "\n" + "\n\n".join(e for e in entries if e) + "\n"
