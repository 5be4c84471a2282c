"""Printable documents (PDF, Chinese or English), rendered at the edge from the services' views
(docs/documents.md, docs/decisions/0018): `api` the route, `sources` the views read as the
caller, `layout` the paper and how values are written, `fonts` the typeface checked at start,
`lines` repair-order lines and their totals, and one module per document."""

from __future__ import annotations

from fastapi import FastAPI

from gateway.documents.api import router
from gateway.documents.fonts import load_font


def install(app: FastAPI) -> None:
    """The documents' route, once the font is known to be there (`FontMissing` otherwise: the
    gateway does not start rather than print blank boxes)."""
    app.state.document_font = load_font()
    app.include_router(router)
