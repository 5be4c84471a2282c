"""The catalogue's 422s in the shared error shape (`events.http`): a file's bad rows, and a
field naming what cannot be (a date in the past, an unknown labour operation or part)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from catalogue.domain.errors import Unprocessable
from catalogue.domain.labour_file import InvalidLabourFile
from events.http import ERROR_CODE_KEY, error_body


def install(app: FastAPI) -> None:
    @app.exception_handler(InvalidLabourFile)
    async def invalid_rows(request: Request, error: InvalidLabourFile) -> JSONResponse:
        request.scope[ERROR_CODE_KEY] = error.code
        rows = [{"line": e.line, "field": e.field, "reason": e.reason} for e in error.errors.listed]
        return JSONResponse(error_body(error.code, str(error), rows=rows, count=error.errors.count), status_code=422)

    @app.exception_handler(Unprocessable)
    async def unprocessable(request: Request, error: Unprocessable) -> JSONResponse:
        request.scope[ERROR_CODE_KEY] = error.code
        fields = [{"field": f.field, "message": f.message, "type": f.type} for f in error.fields]
        return JSONResponse(error_body(error.code, str(error), fields=fields), status_code=422)
