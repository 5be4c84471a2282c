"""The stand-ins' pages: what each party received, newest first, as a plain HTML table."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

_STYLE = (
    "body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:2rem}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;"
    "vertical-align:top}th{background:#f3f3f3}.refused{color:#a00}.note{color:#555}"
)


def page(title: str, note: str, headings: Sequence[str], rows: Sequence[tuple[Sequence[str], bool]]) -> str:
    """`rows`: each row's cells and whether the party refused it (shown in red)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headings)
    body = "".join(
        f"<tr class='{'refused' if refused else ''}'>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>"
        for cells, refused in rows
    )
    empty = "" if rows else "<p>Nothing received yet.</p>"
    return (
        f"<!doctype html><html lang='zh'><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{escape(title)}</h1><p class='note'>{escape(note)}</p>"
        f"<p><a href='/einvoice'>e-invoice provider</a> · <a href='/erecord'>repair e-record platform</a></p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{empty}</body></html>"
    )
