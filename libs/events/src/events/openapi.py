"""What a service's OpenAPI document says about errors: the body every error really has
(`events.http.error_body`), on every operation, with the codes each can answer.

FastAPI documents its own 422 body (`HTTPValidationError`), which no service ever sends. A
service's document instead names `ErrorBody` for 401, 403 and 422 on every operation and 503
(the database away) on every one that touches it; an operation adds its 404 and its 409 codes
with `responses=refusals(...)`:

    @router.post(".../sign", responses=refusals("not_signable", "concurrency_conflict"))
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field


class FieldError(BaseModel):
    field: str = Field(examples=["body.quantity"], description="where: body, query, path or header, then the name")
    message: str = Field(examples=["Input should be greater than 0"])
    type: str = Field(examples=["greater_than"])


class ErrorDetail(BaseModel):
    code: str = Field(description="stable, for programs to branch on", examples=["appointment_not_found"])
    message: str = Field(description="for people: what rule was broken and what to do instead")
    fields: list[FieldError] | None = Field(default=None, description="422: each invalid field")
    current_version: int | None = Field(default=None, description="409 concurrency_conflict: the version now")


class ErrorBody(BaseModel):
    """Every error answer: `{"error": {"code", "message", "fields"?, "current_version"?}}`."""

    error: ErrorDetail


_ALWAYS = {
    "401": "not signed in through the gateway (`unauthenticated`)",
    "403": "not allowed: another site, or a role without this duty (`forbidden`)",
    "422": "invalid fields (`invalid_request`, with `fields`)",
    "503": "the database cannot be reached; nothing was written; retry (`database_unavailable`)",
}


def refusals(*conflicts: str, not_found: bool = True) -> dict[int | str, dict[str, Any]]:
    """An operation's `responses=`: 404 when its path names a record, and 409 with the codes of
    the rules it can refuse on (`concurrency_conflict` when it takes `If-Match`)."""
    answers: dict[int | str, dict[str, Any]] = {}
    if not_found:
        answers[404] = {"model": ErrorBody, "description": "no such record at this site (`not_found`)"}
    if conflicts:
        codes = ", ".join(f"`{code}`" for code in conflicts)
        answers[409] = {"model": ErrorBody, "description": f"refused by a rule: {codes}"}
    return answers


def document_errors(app: FastAPI) -> None:
    """Make `app.openapi()` name the real error body on every operation (see the module's doc)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(body.pop("$defs", {}))
            schemas["ErrorBody"] = body
            for name in ("HTTPValidationError", "ValidationError"):
                schemas.pop(name, None)
            reference = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    responses = operation.setdefault("responses", {})
                    for status, description in _ALWAYS.items():
                        responses[status] = {"description": description, "content": reference}
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
